// The first screen: one big button that logs a twitch, today's count (words in calm mode), the
// way to History and Symptoms, the latest entries. Details are offered on the confirmation.

import { S } from "../strings.js";
import { A } from "../strings-app.js";
import { readDevice } from "../db.js";
import { deleteRecord, latestEntries, logTwitch, todaysTwitchCount } from "../store.js";
import { onChange } from "../changes.js";
import { h, replaceChildren } from "./dom.js";
import { clockTime } from "./format.js";
import { updateEntryList } from "./entry-list.js";
import { icon } from "./icons.js";
import { toast } from "./toast.js";

// One sheet for the app's lifetime, attached to the page when first opened. Its module (and the
// editor's) loads on first use, keeping the first screen small; the twitch is stored already.
let sheet = null;
async function openDetails(recordId) {
  if (!sheet) {
    const { createDetailsSheet } = await import("./details-sheet.js");
    sheet ||= createDetailsSheet();
  }
  return sheet.open(recordId);
}

async function editOther(entity, recordId) {
  const { editEntry } = await import("./entry-editor.js");
  return editEntry(entity, recordId);
}

export async function logAndConfirm() {
  const row = await logTwitch();
  const time = clockTime(row.view.fields.occurred_at);
  toast(S.home.logged(time), [
    {
      label: S.home.addDetails,
      run: () => openDetails(row.record_id),
    },
    {
      label: S.home.undo,
      run: async () => {
        await deleteRecord("twitch", row.record_id);
        if (sheet?.recordId === row.record_id) sheet.close();
        toast(S.home.undone);
      },
    },
  ]);
  return row;
}

export function render(root) {
  const count = h("p", { class: "today", id: "today-count" });
  const list = h("div", { class: "recent-list" });
  const button = h("button", {
    type: "button", id: "log-button", class: "log-button", "aria-describedby": "log-hint",
    onclick: () => logAndConfirm(),
  }, h("span", { class: "log-button-text" }, S.home.logButton));

  replaceChildren(root,
    h("h1", { class: "visually-hidden" }, S.home.title),
    h("div", { class: "log-area" },
      button,
      h("p", { class: "hint", id: "log-hint" }, S.home.logHint),
      count),
    h("div", { id: "red-flag-home-slot" }),
    h("nav", { class: "home-links", "aria-label": A.home.links },
      h("a", { href: "#/history", class: "button secondary" }, icon("history"), h("span", {}, A.home.history)),
      h("a", { href: "#/symptoms", class: "button secondary" }, icon("symptoms"), h("span", {}, A.home.symptoms))),
    h("section", { class: "recent", "aria-labelledby": "recent-title" },
      h("h2", { id: "recent-title" }, S.home.recent),
      list));

  async function refresh() {
    const [today, latest, device] = await Promise.all([todaysTwitchCount(), latestEntries(8), readDevice()]);
    const calm = device.signed_in && device.user?.calm_mode === true;
    // Only what changed is written: an unchanged line or list item is not laid out again.
    const line = calm ? A.home.calmToday(today) : S.home.today(today);
    if (count.textContent !== line) count.textContent = line;
    count.dataset.calm = String(calm);
    updateEntryList(list, latest, {
      empty: S.home.none,
      onEdit: (row) => (row.entity === "twitch" ? openDetails(row.record_id) : editOther(row.entity, row.record_id)),
    });
  }
  refresh();
  // After the next paint, so a tap's confirmation is never held back by redrawing the list.
  let pending = false;
  const stop = onChange(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => setTimeout(() => { pending = false; refresh(); }, 0));
  });
  return () => {
    stop();
    sheet?.close();
  };
}
