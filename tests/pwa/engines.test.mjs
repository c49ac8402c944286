// Every engine, every phone (DESIGN §11): which install help, reminders on iPhone, storage.persist(),
// and where a reminder's notification opens.
import { test } from "node:test";
import assert from "node:assert/strict";
import { askToPersist, installGuideFor, persistence, platformOf, pushNeedsInstall } from "../../pwa/js/engines.js";
import { openFromNotification, openPath } from "../../pwa/js/sw/push.js";

const UA = {
  iphoneSafari: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  iphoneChrome: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
  ipadSafari: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  macSafari: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  androidFirefox: "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
  linuxFirefox: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  androidChrome: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
};

test("an iPad that calls itself a Mac is an iPad", () => {
  assert.deepEqual(platformOf({ userAgent: UA.ipadSafari, maxTouchPoints: 5 }), { os: "ios", browser: "safari" });
  assert.deepEqual(platformOf({ userAgent: UA.macSafari, maxTouchPoints: 0 }), { os: "macos", browser: "safari" });
  assert.deepEqual(platformOf({ userAgent: UA.androidChrome }), { os: "android", browser: "other" });
});

test("the install help: the browser's own prompt where it has one, else a guide for that browser", () => {
  assert.equal(installGuideFor({ hasInstallPrompt: true, userAgent: UA.androidChrome }), "prompt");
  assert.equal(installGuideFor({ standalone: true, userAgent: UA.iphoneSafari }), "installed");
  assert.equal(installGuideFor({ userAgent: UA.iphoneSafari }), "ios-safari");
  assert.equal(installGuideFor({ userAgent: UA.iphoneChrome }), "ios-other");
  assert.equal(installGuideFor({ userAgent: UA.ipadSafari, maxTouchPoints: 5 }), "ios-safari");
  assert.equal(installGuideFor({ userAgent: UA.macSafari }), "macos-safari");
  assert.equal(installGuideFor({ userAgent: UA.androidFirefox }), "firefox-android");
  assert.equal(installGuideFor({ userAgent: UA.linuxFirefox }), "firefox-desktop");
  assert.equal(installGuideFor({ userAgent: UA.androidChrome }), null, "Chromium without its prompt yet: nothing to say");
});

test("on iPhone and iPad, push needs the installed app; elsewhere it does not", () => {
  assert.equal(pushNeedsInstall({ userAgent: UA.iphoneSafari }), true);
  assert.equal(pushNeedsInstall({ userAgent: UA.ipadSafari, maxTouchPoints: 5 }), true);
  assert.equal(pushNeedsInstall({ userAgent: UA.iphoneSafari, standalone: true }), false);
  assert.equal(pushNeedsInstall({ userAgent: UA.macSafari }), false);
  assert.equal(pushNeedsInstall({ userAgent: UA.androidFirefox }), false);
});

function memory() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v) };
}

test("storage.persist() is asked once, and its answer is what settings show", async () => {
  let asked = 0;
  let kept = false;
  const storage = { persisted: async () => kept, persist: async () => { asked += 1; kept = true; return true; } };
  const mem = memory();
  assert.equal(await persistence(storage), "may-be-cleared");
  assert.equal(await askToPersist({ storage, memory: mem }), "kept");
  assert.equal(await askToPersist({ storage, memory: mem }), "kept");
  assert.equal(asked, 1);
  assert.equal(await persistence(storage), "kept");
  const refusing = { persisted: async () => false, persist: async () => false };
  const mem2 = memory();
  assert.equal(await askToPersist({ storage: refusing, memory: mem2 }), "may-be-cleared");
  assert.equal(await askToPersist({ storage: refusing, memory: mem2 }), null, "not asked again and again");
  assert.equal(await askToPersist({ storage: {}, memory: memory() }), null, "no persist(): nothing asked");
  assert.equal(await persistence(undefined), "unknown");
});

test("opening a reminder's notification opens that prompt in the app; others open their screen", async () => {
  const id = "0b6c1f5e-2f0a-4c55-9d1c-7a6e1c0b9a11";
  assert.equal(openPath({ kind: "evening", occurrence_id: id, url: "/#/checkin" }), `/#/prompt/${id}?kind=evening`);
  assert.equal(openPath({ kind: "pacing", occurrence_id: id }), `/#/prompt/${id}?kind=pacing`);
  assert.equal(openPath({ kind: "red_flag", url: "/#/caregiver/x" }), "/#/caregiver/x");
  assert.equal(openPath({ kind: "evening", occurrence_id: null, url: "/#/checkin" }), "/#/checkin");
  const opened = [];
  const clients = { matchAll: async () => [], openWindow: async (url) => opened.push(url) };
  const notification = { data: { kind: "evening", occurrence_id: id, url: "/#/checkin" }, close() {} };
  const calls = [];
  await openFromNotification({ action: "", notification }, { clients, origin: "https://t.example", call: async (...a) => calls.push(a) });
  assert.deepEqual(opened, [`https://t.example/#/prompt/${id}?kind=evening`]);
  assert.deepEqual(calls, [], "opening is not an answer: the person chooses in the app");
});
