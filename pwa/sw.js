// The service worker wires events only: caching lives in js/sw/, sync in js/sync/engine.js,
// notifications in js/sw/push.js.

import { shellCacheName } from "./js/sw/assets.js";
import { precacheShell, removeOldShells, respond } from "./js/sw/strategies.js";
import { openFromNotification, renewSubscription, showPushNotification } from "./js/sw/push.js";
import { SYNC_TAG, syncNow } from "./js/sync/engine.js";

// A digest of every other file under pwa/ (`node tests/pwa/shell.mjs` prints it; a node test
// checks it): any change to the app changes this file, so browsers see an update.
const VERSION = "cd357d2122af";
const SHELL_CACHE = shellCacheName(VERSION);

self.addEventListener("install", (event) => {
  // No skipWaiting here: a new version waits until the person taps "Reload".
  event.waitUntil(precacheShell(SHELL_CACHE));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(removeOldShells(SHELL_CACHE).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const response = respond(SHELL_CACHE, event.request);
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

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(renewSubscription(event));
});
