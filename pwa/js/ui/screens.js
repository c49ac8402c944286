// Every screen of the app: a hash route, a nav entry, a module with render(root) -> cleanup?.
// To add a screen, add one line here (or in extra-screens.js, for More's list) and one module beside this file. The bottom navigation is
// drawn from navScreens(): the five things done most days. Rare but important places (History,
// Symptoms) have a plain link on the first screen and in More instead of a sixth, smaller tab.

import { S } from "../strings.js";
import { E } from "../strings-engines.js";
import { A } from "../strings-app.js";
import { isFollowerOnly } from "../people.js";
import { EXTRA_SCREENS } from "./extra-screens.js";

export const MAIN_SCREENS = [
  { path: "", title: () => S.nav.home, icon: "log", load: () => import("./home.js") },
  { path: "checkin", title: () => S.nav.checkin, icon: "checkin", load: () => import("./checkin.js") },
  { path: "pacing", title: () => S.nav.pacing, icon: "pacing", load: () => import("./pacing.js") },
  { path: "insights", title: () => A.nav.insights, icon: "insights", load: () => import("./insights.js") },
  { path: "more", title: () => S.nav.more, icon: "more", load: () => import("./more.js") },
];

// An account that only follows someone (nothing logged of its own) has People and More, no
// Log, Check-in or Pacing, until it logs something itself (people.js keeps the mode).
const FOLLOWER_SCREENS = [EXTRA_SCREENS.find((s) => s.path === "caregiver"), MAIN_SCREENS.find((s) => s.path === "more")];

// The tabs of the bottom navigation, in order (a follower-only account gets its own list here).
export function navScreens() {
  return isFollowerOnly() ? FOLLOWER_SCREENS : MAIN_SCREENS;
}

// Reached only by a link (a reminder opened from its notification, DESIGN §11), never listed.
const ROUTE_ONLY = [{ path: "prompt", title: () => E.prompt.title, load: () => import("./prompt.js") }];

// The emailed reset link /reset#<token> (§12): its own screen, whatever the fragment holds.
const RESET = { path: "reset", title: () => S.appName, load: () => import("./reset.js") };

export function screenFor(hash) {
  if (globalThis.location?.pathname === "/reset") return RESET;
  const path = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return [...MAIN_SCREENS, ...EXTRA_SCREENS, ...ROUTE_ONLY].find((screen) => screen.path === path) || MAIN_SCREENS[0];
}
