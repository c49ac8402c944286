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

// Every module app.js pulls in statically (what the first screen needs), in a stable order.
export function staticImports(entry = "js/app.js") {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    const source = readFileSync(join(PWA, path), "utf8");
    for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)";/gms)) {
      const target = new URL(match[1], `https://x/${path}`).pathname.slice(1);
      visit(target);
    }
  };
  visit(entry);
  seen.delete(entry);
  return [...seen].map((path) => `/${path}`).sort();
}

export function workerVersion() {
  const match = /^const VERSION = "([^"]*)";$/m.exec(readFileSync(join(PWA, WORKER), "utf8"));
  return match ? match[1] : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`const VERSION = "${shellVersion()}";`);
  console.log(JSON.stringify(expectedShell(), null, 2));
  console.log(staticImports().map((href) => `  <link rel="modulepreload" href="${href}">`).join("\n"));
}
