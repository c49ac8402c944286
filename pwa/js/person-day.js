// The person's local date of an instant (DESIGN §13): the date of (local wall time − day_starts_at),
// so a twitch at 01:30 with the day starting at 04:00 belongs to the evening before. The account's
// day start comes from GET /me (kept with the device); signed out, the day starts at midnight.
// Seam: when pwa/js/local-date.js gains the shared pure `localDateOf`, dayOfFor can use it.

import { deviceTimeZone } from "./local-date.js";

const formatters = new Map();

function wallFormatter(timeZone) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function dayStartMinutes(hhmm) {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm || "");
  return match ? Number(match[1]) * 60 + Number(match[2]) : 0;
}

export function shiftedLocalDate(instant, { dayStartsAt = "00:00", timeZone = deviceTimeZone() } = {}) {
  const date = instant instanceof Date ? instant : new Date(instant);
  const p = Object.fromEntries(wallFormatter(timeZone).formatToParts(date).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return new Date(wall - dayStartMinutes(dayStartsAt) * 60000).toISOString().slice(0, 10);
}

// A dayOf(instant) for this device's account.
export function dayOfFor(device) {
  const dayStartsAt = (device?.signed_in && device.user?.day_starts_at) || "00:00";
  if (dayStartsAt === "00:00") {
    // Midnight: the cheaper date-only formatter gives the same answer.
    const timeZone = deviceTimeZone();
    return (at) => shiftedLocalDate(at, { timeZone });
  }
  return (at) => shiftedLocalDate(at, { dayStartsAt });
}
