// Times and dates in the device's locale (DESIGN §11), whatever zone the machine running this is in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clockTime, localDateLabel, shortTime, uses12Hour } from "../../pwa/js/ui/format.js";

const EVENING = "2026-03-28T20:05:00Z"; // 21:05 in Berlin, 4:05 PM in New York

test("a 12-hour locale gets AM/PM, a 24-hour one does not", () => {
  assert.equal(uses12Hour("en-US"), true);
  assert.equal(uses12Hour("en-GB"), false);
  assert.equal(uses12Hour("de-DE"), false);
  assert.match(clockTime(EVENING, { locale: "en-US", timeZone: "America/New_York" }), /^4:05\s?PM$/);
  assert.equal(clockTime(EVENING, { locale: "en-GB", timeZone: "Europe/Berlin" }), "21:05");
  assert.equal(clockTime(EVENING, { locale: "de-DE", timeZone: "Europe/Berlin" }), "21:05");
});

test("older entries carry their date, in the locale's order", () => {
  const now = new Date("2026-04-20T12:00:00Z");
  assert.match(shortTime(EVENING, now, { locale: "en-US", timeZone: "UTC" }), /Mar 28, 2026/);
  assert.match(shortTime(EVENING, now, { locale: "en-GB", timeZone: "UTC" }), /28 Mar 2026/);
});

test("a check-in's local date is never shifted by the machine's zone", () => {
  assert.match(localDateLabel("2026-03-29", { locale: "en-US" }), /^Sun, Mar 29, 2026$/);
  assert.match(localDateLabel("2026-03-29", { locale: "en-GB" }), /^Sun,? 29 Mar 2026$/);
  assert.equal(localDateLabel("not a date"), "not a date");
});
