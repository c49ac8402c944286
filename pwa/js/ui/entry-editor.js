// A modal editor for any entry, built from the §2 field list (Escape or Cancel closes it). It also
// adds an entry after the fact (History), starting from the given fields.

import { S } from "../strings.js";
import { A } from "../strings-screens.js";
import { ENTITIES, validateFields } from "../records.js";
import { createRecord, getRecord, updateRecord } from "../store.js";
import { field, h, selectControl } from "./dom.js";
import { fromLocalInput, toLocalInput } from "./format.js";

const VALUE_LABELS = { kind: null, level: "level", unit: "unit", body_region: "body_region", side: "side", visibility: "visibility", pattern: "pattern" };

function labelsFor(entity, name) {
  if (name === "kind") return entity === "intake" ? S.values.intakeKind : S.values.kind;
  return S.values[VALUE_LABELS[name]] || {};
}

function control(entity, name, spec, value) {
  switch (spec.type) {
    case "instant":
      return h("input", { type: "datetime-local", value: value ? toLocalInput(value) : "" });
    case "date":
      return h("input", { type: "date", value: value || "", disabled: true });
    case "enum": {
      const labels = labelsFor(entity, name);
      return selectControl(spec.values.map((v) => [v, labels[v] || v]), value,
        { includeEmpty: !ENTITIES[entity].required.includes(name), emptyLabel: S.details.notSet });
    }
    case "bool":
      return selectControl([["true", S.values.bool.true], ["false", S.values.bool.false]],
        value == null ? "" : String(value), { includeEmpty: true, emptyLabel: S.details.notSet });
    case "text":
      return spec.max > 100 ? h("textarea", { maxLength: spec.max, rows: 3, value: value || "" })
        : h("input", { type: "text", maxLength: spec.max, value: value || "" });
    default:
      return h("input", {
        type: "number", inputMode: "decimal", step: spec.type === "int" ? "1" : "any",
        min: spec.min, max: Number.isFinite(spec.max) ? spec.max : null, value: value ?? "",
      });
  }
}

function read(spec, el) {
  const raw = el.value;
  if (raw === "") return null;
  switch (spec.type) {
    case "instant": return fromLocalInput(raw);
    case "bool": return raw === "true";
    case "int": return Number.parseInt(raw, 10);
    case "number": return Number(raw);
    default: return raw;
  }
}

export async function editEntry(entity, recordId) {
  const row = await getRecord(entity, recordId);
  if (!row) return;
  openEditor(entity, row, null);
}

// A new entry of `entity`, its controls starting at `fields` (e.g. the time on a past day).
export function addEntry(entity, fields) {
  openEditor(entity, { view: { fields } }, fields);
}

function openEditor(entity, row, creating) {
  const recordId = row.record_id;
  const spec = ENTITIES[entity];
  const controls = {};
  const errorBox = h("p", { class: "error", role: "alert" });
  const form = h("form", { method: "dialog", class: "stack" },
    h("h2", { id: "editor-title" }, creating ? A.editor.addTitle(S.entities[entity]) : S.editor.title(S.entities[entity])),
    Object.entries(spec.fields).map(([name, fieldSpec]) => {
      controls[name] = control(entity, name, fieldSpec, row.view.fields[name]);
      return field(S.fields[name] || name, controls[name]);
    }),
    errorBox,
    h("div", { class: "button-row" },
      h("button", { type: "submit", class: "button primary" }, S.editor.save),
      h("button", { type: "button", class: "button secondary", onclick: () => dialog.close() }, S.editor.cancel)));
  const dialog = h("dialog", { class: "editor", "aria-labelledby": "editor-title" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = {};
    for (const [name, fieldSpec] of Object.entries(spec.fields)) {
      if (fieldSpec.type !== "date") values[name] = read(fieldSpec, controls[name]);
    }
    const changed = creating
      ? Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null))
      : Object.fromEntries(Object.entries(values).filter(([name, value]) => (row.view.fields[name] ?? null) !== value));
    const errors = validateFields(entity, changed, { creating: Boolean(creating) });
    if (Object.keys(errors).length) {
      errorBox.textContent = Object.entries(errors).map(([name, e]) => `${S.fields[name] || name}: ${e.join(", ")}`).join(" · ");
      return;
    }
    if (creating) await createRecord(entity, changed);
    else if (Object.keys(changed).length) await updateRecord(entity, recordId, changed);
    dialog.close();
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
