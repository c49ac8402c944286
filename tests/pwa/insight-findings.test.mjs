// The insights screen's words and numbers (DESIGN §13), as pure functions.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  factorValues, fromFirstEntry, groupSize, headlineKey, rankEntries, worstAndBest,
} from "../../pwa/js/insight-findings.js";
import { tickIndices } from "../../pwa/js/ui/charts.js";

test("the headline follows the trend's change, and says 'not enough' for anything else", () => {
  assert.equal(headlineKey({ change: "fewer" }), "fewer");
  assert.equal(headlineKey({ change: "more" }), "more");
  assert.equal(headlineKey({ change: "about_the_same" }), "about_the_same");
  assert.equal(headlineKey({ change: "not_enough_data" }), "not_enough_data");
  assert.equal(headlineKey(null), "not_enough_data");
  assert.equal(headlineKey({ change: "weird" }), "not_enough_data");
});

test("findings are the entries with q < 0.1, strongest first; the rest go behind 'Show all'", () => {
  const factors = {
    sleep_hours: { same_day: { rho: -0.41, n: 40, p: 0.008, q: 0.08 }, previous_day: null, two_days_before: { rho: 0.1, n: 40, p: 0.5, q: 0.9 } },
    exertion: { same_day: { rho: 0.2, n: 40, p: 0.2, q: 0.6 }, previous_day: null, two_days_before: { rho: 0.62, n: 38, p: 0.00003, q: 0.0009 } },
    stress: { same_day: { rho: 0.5, n: 40, p: 0.03, q: 0.1 }, previous_day: null, two_days_before: null },
    anxiety: null,
  };
  const { findings, others } = rankEntries(factors);
  assert.deepEqual(findings.map((e) => [e.factor, e.lag]), [["exertion", "two_days_before"], ["sleep_hours", "same_day"]]);
  assert.deepEqual(others.map((e) => [e.factor, e.lag]), [["stress", "same_day"], ["exertion", "same_day"], ["sleep_hours", "two_days_before"]]);
  assert.deepEqual(rankEntries(null), { findings: [], others: [] });
});

test("worst days against best days, with the factor read on d - lag", () => {
  const daily = [];
  const sleep = new Map();
  for (let i = 0; i < 30; i += 1) {
    const date = new Date(Date.UTC(2026, 5, 1 + i)).toISOString().slice(0, 10);
    daily.push({ date, count: i }); // more twitches every day
    sleep.set(date, i < 10 ? 8 : i < 20 ? 7 : 6);
  }
  sleep.set("2026-05-31", 9);
  const same = worstAndBest({ factor: "sleep_hours", lag: "same_day" }, daily, sleep);
  assert.equal(groupSize(30), 10);
  assert.deepEqual(same, { days: 10, worst: 6, best: 8, worstCount: 24.5, bestCount: 4.5 });
  const before = worstAndBest({ factor: "sleep_hours", lag: "previous_day" }, daily, sleep);
  // 1 June pairs with 31 May (9 h); the 10 worst days, 21-30 June, pair with 20-29 June (7 h once, then 6 h)
  assert.ok(Math.abs(before.worst - 6.1) < 1e-9);
  assert.ok(Math.abs(before.best - 8.1) < 1e-9);
  assert.equal(worstAndBest({ factor: "sleep_hours", lag: "same_day" }, daily.slice(0, 5), sleep), null);
  assert.equal(groupSize(14), 4);
});

test("factor values come from check-in fields; electrolytes count as 0/1", () => {
  const values = factorValues([
    { local_date: "2026-06-01", sleep_hours: 7.5, electrolytes: true },
    { local_date: "2026-06-02", electrolytes: false, stress: null },
    { note: "no date" },
  ], ["sleep_hours", "electrolytes", "stress"]);
  assert.deepEqual([...values.sleep_hours], [["2026-06-01", 7.5]]);
  assert.deepEqual([...values.electrolytes], [["2026-06-01", 1], ["2026-06-02", 0]]);
  assert.equal(values.stress.size, 0);
});

test("a period starts at the first entry, a twitch or a marked date", () => {
  const daily = [{ date: "a", count: 0 }, { date: "b", count: 0 }, { date: "c", count: 2 }, { date: "d", count: 0 }];
  assert.deepEqual(fromFirstEntry(daily).map((d) => d.date), ["c", "d"]);
  assert.deepEqual(fromFirstEntry(daily, ["b"]).map((d) => d.date), ["b", "c", "d"]);
  const empty = [{ date: "a", count: 0 }];
  assert.deepEqual(fromFirstEntry(empty), empty);
});

test("axis ticks: first and last, spread between", () => {
  assert.deepEqual(tickIndices(28), [0, 9, 18, 27]);
  assert.deepEqual(tickIndices(3), [0, 1, 2]);
  assert.deepEqual(tickIndices(0), []);
});
