// The red-flag banner on every screen (DESIGN §7, §16). It shows plainly what to do when the last
// 28 days hold a red flag, and no setting hides it: in full until the person says "I understand",
// then as a slim strip that stays while any reason holds, in full again when a new reason appears
// and always in full on Symptoms and Insights. Red-flag symptoms on this device count at once,
// offline too; the server adds what needs the whole log (twitching kept to one place), and its
// last answer is kept so the banner also holds offline. On the first screen the full card sits
// below the one-tap button, so the button is never pushed under the navigation.

import { api } from "../api.js";
import { onChange } from "../changes.js";
import { readDevice, recentRecords } from "../db.js";
import { addDays, earliestInstantOf, latestInstantOf, localDate } from "../local-date.js";
import { RED_FLAG_KINDS } from "../records.js";
import { A } from "../strings-app.js";
import { S } from "../strings.js";
import { acknowledge, bannerMode, prune } from "../red-flag-ack.js";
import { h, replaceChildren } from "./dom.js";

// The wording and reason texts are shared with Insights; fetched only once there is a reason, so
// a first visit without red flags does not load the insights modules.
let words = null;
function loadWords() {
  words ||= Promise.all([import("../strings-insights.js"), import("./insights-view.js")])
    .then(([strings, view]) => ({ T: strings.T, ...view }));
  return words;
}
let T = null;
let reasonText = null;
let regionName = null;

const CACHE_KEY = "twitchlog-red-flags";
const ACK_KEY = "twitchlog-red-flags-acknowledged";
const SERVER_EVERY_MS = 15000;
const WINDOW_DAYS = 28;

// Red-flag symptoms logged on this device in the 28 local dates ending today, in §2 kind order.
export async function localReasons(now = new Date()) {
  const today = localDate(now);
  const first = addDays(today, -(WINDOW_DAYS - 1));
  const rows = await recentRecords("symptom", { since: earliestInstantOf(first), until: latestInstantOf(today), limit: 5000 });
  const found = new Map();
  for (const row of rows) {
    const { kind, observed_at: at } = row.view.fields;
    if (!RED_FLAG_KINDS.includes(kind) || !at) continue;
    const day = localDate(at);
    if (day < first || day > today) continue;
    if (!found.has(kind)) found.set(kind, new Set());
    found.get(kind).add(day);
  }
  return RED_FLAG_KINDS.filter((kind) => found.has(kind))
    .map((kind) => ({ kind: "red_flag_symptom", symptom: kind, dates: [...found.get(kind)].sort() }));
}

function readCache(owner) {
  try {
    const cached = JSON.parse(localStorage.getItem(CACHE_KEY) || "null");
    return cached && cached.owner === owner && cached.to === localDate(new Date()) ? cached.reasons : [];
  } catch {
    return [];
  }
}

function writeCache(owner, to, reasons) {
  try {
    localStorage.setItem(CACHE_KEY, JSON.stringify({ owner, to, reasons }));
  } catch {
    // Storage full or blocked: the banner still works from this device's own symptoms.
  }
}

let latestFromInsights = null;
let redraw = null;

// The insights screen just asked the server: a period ending today has the banner's window too.
export function updateFromInsights(doc) {
  if (!doc?.red_flags?.reasons || doc.to !== localDate(new Date())) return;
  latestFromInsights = doc.red_flags.reasons;
  redraw?.();
}

function readAcknowledged() {
  try {
    const keys = JSON.parse(localStorage.getItem(ACK_KEY) || "[]");
    return Array.isArray(keys) ? keys : [];
  } catch {
    return [];
  }
}

function writeAcknowledged(keys) {
  try {
    localStorage.setItem(ACK_KEY, JSON.stringify(keys));
  } catch {
    // Blocked storage: the card shows in full each time, which is the safe side.
  }
}

// "weakness and trouble speaking" for the strip; the full card names each reason with its dates.
function shortList(reasons) {
  const names = reasons.map((r) => (r.kind === "red_flag_symptom"
    ? S.values.kind[r.symptom] || r.symptom
    : A.redFlag.persistentShort(regionName(r.body_region, r.side).toLowerCase())));
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names[0];
}

function currentScreen() {
  return document.body.dataset.screen || "home";
}

export function mountRedFlagBanner() {
  // Named apart from the Symptoms screen's own advice, so the two regions stay distinct.
  const banner = h("section", { id: "red-flag-banner", class: "red-flag-banner", "aria-label": A.redFlag.bannerLabel, hidden: true });
  document.getElementById("main").before(banner);
  let serverAt = 0;
  let serverReasons = [];
  let running = null;
  let shown = { reasons: [], signedIn: false };
  let expanded = false;

  async function refresh({ askServer = false } = {}) {
    const device = await readDevice();
    const owner = device.signed_in ? device.user?.id : null;
    serverReasons = owner ? readCache(owner) : [];
    let complete = !owner;
    if (owner && latestFromInsights) {
      serverReasons = latestFromInsights;
      writeCache(owner, localDate(new Date()), serverReasons);
      latestFromInsights = null;
      complete = true;
    }
    if (owner && (askServer || Date.now() - serverAt > SERVER_EVERY_MS) && navigator.onLine !== false) {
      serverAt = Date.now();
      try {
        const doc = await api("GET", "/insights");
        serverReasons = doc.red_flags.reasons;
        writeCache(owner, doc.to, serverReasons);
        complete = true;
      } catch {
        // Offline or signed out: keep the last answer for this account.
      }
    }
    const local = await localReasons();
    let reasons = [];
    if (local.length || serverReasons.length) {
      const view = await loadWords();
      ({ T, reasonText, regionName } = view);
      reasons = view.mergeReasons(local, serverReasons);
    }
    if (complete) writeAcknowledged(prune(readAcknowledged(), reasons));
    shown = { reasons, signedIn: Boolean(owner) };
    draw();
  }

  function place(mode) {
    // Home keeps the one-tap button first; its slot below the button holds the full card.
    const slot = document.getElementById("red-flag-home-slot");
    const target = mode === "full" && slot ? slot : null;
    if (target && banner.parentElement !== target) target.append(banner);
    else if (!target && banner.nextElementSibling?.id !== "main") document.getElementById("main").before(banner);
  }

  function draw() {
    const { reasons, signedIn } = shown;
    const acknowledged = readAcknowledged();
    const mode = bannerMode({ reasons, acknowledged, screen: currentScreen(), expanded });
    banner.dataset.mode = mode;
    place(mode);
    if (mode === "none") {
      banner.hidden = true;
      banner.replaceChildren();
      expanded = false;
      return;
    }
    const keepFocus = banner.contains(document.activeElement);
    if (mode === "strip") {
      banner.className = "red-flag-banner strip";
      replaceChildren(banner,
        h("h2", { id: "red-flag-banner-title", class: "visually-hidden" }, A.redFlag.stripLabel),
        h("p", { class: "strip-text" }, A.redFlag.stripText(shortList(reasons))),
        h("button", {
          type: "button", class: "button small secondary", "aria-expanded": "false",
          onclick: () => { expanded = true; draw(); banner.querySelector("button")?.focus(); },
        }, A.redFlag.stripMore));
    } else {
      const unacked = bannerMode({ reasons, acknowledged, screen: "home" }) === "full";
      banner.className = "red-flag-banner full card red-flag";
      replaceChildren(banner,
        h("h2", { id: "red-flag-banner-title" }, T.redFlag.title),
        h("p", {}, T.redFlag.intro),
        h("ul", {}, reasons.map((reason) => h("li", {}, reasonText(reason)))),
        h("p", {}, T.redFlag.what),
        h("p", {}, A.redFlag.emergency),
        h("p", { class: "hint" }, T.redFlag.calm),
        h("div", { class: "button-row" },
          unacked ? h("button", {
            type: "button", class: "button primary",
            onclick: () => {
              writeAcknowledged(acknowledge(readAcknowledged(), reasons));
              expanded = false;
              draw();
              banner.querySelector("button")?.focus();
            },
          }, A.redFlag.acknowledge) : null,
          !unacked && expanded ? h("button", {
            type: "button", class: "button secondary", "aria-expanded": "true",
            onclick: () => { expanded = false; draw(); banner.querySelector("button")?.focus(); },
          }, A.redFlag.stripLess) : null,
          signedIn ? h("a", { class: "button secondary", href: "/api/v1/reports/clinician.pdf", download: "" }, T.redFlag.report) : null));
    }
    banner.hidden = false;
    if (keepFocus && !banner.contains(document.activeElement)) banner.querySelector("button, a")?.focus();
  }

  const schedule = (options) => {
    // One refresh at a time; a burst of changes (a pull) collapses into the next one.
    running = (running || Promise.resolve()).then(() => refresh(options)).catch(() => {});
  };
  redraw = () => schedule();
  onChange((detail) => {
    // A local twitch, check-in or activity cannot change the red flags; skip the re-read on each tap.
    if (detail?.reason === "local" && detail.entity !== "symptom") return;
    schedule({ askServer: ["pulled", "pushed", "session"].includes(detail?.reason) });
  });
  // Screens differ (in full on Symptoms and Insights; below the button at home): redraw after each.
  addEventListener("twitchlog:screen", () => { expanded = false; draw(); });
  addEventListener("storage", (event) => { if (event.key === ACK_KEY) draw(); });
  addEventListener("online", () => schedule({ askServer: true }));
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") schedule(); });
  schedule({ askServer: true });
  return banner;
}
