// The energy envelope's rule (pwa/js/energy.js) and the burst suggestion's decision (pwa/js/burst.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_ENVELOPE, activityPoints, energyState, envelope, median, pointsByDate,
} from "../../pwa/js/energy.js";
import { burstDue } from "../../pwa/js/burst.js";

test("points are minutes x level weight per 10 minutes; an open activity counts until now, at most 3 h", () => {
  assert.equal(activityPoints({ level: "moderate", started_at: "2026-06-10T08:00:00Z", ended_at: "2026-06-10T09:00:00Z" }), 12);
  assert.equal(activityPoints({ level: "rest", started_at: "2026-06-10T08:00:00Z", ended_at: "2026-06-10T09:00:00Z" }), 0);
  assert.equal(activityPoints({ level: "vigorous", started_at: "2026-06-10T08:00:00Z" }, new Date("2026-06-10T08:20:00Z")), 6);
  assert.equal(activityPoints({ level: "light", started_at: "2026-06-10T08:00:00Z" }, new Date("2026-06-11T08:00:00Z")), 18);
});

test("points belong to the local date of the start, by the day start", () => {
  const spent = pointsByDate([
    { level: "light", started_at: "2026-06-10T23:30:00Z", ended_at: "2026-06-10T23:40:00Z" }, // 01:30 in Berlin on the 11th
  ], { timeZone: "Europe/Berlin", dayStartsAt: "04:00" });
  assert.deepEqual([...spent], [["2026-06-10", 1]]);
  const midnight = pointsByDate([{ level: "light", started_at: "2026-06-10T23:30:00Z", ended_at: "2026-06-10T23:40:00Z" }],
    { timeZone: "Europe/Berlin" });
  assert.deepEqual([...midnight], [["2026-06-11", 1]]);
});

test("the envelope is the median of days without a crash, leaving out the two days before each crash", () => {
  const today = "2026-06-30";
  const spent = new Map();
  for (let d = 1; d <= 28; d += 1) spent.set(`2026-06-${String(30 - d).padStart(2, "0")}`, d <= 10 ? 20 : 40);
  spent.set("2026-06-30", 99); // today never counts
  // a crash on the 25th takes out the 23rd, 24th and 25th (all 20-point days)
  const result = envelope(spent, ["2026-06-25"], today);
  assert.equal(result.learned, true);
  assert.equal(result.days, 25);
  assert.equal(result.points, median([...Array(7).fill(20), ...Array(18).fill(40)]));
  assert.equal(median([1, 3, 2, 10]), 2.5);
});

test("fewer than 7 learning days: the default, said to be still learning", () => {
  const spent = new Map([["2026-06-29", 50], ["2026-06-28", 50]]);
  assert.deepEqual(envelope(spent, [], "2026-06-30"), { points: DEFAULT_ENVELOPE, learned: false, days: 2 });
});

test("the bar's state: plenty under 70 %, close to 100 %, over past it", () => {
  assert.equal(energyState(0, 30), "plenty");
  assert.equal(energyState(20.9, 30), "plenty");
  assert.equal(energyState(21, 30), "close");
  assert.equal(energyState(30, 30), "close");
  assert.equal(energyState(30.1, 30), "over");
});

test("a burst: count twitches within minutes, once per minutes, only when enabled", () => {
  const now = Date.parse("2026-06-10T12:00:00Z");
  const settings = { enabled: true, count: 3, minutes: 15 };
  const times = ["2026-06-10T11:46:00Z", "2026-06-10T11:50:00Z", "2026-06-10T12:00:00Z"];
  assert.equal(burstDue(times, settings, now), true);
  assert.equal(burstDue(times.slice(1), settings, now), false);
  assert.equal(burstDue(["2026-06-10T11:45:00Z", ...times.slice(1)], settings, now), false); // exactly 15 min ago: outside
  assert.equal(burstDue(times, settings, now, now - 14 * 60000), false);
  assert.equal(burstDue(times, settings, now, now - 15 * 60000), true);
  assert.equal(burstDue(times, { ...settings, enabled: false }, now), false);
});
