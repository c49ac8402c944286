// Local dates (YYYY-MM-DD) in an IANA time zone, computed with Intl so DST is the platform's.

const formatters = new Map();

function dateFormatter(timeZone) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function deviceTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function localDate(instant, timeZone = deviceTimeZone()) {
  const date = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: ${instant}`);
  const parts = Object.fromEntries(
    dateFormatter(timeZone).formatToParts(date).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const wallFormatters = new Map();

function wallFormatter(timeZone) {
  let formatter = wallFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    wallFormatters.set(timeZone, formatter);
  }
  return formatter;
}

// "HH:MM" (00:00 to 06:00) as minutes; anything else is midnight.
export function dayStartMinutes(dayStartsAt) {
  const match = /^(\d{2}):(\d{2})$/.exec(dayStartsAt || "");
  return match ? Number(match[1]) * 60 + Number(match[2]) : 0;
}

// The person's local date of an instant (DESIGN §13): the date of (wall-clock time in
// `timeZone` minus `dayStartsAt`), so 01:30 with the day starting at 04:00 is the evening before.
export function localDateOf(instant, timeZone = deviceTimeZone(), dayStartsAt = "00:00") {
  const date = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: ${instant}`);
  const shift = dayStartMinutes(dayStartsAt);
  if (!shift) return localDate(date, timeZone);
  const p = Object.fromEntries(wallFormatter(timeZone).formatToParts(date).map((part) => [part.type, part.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return new Date(wall - shift * 60000).toISOString().slice(0, 10);
}

export function addDays(date, days) {
  const [y, m, d] = date.split("-").map(Number);
  const shifted = new Date(Date.UTC(y, m - 1, d + days));
  return shifted.toISOString().slice(0, 10);
}

export function isLocalDate(value) {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return addDays(value, 0) === value;
}

// Instants are stored as UTC with milliseconds, the form the server normalises to.
export function toInstant(date = new Date()) {
  return (date instanceof Date ? date : new Date(date)).toISOString();
}

// The earliest instant that could fall on `date` anywhere (zones span UTC-12..UTC+14).
export function earliestInstantOf(date) {
  return `${addDays(date, -1)}T09:00:00.000Z`;
}

export function latestInstantOf(date) {
  return `${addDays(date, 1)}T13:00:00.000Z`;
}
