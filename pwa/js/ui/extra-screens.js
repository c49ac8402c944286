// The screens reached from "More" (and History and Symptoms from the first screen too), in the
// order More lists them. Its own module so that More can list them while screens.js, which loads
// More, stays the one router table (no import circle between the two).

import { A } from "../strings-app.js";
import { I } from "../strings-import.js";
import { P } from "../strings-people.js";
import { S } from "../strings.js";

export const EXTRA_SCREENS = [
  { path: "history", title: () => A.nav.history, icon: "history", load: () => import("./history.js") },
  { path: "symptoms", title: () => A.nav.symptoms, icon: "symptoms", load: () => import("./symptoms.js") },
  { path: "reminders", title: () => S.screens.reminders, load: () => import("./reminders.js") },
  { path: "sharing", title: () => S.screens.sharing, load: () => import("./sharing.js") },
  { path: "import", title: () => I.title, load: () => import("./import.js") },
  { path: "caregiver", title: () => P.nav.people, icon: "people", load: () => import("./caregiver.js") },
];

