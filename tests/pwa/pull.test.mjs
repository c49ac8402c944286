import { test } from "node:test";
import assert from "node:assert/strict";
import { checkPullAnswer, pullBody, recordsFromChanges, recordsFromPendingOnly } from "../../pwa/js/sync/pull.js";
import { pendingByRecord } from "../../pwa/js/sync/outbox.js";

const change = (recordId, fields, fieldHlc, deleted = false) => ({
  entity: "twitch", record_id: recordId, version: 1, deleted, fields, field_hlc: fieldHlc,
});

test("a pull body has the contract's keys", () => {
  assert.deepEqual(pullBody("c", null), { client_id: "c", cookie: null, limit: 500 });
  assert.deepEqual(pullBody("c", "abc", 10), { client_id: "c", cookie: "abc", limit: 10 });
});

test("an answer without changes or more is refused", () => {
  assert.throws(() => checkPullAnswer({ cookie: 1 }), TypeError);
  assert.ok(checkPullAnswer({ cookie: 1, changes: [], more: false }));
});

test("pulled records keep still-pending local fields on top", () => {
  const pending = pendingByRecord([
    { id: 4, hlc: "2026-11-25T20:00:00.000Z-0000-me", entity: "twitch", record_id: "a", op: "set", fields: { note: "mine" } },
  ]);
  const rows = recordsFromChanges([
    change("a", { occurred_at: "2026-11-25T19:00:00.000Z", note: null, intensity: 3 },
      { occurred_at: "2026-11-25T19:00:00.000Z-0000-x", intensity: "2026-11-25T19:10:00.000Z-0000-x" }),
    change("b", { occurred_at: "2026-11-25T18:00:00.000Z" }, { occurred_at: "2026-11-25T18:00:00.000Z-0000-x" }, true),
  ], pending);
  assert.equal(rows[0].view.fields.note, "mine");
  assert.equal(rows[0].view.fields.intensity, 3);
  assert.equal(rows[0].base.fields.note, null);
  assert.equal(rows[1].view.deleted, true);
});

test("a reset keeps records that exist only in the outbox", () => {
  const pending = pendingByRecord([
    { id: 1, hlc: "2026-11-25T20:00:00.000Z-0000-me", entity: "twitch", record_id: "new", op: "set", fields: { occurred_at: "2026-11-25T20:00:00.000Z" } },
    { id: 2, hlc: "2026-11-25T20:00:01.000Z-0000-me", entity: "twitch", record_id: "new", op: "set", fields: { intensity: 2 } },
  ]);
  const rows = recordsFromPendingOnly(pending);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].base, null);
  assert.deepEqual(rows[0].view.fields, { occurred_at: "2026-11-25T20:00:00.000Z", intensity: 2 });
});
