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

test("localDateOf: the day start moves early hours to the evening before (DESIGN §13)", async () => {
  const { localDateOf, dayStartMinutes } = await import("../../pwa/js/local-date.js");
  assert.equal(dayStartMinutes("04:30"), 270);
  assert.equal(dayStartMinutes(null), 0);
  // 01:30 in Berlin on 26 November
  assert.equal(localDateOf("2026-11-26T00:30:00Z", "Europe/Berlin", "04:00"), "2026-11-25");
  assert.equal(localDateOf("2026-11-26T00:30:00Z", "Europe/Berlin", "00:00"), "2026-11-26");
  assert.equal(localDateOf("2026-11-26T00:30:00Z", "Europe/Berlin"), "2026-11-26");
  assert.equal(localDateOf("2026-11-26T03:00:00Z", "Europe/Berlin", "04:00"), "2026-11-26"); // 04:00 exactly
  assert.equal(localDateOf("2026-11-26T02:59:59Z", "Europe/Berlin", "04:00"), "2026-11-25");
  assert.equal(localDateOf(new Date("2026-11-26T05:00:00Z"), "UTC", "06:00"), "2026-11-25");
});

test("localDateOf across the spring and autumn changes in Berlin, by wall time", async () => {
  const { localDateOf } = await import("../../pwa/js/local-date.js");
  // 29 March 2026: 02:00 CET -> 03:00 CEST at 01:00Z
  assert.equal(localDateOf("2026-03-29T00:59:00Z", "Europe/Berlin", "03:00"), "2026-03-28"); // 01:59 CET
  assert.equal(localDateOf("2026-03-29T01:00:00Z", "Europe/Berlin", "03:00"), "2026-03-29"); // 03:00 CEST
  assert.equal(localDateOf("2026-03-29T01:30:00Z", "Europe/Berlin", "04:00"), "2026-03-28"); // 03:30 CEST
  // 25 October 2026: 03:00 CEST -> 02:00 CET at 01:00Z; both 02:30s belong to the 24th with a 04:00 start
  assert.equal(localDateOf("2026-10-25T00:30:00Z", "Europe/Berlin", "04:00"), "2026-10-24");
  assert.equal(localDateOf("2026-10-25T01:30:00Z", "Europe/Berlin", "04:00"), "2026-10-24");
  assert.equal(localDateOf("2026-10-25T03:00:00Z", "Europe/Berlin", "04:00"), "2026-10-25"); // 04:00 CET
});

test("localDateOf agrees with localDate when the day starts at midnight, hour by hour over a year", async () => {
  const { localDateOf, localDate } = await import("../../pwa/js/local-date.js");
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 3600 * 1000 * 7) {
    for (const zone of ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]) {
      assert.equal(localDateOf(new Date(t), zone, "00:00"), localDate(new Date(t), zone));
      const shifted = localDate(new Date(t), zone);
      const early = localDateOf(new Date(t), zone, "06:00");
      assert.ok(early === shifted || early < shifted, `${zone} ${new Date(t).toISOString()}`);
    }
  }
});
