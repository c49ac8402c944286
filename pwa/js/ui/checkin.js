// The evening check-in: one record per local date, pre-filled from the last one.

import { S } from "../strings.js";
import { checkinFor, saveCheckin } from "../store.js";
import { localDate } from "../local-date.js";
import { choiceGroup, field, h, replaceChildren, uid } from "./dom.js";
import { toast } from "./toast.js";

const SCALES = [
  ["stress", S.checkin.stress],
  ["anxiety", S.checkin.anxiety],
  ["fatigue", S.checkin.fatigue],
  ["exertion", S.checkin.exertion],
  ["twitch_burden", S.checkin.twitchBurden],
];
const AMOUNTS = [
  ["sleep_hours", S.checkin.sleepHours, 0, 24, "0.5"],
  ["hydration_l", S.checkin.hydration, 0, 10, "0.25"],
  ["magnesium_mg", S.checkin.magnesium, 0, 2000, "1"],
  ["caffeine_mg", S.checkin.caffeine, 0, 2000, "1"],
];

// A 0–10 slider that reads "not set" until it is moved or pre-filled.
function scale(name, label, value, values) {
  const id = uid(name);
  const out = h("output", { for: id, class: "scale-value" });
  const input = h("input", { type: "range", id, name, min: 0, max: 10, step: 1, value: value ?? 5 });
  const show = () => {
    out.textContent = values[name] == null ? S.checkin.unset : String(values[name]);
    input.classList.toggle("unset", values[name] == null);
    input.setAttribute("aria-valuetext", values[name] == null ? S.checkin.unset : String(values[name]));
  };
  input.addEventListener("input", () => { values[name] = Number(input.value); show(); });
  show();
  return h("div", { class: "field scale" }, h("div", { class: "scale-head" }, h("label", { for: id }, label), out), input);
}

export function render(root) {
  const today = localDate(new Date());
  const dateInput = h("input", { type: "date", value: today, max: today, required: true });
  const formBody = h("div", { class: "stack" });
  const notice = h("p", { class: "hint", id: "checkin-notice" });
  const form = h("form", { class: "stack checkin", novalidate: true, "aria-describedby": "checkin-notice" },
    field(S.checkin.date, dateInput), notice, formBody,
    h("button", { type: "submit", class: "button primary wide" }, S.checkin.save));
  replaceChildren(root, h("h1", {}, S.checkin.title), h("p", { class: "hint" }, S.checkin.intro), form);

  let values = {};
  let amountInputs = {};
  let note = null;

  async function load() {
    const date = dateInput.value || today;
    const { own, prefill } = await checkinFor(date);
    const source = prefill ? prefill.view.fields : {};
    values = {};
    for (const name of ["sleep_hours", "sleep_quality", "stress", "anxiety", "fatigue", "exertion",
      "twitch_burden", "hydration_l", "electrolytes", "magnesium_mg", "caffeine_mg"]) {
      values[name] = source[name] ?? null;
    }
    notice.textContent = own ? S.checkin.existing : prefill ? S.checkin.prefilled(source.local_date) : "";
    amountInputs = {};
    note = h("textarea", { rows: 2, maxLength: 2000, value: own ? own.view.fields.note || "" : "" });
    replaceChildren(formBody,
      AMOUNTS.slice(0, 1).map(([name, label, min, max, step]) => amount(name, label, min, max, step)),
      choiceGroup({
        legend: S.checkin.sleepQuality, name: "sleep_quality", value: values.sleep_quality,
        options: [1, 2, 3, 4, 5].map((n) => [n, String(n)]),
        onchange: (n) => { values.sleep_quality = Number(n); },
      }),
      SCALES.map(([name, label]) => scale(name, label, values[name], values)),
      AMOUNTS.slice(1).map(([name, label, min, max, step]) => amount(name, label, min, max, step)),
      choiceGroup({
        legend: S.checkin.electrolytes, name: "electrolytes",
        value: values.electrolytes == null ? null : String(values.electrolytes),
        options: [["true", S.checkin.yes], ["false", S.checkin.no]],
        onchange: (v) => { values.electrolytes = v === "true"; },
      }),
      field(S.checkin.note, note));
  }

  function amount(name, label, min, max, step) {
    const input = h("input", { type: "number", inputMode: "decimal", min, max, step, value: values[name] ?? "" });
    amountInputs[name] = input;
    return field(label, input);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let valid = true;
    for (const [name, input] of Object.entries(amountInputs)) {
      const ok = input.value === "" || input.checkValidity();
      input.setAttribute("aria-invalid", String(!ok));
      valid &&= ok;
      values[name] = input.value === "" ? null : Number(input.value);
    }
    if (!valid) {
      toast(S.checkin.invalid);
      return;
    }
    const date = dateInput.value || today;
    await saveCheckin(date, { ...values, note: note.value.trim() || null });
    toast(S.checkin.saved(date));
    await load();
  });
  dateInput.addEventListener("change", load);
  load();
}
