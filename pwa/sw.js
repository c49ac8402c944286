// The service worker wires events only: caching lives in js/sw/, sync in js/sync/engine.js,
// notifications in js/sw/push.js.

import { precacheShell, removeOldShells, respond } from "./js/sw/strategies.js";
import { openFromNotification, showPushNotification } from "./js/sw/push.js";
import { SYNC_TAG, syncNow } from "./js/sync/engine.js";

self.addEventListener("install", (event) => {
  // No skipWaiting here: a new version waits until the person taps "Reload".
  event.waitUntil(precacheShell());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(removeOldShells().then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const response = respond(event.request);
  if (response) event.respondWith(response);
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(syncNow());
});

self.addEventListener("push", (event) => {
  event.waitUntil(showPushNotification(event));
});

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(openFromNotification(event));
});
