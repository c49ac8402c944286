// The evening check-in: one record per local date (the person's day, DESIGN §13). Nothing is
// pre-filled from another day and only what the person sets is saved (§16); steady things can be
// carried over from the last check-in with one explicit chip. Core questions first, the rest
// behind "More". Opened for a past day as #/checkin?date=YYYY-MM-DD (from History).

import { S } from "../strings.js";
import { A } from "../strings-screens.js";
import { readDevice } from "../db.js";
import { checkinFor, saveCheckin } from "../store.js";
import { deviceTimeZone, isLocalDate, localDateOf } from "../local-date.js";
import { dayStartOf } from "../person-day.js";
import { CUP_MG, cupsToMg, steadyFrom } from "../checkin-fields.js";
import { choiceGroup, field, h, replaceChildren, uid } from "./dom.js";
import { toast } from "./toast.js";

const SCALES = {
  stress: S.checkin.stress,
  anxiety: S.checkin.anxiety,
  fatigue: S.checkin.fatigue,
  exertion: S.checkin.exertion,
  twitch_burden: S.checkin.twitchBurden,
};

// Label and control on one row, so the core questions fit one phone screen.
function inline(el) {
  el.classList.add("inline");
  return el;
}

function requestedDate(hash) {
  const date = new URLSearchParams(hash.split("?")[1] || "").get("date");
  return isLocalDate(date) ? date : null;
}

export function render(root) {
  const dateInput = h("input", { type: "date", required: true });
  const formBody = h("div", { class: "stack" });
  const notice = h("p", { class: "hint", id: "checkin-notice" });
  const form = h("form", { class: "stack checkin", novalidate: true, "aria-describedby": "checkin-notice" },
    inline(field(S.checkin.date, dateInput)), notice, formBody,
    h("button", { type: "submit", class: "button primary wide" }, S.checkin.save));
  replaceChildren(root, h("h1", {}, S.checkin.title), h("p", { class: "hint" }, A.checkin.intro), form);

  let today = null;
  let touched = {};
  let numberInputs = {};
  let shown = {};
  let sync = {};

  // A 0–10 slider that reads "Not answered" until the person moves it.
  function scale(name, label) {
    const id = uid(name);
    const out = h("output", { for: id, class: "scale-value" });
    const input = h("input", { type: "range", id, name, min: 0, max: 10, step: 1, value: shown[name] ?? 5 });
    const show = () => {
      const value = name in touched ? touched[name] : shown[name] ?? null;
      out.textContent = value == null ? A.checkin.untouched : String(value);
      input.classList.toggle("unset", value == null);
      input.setAttribute("aria-valuetext", value == null ? A.checkin.untouched : String(value));
    };
    input.addEventListener("input", () => { touched[name] = Number(input.value); show(); });
    show();
    return h("div", { class: "field scale" }, h("div", { class: "scale-head" }, h("label", { for: id }, label), out), input);
  }

  function number(name, label, { min, max, step, hint, onInput } = {}) {
    const input = h("input", { type: "number", inputMode: "decimal", min, max, step, value: shown[name] ?? "" });
    numberInputs[name] = input;
    input.addEventListener("input", () => {
      touched[name] = input.value === "" ? null : Number(input.value);
      onInput?.();
    });
    sync[name] = (value) => { input.value = value ?? ""; };
    return field(label, input, hint);
  }

  function choice(name, legend, options, hint) {
    const group = choiceGroup({
      legend, name: `checkin-${name}`, hint,
      value: shown[name] == null ? null : String(shown[name]),
      options,
      onchange: (value) => { touched[name] = value === "true" ? true : value === "false" ? false : Number(value); },
    });
    sync[name] = (value) => {
      for (const input of group.querySelectorAll("input")) input.checked = value != null && input.value === String(value);
    };
    return group;
  }

  async function load() {
    const device = await readDevice();
    today = localDateOf(new Date(), deviceTimeZone(), dayStartOf(device));
    if (!dateInput.value) dateInput.value = requestedDate(location.hash) || today;
    dateInput.max = today;
    const date = dateInput.value;
    const { own, previous } = await checkinFor(date);
    touched = {};
    numberInputs = {};
    sync = {};
    shown = own ? { ...own.view.fields } : {};
    notice.textContent = own ? S.checkin.existing : "";
    const note = h("textarea", { rows: 2, maxLength: 2000, value: shown.note || "" });
    note.addEventListener("input", () => { touched.note = note.value.trim() || null; });

    const cups = h("input", { type: "number", inputMode: "decimal", min: 0, max: 20, step: 0.5 });
    cups.addEventListener("input", () => {
      if (cups.value === "" || !cups.checkValidity()) return;
      touched.caffeine_mg = cupsToMg(Number(cups.value));
      sync.caffeine_mg(touched.caffeine_mg);
    });
    const steady = steadyFrom(previous?.view.fields);
    const sameChip = steady ? h("button", {
      type: "button", class: "chip", "aria-pressed": "false",
      onclick: () => {
        Object.assign(touched, steady);
        for (const [name, value] of Object.entries(steady)) sync[name]?.(value);
        sameChip.setAttribute("aria-pressed", "true");
        toast(A.checkin.sameDone);
      },
    }, A.checkin.same([
      steady.magnesium_mg != null ? A.checkin.sameMagnesium(steady.magnesium_mg) : null,
      steady.electrolytes != null ? A.checkin.sameElectrolytes(steady.electrolytes) : null,
    ].filter(Boolean).join(", "))) : null;

    const yesNo = [["true", S.checkin.yes], ["false", S.checkin.no]];
    replaceChildren(formBody,
      inline(number("sleep_hours", S.checkin.sleepHours, { min: 0, max: 24, step: 0.5 })),
      choice("sleep_quality", S.checkin.sleepQuality, [1, 2, 3, 4, 5].map((n) => [n, String(n)])),
      ["stress", "anxiety", "fatigue", "exertion"].map((name) => scale(name, SCALES[name])),
      h("div", { class: "two-col caffeine" },
        field(A.checkin.cups, cups, A.checkin.cupsHint(CUP_MG)),
        number("caffeine_mg", A.checkin.caffeineMg, { min: 0, max: 2000, step: 1, onInput: () => { cups.value = ""; } })),
      choice("crash", A.checkin.crash, yesNo, A.checkin.crashHint),
      h("details", { class: "more" },
        h("summary", {}, A.checkin.more),
        sameChip,
        scale("twitch_burden", SCALES.twitch_burden),
        number("hydration_l", S.checkin.hydration, { min: 0, max: 10, step: 0.25 }),
        choice("electrolytes", S.checkin.electrolytes, yesNo),
        number("magnesium_mg", S.checkin.magnesium, { min: 0, max: 2000, step: 1 })),
      field(S.checkin.note, note));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let valid = true;
    for (const input of Object.values(numberInputs)) {
      const ok = input.value === "" || input.checkValidity();
      input.setAttribute("aria-invalid", String(!ok));
      valid &&= ok;
    }
    if (!valid) {
      toast(S.checkin.invalid);
      return;
    }
    const date = dateInput.value || today;
    await saveCheckin(date, touched);
    toast(S.checkin.saved(date));
    await load();
  });
  dateInput.addEventListener("change", () => { if (dateInput.value) load(); });
  load();
}
