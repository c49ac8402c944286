// Every screen of the app: a hash route, a nav entry, a module with render(root) -> cleanup?.
// To add a screen, add one line here and one module beside this file.

import { S } from "../strings.js";

export const MAIN_SCREENS = [
  { path: "", title: () => S.nav.home, icon: "log", load: () => import("./home.js") },
  { path: "checkin", title: () => S.nav.checkin, icon: "checkin", load: () => import("./checkin.js") },
  { path: "pacing", title: () => S.nav.pacing, icon: "pacing", load: () => import("./pacing.js") },
  { path: "symptoms", title: () => S.nav.symptoms, icon: "symptoms", load: () => import("./symptoms.js") },
  { path: "more", title: () => S.nav.more, icon: "more", load: () => import("./more.js") },
];

// Reached from "More"; their modules are stubs until the capability lands.
export const EXTRA_SCREENS = [
  { path: "reminders", title: () => S.screens.reminders, load: () => import("./reminders.js") },
  { path: "insights", title: () => S.screens.insights, load: () => import("./insights.js") },
  { path: "sharing", title: () => S.screens.sharing, load: () => import("./sharing.js") },
  { path: "caregiver", title: () => S.screens.caregiver, load: () => import("./caregiver.js") },
];

export function screenFor(hash) {
  const path = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return [...MAIN_SCREENS, ...EXTRA_SCREENS].find((screen) => screen.path === path) || MAIN_SCREENS[0];
}
