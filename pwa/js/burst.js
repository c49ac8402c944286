// The in-app burst rest suggestion (DESIGN §13): when `count` twitches fall within `minutes`,
// suggest a rest break at once, from this device's own records, so it works offline too. At most
// one suggestion per `minutes`. The settings are the reminders' `burst` ({enabled, count,
// minutes}), remembered on this device from the last time they were read.
//
// home.js (or anyone) may call checkForBurst() after a twitch is logged; startBurstWatch() does it
// on every locally logged twitch through changes.js, so nothing else has to.

import { recordTimes } from "./db.js";
import { onChange } from "./changes.js";

const SETTINGS_KEY = "twitchlog-burst-settings";
const SHOWN_KEY = "twitchlog-burst-shown";
export const DEFAULT_BURST = { enabled: false, count: 5, minutes: 15 };

// Pure: should a suggestion show now? `times` are twitch instants (ISO strings or ms).
export function burstDue(times, settings, nowMs, lastShownMs = null) {
  if (!settings?.enabled) return false;
  const span = settings.minutes * 60000;
  if (lastShownMs != null && nowMs - lastShownMs < span) return false;
  let inWindow = 0;
  for (const time of times) {
    const at = typeof time === "number" ? time : Date.parse(time);
    if (at > nowMs - span && at <= nowMs) inWindow += 1;
  }
  return inWindow >= settings.count;
}

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null;
  }
}

export function rememberBurstSettings(burst) {
  if (burst && typeof burst.enabled === "boolean") storage()?.setItem(SETTINGS_KEY, JSON.stringify(burst));
}

export function burstSettings() {
  try {
    return { ...DEFAULT_BURST, ...JSON.parse(storage()?.getItem(SETTINGS_KEY) || "{}") };
  } catch {
    return { ...DEFAULT_BURST };
  }
}

const listeners = new Set();

// Calls `listener(settings)` whenever a suggestion is due; returns an unsubscribe function.
export function onBurst(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Look at this device's twitches now; tell the listeners (once per `minutes`) when it is a burst.
export async function checkForBurst(now = new Date()) {
  const settings = burstSettings();
  if (!settings.enabled) return false;
  const since = new Date(now.getTime() - settings.minutes * 60000).toISOString();
  const times = await recordTimes("twitch", { since, until: `${now.toISOString()}\uffff` });
  const last = Number(storage()?.getItem(SHOWN_KEY)) || null;
  if (!burstDue(times, settings, now.getTime(), last)) return false;
  storage()?.setItem(SHOWN_KEY, String(now.getTime()));
  for (const listener of listeners) listener(settings);
  return true;
}

let watching = null;

export function startBurstWatch() {
  if (watching) return watching;
  watching = onChange((detail) => {
    if (detail?.entity === "twitch" && detail.reason === "local") checkForBurst().catch(() => {});
  });
  return watching;
}
