// The in-app burst rest suggestion (DESIGN §13): a small card at once when `count` twitches fall
// within `minutes`, computed on this device (burst.js), so it shows offline too. One button
// starts a rest break; "Not now" closes it.

import { api } from "../api.js";
import { readDevice } from "../db.js";
import { onBurst, rememberBurstSettings, startBurstWatch } from "../burst.js";
import { PC } from "../strings-pacing.js";
import { startRestBreak } from "../store.js";
import { h } from "./dom.js";
import { ensurePacingStyles } from "./pacing-styles.js";
import { toast } from "./toast.js";

export function showBurstSuggestion() {
  ensurePacingStyles();
  document.getElementById("burst-suggestion")?.remove();
  const close = () => card.remove();
  const card = h("section", { id: "burst-suggestion", class: "burst-suggestion", "aria-labelledby": "burst-suggestion-title" },
  h("h2", { id: "burst-suggestion-title" }, PC.suggestion.title),
  h("p", { role: "status" }, PC.suggestion.body),
  h("div", { class: "actions" },
    h("button", { type: "button", class: "button primary", onclick: async () => {
      close();
      await startRestBreak();
      toast(PC.suggestion.started);
    } }, PC.suggestion.rest),
    h("button", { type: "button", class: "button secondary", onclick: close }, PC.suggestion.later)));
  document.body.append(card);
  return card;
}

// Once at start: watch logged twitches and refresh this device's copy of the burst settings.
export async function mountBurstSuggestion() {
  onBurst(() => showBurstSuggestion());
  startBurstWatch();
  const device = await readDevice();
  if (device.signed_in) {
    api("GET", "/reminders").then((settings) => rememberBurstSettings(settings.burst)).catch(() => {});
  }
}
