// Pacing: rest breaks (activities with level rest), other activities, and intakes.

import { S } from "../strings.js";
import { ACTIVITY_LEVELS, INTAKE_KINDS, INTAKE_UNITS } from "../records.js";
import {
  endRestBreak, logActivity, logIntake, openRestBreak, recentOf, startRestBreak,
} from "../store.js";
import { onChange } from "../changes.js";
import { choiceGroup, field, h, replaceChildren, selectControl } from "./dom.js";
import { clockTime } from "./format.js";
import { entryList } from "./entry-list.js";
import { editEntry } from "./entry-editor.js";
import { toast } from "./toast.js";

const DEFAULT_UNIT = { magnesium: "mg", electrolytes: "unit", water: "ml", caffeine: "mg", alcohol: "ml", medication: "unit", other: "unit" };

function restSection() {
  const status = h("p", { class: "rest-status" });
  const button = h("button", { type: "button", class: "button primary wide" });
  let running = null;
  async function refresh() {
    running = await openRestBreak();
    if (running) {
      const since = running.view.fields.started_at;
      const minutes = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 60000));
      status.textContent = S.pacing.restRunning(clockTime(since), minutes);
      button.textContent = S.pacing.endRest;
    } else {
      status.textContent = S.pacing.restIdle;
      button.textContent = S.pacing.startRest;
    }
  }
  button.addEventListener("click", async () => {
    if (running) {
      const minutes = Math.max(0, Math.round((Date.now() - Date.parse(running.view.fields.started_at)) / 60000));
      await endRestBreak(running.record_id);
      toast(S.pacing.restEnded(minutes));
    } else {
      await startRestBreak();
      toast(S.pacing.restStarted);
    }
    refresh();
  });
  refresh();
  return { element: h("section", { class: "card", "aria-labelledby": "rest-title" },
    h("h2", { id: "rest-title" }, S.pacing.restTitle), status, button), refresh };
}

function activityForm() {
  let level = "light";
  const label = h("input", { type: "text", maxLength: 100, autocomplete: "off" });
  const minutes = h("input", { type: "number", inputMode: "numeric", min: 1, max: 1440, step: 1 });
  const form = h("form", { class: "card stack", "aria-labelledby": "activity-title" },
    h("h2", { id: "activity-title" }, S.pacing.activityTitle),
    choiceGroup({
      legend: S.pacing.level, name: "activity-level", value: level,
      options: ACTIVITY_LEVELS.map((l) => [l, S.values.level[l]]), onchange: (l) => { level = l; },
    }),
    field(S.pacing.label, label),
    field(S.pacing.minutes, minutes),
    h("button", { type: "submit", class: "button primary wide" }, S.pacing.logActivity));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const mins = minutes.value ? Math.round(Number(minutes.value)) : null;
    await logActivity({ level, label: label.value.trim() || null, minutes: mins > 0 ? mins : null });
    label.value = "";
    minutes.value = "";
    toast(S.pacing.activityLogged);
  });
  return form;
}

function intakeForm() {
  const kind = selectControl(INTAKE_KINDS.map((k) => [k, S.values.intakeKind[k]]), "water");
  const amount = h("input", { type: "number", inputMode: "decimal", min: 0, step: "any" });
  const unit = selectControl(INTAKE_UNITS.map((u) => [u, S.values.unit[u]]), "ml");
  kind.addEventListener("change", () => { unit.value = DEFAULT_UNIT[kind.value]; });
  const form = h("form", { class: "card stack", "aria-labelledby": "intake-title" },
    h("h2", { id: "intake-title" }, S.pacing.intakeTitle),
    field(S.pacing.intakeKind, kind),
    h("div", { class: "two-col" }, field(S.pacing.amount, amount), field(S.pacing.unit, unit)),
    h("button", { type: "submit", class: "button primary wide" }, S.pacing.logIntake));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = { kind: kind.value };
    if (amount.value !== "" && Number(amount.value) >= 0) {
      fields.amount = Number(amount.value);
      fields.unit = unit.value;
    }
    await logIntake(fields);
    amount.value = "";
    toast(S.pacing.intakeLogged);
  });
  return form;
}

export function render(root) {
  const rest = restSection();
  const list = h("div");
  replaceChildren(root, h("h1", {}, S.pacing.title), rest.element, activityForm(), intakeForm(),
    h("section", { "aria-labelledby": "pacing-recent" }, h("h2", { id: "pacing-recent" }, S.pacing.recent), list));
  async function refresh() {
    const rows = [...await recentOf("activity", 5), ...await recentOf("intake", 5)]
      .sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 6);
    replaceChildren(list, entryList(rows, { empty: "", onEdit: (row) => editEntry(row.entity, row.record_id) }));
    rest.refresh();
  }
  refresh();
  return onChange(refresh);
}
