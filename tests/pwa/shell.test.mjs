import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expectedShell, PWA, shellVersion, staticImports, workerVersion } from "./shell.mjs";
import { CACHE_PREFIX, SHELL, shellCacheName } from "../../pwa/js/sw/assets.js";

test("the precache list is exactly the app's files, so every screen opens offline", () => {
  assert.deepEqual([...SHELL].sort(), expectedShell(),
    "update SHELL in pwa/js/sw/assets.js (node tests/pwa/shell.mjs prints the list)");
});

test("sw.js carries the shell version, so any change to the app reaches people as an update", () => {
  assert.equal(workerVersion(), shellVersion(),
    `pwa/ changed: set VERSION in pwa/sw.js to "${shellVersion()}" (node tests/pwa/shell.mjs)`);
  assert.equal(shellCacheName("abc"), `${CACHE_PREFIX}abc`);
});

test("the manifest has what an installable app needs (DESIGN §10)", () => {
  const manifest = JSON.parse(readFileSync(join(PWA, "manifest.webmanifest"), "utf8"));
  for (const key of ["name", "short_name", "start_url", "theme_color", "background_color"]) {
    assert.ok(manifest[key], `manifest.${key}`);
  }
  assert.equal(manifest.display, "standalone");
  const sizes = manifest.icons.map((icon) => icon.sizes);
  assert.ok(sizes.includes("192x192") && sizes.includes("512x512"));
  assert.ok(manifest.icons.some((icon) => icon.purpose.split(" ").includes("maskable")));
  assert.ok(manifest.shortcuts.some((s) => s.name === "Log a twitch" && s.url.includes("action=log")));
  for (const icon of manifest.icons) assert.ok(SHELL.includes(icon.src), `${icon.src} is precached`);
});

test("the page has no inline script, handler or style (the CSP forbids them)", () => {
  const html = readFileSync(join(PWA, "index.html"), "utf8");
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i);
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
  assert.doesNotMatch(html, /\sstyle\s*=/i);
  assert.doesNotMatch(html, /<style/i);
  assert.match(html, /<link rel="manifest" href="\/manifest.webmanifest">/);
});

test("index.html preloads exactly the first screen's module graph", () => {
  const html = readFileSync(join(PWA, "index.html"), "utf8");
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]).sort();
  assert.deepEqual(preloaded, staticImports(),
    "update the modulepreload links in pwa/index.html (node tests/pwa/shell.mjs prints them)");
});
