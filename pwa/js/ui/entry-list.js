// A list of entries, each with Edit and Delete (and Undo after a delete).

import { S } from "../strings.js";
import { deleteRecord, restoreRecord } from "../store.js";
import { h, replaceChildren } from "./dom.js";
import { entrySummary, entryTime } from "./format.js";
import { toast } from "./toast.js";

// What an item shows, so an unchanged entry keeps its element (see updateEntryList).
const shown = new WeakMap();

function entryItem(row, { onEdit, timeOf = entryTime }) {
  const what = entrySummary(row);
  const time = timeOf(row);
  const li = h("li", { class: "entry", dataset: { entity: row.entity, recordId: row.record_id } },
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
  shown.set(li, `${time}\n${what}`);
  return li;
}

export function entryList(rows, { empty, onEdit, timeOf = entryTime }) {
  if (!rows.length) return h("p", { class: "hint empty" }, empty);
  return h("ul", { class: "entries" }, rows.map((row) => entryItem(row, { onEdit, timeOf })));
}

// Brings the list in `container` (drawn by entryList) in step with `rows`, touching only what
// changed: after a tap, one item is added at the top and one leaves the bottom, instead of every
// item being rebuilt and laid out again (issue 13: WebKit's tap latency). Items that stay keep
// their element, so a focused Edit or Delete button keeps its focus.
export function updateEntryList(container, rows, { empty, onEdit, timeOf = entryTime }) {
  let list = container.firstElementChild;
  if (!rows.length || !list || list.tagName !== "UL") {
    replaceChildren(container, entryList(rows, { empty, onEdit, timeOf }));
    return;
  }
  const kept = new Map();
  for (const li of list.children) kept.set(`${li.dataset.entity}/${li.dataset.recordId}`, li);
  rows.forEach((row, index) => {
    const old = kept.get(`${row.entity}/${row.record_id}`);
    const same = old && shown.get(old) === `${timeOf(row)}\n${entrySummary(row)}`;
    // An item's buttons act on the row it was drawn for; only its entity and id are read.
    const li = same ? old : entryItem(row, { onEdit, timeOf });
    if (old && !same) old.remove();
    if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
  });
  while (list.children.length > rows.length) list.lastElementChild.remove();
}
