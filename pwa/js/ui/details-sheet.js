// The optional details of a twitch: never blocks logging (non-modal), saves each change at once,
// closes with Escape, and closes itself after a few seconds if it was not touched.

import { S } from "../strings.js";
import { BODY_REGIONS, SIDES } from "../records.js";
import { getRecord, updateRecord } from "../store.js";
import { bodyMap } from "./body-map.js";
import { choiceGroup, field, h, replaceChildren, selectControl } from "./dom.js";
import { clockTime, fromLocalInput, toLocalInput } from "./format.js";

const AUTO_CLOSE_MS = 8000;

export function createDetailsSheet() {
  const body = h("div", { class: "sheet-body" });
  const heading = h("h2", { id: "details-title" }, S.details.title);
  const subtitle = h("p", { class: "hint" });
  const sheet = h("section", {
    class: "sheet", id: "details-sheet", role: "region", "aria-labelledby": "details-title", hidden: true,
  },
  h("div", { class: "sheet-head" }, h("div", {}, heading, subtitle),
    h("button", { type: "button", class: "button secondary", onclick: () => close() }, S.details.close)),
  body);

  let current = null;
  let timer = null;

  function cancelAutoClose() {
    clearTimeout(timer);
    timer = null;
  }
  sheet.addEventListener("pointerdown", cancelAutoClose);
  sheet.addEventListener("focusin", cancelAutoClose);
  sheet.addEventListener("keydown", cancelAutoClose);

  function onEscape(event) {
    if (event.key === "Escape" && !sheet.hidden) {
      event.preventDefault();
      close();
    }
  }

  let reflect = () => {};

  // Controls are built once per opening and only updated afterwards, so focus never jumps.
  async function save(fields) {
    if (!current) return;
    const recordId = current.record_id;
    const row = await updateRecord("twitch", recordId, fields);
    if (current?.record_id === recordId) {
      current = row;
      reflect(row.view.fields);
    }
  }

  function render(row) {
    const f = row.view.fields;
    subtitle.textContent = S.details.subtitle(clockTime(f.occurred_at));
    const v = S.values;
    const region = selectControl(BODY_REGIONS.map((r) => [r, v.body_region[r]]), f.body_region,
      { includeEmpty: true, emptyLabel: S.details.notSet });
    region.addEventListener("change", () => save({ body_region: region.value || null }));
    const map = bodyMap({
      frontLabel: S.details.front,
      backLabel: S.details.back,
      onpick: (r, side) => save({ body_region: r, side }),
    });
    map.show(f.body_region, f.side);
    reflect = (now) => {
      map.show(now.body_region, now.side);
      region.value = now.body_region || "";
      for (const input of body.querySelectorAll("input[type=radio]")) {
        const key = { "details-side": "side", "details-intensity": "intensity", "details-visibility": "visibility", "details-pattern": "pattern" }[input.name];
        input.checked = now[key] != null && String(now[key]) === input.value;
      }
      atRest.checked = now.at_rest === true;
      if (document.activeElement !== note) note.value = now.note || "";
    };
    const when = h("input", { type: "datetime-local", value: toLocalInput(f.occurred_at) });
    when.addEventListener("change", () => {
      const instant = fromLocalInput(when.value);
      if (instant) save({ occurred_at: instant });
    });
    const note = h("textarea", { maxLength: 500, rows: 2 });
    note.value = f.note || "";
    note.addEventListener("change", () => save({ note: note.value.trim() || null }));
    const atRest = h("input", { type: "checkbox", id: "details-at-rest", checked: f.at_rest === true });
    atRest.addEventListener("change", () => save({ at_rest: atRest.checked }));

    replaceChildren(body,
      h("p", { class: "hint" }, S.details.bodyMap),
      map.element,
      h("div", { class: "two-col" },
        field(S.details.region, region),
        choiceGroup({
          legend: S.details.side, name: "details-side", value: f.side,
          options: SIDES.map((s) => [s, v.side[s]]), onchange: (side) => save({ side }),
        })),
      choiceGroup({
        legend: S.details.intensity, name: "details-intensity", value: f.intensity, hint: S.details.intensityHint,
        options: [1, 2, 3, 4, 5].map((n) => [n, String(n)]), onchange: (n) => save({ intensity: Number(n) }),
      }),
      choiceGroup({
        legend: S.details.visibility, name: "details-visibility", value: f.visibility,
        options: Object.entries(v.visibility), onchange: (x) => save({ visibility: x }),
      }),
      choiceGroup({
        legend: S.details.pattern, name: "details-pattern", value: f.pattern,
        options: Object.entries(v.pattern), onchange: (x) => save({ pattern: x }),
      }),
      h("div", { class: "check" }, atRest, h("label", { for: "details-at-rest" }, S.details.atRest)),
      field(S.details.note, note),
      field(S.details.when, when),
      h("button", {
        type: "button", class: "button secondary",
        onclick: () => save({ body_region: null, side: null, intensity: null, visibility: null, pattern: null, at_rest: null, note: null }),
      }, S.details.clear));
  }

  async function open(recordId, { auto = false } = {}) {
    const row = await getRecord("twitch", recordId);
    if (!row || row.view.deleted) return;
    current = row;
    render(row);
    sheet.hidden = false;
    document.addEventListener("keydown", onEscape);
    cancelAutoClose();
    if (auto) timer = setTimeout(close, AUTO_CLOSE_MS);
    else sheet.querySelector("select, input, textarea")?.focus();
  }

  function close() {
    cancelAutoClose();
    const hadFocus = sheet.contains(document.activeElement);
    // Blurring first fires `change` on a note being typed, so Escape never loses it.
    if (hadFocus) document.activeElement.blur();
    sheet.hidden = true;
    current = null;
    document.removeEventListener("keydown", onEscape);
    if (hadFocus) document.getElementById("log-button")?.focus();
  }

  return { element: sheet, open, close, get recordId() { return current?.record_id; } };
}
