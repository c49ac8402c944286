// The daily energy envelope for pacing (issue 12), as pure functions (unit-tested in node).
//
// The rule, in full:
// - Every logged activity draws points: minutes x its level's weight per 10 minutes (rest 0,
//   light 1, moderate 2, vigorous 3); 60 minutes of moderate effort is 12 points. An activity
//   without an end counts until now (if it is today) and at most 3 hours.
// - Points belong to the person's local date of the activity's start (day start included).
// - The envelope is the median of the points spent on the person's own days without a crash
//   among the 28 local dates before today: dates with at least one activity, leaving out every
//   date whose check-in says "crash" and the two dates before it (post-exertional crashes come a
//   day or two after the effort, so those days spent more than the body had).
// - With fewer than 7 such days it is a default of 30 points (about 2.5 hours of light activity),
//   and the screen says it is still learning.

import { addDays, localDateOf } from "./local-date.js";

export const WEIGHTS = { rest: 0, light: 1, moderate: 2, vigorous: 3 };
export const DEFAULT_ENVELOPE = 30;
export const MIN_LEARNING_DAYS = 7;
export const LEARNING_WINDOW = 28;
const OPEN_CAP_MINUTES = 180;

export function activityMinutes(fields, now = new Date()) {
  const start = Date.parse(fields.started_at);
  if (Number.isNaN(start)) return 0;
  let end = fields.ended_at ? Date.parse(fields.ended_at) : Math.min(now.getTime(), start + OPEN_CAP_MINUTES * 60000);
  if (Number.isNaN(end) || end < start) end = start;
  return (end - start) / 60000;
}

export function activityPoints(fields, now = new Date()) {
  const weight = WEIGHTS[fields.level] ?? 0;
  return (weight * activityMinutes(fields, now)) / 10;
}

// Points spent per local date: Map date -> points (only dates with an activity appear).
export function pointsByDate(activities, { timeZone, dayStartsAt = "00:00", now = new Date() } = {}) {
  const spent = new Map();
  for (const fields of activities) {
    if (!fields?.started_at) continue;
    const date = localDateOf(fields.started_at, timeZone, dayStartsAt);
    spent.set(date, (spent.get(date) || 0) + activityPoints(fields, now));
  }
  return spent;
}

export function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// {points, learned, days}: the envelope for `today` from the spent points and the crash dates.
export function envelope(spent, crashDates, today) {
  const excluded = new Set();
  for (const date of crashDates) {
    for (let back = 0; back <= 2; back += 1) excluded.add(addDays(date, -back));
  }
  const days = [];
  for (let back = 1; back <= LEARNING_WINDOW; back += 1) {
    const date = addDays(today, -back);
    if (spent.has(date) && !excluded.has(date)) days.push(spent.get(date));
  }
  if (days.length < MIN_LEARNING_DAYS) return { points: DEFAULT_ENVELOPE, learned: false, days: days.length };
  return { points: Math.max(1, median(days)), learned: true, days: days.length };
}

// "plenty" (under 70 %), "close" (70 % to 100 %) or "over" (past the envelope).
export function energyState(spentToday, envelopePoints) {
  const share = envelopePoints > 0 ? spentToday / envelopePoints : 0;
  if (share > 1) return "over";
  if (share >= 0.7) return "close";
  return "plenty";
}
