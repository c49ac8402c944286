// Caching strategies: the versioned app shell is precached, served cache-first, and every
// screen is "/" (hash routes), so the app opens offline. The API is never cached.

import { CACHE_PREFIX, SHELL } from "./assets.js";

const SHELL_PATHS = new Set(SHELL);

export async function precacheShell(cacheName) {
  const cache = await caches.open(cacheName);
  // cache: "reload" skips the HTTP cache so a new version never precaches stale files.
  await cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" })));
}

// Only this app's own old shells go; other caches on the origin are not ours to delete.
export async function removeOldShells(cacheName) {
  const names = await caches.keys();
  await Promise.all(names
    .filter((name) => name.startsWith(CACHE_PREFIX) && name !== cacheName)
    .map((name) => caches.delete(name)));
}

async function appShell(cacheName, request) {
  const cache = await caches.open(cacheName);
  return (await cache.match("/")) || fetch(request);
}

async function cacheFirst(cacheName, request) {
  const cache = await caches.open(cacheName);
  return (await cache.match(request, { ignoreSearch: true })) || fetch(request);
}

// A response for requests the worker owns, or null to let the network have it.
export function respond(cacheName, request) {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return null;
  if (request.mode === "navigate") {
    return ["/", "/index.html", "/reset"].includes(url.pathname) ? appShell(cacheName, request) : null;
  }
  return SHELL_PATHS.has(url.pathname) ? cacheFirst(cacheName, request) : null;
}
