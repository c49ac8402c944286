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
