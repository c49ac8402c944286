// Pull pages: how one server page turns into local records (the server copy plus whatever local
// mutations are still pending, on top).

import { baseFromChange, mergeRecord } from "./merge.js";
import { recordKey } from "./outbox.js";

export const PULL_LIMIT = 500;

export function pullBody(clientId, cookie, limit = PULL_LIMIT) {
  return { client_id: clientId, cookie: cookie ?? null, limit };
}

export function checkPullAnswer(answer) {
  if (!answer || !Array.isArray(answer.changes) || typeof answer.more !== "boolean") {
    throw new TypeError("pull answer is not in the sync format");
  }
  return answer;
}

// Local rows for one page: `pending` maps recordKey -> pending mutations (id order).
export function recordsFromChanges(changes, pending) {
  return changes.map((change) => {
    const base = baseFromChange(change);
    const view = mergeRecord(base, pending.get(recordKey(change.entity, change.record_id)) || []);
    return { entity: change.entity, record_id: change.record_id, base, view };
  });
}

// Local rows that exist only in the outbox, for a reset (drop the local copy, keep unsynced work).
export function recordsFromPendingOnly(pending) {
  const rows = [];
  for (const entries of pending.values()) {
    const first = entries[0];
    rows.push({
      entity: first.entity,
      record_id: first.record_id,
      base: null,
      view: mergeRecord(null, entries),
    });
  }
  return rows;
}
