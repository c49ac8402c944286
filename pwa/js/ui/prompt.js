// A reminder opened from its notification (DESIGN §11): iOS and macOS Safari show no action
// buttons, so tapping the notification opens this screen with the same choices, answered through
// the same API as the buttons (snooze or done for every device). Route: #/prompt/<id>?kind=evening

import { api, ApiError, OfflineError } from "../api.js";
import { SNOOZE_MINUTES } from "../sw/push.js";
import { E } from "../strings-engines.js";
import { h, replaceChildren } from "./dom.js";

const ID = /^[0-9a-f-]{36}$/i;

export function promptFromHash(hash) {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  const [, id = ""] = path.split("/");
  const kind = new URLSearchParams(query).get("kind") === "pacing" ? "pacing" : "evening";
  return { id: ID.test(id) ? id.toLowerCase() : null, kind };
}

export function render(root) {
  const { id, kind } = promptFromHash(location.hash);
  const status = h("p", { role: "status", id: "prompt-status" });
  const evening = kind === "evening";
  const snooze = h("button", { type: "button", class: "button secondary wide" }, E.prompt.snooze);
  const done = h("button", { type: "button", class: "button primary wide" }, evening ? E.prompt.done : E.prompt.rested);

  async function answer(path, body, said) {
    snooze.disabled = done.disabled = true;
    try {
      await api("POST", `/reminders/${encodeURIComponent(id)}/${path}`, body);
      status.textContent = said;
      return;
    } catch (error) {
      status.textContent = error instanceof OfflineError ? E.prompt.offline
        : error instanceof ApiError && [404, 409].includes(error.status) ? E.prompt.gone : E.prompt.failed;
    }
    snooze.disabled = done.disabled = false;
  }

  snooze.addEventListener("click", () => answer("snooze", { minutes: SNOOZE_MINUTES }, E.prompt.snoozed));
  done.addEventListener("click", () => answer("done", {}, E.prompt.marked));
  replaceChildren(root,
    h("h1", {}, evening ? E.prompt.evening : E.prompt.pacing),
    h("section", { class: "card stack", "aria-labelledby": "prompt-kind" },
      h("p", { id: "prompt-kind" }, evening ? E.prompt.eveningBody : E.prompt.pacingBody),
      id ? h("div", { class: "stack" }, done, snooze) : h("p", {}, E.prompt.gone),
      status,
      evening ? h("a", { href: "#/checkin", class: "button link" }, E.prompt.openCheckin) : null));
}
