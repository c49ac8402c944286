// What History reads: a month's twitch counts per local date (from index keys alone), the days
// with symptoms and check-ins, and every entry of one date.

import { getRecord, readDevice, recentRecords, recordTimes } from "./db.js";
import { addDays, earliestInstantOf, latestInstantOf } from "./local-date.js";
import { countByDay, daysIn } from "./calendar.js";
import { dayOfFor } from "./person-day.js";
import { checkinRecordId } from "./uuid.js";

const TIMED = ["twitch", "symptom", "activity", "intake"];

export async function monthData(month) {
  const device = await readDevice();
  const dayOf = dayOfFor(device);
  const first = `${month}-01`;
  const last = `${month}-${String(daysIn(month)).padStart(2, "0")}`;
  // A day that starts as late as 06:00 reaches into the next calendar date.
  const range = { since: earliestInstantOf(first), until: latestInstantOf(addDays(last, 1)) };
  const [twitches, symptoms, checkins] = await Promise.all([
    recordTimes("twitch", range),
    recordTimes("symptom", range),
    recordTimes("checkin", { since: first, until: last }),
  ]);
  return {
    counts: countByDay(twitches, month, dayOf),
    symptomDays: new Set(Object.keys(countByDay(symptoms, month, dayOf))),
    checkinDays: new Set(checkins),
    calm: device.signed_in && device.user?.calm_mode === true,
  };
}

export async function dayData(date) {
  const device = await readDevice();
  const dayOf = dayOfFor(device);
  const range = { since: earliestInstantOf(date), until: latestInstantOf(addDays(date, 1)), limit: Infinity };
  const lists = await Promise.all(TIMED.map((entity) => recentRecords(entity, range)));
  const entries = lists.flat().filter((row) => dayOf(row.at) === date).sort((a, b) => (a.at < b.at ? -1 : 1));
  const checkin = await getRecord("checkin", await checkinRecordId(date));
  return {
    entries,
    checkin: checkin && !checkin.view.deleted ? checkin : null,
    calm: device.signed_in && device.user?.calm_mode === true,
  };
}
