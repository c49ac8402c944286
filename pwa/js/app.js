// Start-up: draw the shell, route by hash, register the worker, learn who is signed in, sync.

import { S } from "./strings.js";
import { checkSession } from "./session.js";
import { requestSync, startAutoSync } from "./sync/scheduler.js";
import { registerWorker } from "./sw-bridge.js";
import { h, replaceChildren } from "./ui/dom.js";
import { mountStatus } from "./ui/status.js";
import { navScreens, screenFor } from "./ui/screens.js";
import { icon } from "./ui/icons.js";
import { logAndConfirm } from "./ui/home.js";
import { clearToast } from "./ui/toast.js";
import { MODE_EVENT, isFollowerOnly, watchPeople } from "./people.js";

const main = document.getElementById("main");
let cleanup = null;
let firstRoute = true;

function drawNav() {
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", S.nav.label);
  replaceChildren(nav, h("ul", {}, navScreens().map((screen) => h("li", {},
    h("a", { href: `#/${screen.path}`, dataset: { path: screen.path, icon: screen.icon } },
      icon(screen.icon, "nav-icon"),
      h("span", { class: "nav-label" }, screen.title()))))));
}

function markNav(path) {
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.path === path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function route() {
  // An account that only follows someone opens on People.
  if (firstRoute && isFollowerOnly() && !location.search && screenFor(location.hash).path === "") {
    history.replaceState(null, "", "#/caregiver");
  }
  const screen = screenFor(location.hash);
  const module = await screen.load();
  if (typeof cleanup === "function") cleanup();
  if (!firstRoute) clearToast();
  cleanup = module.render(main) || null;
  document.title = screen.path ? `${screen.title()} · ${S.appName}` : S.appName;
  document.body.dataset.screen = screen.path || "home";
  dispatchEvent(new CustomEvent("twitchlog:screen", { detail: { path: screen.path } }));
  markNav(screen.path);
  // Move focus only on navigation, so a screen reader hears the new screen; not on first load.
  const heading = main.querySelector("h1");
  if (heading && !firstRoute) {
    heading.tabIndex = -1;
    heading.focus();
  }
  firstRoute = false;
}

function showUpdate(apply) {
  const banner = document.getElementById("update-banner");
  replaceChildren(banner,
    h("p", {}, S.update.available),
    h("button", { type: "button", class: "button primary", onclick: apply }, S.update.reload));
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-label", S.update.available);
  banner.hidden = false;
}

async function refreshSession() {
  const session = await checkSession().catch(() => null);
  if (session?.user) requestSync();
}

async function start() {
  drawNav();
  addEventListener(MODE_EVENT, () => { drawNav(); markNav(screenFor(location.hash).path); });
  watchPeople();
  import("./ui/red-flag-banner.js").then((m) => m.mountRedFlagBanner()).catch(() => {}); // never hidden by a setting
  import("./ui/burst-suggestion.js").then((m) => m.mountBurstSuggestion()).catch(() => {}); // rest after a burst, offline too (§13)
  mountStatus(document.getElementById("sync-status"));
  addEventListener("hashchange", route);
  await route();
  // The "Log a twitch" shortcut opens /?action=log: log once, then drop the query so a reload
  // does not log again.
  const params = new URLSearchParams(location.search);
  if (params.get("action") === "log") {
    history.replaceState(null, "", `/${location.hash}`);
    await logAndConfirm();
  }
  startAutoSync();
  import("./engines.js").then((m) => m.startEngines()).catch(() => {}); // install offer, storage.persist() (§11)
  addEventListener("online", refreshSession);
  registerWorker({ onUpdateReady: showUpdate }).catch(() => {});
  import("./push-client.js").then((m) => m.keepSubscriptionFresh()).catch(() => {}); // the server always has this browser's subscription
  await refreshSession();
}

start();
