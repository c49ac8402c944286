// Symptoms other than twitching; a red-flag kind gets a calm, plain "talk to a doctor".

import { S } from "../strings.js";
import { BODY_REGIONS, isRedFlag, SIDES, SYMPTOM_KINDS } from "../records.js";
import { logSymptom, recentOf } from "../store.js";
import { onChange } from "../changes.js";
import { choiceGroup, field, h, replaceChildren, selectControl } from "./dom.js";
import { entryList } from "./entry-list.js";
import { editEntry } from "./entry-editor.js";
import { toast } from "./toast.js";

// No button of its own: acknowledging is done once, on the red-flag card above (DESIGN §16).
function redFlagPanel(kind) {
  const name = S.values.kind[kind];
  const panel = h("section", { class: "card red-flag", id: "red-flag", tabindex: -1, "aria-labelledby": "red-flag-title" },
    h("h2", { id: "red-flag-title" }, S.symptoms.redFlagTitle),
    h("p", {}, S.symptoms.redFlagBody(name)),
    h("p", {}, S.symptoms.emergency),
    h("p", { class: "hint" }, S.symptoms.notDiagnosis));
  return panel;
}

export function render(root) {
  let kind = null;
  const region = selectControl(BODY_REGIONS.map((r) => [r, S.values.body_region[r]]), null,
    { includeEmpty: true, emptyLabel: S.details.notSet });
  let side = null;
  const progressive = h("input", { type: "checkbox", id: "symptom-progressive" });
  const note = h("textarea", { rows: 2, maxLength: 2000 });
  const kindError = h("p", { class: "error", id: "symptom-kind-error" });
  const advice = h("div");
  const list = h("div");
  const form = h("form", { class: "card stack", "aria-labelledby": "symptom-form-title" },
    h("h2", { id: "symptom-form-title", class: "visually-hidden" }, S.symptoms.save),
    choiceGroup({
      legend: S.symptoms.kind, name: "symptom-kind", value: null,
      options: SYMPTOM_KINDS.map((k) => [k, S.values.kind[k][0].toUpperCase() + S.values.kind[k].slice(1)]),
      onchange: (k) => { kind = k; kindError.textContent = ""; }, className: "stacked",
    }),
    kindError,
    field(S.symptoms.region, region),
    choiceGroup({
      legend: S.symptoms.side, name: "symptom-side", value: null,
      options: SIDES.map((s) => [s, S.values.side[s]]), onchange: (s) => { side = s; },
    }),
    h("div", { class: "check" }, progressive, h("label", { for: "symptom-progressive" }, S.symptoms.progressive)),
    field(S.symptoms.note, note),
    h("button", { type: "submit", class: "button primary wide" }, S.symptoms.save));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!kind) {
      kindError.textContent = S.symptoms.kind;
      form.querySelector("input[name=symptom-kind]").focus();
      return;
    }
    const fields = { kind, progressive: progressive.checked };
    if (region.value) fields.body_region = region.value;
    if (side) fields.side = side;
    if (note.value.trim()) fields.note = note.value.trim();
    await logSymptom(fields);
    const logged = kind;
    form.reset();
    kind = null;
    side = null;
    if (isRedFlag(logged)) {
      replaceChildren(advice, redFlagPanel(logged));
      advice.querySelector("#red-flag").focus();
    } else {
      toast(S.symptoms.saved);
    }
  });

  replaceChildren(root, h("h1", {}, S.symptoms.title), h("p", { class: "hint" }, S.symptoms.intro), advice, form,
    h("section", { "aria-labelledby": "symptoms-recent" }, h("h2", { id: "symptoms-recent" }, S.symptoms.recent), list));
  async function refresh() {
    replaceChildren(list, entryList(await recentOf("symptom", 6), {
      empty: "", onEdit: (row) => editEntry(row.entity, row.record_id),
    }));
  }
  refresh();
  return onChange(refresh);
}
