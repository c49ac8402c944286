// The app shell the service worker precaches. Its version lives in sw.js itself, because only a
// byte change in sw.js reliably makes browsers install a new worker (Chromium fails to start an
// update whose only change is in an imported module).

export const CACHE_PREFIX = "twitchlog-shell-";
export function shellCacheName(version) {
  return `${CACHE_PREFIX}${version}`;
}

export const SHELL = [
  "/",
  "/css/app.css",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-192.png",
  "/icons/icon-maskable-512.png",
  "/icons/icon-maskable.svg",
  "/icons/icon.svg",
  "/icons/shortcut-log-96.png",
  "/js/api.js",
  "/js/app.js",
  "/js/changes.js",
  "/js/db.js",
  "/js/local-date.js",
  "/js/records.js",
  "/js/session.js",
  "/js/store.js",
  "/js/strings.js",
  "/js/sw-bridge.js",
  "/js/sync/backoff.js",
  "/js/sync/engine.js",
  "/js/sync/hlc.js",
  "/js/sync/merge.js",
  "/js/sync/outbox.js",
  "/js/sync/pull.js",
  "/js/sync/scheduler.js",
  "/js/ui/account.js",
  "/js/ui/body-map.js",
  "/js/ui/caregiver.js",
  "/js/ui/checkin.js",
  "/js/ui/details-sheet.js",
  "/js/ui/dom.js",
  "/js/ui/entry-editor.js",
  "/js/ui/entry-list.js",
  "/js/ui/format.js",
  "/js/ui/home.js",
  "/js/ui/insights.js",
  "/js/ui/more.js",
  "/js/ui/pacing.js",
  "/js/ui/reminders.js",
  "/js/ui/screens.js",
  "/js/ui/sharing.js",
  "/js/ui/status.js",
  "/js/ui/symptoms.js",
  "/js/ui/toast.js",
  "/js/uuid.js",
  "/manifest.webmanifest",
];
