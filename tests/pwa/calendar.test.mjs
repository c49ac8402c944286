import { test } from "node:test";
import assert from "node:assert/strict";
import { calmLevel, countByDay, daysIn, monthGrid, shade, shiftMonth } from "../../pwa/js/calendar.js";
import { localDate } from "../../pwa/js/local-date.js";

test("months shift across years and know their length", () => {
  assert.equal(shiftMonth("2026-01", -1), "2025-12");
  assert.equal(shiftMonth("2026-12", 1), "2027-01");
  assert.equal(daysIn("2028-02"), 29);
  assert.equal(daysIn("2026-02"), 28);
});

test("the grid starts on Monday, pads with nulls and holds every date once", () => {
  const weeks = monthGrid("2026-11"); // 1 November 2026 is a Sunday
  assert.deepEqual(weeks[0], [null, null, null, null, null, null, "2026-11-01"]);
  assert.equal(weeks.flat().filter(Boolean).length, 30);
  assert.ok(weeks.every((w) => w.length === 7));
  assert.equal(monthGrid("2026-11", 0)[0][0], "2026-11-01");
});

test("twitches are counted on the person's local date, only inside the month", () => {
  const instants = ["2026-11-30T22:30:00Z", "2026-11-30T23:30:00Z", "2026-11-01T10:00:00Z"];
  const berlin = (at) => localDate(at, "Europe/Berlin");
  assert.deepEqual(countByDay(instants, "2026-11", berlin), { "2026-11-30": 1, "2026-11-01": 1 });
  assert.deepEqual(countByDay(instants, "2026-12", berlin), { "2026-12-01": 1 });
});

test("shading: none for zero, darkest for the busiest day", () => {
  assert.equal(shade(0, 10), 0);
  assert.equal(shade(1, 10), 1);
  assert.equal(shade(10, 10), 4);
  assert.equal(shade(1, 1), 2);
  assert.ok(shade(5, 10) >= 2 && shade(5, 10) <= 3);
});

test("calm mode words compare a day with the person's usual day, never with a number", () => {
  const counts = { a: 4, b: 4, c: 4, d: 1, e: 9 };
  assert.equal(calmLevel(0, counts), 0);
  assert.equal(calmLevel(1, counts), 1);
  assert.equal(calmLevel(4, counts), 2);
  assert.equal(calmLevel(9, counts), 3);
});
