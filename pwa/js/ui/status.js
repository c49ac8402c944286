// The line at the top: online or not, signed in or not, and how many entries are not backed up.

import { S } from "../strings.js";
import { pendingSummary, readDevice } from "../db.js";
import { onChange } from "../changes.js";
import { onSyncState, syncState } from "../sync/scheduler.js";

export function mountStatus(el) {
  let queued = false;
  async function refresh() {
    queued = false;
    const [device, pending] = await Promise.all([readDevice(), pendingSummary()]);
    const n = pending.entries;
    const phase = syncState().phase;
    let text;
    let tone = "ok";
    if (!device.signed_in) {
      // After a 401 the account's records left the device (§12); say why until something new is logged.
      text = device.owner || (device.notice === "signed-out-elsewhere" && !n) ? S.status.sessionEnded : S.status.localOnly(n);
      tone = "local";
    } else if (!navigator.onLine) {
      text = S.status.offline(n);
      tone = "offline";
    } else if (n === 0) {
      text = phase === "syncing" ? S.status.syncing : S.status.synced;
    } else {
      text = phase === "error" ? S.status.retrying(n) : S.status.waiting(n);
      tone = "pending";
    }
    el.textContent = text;
    el.dataset.tone = tone;
    el.dataset.pending = String(n);
  }
  // Many writes in a row (fast taps) collapse into one refresh per frame.
  const schedule = () => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(refresh);
    }
  };
  onChange(schedule);
  onSyncState(schedule);
  addEventListener("online", schedule);
  addEventListener("offline", schedule);
  refresh();
}
