// The month calendar of History as plain values: which dates a month shows, how many twitches
// each local date had, and how dark each day is drawn (or which word it gets in calm mode).
// Pure functions, unit-tested in node.

import { addDays } from "./local-date.js";

export function monthOf(date) {
  return date.slice(0, 7);
}

export function shiftMonth(month, by) {
  const [y, m] = month.split("-").map(Number);
  const shifted = new Date(Date.UTC(y, m - 1 + by, 1));
  return shifted.toISOString().slice(0, 7);
}

export function daysIn(month) {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

// Weeks of 7 cells (null outside the month), the week starting on `weekStart` (1 = Monday).
export function monthGrid(month, weekStart = 1) {
  const first = `${month}-01`;
  const weekday = new Date(`${first}T12:00:00Z`).getUTCDay();
  const lead = (weekday - weekStart + 7) % 7;
  const cells = [...Array(lead).fill(null)];
  for (let d = 0; d < daysIn(month); d += 1) cells.push(addDays(first, d));
  while (cells.length % 7) cells.push(null);
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

// {date: count} of the instants that fall in `month` by `dayOf` (the person's local date).
export function countByDay(instants, month, dayOf) {
  const counts = {};
  for (const at of instants) {
    const day = dayOf(at);
    if (day.startsWith(month)) counts[day] = (counts[day] || 0) + 1;
  }
  return counts;
}

// 0 for no twitches, else 1..4 by the share of the month's busiest day, so any month reads.
export function shade(count, max) {
  if (!count) return 0;
  if (max <= 1) return 2;
  return Math.min(4, 1 + Math.floor((3 * (count - 1)) / (max - 1)));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Calm mode: no numbers. 0 nothing logged, 1 a quieter day, 2 a usual day, 3 a busier day,
// against the median of the month's days that had any twitch (within a quarter counts as usual).
export function calmLevel(count, counts) {
  if (!count) return 0;
  const logged = Object.values(counts).filter((n) => n > 0);
  const typical = median(logged);
  if (count < typical * 0.75) return 1;
  if (count > typical * 1.25) return 3;
  return 2;
}
