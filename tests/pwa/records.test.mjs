import { test } from "node:test";
import assert from "node:assert/strict";
import { BODY_REGIONS, isRedFlag, recordTime, RED_FLAG_KINDS, validateFields } from "../../pwa/js/records.js";

test("the red flags are the first five symptom kinds of the design", () => {
  assert.deepEqual(RED_FLAG_KINDS, ["weakness", "muscle_wasting", "speech_difficulty", "swallowing_difficulty", "reflex_change"]);
  assert.ok(isRedFlag("weakness"));
  assert.ok(!isRedFlag("cramp"));
});

test("the body region enum has the 26 regions of the design", () => {
  assert.equal(BODY_REGIONS.length, 26);
  assert.equal(BODY_REGIONS.at(-1), "other");
});

const cases = [
  ["twitch", { occurred_at: "2026-11-25T19:42:10Z" }, true, {}],
  ["twitch", { intensity: 3 }, true, { occurred_at: ["required"] }],
  ["twitch", { intensity: 6 }, false, { intensity: ["1–5"] }],
  ["twitch", { intensity: 2.5 }, false, { intensity: ["whole number"] }],
  ["twitch", { note: "x".repeat(501) }, false, { note: ["at most 500 characters"] }],
  ["twitch", { occurred_at: "2026-11-25T19:42:10" }, false, { occurred_at: ["instant with offset"] }],
  ["twitch", { body_region: "elbow", side: "up" }, false, { side: ["unknown value"] }],
  ["twitch", { occurred_at: null }, false, { occurred_at: ["required"] }],
  ["checkin", { local_date: "2026-11-25", sleep_hours: 7.5, magnesium_mg: 2001 }, true, { magnesium_mg: ["out of range"] }],
  ["symptom", { observed_at: "2026-11-25T19:42:10Z", kind: "weakness" }, true, {}],
  ["activity", { started_at: "2026-11-25T19:00:00Z", ended_at: "2026-11-25T18:00:00Z", level: "rest" }, true, { ended_at: ["before the start"] }],
  ["intake", { taken_at: "2026-11-25T19:00:00Z", kind: "water", amount: 0.25, unit: "l" }, true, {}],
  ["nope", {}, false, { entity: ["unknown entity"] }],
];

for (const [entity, fields, creating, errors] of cases) {
  test(`validate ${entity} ${JSON.stringify(fields).slice(0, 60)}`, () => {
    assert.deepEqual(validateFields(entity, fields, { creating }), errors);
  });
}

test("recordTime picks each entity's own time field", () => {
  assert.equal(recordTime("checkin", { local_date: "2026-11-25" }), "2026-11-25");
  assert.equal(recordTime("intake", { taken_at: "x" }), "x");
  assert.equal(recordTime("nope", {}), null);
});
