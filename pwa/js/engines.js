// Every engine, every phone (DESIGN §11): feature detection, never engine sniffing for behaviour,
// and the platform only for which words to show. The pure functions take what they read, so node
// tests them; startEngines() wires them into the page once.

const PERSIST_ASKED = "twitchlog-persist-asked";

// Which platform the words are for: "ios" | "macos" | "android" | "other"; and the browser family.
export function platformOf({ userAgent = "", platform = "", maxTouchPoints = 0 } = {}) {
  const ua = userAgent;
  // iPadOS 13+ says "Macintosh": a Mac with a touch screen is an iPad.
  const ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && maxTouchPoints > 1);
  const os = ios ? "ios" : /Android/.test(ua) ? "android" : /Macintosh|Mac OS X/.test(ua) || /^Mac/.test(platform) ? "macos" : "other";
  const firefox = /Firefox\/|FxiOS\//.test(ua);
  const safari = !firefox && /Safari\//.test(ua) && !/Chrome\/|Chromium\/|CriOS\/|EdgiOS\/|Edg\//.test(ua);
  return { os, browser: firefox ? "firefox" : safari ? "safari" : "other" };
}

// Which install help to show: "prompt" (the browser offers its own install, beforeinstallprompt),
// "installed", a guide key of strings-engines.js, or null (nothing useful to say).
export function installGuideFor({ standalone = false, hasInstallPrompt = false, userAgent = "", platform = "", maxTouchPoints = 0 } = {}) {
  if (standalone) return "installed";
  if (hasInstallPrompt) return "prompt";
  const { os, browser } = platformOf({ userAgent, platform, maxTouchPoints });
  if (os === "ios") return browser === "safari" ? "ios-safari" : "ios-other";
  if (os === "macos" && browser === "safari") return "macos-safari";
  if (browser === "firefox") return os === "android" ? "firefox-android" : "firefox-desktop";
  return null;
}

// On iPhone and iPad Web Push exists only in the installed (standalone) app.
export function pushNeedsInstall({ standalone = false, userAgent = "", platform = "", maxTouchPoints = 0 } = {}) {
  return !standalone && platformOf({ userAgent, platform, maxTouchPoints }).os === "ios";
}

export function isStandalone(win = globalThis) {
  return Boolean(win.matchMedia?.("(display-mode: standalone)").matches || win.navigator?.standalone === true);
}

export function environment(win = globalThis) {
  const nav = win.navigator || {};
  return {
    standalone: isStandalone(win),
    hasInstallPrompt: "onbeforeinstallprompt" in win,
    userAgent: nav.userAgent || "",
    platform: nav.platform || "",
    maxTouchPoints: nav.maxTouchPoints || 0,
  };
}

// "kept" | "may-be-cleared" | "unknown", from the StorageManager where there is one.
export async function persistence(storage = globalThis.navigator?.storage) {
  if (!storage?.persisted) return "unknown";
  try {
    return (await storage.persisted()) ? "kept" : "may-be-cleared";
  } catch {
    return "unknown";
  }
}

// Ask once, after the first entry (asking earlier, with nothing to keep, is refused by some
// browsers and means nothing to the person). Returns the outcome, or null when not asked.
export async function askToPersist({ storage = globalThis.navigator?.storage, memory = globalThis.localStorage } = {}) {
  if (!storage?.persist) return null;
  if (await storage.persisted?.().catch(() => false)) return "kept";
  if (memory?.getItem(PERSIST_ASKED)) return null;
  memory?.setItem(PERSIST_ASKED, new Date().toISOString());
  try {
    return (await storage.persist()) ? "kept" : "may-be-cleared";
  } catch {
    return "unknown";
  }
}

// The browser's own install offer, kept for the "Install" button (Chromium; Safari and Firefox
// have none and get the guide).
let installEvent = null;
export const INSTALL_EVENT = "twitchlog:install-offer";

export function installOffer() {
  return installEvent;
}

export async function promptInstall() {
  const offer = installEvent;
  if (!offer) return "unavailable";
  installEvent = null;
  await offer.prompt();
  const choice = await offer.userChoice.catch(() => ({ outcome: "dismissed" }));
  dispatchEvent(new CustomEvent(INSTALL_EVENT));
  return choice.outcome;
}

let started = false;

export async function startEngines() {
  if (started) return;
  started = true;
  addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault(); // shown from our own button, in settings, not as a surprise
    installEvent = event;
    dispatchEvent(new CustomEvent(INSTALL_EVENT));
  });
  addEventListener("appinstalled", () => {
    installEvent = null;
    dispatchEvent(new CustomEvent(INSTALL_EVENT));
  });
  const { onChange } = await import("./changes.js"); // (not at the top: node tests import this module)
  const stop = onChange((detail) => {
    if (detail.reason !== "local") return;
    stop?.();
    askToPersist().catch(() => {});
  });
}
