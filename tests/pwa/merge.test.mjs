import { test } from "node:test";
import assert from "node:assert/strict";
import { applyMutation, baseFromChange, changedFields, mergeRecord } from "../../pwa/js/sync/merge.js";

const h = (second, counter = 0, client = "a") =>
  `2026-11-25T19:42:${String(second).padStart(2, "0")}.000Z-${counter.toString(16).padStart(4, "0")}-${client}`;
const set = (hlc, fields, id = 1) => ({ id, hlc, entity: "twitch", record_id: "r", op: "set", fields });
const del = (hlc, id = 1) => ({ id, hlc, entity: "twitch", record_id: "r", op: "delete" });

test("edits to different fields both survive, in any order", () => {
  const create = set(h(1), { occurred_at: "2026-11-25T19:42:01.000Z" });
  const a = set(h(5, 0, "a"), { intensity: 4 });
  const b = set(h(6, 0, "b"), { note: "left calf" });
  const ab = mergeRecord(null, [create, a, b]);
  const ba = mergeRecord(null, [b, create, a]);
  assert.deepEqual(ab, ba);
  assert.equal(ab.fields.intensity, 4);
  assert.equal(ab.fields.note, "left calf");
});

test("the higher hlc wins one field whatever the arrival order", () => {
  const older = set(h(5, 0, "a"), { intensity: 2 });
  const newer = set(h(5, 1, "a"), { intensity: 5 });
  const tieBreak = set(h(5, 1, "b"), { intensity: 3 });
  for (const order of [[older, newer, tieBreak], [tieBreak, newer, older], [newer, tieBreak, older]]) {
    assert.equal(mergeRecord(null, order).fields.intensity, 3);
  }
});

test("a delete is a tombstone that an older write cannot undo", () => {
  const state = mergeRecord(null, [set(h(1), { intensity: 1 }), del(h(9))]);
  assert.equal(state.deleted, true);
  assert.equal(mergeRecord(state, [set(h(5), { deleted: false })]).deleted, true);
});

test("a set without 'deleted' never resurrects, even when newer", () => {
  const state = mergeRecord(null, [del(h(3)), set(h(9), { note: "late edit" })]);
  assert.equal(state.deleted, true);
  assert.equal(state.fields.note, "late edit");
});

test("a newer set with deleted:false is an undo", () => {
  const state = mergeRecord(null, [set(h(1), { intensity: 1 }), del(h(2)), set(h(3), { deleted: false })]);
  assert.equal(state.deleted, false);
  assert.equal(state.fields.intensity, 1);
});

test("a delete of an unseen record makes a tombstone", () => {
  const state = applyMutation(null, del(h(1)));
  assert.equal(state.deleted, true);
  assert.deepEqual(state.fields, {});
});

test("null clears a field when it is newer", () => {
  const state = mergeRecord(null, [set(h(1), { intensity: 3 }), set(h(2), { intensity: null })]);
  assert.equal(state.fields.intensity, null);
  assert.equal(state.field_hlc.intensity, h(2));
});

test("the server copy plus pending local fields on top", () => {
  const base = baseFromChange({
    entity: "twitch", record_id: "r", version: 7, deleted: false,
    fields: { occurred_at: "2026-11-25T19:42:01.000Z", intensity: 2, note: "server" },
    field_hlc: { occurred_at: h(1), intensity: h(4, 0, "b"), note: h(8, 0, "b") },
  });
  const pendingNewer = set(h(5), { intensity: 5 });
  const pendingOlder = set(h(6), { note: "mine, but older than the server's" });
  const view = mergeRecord(base, [pendingNewer, pendingOlder]);
  assert.equal(view.fields.intensity, 5);
  assert.equal(view.fields.note, "server");
  assert.equal(base.version, 7);
  assert.equal(base.fields.intensity, 2, "merging must not change the server copy");
});

test("changedFields keeps only what differs, treating undefined as null", () => {
  assert.deepEqual(changedFields({ a: 1, b: null }, { a: 1, b: undefined, c: 2 }), { c: 2 });
  assert.deepEqual(changedFields(null, { a: 1 }), { a: 1 });
});
