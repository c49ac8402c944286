// What the service worker must precache, and the version that names its cache.
// `node tests/pwa/shell.mjs` prints the VERSION line for pwa/sw.js.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const PWA = fileURLToPath(new URL("../../pwa/", import.meta.url));
const WORKER = "sw.js";

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [relative(PWA, path).split(sep).join("/")];
  });
}

export function allFiles() {
  return walk(PWA).sort();
}

// Files the pages load: everything but the worker's own scripts (the browser keeps those).
export function expectedShell() {
  return allFiles()
    .filter((path) => path !== "sw.js" && !path.startsWith("js/sw/"))
    .map((path) => (path === "index.html" ? "/" : `/${path}`))
    .sort();
}

// A digest of every file but sw.js, which carries it: any change to the app changes sw.js.
export function shellVersion() {
  const hash = createHash("sha256");
  for (const path of allFiles().filter((p) => p !== WORKER)) {
    hash.update(path).update("\0").update(readFileSync(join(PWA, path))).update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

export function workerVersion() {
  const match = /^const VERSION = "([^"]*)";$/m.exec(readFileSync(join(PWA, WORKER), "utf8"));
  return match ? match[1] : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`const VERSION = "${shellVersion()}";`);
  console.log(JSON.stringify(expectedShell(), null, 2));
}
