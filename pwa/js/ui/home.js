// The first screen: one big button that logs a twitch, today's count, the latest entries.

import { S } from "../strings.js";
import { deleteRecord, latestEntries, logTwitch, todaysTwitches } from "../store.js";
import { onChange } from "../changes.js";
import { h, replaceChildren } from "./dom.js";
import { clockTime } from "./format.js";
import { createDetailsSheet } from "./details-sheet.js";
import { entryList } from "./entry-list.js";
import { editEntry } from "./entry-editor.js";
import { toast } from "./toast.js";

let sheet = null;

export async function logAndConfirm() {
  const row = await logTwitch();
  const time = clockTime(row.view.fields.occurred_at);
  toast(S.home.logged(time), [
    {
      label: S.home.undo,
      run: async () => {
        await deleteRecord("twitch", row.record_id);
        if (sheet?.recordId === row.record_id) sheet.close();
        toast(S.home.undone);
      },
    },
  ]);
  sheet?.open(row.record_id, { auto: true });
  return row;
}

export function render(root) {
  sheet = createDetailsSheet();
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
    sheet.element,
    h("section", { class: "recent", "aria-labelledby": "recent-title" },
      h("h2", { id: "recent-title" }, S.home.recent),
      list));

  async function refresh() {
    const [today, latest] = await Promise.all([todaysTwitches(), latestEntries(8)]);
    count.textContent = S.home.today(today.length);
    replaceChildren(list, entryList(latest, {
      empty: S.home.none,
      onEdit: (row) => (row.entity === "twitch" ? sheet.open(row.record_id) : editEntry(row.entity, row.record_id)),
    }));
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
    sheet.close();
    sheet = null;
  };
}
