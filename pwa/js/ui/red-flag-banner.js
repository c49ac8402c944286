// The red-flag banner at the top of every screen (DESIGN §7). It shows plainly what to do when the
// last 28 days hold a red flag, and no setting hides it. Red-flag symptoms on this device count at
// once, offline too; the server adds what needs the whole log (twitching kept to one place), and
// its last answer is kept so the banner also holds offline.

import { api } from "../api.js";
import { onChange } from "../changes.js";
import { readDevice, recentRecords } from "../db.js";
import { addDays, earliestInstantOf, latestInstantOf, localDate } from "../local-date.js";
import { RED_FLAG_KINDS } from "../records.js";
import { T } from "../strings-insights.js";
import { h, replaceChildren } from "./dom.js";
import { mergeReasons, reasonText } from "./insights-view.js";
import { ensureStyles } from "./insights-styles.js";

const CACHE_KEY = "twitchlog-red-flags";
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

export function mountRedFlagBanner() {
  ensureStyles();
  const banner = h("section", { id: "red-flag-banner", class: "rf-banner", "aria-label": T.redFlag.bannerLabel, hidden: true });
  document.getElementById("main").before(banner);
  let serverAt = 0;
  let serverReasons = [];
  let running = null;

  async function refresh({ askServer = false } = {}) {
    const device = await readDevice();
    const owner = device.signed_in ? device.user?.id : null;
    serverReasons = owner ? readCache(owner) : [];
    if (owner && latestFromInsights) {
      serverReasons = latestFromInsights;
      writeCache(owner, localDate(new Date()), serverReasons);
      latestFromInsights = null;
    }
    if (owner && (askServer || Date.now() - serverAt > SERVER_EVERY_MS) && navigator.onLine !== false) {
      serverAt = Date.now();
      try {
        const doc = await api("GET", "/insights");
        serverReasons = doc.red_flags.reasons;
        writeCache(owner, doc.to, serverReasons);
      } catch {
        // Offline or signed out: keep the last answer for this account.
      }
    }
    draw(mergeReasons(await localReasons(), serverReasons), Boolean(owner));
  }

  function draw(reasons, signedIn) {
    if (!reasons.length) {
      banner.hidden = true;
      banner.replaceChildren();
      return;
    }
    replaceChildren(banner,
      h("h2", { id: "red-flag-banner-title" }, T.redFlag.title),
      h("p", {}, T.redFlag.intro),
      h("ul", {}, reasons.map((reason) => h("li", {}, reasonText(reason)))),
      h("p", {}, T.redFlag.what),
      h("p", { class: "hint" }, T.redFlag.calm),
      signedIn ? h("a", { class: "button secondary", href: "/api/v1/reports/clinician.pdf", download: "" }, T.redFlag.report) : null);
    banner.hidden = false;
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
  addEventListener("online", () => schedule({ askServer: true }));
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") schedule(); });
  schedule({ askServer: true });
  return banner;
}
