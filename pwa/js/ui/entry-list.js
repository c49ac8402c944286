// A list of entries, each with Edit and Delete (and Undo after a delete).

import { S } from "../strings.js";
import { deleteRecord, restoreRecord } from "../store.js";
import { h } from "./dom.js";
import { entrySummary, entryTime } from "./format.js";
import { toast } from "./toast.js";

export function entryList(rows, { empty, onEdit, timeOf = entryTime }) {
  if (!rows.length) return h("p", { class: "hint empty" }, empty);
  return h("ul", { class: "entries" }, rows.map((row) => {
    const what = entrySummary(row);
    const time = timeOf(row);
    return h("li", { class: "entry", dataset: { entity: row.entity, recordId: row.record_id } },
      h("span", { class: "entry-time" }, time),
      h("span", { class: "entry-what" }, what),
      h("span", { class: "entry-actions" },
        h("button", {
          type: "button", class: "button small secondary", "aria-label": S.home.editLabel(S.entities[row.entity], time),
          onclick: () => onEdit(row),
        }, S.home.edit),
        h("button", {
          type: "button", class: "button small secondary", "aria-label": S.home.deleteLabel(S.entities[row.entity], time),
          onclick: async () => {
            await deleteRecord(row.entity, row.record_id);
            toast(S.home.deleted, [{
              label: S.home.undo,
              run: async () => { await restoreRecord(row.entity, row.record_id); toast(S.home.restored); },
            }]);
          },
        }, S.home.delete)));
  }));
}
