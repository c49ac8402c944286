// What a person does, as local writes: each is one IndexedDB transaction (record + outbox).

import { countRecords, getRecord, recentRecords, writeLocal } from "./db.js";
import { announceChange } from "./changes.js";
import { checkinRecordId, uuid4 } from "./uuid.js";
import { earliestInstantOf, latestInstantOf, localDate, toInstant } from "./local-date.js";
import { checkinChanges } from "./checkin-fields.js";

async function write(entity, recordId, op, fields) {
  const result = await writeLocal(entity, recordId, op, fields);
  announceChange({ reason: "local", entity, record_id: recordId });
  return result.record;
}

export function logTwitch(at = new Date()) {
  return write("twitch", uuid4(), "set", { occurred_at: toInstant(at) });
}

// An entry added after the fact (History): one set with every field given.
export function createRecord(entity, fields) {
  return write(entity, uuid4(), "set", fields);
}

export function updateRecord(entity, recordId, fields) {
  return write(entity, recordId, "set", fields);
}

export function deleteRecord(entity, recordId) {
  return write(entity, recordId, "delete");
}

export function restoreRecord(entity, recordId) {
  return write(entity, recordId, "set", { deleted: false });
}

export { getRecord };

export async function todaysTwitches(now = new Date()) {
  const today = localDate(now);
  const rows = await recentRecords("twitch", {
    since: earliestInstantOf(today), until: latestInstantOf(today), limit: 100000,
  });
  return rows.filter((row) => localDate(row.view.fields.occurred_at) === today);
}

// How many twitches today (the device's local day), as the first screen shows after every tap:
// counted in the index between the UTC instants of this day's and the next day's local midnight,
// so the cost stays the same however many are logged. Instants are stored in UTC ("Z", from
// toInstant or the server's whole seconds or milliseconds), whose text order is time order.
export function todaysTwitchCount(now = new Date()) {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return countRecords("twitch", { since: toInstant(start), until: toInstant(next) });
}

export async function latestEntries(limit = 8) {
  const kinds = ["twitch", "symptom", "activity", "intake"];
  const lists = await Promise.all(kinds.map((entity) => recentRecords(entity, { limit })));
  return lists.flat().sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, limit);
}

export function recentOf(entity, limit = 5) {
  return recentRecords(entity, { limit });
}

// The check-in of a date, and the latest one before it (only for an explicit "same as yesterday").
export async function checkinFor(date) {
  const own = await getRecord("checkin", await checkinRecordId(date));
  const earlier = await recentRecords("checkin", { until: date, limit: 2 });
  return {
    own: own && !own.view.deleted ? own : null,
    stored: own || null,
    previous: earlier.find((row) => row.view.fields.local_date < date) || null,
  };
}

// Only what the person set or confirmed is sent (DESIGN §16): see checkinChanges.
export async function saveCheckin(date, touched) {
  const recordId = await checkinRecordId(date);
  const existing = await getRecord("checkin", recordId);
  const fields = checkinChanges({ date, existing: existing && existing.view, touched });
  if (Object.keys(fields).length === 0) return existing;
  return write("checkin", recordId, "set", fields);
}

export async function openRestBreak(now = new Date()) {
  const since = new Date(now.getTime() - 12 * 3600 * 1000).toISOString();
  const rows = await recentRecords("activity", { since, limit: 20 });
  return rows.find((row) => row.view.fields.level === "rest" && !row.view.fields.ended_at) || null;
}

export function startRestBreak(now = new Date()) {
  return write("activity", uuid4(), "set", { started_at: toInstant(now), level: "rest" });
}

export function endRestBreak(recordId, now = new Date()) {
  return write("activity", recordId, "set", { ended_at: toInstant(now) });
}

export function logActivity({ level, label, minutes }, now = new Date()) {
  const started = minutes ? new Date(now.getTime() - minutes * 60000) : now;
  const fields = { started_at: toInstant(started), level };
  if (minutes) fields.ended_at = toInstant(now);
  if (label) fields.label = label;
  return write("activity", uuid4(), "set", fields);
}

export function logSymptom(fields, now = new Date()) {
  return write("symptom", uuid4(), "set", { observed_at: toInstant(now), ...fields });
}

export function logIntake(fields, now = new Date()) {
  return write("intake", uuid4(), "set", { taken_at: toInstant(now), ...fields });
}
