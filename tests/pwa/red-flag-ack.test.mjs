import { test } from "node:test";
import assert from "node:assert/strict";
import { acknowledge, bannerMode, prune, reasonKey, unacknowledged } from "../../pwa/js/red-flag-ack.js";

const weakness = { kind: "red_flag_symptom", symptom: "weakness", dates: ["2026-11-27"] };
const speech = { kind: "red_flag_symptom", symptom: "speech_difficulty", dates: ["2026-11-29"] };
const calf = { kind: "localized_persistent", body_region: "calf", side: "left", days: 15, share: 0.6 };

test("a reason is keyed by kind and what it is about, not by its dates", () => {
  assert.equal(reasonKey(weakness), "red_flag_symptom:weakness");
  assert.equal(reasonKey({ ...weakness, dates: ["2026-11-01", "2026-11-27"] }), reasonKey(weakness));
  assert.equal(reasonKey(calf), "localized_persistent:calf:left");
  assert.notEqual(reasonKey(calf), reasonKey({ ...calf, side: "right" }));
  assert.equal(reasonKey({ ...calf, side: null }), "localized_persistent:calf:");
});

test("full until acknowledged, then a strip; a new reason opens it in full again", () => {
  assert.equal(bannerMode({ reasons: [], acknowledged: [], screen: "home" }), "none");
  assert.equal(bannerMode({ reasons: [weakness], acknowledged: [], screen: "home" }), "full");
  let acked = acknowledge([], [weakness]);
  assert.equal(bannerMode({ reasons: [weakness], acknowledged: acked, screen: "home" }), "strip");
  assert.equal(bannerMode({ reasons: [weakness, speech], acknowledged: acked, screen: "home" }), "full");
  assert.deepEqual(unacknowledged([weakness, speech], acked), [speech]);
  acked = acknowledge(acked, [weakness, speech]);
  assert.equal(bannerMode({ reasons: [weakness, speech], acknowledged: acked, screen: "checkin" }), "strip");
});

test("always in full on Symptoms and Insights, and when opened again", () => {
  const acked = acknowledge([], [weakness]);
  for (const screen of ["symptoms", "insights"]) {
    assert.equal(bannerMode({ reasons: [weakness], acknowledged: acked, screen }), "full");
  }
  assert.equal(bannerMode({ reasons: [weakness], acknowledged: acked, screen: "home", expanded: true }), "full");
});

test("a reason that stopped holding is forgotten, so its return counts as new", () => {
  const acked = acknowledge([], [weakness, calf]);
  assert.deepEqual(prune(acked, [calf]), ["localized_persistent:calf:left"]);
  assert.equal(bannerMode({ reasons: [weakness, calf], acknowledged: prune(acked, [calf]), screen: "home" }), "full");
});
