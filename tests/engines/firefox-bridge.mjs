// Firefox for the engine tests: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi
// (no geckodriver). pytest starts this once per session and sends one JSON command per line on
// stdin; each answer is one JSON line on stdout: {id, ok, value} or {id, ok: false, error}.
//
// Commands: open {page?, url} -> page id (a new tab when no page is given); eval {page, fn, arg}
// runs `fn` (the source of a function of one argument, may be async) in the page; click / fill
// {page, find, arg, text?} act through real input on the element `find(arg)` returns; close
// {page}; cookies:clear; quit.
import { createInterface } from "node:readline";
import puppeteer from "puppeteer-core";

const executablePath = process.env.TWITCHLOG_FIREFOX || "/usr/bin/firefox-esr";
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath,
  headless: true,
  protocolTimeout: 60_000,
  extraPrefsFirefox: {
    "dom.serviceWorkers.testing.enabled": true,
    "browser.sessionstore.resume_from_crash": false,
    "network.http.speculative-parallel-limit": 0,
  },
});
const pages = new Map();
let nextId = 1;

function reply(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

async function element(page, find, arg) {
  const fn = await page.evaluateHandle(`(${find})`);
  const handle = await fn.evaluateHandle((f, a) => f(a), arg ?? null);
  await fn.dispose();
  const el = handle.asElement();
  if (!el) throw new Error(`no element for ${find}`);
  return el;
}

const commands = {
  async open({ page: id, url }) {
    let page = id && pages.get(id);
    if (!page) {
      page = await browser.newPage();
      await page.setViewport({ width: 390, height: 844 });
      id = `p${nextId++}`;
      pages.set(id, page);
      page.on("pageerror", (error) => reply({ event: "pageerror", page: id, error: String(error?.message ?? error) }));
    }
    await page.goto(url, { waitUntil: "load" });
    return id;
  },
  async eval({ page, fn, arg }) {
    const p = pages.get(page);
    const f = await p.evaluateHandle(`(${fn})`);
    try {
      return await f.evaluate(async (g, a) => {
        const value = await g(a);
        return value === undefined ? null : JSON.parse(JSON.stringify(value));
      }, arg ?? null);
    } finally {
      await f.dispose();
    }
  },
  async click({ page, find, arg }) {
    const el = await element(pages.get(page), find, arg);
    await el.click();
    await el.dispose();
    return true;
  },
  async fill({ page, find, arg, text }) {
    const el = await element(pages.get(page), find, arg);
    await el.evaluate((e) => { e.value = ""; });
    await el.type(String(text));
    await el.evaluate((e) => e.dispatchEvent(new Event("change", { bubbles: true })));
    await el.dispose();
    return true;
  },
  async reload({ page }) {
    await pages.get(page).reload({ waitUntil: "load" });
    return true;
  },
  async close({ page }) {
    const p = pages.get(page);
    pages.delete(page);
    if (p) await p.close();
    return true;
  },
  async "cookies:clear"() {
    const cookies = await browser.cookies();
    if (cookies.length) await browser.deleteCookie(...cookies);
    return cookies.length;
  },
  async quit() {
    await browser.close();
    setTimeout(() => process.exit(0), 10);
    return true;
  },
};

reply({ event: "ready", version: await browser.version() });
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const message = JSON.parse(line);
  const started = performance.now();
  commands[message.op](message)
    .then((value) => reply({ id: message.id, ok: true, value, ms: performance.now() - started }))
    .catch((error) => reply({ id: message.id, ok: false, error: String(error?.stack ?? error) }));
}
await browser.close().catch(() => {});
