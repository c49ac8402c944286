// The caregiver's day-by-day summaries: records folded per local date of the followed person.
import assert from "node:assert/strict";
import test from "node:test";

import { hourRows, lastDates, localDateIn, summariseDays } from "../../pwa/js/follow-days.js";

const ZONE = "America/New_York";

test("dates end at the last one, newest first, across a month end", () => {
  assert.deepEqual(lastDates("2026-12-02", 4), ["2026-12-02", "2026-12-01", "2026-11-30", "2026-11-29"]);
});

test("an instant belongs to the person's local date, not UTC's", () => {
  assert.equal(localDateIn("2026-11-27T03:30:00Z", ZONE), "2026-11-26");
  assert.equal(localDateIn("2026-11-27T05:30:00Z", ZONE), "2026-11-27");
});

test("a day's twitches, symptoms, check-in and rest are folded into one summary", () => {
  const twitch = (at, region, side) => ({ occurred_at: at, body_region: region, side });
  const records = {
    twitch: [
      twitch("2026-11-26T14:00:00Z", "calf", "left"), twitch("2026-11-26T15:00:00Z", "calf", "left"),
      twitch("2026-11-26T16:00:00Z", "eyelid", "right"), twitch("2026-11-27T03:59:00Z", null, null),
      twitch("2026-11-20T12:00:00Z", "calf", "left"), // outside the dates: left out
    ],
    symptom: [{ observed_at: "2026-11-26T20:00:00Z", kind: "weakness", body_region: "calf", side: "left", progressive: true }],
    checkin: [{ local_date: "2026-11-26", stress: 6, crash: true }],
    activity: [
      { started_at: "2026-11-26T18:00:00Z", ended_at: "2026-11-26T18:20:00Z", level: "rest" },
      { started_at: "2026-11-26T19:00:00Z", ended_at: "2026-11-26T19:25:00Z", level: "rest" },
      { started_at: "2026-11-25T19:00:00Z", level: "moderate" },
    ],
    intake: null,
  };
  const [day26, day25] = summariseDays(records, ZONE, ["2026-11-26", "2026-11-25"]);
  assert.equal(day26.twitches, 4); // 03:59Z on the 27th is still the 26th in New York
  assert.equal(day26.topPlace, "calf|left");
  assert.equal(day26.topCount, 2);
  assert.equal(day26.symptoms.length, 1);
  assert.equal(day26.checkin.crash, true);
  assert.equal(day26.rests, 2);
  assert.equal(day26.restMinutes, 45);
  assert.equal(day25.twitches, 0);
  assert.equal(day25.activities, 1);
  assert.equal(day25.topPlace, null);
});

test("a day's twitches by local hour, places most logged first", () => {
  const rows = hourRows([
    { occurred_at: "2026-11-26T13:10:00Z", body_region: "calf", side: "left" },
    { occurred_at: "2026-11-26T13:50:00Z", body_region: "eyelid", side: "left" },
    { occurred_at: "2026-11-26T13:55:00Z", body_region: "eyelid", side: "left" },
    { occurred_at: "2026-11-26T09:00:00Z" },
    { occurred_at: "2026-11-27T13:00:00Z", body_region: "calf", side: "left" },
  ], ZONE, "2026-11-26");
  assert.deepEqual(rows.map((r) => [r.hour, r.count]), [[4, 1], [8, 3]]);
  assert.deepEqual(rows[1].places, [["eyelid|left", 2], ["calf|left", 1]]);
});
