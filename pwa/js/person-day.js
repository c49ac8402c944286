// The person's local date of an instant (DESIGN §13) for many instants at once: the same answer
// as localDateOf in local-date.js (the date of local wall time − day_starts_at), remembering the
// last day's span. The account's day start comes from GET /me (kept with the device); signed
// out, the day starts at midnight.

import { dayStartMinutes, deviceTimeZone, localDateOf } from "./local-date.js";

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

// Wall-clock time in `timeZone` as if it were UTC, to the minute.
function wallMs(ms, timeZone) {
  const p = Object.fromEntries(wallFormatter(timeZone).formatToParts(ms).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
}

const toMs = (instant) => (instant instanceof Date ? instant.getTime() : typeof instant === "number" ? instant : Date.parse(instant));

export function shiftedLocalDate(instant, { dayStartsAt = "00:00", timeZone = deviceTimeZone() } = {}) {
  return localDateOf(instant, timeZone, dayStartsAt);
}

// The person's day start on this device ("00:00" when signed out).
export function dayStartOf(device) {
  return (device?.signed_in && device.user?.day_starts_at) || "00:00";
}

// The same answer as shiftedLocalDate, remembering the UTC span of the last day it found: a month
// of twitches in time order costs a few Intl calls a day instead of one per twitch. A span is only
// kept when the zone's offset is the same at both of its ends (so never across a DST change).
export function dayOfIn({ dayStartsAt = "00:00", timeZone = deviceTimeZone() } = {}) {
  const shift = dayStartMinutes(dayStartsAt) * 60000;
  const offsetAt = (ms) => wallMs(ms, timeZone) - (ms - (((ms % 60000) + 60000) % 60000));
  let from = Infinity;
  let until = -Infinity;
  let day = null;
  return (instant) => {
    const ms = toMs(instant);
    if (ms >= from && ms < until) return day;
    const offset = offsetAt(ms);
    const date = new Date(ms + offset - shift).toISOString().slice(0, 10);
    const startWall = Date.parse(`${date}T00:00:00Z`) + shift;
    const start = startWall - offset;
    const end = startWall + 86400000 - offset;
    if (offsetAt(start) === offset && offsetAt(end - 60000) === offset) {
      from = start;
      until = end;
      day = date;
    }
    return date;
  };
}

// A dayOf(instant) for this device's account.
export function dayOfFor(device) {
  return dayOfIn({ dayStartsAt: dayStartOf(device) });
}
