import { test } from "node:test";
import assert from "node:assert/strict";
import { checkinChanges, cupsToMg, steadyFrom } from "../../pwa/js/checkin-fields.js";

test("an untouched new check-in carries only local_date (DESIGN §16)", () => {
  assert.deepEqual(checkinChanges({ date: "2026-12-03", existing: null, touched: {} }), { local_date: "2026-12-03" });
});

test("a new check-in sends what was touched, and a cleared field is simply left out", () => {
  const fields = checkinChanges({ date: "2026-12-03", existing: null, touched: { stress: 3, sleep_hours: null, crash: false } });
  assert.deepEqual(fields, { local_date: "2026-12-03", stress: 3, crash: false });
});

test("an existing check-in sends only what changed, clears with null, never local_date", () => {
  const existing = { deleted: false, fields: { local_date: "2026-12-03", stress: 3, anxiety: 5 } };
  assert.deepEqual(checkinChanges({ date: "2026-12-03", existing, touched: { stress: 3, anxiety: null, fatigue: 2 } }),
    { anxiety: null, fatigue: 2 });
  assert.deepEqual(checkinChanges({ date: "2026-12-03", existing, touched: {} }), {});
});

test("a deleted check-in is brought back with only what was touched", () => {
  const existing = { deleted: true, fields: { local_date: "2026-12-03", stress: 9 } };
  assert.deepEqual(checkinChanges({ date: "2026-12-03", existing, touched: { fatigue: 1 } }),
    { local_date: "2026-12-03", fatigue: 1, deleted: false });
});

test("same as yesterday offers only steady things that were set", () => {
  assert.deepEqual(steadyFrom({ stress: 7, magnesium_mg: 300, electrolytes: true }), { magnesium_mg: 300, electrolytes: true });
  assert.equal(steadyFrom({ stress: 7 }), null);
  assert.equal(steadyFrom(null), null);
  assert.equal(cupsToMg(2), 190);
  assert.equal(cupsToMg(1.5), 143);
});
