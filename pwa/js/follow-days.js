// A followed person's records folded into one summary per local date (in the person's time zone),
// so a caregiver reads "34 twitches, mostly left calf" instead of 34 lines. Pure functions.

const formatters = new Map();

function parts(instant, timeZone) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  const out = {};
  for (const part of formatter.formatToParts(new Date(instant))) out[part.type] = part.value;
  return { date: `${out.year}-${out.month}-${out.day}`, hour: Number(out.hour) };
}

export function localDateIn(instant, timeZone) {
  return parts(instant, timeZone).date;
}

export function localHourIn(instant, timeZone) {
  return parts(instant, timeZone).hour;
}

// The `count` dates ending at `last` (YYYY-MM-DD), newest first.
export function lastDates(last, count) {
  const end = new Date(`${last}T12:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(end.getTime() - i * 86400000).toISOString().slice(0, 10));
}

function placeKey(record) {
  return record.body_region ? `${record.body_region}|${record.side || ""}` : null;
}

function emptyDay(date) {
  return { date, twitches: 0, places: new Map(), symptoms: [], checkin: null, rests: 0, restMinutes: 0, activities: 0, intakes: 0 };
}

// records: {twitch, symptom, checkin, activity, intake} lists (null where not shared).
// Returns one summary per date of `dates`, in that order; `topPlace` is the most logged
// "region|side" of the day's twitches (null without any).
export function summariseDays(records, timeZone, dates) {
  const days = new Map(dates.map((date) => [date, emptyDay(date)]));
  const dayOf = (instant) => days.get(localDateIn(instant, timeZone));
  for (const r of records.twitch || []) {
    const day = dayOf(r.occurred_at);
    if (!day) continue;
    day.twitches += 1;
    const key = placeKey(r);
    if (key) day.places.set(key, (day.places.get(key) || 0) + 1);
  }
  for (const r of records.symptom || []) {
    const day = dayOf(r.observed_at);
    if (day) day.symptoms.push(r);
  }
  for (const r of records.checkin || []) {
    const day = days.get(r.local_date);
    if (day) day.checkin = r;
  }
  for (const r of records.activity || []) {
    const day = dayOf(r.started_at);
    if (!day) continue;
    if (r.level === "rest") {
      day.rests += 1;
      if (r.ended_at) day.restMinutes += Math.max(0, Math.round((Date.parse(r.ended_at) - Date.parse(r.started_at)) / 60000));
    } else {
      day.activities += 1;
    }
  }
  for (const r of records.intake || []) {
    const day = dayOf(r.taken_at);
    if (day) day.intakes += 1;
  }
  return dates.map((date) => {
    const day = days.get(date);
    let topPlace = null;
    let topCount = 0;
    for (const [key, count] of day.places) {
      if (count > topCount || (count === topCount && key < topPlace)) [topPlace, topCount] = [key, count];
    }
    const { places, ...rest } = day;
    return { ...rest, topPlace, topCount };
  });
}

// One row per local hour that has twitches on `date`: {hour, count, places: [["calf|left", n], ...]}.
export function hourRows(twitches, timeZone, date) {
  const rows = new Map();
  for (const r of twitches || []) {
    const at = parts(r.occurred_at, timeZone);
    if (at.date !== date) continue;
    const row = rows.get(at.hour) || { hour: at.hour, count: 0, places: new Map() };
    row.count += 1;
    const key = placeKey(r);
    if (key) row.places.set(key, (row.places.get(key) || 0) + 1);
    rows.set(at.hour, row);
  }
  return [...rows.values()].sort((a, b) => a.hour - b.hour)
    .map((row) => ({ ...row, places: [...row.places].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)) }));
}
