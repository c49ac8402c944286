// The outbox: local mutations waiting for the server, numbered per device from 1 with no gaps.

export const MAX_PUSH = 1000;

export function recordKey(entity, recordId) {
  return `${entity}/${recordId}`;
}

export function makeMutation({ id, hlc, entity, recordId, op, fields }) {
  if (!Number.isInteger(id) || id < 1) throw new RangeError(`mutation id must be a positive integer: ${id}`);
  if (op !== "set" && op !== "delete") throw new RangeError(`unknown op: ${op}`);
  const mutation = { id, hlc, entity, record_id: recordId, op };
  if (op === "set") mutation.fields = { ...fields };
  return mutation;
}

export function byId(a, b) {
  return a.id - b.id;
}

// The next push: the lowest ids, in order, stopping before any gap (the server would stop there).
export function nextBatch(entries, limit = 200) {
  const sorted = [...entries].sort(byId);
  const batch = [];
  for (const entry of sorted) {
    if (batch.length >= Math.min(limit, MAX_PUSH)) break;
    if (batch.length && entry.id !== batch[batch.length - 1].id + 1) break;
    batch.push(entry);
  }
  return batch;
}

export function pushBody(clientId, batch) {
  return {
    client_id: clientId,
    mutations: batch.map(({ id, hlc, entity, record_id, op, fields }) => (
      op === "set" ? { id, hlc, entity, record_id, op, fields } : { id, hlc, entity, record_id, op }
    )),
  };
}

// How a push answer settles the outbox: every id up to last_mutation_id is done (applied or
// rejected); a push that moved nothing forward is a failure to retry, not progress.
export function settlePush(batch, answer) {
  const last = Number(answer.last_mutation_id);
  if (!Number.isInteger(last)) throw new TypeError("push answer without last_mutation_id");
  const done = batch.filter((m) => m.id <= last);
  const rejected = (answer.rejected || []).filter((r) => r.id <= last);
  const rejectedIds = new Set(rejected.map((r) => r.id));
  return {
    doneIds: done.map((m) => m.id),
    rejected: done.filter((m) => rejectedIds.has(m.id)).map((m) => ({
      ...m,
      code: rejected.find((r) => r.id === m.id).code,
      message: rejected.find((r) => r.id === m.id).message,
    })),
    progressed: batch.length === 0 || done.length > 0,
  };
}

export function pendingByRecord(entries) {
  const groups = new Map();
  for (const entry of [...entries].sort(byId)) {
    const key = recordKey(entry.entity, entry.record_id);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(entry);
  }
  return groups;
}

export function unsyncedEntryCount(entries) {
  return pendingByRecord(entries).size;
}

// Renumber mutations for a fresh device identity (after sign-out or an account switch) so the
// new sequence starts at 1 and stays gapless; order is kept.
export function renumber(entries, firstId = 1) {
  return [...entries].sort(byId).map((entry, index) => ({ ...entry, id: firstId + index }));
}
