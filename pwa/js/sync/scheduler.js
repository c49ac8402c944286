// When the page syncs: on start, on `online`, on `visibilitychange`, soon after a local write,
// and again after a failure with backoff; Background Sync covers a closed page.

import { onChange } from "../changes.js";
import { nextRetryDelay } from "./backoff.js";
import { SYNC_TAG, syncNow } from "./engine.js";

const AFTER_WRITE_MS = 250;
const listeners = new Set();
let timer = null;
let attempt = 0;
let running = false;
let again = false;
let state = { phase: "idle" };

export function syncState() {
  return state;
}

export function onSyncState(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(next) {
  state = next;
  for (const listener of listeners) listener(next);
}

export async function registerBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // Background Sync is an extra; the page's own triggers still run.
  }
}

async function run() {
  timer = null;
  if (running) {
    again = true;
    return;
  }
  running = true;
  emit({ phase: "syncing" });
  try {
    let result;
    do {
      again = false;
      result = await syncNow();
    } while (again);
    attempt = 0;
    emit({ phase: "idle", result });
  } catch (error) {
    const delay = nextRetryDelay(attempt, error.retryAfter ?? null);
    attempt += 1;
    emit({ phase: "error", error, retryIn: delay });
    registerBackgroundSync();
    timer = setTimeout(run, delay);
  } finally {
    running = false;
  }
}

// Sync now (or after `delay`); a pending backoff timer is replaced.
export function requestSync(delay = 0) {
  clearTimeout(timer);
  timer = setTimeout(run, delay);
}

export function startAutoSync() {
  addEventListener("online", () => {
    attempt = 0;
    requestSync();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") registerBackgroundSync();
    requestSync();
  });
  onChange((detail) => {
    // A write during a backoff waits for it, so a failing server is not hit once per tap.
    if (detail.reason === "local" && attempt === 0) requestSync(AFTER_WRITE_MS);
    else if (detail.reason === "local" && !navigator.onLine) registerBackgroundSync();
  });
}
