// Pure parts of the insights, red-flag and sharing screens (the DOM-drawing parts are tested in
// Chromium by tests/sharing/test_screens_browser.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { heatLevel, movingAverage } from "../../pwa/js/ui/charts.js";
import { mergeReasons, reasonText } from "../../pwa/js/ui/insights-view.js";

test("the 7-day average uses the days there are at the start, then a sliding week", () => {
  assert.deepEqual(movingAverage([7, 0, 0, 0, 0, 0, 0, 7, 14]), [7, 3.5, 2.3, 1.8, 1.4, 1.2, 1, 1, 3]);
  assert.deepEqual(movingAverage([]), []);
});

test("heat levels run 0 to 4 relative to the largest count", () => {
  assert.deepEqual([0, 1, 25, 26, 50, 51, 99, 100].map((c) => heatLevel(c, 100)), [0, 1, 1, 2, 2, 3, 4, 4]);
  assert.equal(heatLevel(3, 0), 0);
});

test("local and server red flags merge: symptoms in kind order with their dates joined, then the server's pairs", () => {
  const local = [{ kind: "red_flag_symptom", symptom: "reflex_change", dates: ["2026-11-20"] },
    { kind: "red_flag_symptom", symptom: "weakness", dates: ["2026-11-25"] }];
  const pair = { kind: "localized_persistent", body_region: "calf", side: "left", days: 15, share: 0.6 };
  const server = [{ kind: "red_flag_symptom", symptom: "weakness", dates: ["2026-11-02", "2026-11-25"] }, pair];
  assert.deepEqual(mergeReasons(local, server), [
    { kind: "red_flag_symptom", symptom: "weakness", dates: ["2026-11-02", "2026-11-25"] },
    { kind: "red_flag_symptom", symptom: "reflex_change", dates: ["2026-11-20"] },
    pair,
  ]);
  assert.deepEqual(mergeReasons([], []), []);
});

test("reasons read plainly", () => {
  assert.match(reasonText({ kind: "red_flag_symptom", symptom: "swallowing_difficulty", dates: ["2026-11-25"] }),
    /^You logged trouble swallowing \(.*25.*\)\.$/);
  assert.match(reasonText({ kind: "localized_persistent", body_region: "calf", side: "left", days: 15, share: 0.6 }),
    /Calf \(left\) — on 15 of the last 28 days \(60% of all twitches\)/);
});
