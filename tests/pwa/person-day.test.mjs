import { test } from "node:test";
import assert from "node:assert/strict";
import { dayOfFor, dayOfIn, shiftedLocalDate } from "../../pwa/js/person-day.js";
import { dayStartMinutes } from "../../pwa/js/local-date.js";

test("a twitch before the day's start belongs to the evening before (DESIGN §13)", () => {
  const zone = "Europe/Berlin";
  // 01:30 in Berlin on 3 December (UTC+1).
  assert.equal(shiftedLocalDate("2026-12-03T00:30:00Z", { dayStartsAt: "04:00", timeZone: zone }), "2026-12-02");
  assert.equal(shiftedLocalDate("2026-12-03T00:30:00Z", { dayStartsAt: "00:00", timeZone: zone }), "2026-12-03");
  assert.equal(shiftedLocalDate("2026-12-03T03:00:00Z", { dayStartsAt: "04:00", timeZone: zone }), "2026-12-03");
});

test("wall time, not the instant, is shifted across a DST change", () => {
  // 29 March 2026, 03:30 CEST = 01:30Z; with the day starting at 04:00 it is still 28 March.
  assert.equal(shiftedLocalDate("2026-03-29T01:30:00Z", { dayStartsAt: "04:00", timeZone: "Europe/Berlin" }), "2026-03-28");
  assert.equal(shiftedLocalDate("2026-03-29T02:00:00Z", { dayStartsAt: "04:00", timeZone: "Europe/Berlin" }), "2026-03-29");
});

test("day start text and the device's account", () => {
  assert.equal(dayStartMinutes("06:00"), 360);
  assert.equal(dayStartMinutes(null), 0);
  const signedOut = dayOfFor({ signed_in: false, user: { day_starts_at: "05:00" } });
  const signedIn = dayOfFor({ signed_in: true, user: { day_starts_at: "05:00" } });
  const at = new Date(2026, 11, 3, 2, 0); // 02:00 device time
  assert.equal(signedOut(at), "2026-12-03");
  assert.equal(signedIn(at), "2026-12-02");
});

test("the remembering dayOf agrees with the plain one every 17 minutes for a year, DST included", () => {
  for (const [timeZone, dayStartsAt] of [["Europe/Berlin", "04:00"], ["America/New_York", "00:00"], ["Australia/Lord_Howe", "02:30"], ["Asia/Kolkata", "06:00"]]) {
    const dayOf = dayOfIn({ timeZone, dayStartsAt });
    const start = Date.parse("2026-01-01T00:00:00Z");
    for (let ms = start; ms < start + 365 * 86400000; ms += 17 * 60000) {
      const expected = shiftedLocalDate(ms, { timeZone, dayStartsAt });
      const got = dayOf(new Date(ms).toISOString());
      if (got !== expected) assert.fail(`${timeZone} ${dayStartsAt} ${new Date(ms).toISOString()}: ${got} != ${expected}`);
    }
  }
});
