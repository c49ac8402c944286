import { test } from "node:test";
import assert from "node:assert/strict";
import { addDays, earliestInstantOf, isLocalDate, latestInstantOf, localDate } from "../../pwa/js/local-date.js";

test("the local date depends on the time zone", () => {
  const instant = "2026-11-25T23:30:00Z";
  assert.equal(localDate(instant, "UTC"), "2026-11-25");
  assert.equal(localDate(instant, "Europe/Berlin"), "2026-11-26");
  assert.equal(localDate(instant, "America/Los_Angeles"), "2026-11-25");
  assert.equal(localDate("2026-11-25T05:00:00Z", "America/Los_Angeles"), "2026-11-24");
});

test("DST change days keep their date", () => {
  assert.equal(localDate("2026-03-29T00:59:59Z", "Europe/Berlin"), "2026-03-29");
  assert.equal(localDate("2026-10-25T22:59:59Z", "Europe/Berlin"), "2026-10-25");
  assert.equal(localDate("2026-10-25T23:00:00Z", "Europe/Berlin"), "2026-10-26");
});

test("extreme zones", () => {
  assert.equal(localDate("2026-11-25T10:00:00Z", "Pacific/Kiritimati"), "2026-11-26");
  assert.equal(localDate("2026-11-25T11:00:00Z", "Etc/GMT+12"), "2026-11-24");
});

test("addDays crosses months, years and leap days", () => {
  assert.equal(addDays("2024-02-28", 1), "2024-02-29");
  assert.equal(addDays("2024-03-01", -1), "2024-02-29");
  assert.equal(addDays("2026-12-31", 1), "2027-01-01");
});

test("isLocalDate refuses impossible dates", () => {
  assert.ok(isLocalDate("2024-02-29"));
  assert.ok(!isLocalDate("2026-02-29"));
  assert.ok(!isLocalDate("2026-11-25T00:00"));
});

test("the instant window of a date covers its first and last moment in the extreme zones", () => {
  const date = "2026-11-25";
  const firstAnywhere = "2026-11-24T10:00:00.000Z"; // midnight in UTC+14
  const lastAnywhere = "2026-11-26T11:59:59.999Z"; // 23:59:59.999 in UTC-12
  assert.equal(localDate(firstAnywhere, "Pacific/Kiritimati"), date);
  assert.equal(localDate(lastAnywhere, "Etc/GMT+12"), date);
  assert.ok(firstAnywhere >= earliestInstantOf(date));
  assert.ok(lastAnywhere <= latestInstantOf(date));
});
