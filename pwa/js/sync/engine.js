// One sync round: push the outbox, then pull until the server has nothing more. Runs in the page
// and in the service worker (Background Sync); a Web Lock keeps tabs and worker to one at a time.

import { api, ApiError } from "../api.js";
import {
  applyPullPage, forgetAccount, outboxEntries, parkedFor, readDevice, renumberOutbox,
  renumberParked, settleOutbox, settleParked,
} from "../db.js";
import { announceChange } from "../changes.js";
import { nextBatch, pushBody, settlePush } from "./outbox.js";
import { checkPullAnswer, pullBody } from "./pull.js";

export const SYNC_LOCK = "twitchlog-sync";
export const SYNC_TAG = "twitchlog-outbox";
const PUSH_BATCH = 500;
const MAX_PULL_PAGES = 200;

export class SyncStalled extends Error {}

export function withSyncLock(work) {
  if (globalThis.navigator?.locks) return navigator.locks.request(SYNC_LOCK, work);
  return work();
}

async function pushParked(owner) {
  for (const parked of await parkedFor(owner)) {
    let pending = parked.mutations;
    while (pending.length) {
      const batch = nextBatch(pending, PUSH_BATCH);
      const answer = await api("POST", "/sync/push", pushBody(parked.client_id, batch));
      await settleParked(parked.client_id, answer.last_mutation_id);
      const settled = settlePush(batch, answer);
      if (!settled.progressed) {
        await renumberParked(parked.client_id, answer.last_mutation_id + 1);
        throw new SyncStalled("the server stopped at a gap; parked entries were renumbered");
      }
      pending = pending.filter((m) => m.id > answer.last_mutation_id);
    }
  }
}

async function pushOutbox(clientId) {
  let pushed = 0;
  for (;;) {
    const batch = nextBatch(await outboxEntries(PUSH_BATCH), PUSH_BATCH);
    if (!batch.length) return pushed;
    const answer = await api("POST", "/sync/push", pushBody(clientId, batch));
    const settled = settlePush(batch, answer);
    await settleOutbox(clientId, settled.doneIds, settled.rejected);
    pushed += settled.doneIds.length;
    if (settled.doneIds.length) announceChange({ reason: "pushed" });
    if (!settled.progressed) {
      // The server knows fewer of our ids than we sent before (e.g. restored from a backup):
      // number what is still pending from where it stands, so nothing waits behind a gap forever.
      await renumberOutbox(clientId, answer.last_mutation_id + 1);
      throw new SyncStalled("the server stopped at a gap; pending entries were renumbered");
    }
  }
}

async function pullAll(clientId, cookie) {
  let pulled = 0;
  for (let page = 0; page < MAX_PULL_PAGES; page += 1) {
    const answer = checkPullAnswer(await api("POST", "/sync/pull", pullBody(clientId, cookie)));
    await applyPullPage(answer, { clientId });
    pulled += answer.changes.length;
    if (answer.changes.length || answer.reset) announceChange({ reason: "pulled" });
    cookie = answer.cookie;
    if (!answer.more) break;
  }
  return pulled;
}

async function syncRound() {
  const device = await readDevice();
  if (!device.owner || !device.signed_in) return { status: "not-signed-in" };
  try {
    await pushParked(device.owner);
    const pushed = await pushOutbox(device.client_id);
    const pulled = await pullAll(device.client_id, (await readDevice()).cookie);
    return { status: "synced", pushed, pulled };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // Signed out elsewhere, expired or revoked: stop showing this account's records (§12).
      await forgetAccount({ notice: "signed-out-elsewhere" });
      announceChange({ reason: "signed-out" });
      return { status: "signed-out" };
    }
    throw error;
  }
}

export function syncNow() {
  return withSyncLock(syncRound);
}
