import { test } from "node:test";
import assert from "node:assert/strict";
import {
  makeMutation, nextBatch, pendingByRecord, pushBody, renumber, settlePush, unsyncedEntryCount,
} from "../../pwa/js/sync/outbox.js";

const m = (id, recordId = `r${id}`, op = "set") =>
  makeMutation({ id, hlc: `h${id}`, entity: "twitch", recordId, op, fields: { intensity: 1 } });

test("a batch takes the lowest ids in order", () => {
  const batch = nextBatch([m(3), m(1), m(2)], 10);
  assert.deepEqual(batch.map((x) => x.id), [1, 2, 3]);
});

test("a batch stops before a gap, because the server would stop there", () => {
  assert.deepEqual(nextBatch([m(1), m(2), m(4)], 10).map((x) => x.id), [1, 2]);
});

test("a batch respects its limit and the server's 1000", () => {
  const many = Array.from({ length: 1500 }, (_, i) => m(i + 1));
  assert.equal(nextBatch(many, 10).length, 10);
  assert.equal(nextBatch(many, 5000).length, 1000);
  assert.deepEqual(nextBatch([], 10), []);
});

test("mutation ids must be positive integers and ops known", () => {
  assert.throws(() => m(0), RangeError);
  assert.throws(() => makeMutation({ id: 1.5, hlc: "h", entity: "twitch", recordId: "r", op: "set" }), RangeError);
  assert.throws(() => makeMutation({ id: 1, hlc: "h", entity: "twitch", recordId: "r", op: "upsert" }), RangeError);
});

test("a delete carries no fields in the push body", () => {
  const body = pushBody("c", [m(1), m(2, "r2", "delete")]);
  assert.equal(body.client_id, "c");
  assert.deepEqual(Object.keys(body.mutations[1]).sort(), ["entity", "hlc", "id", "op", "record_id"]);
  assert.deepEqual(body.mutations[0].fields, { intensity: 1 });
});

test("settling a push removes everything up to last_mutation_id, rejected ones included", () => {
  const batch = [m(1), m(2), m(3)];
  const answer = { last_mutation_id: 2, rejected: [{ id: 2, code: "invalid", message: "bad" }] };
  const settled = settlePush(batch, answer);
  assert.deepEqual(settled.doneIds, [1, 2]);
  assert.equal(settled.rejected.length, 1);
  assert.equal(settled.rejected[0].id, 2);
  assert.equal(settled.rejected[0].message, "bad");
  assert.equal(settled.progressed, true);
});

test("a push that moved nothing forward is not progress", () => {
  const settled = settlePush([m(5), m(6)], { last_mutation_id: 3, rejected: [] });
  assert.deepEqual(settled.doneIds, []);
  assert.equal(settled.progressed, false);
  assert.throws(() => settlePush([m(1)], {}), TypeError);
});

test("unsynced entries count records, not mutations", () => {
  const entries = [m(1, "a"), m(2, "a"), m(3, "b")];
  assert.equal(unsyncedEntryCount(entries), 2);
  assert.deepEqual(pendingByRecord(entries).get("twitch/a").map((x) => x.id), [1, 2]);
});

test("renumbering keeps order and starts a gapless run", () => {
  const out = renumber([m(9), m(7), m(8)]);
  assert.deepEqual(out.map((x) => [x.id, x.hlc]), [[1, "h7"], [2, "h8"], [3, "h9"]]);
});
