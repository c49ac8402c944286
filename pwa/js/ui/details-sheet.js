// The optional details of a twitch, in a bottom sheet opened by "Add details" (or Edit). Logging
// never waits for it: the twitch is stored before it opens. Each change is saved at once. It stays
// open while the person is in it (no timer), closes with Escape or Done, and gives focus back.
// It is a non-modal dialog, so the big button above it still logs.

import { S } from "../strings.js";
import { A } from "../strings-screens.js";
import { BODY_REGIONS, SIDES } from "../records.js";
import { getRecord, recentOf, updateRecord } from "../store.js";
import { placeMap } from "./place-map.js";
import { choiceGroup, field, h, replaceChildren, selectControl } from "./dom.js";
import { clockTime, fromLocalInput, toLocalInput } from "./format.js";

const RECENT_PLACES = 6;

export function placeName(region, side) {
  const name = S.values.body_region[region] || region;
  return A.details.place(side && S.values.side[side], name);
}

// Distinct (region, side) pairs of the latest twitches, most recent first.
export function recentPlaces(rows, limit = RECENT_PLACES) {
  const seen = new Map();
  for (const row of rows) {
    const { body_region: region, side } = row.view.fields;
    if (!region) continue;
    const key = `${region}|${side || ""}`;
    if (!seen.has(key)) seen.set(key, { region, side: side || null });
    if (seen.size >= limit) break;
  }
  return [...seen.values()];
}

export function createDetailsSheet() {
  const body = h("div", { class: "sheet-body" });
  const heading = h("h2", { id: "details-title", tabindex: -1 }, A.details.title);
  const subtitle = h("p", { class: "hint", id: "details-subtitle" });
  const sheet = h("div", {
    class: "sheet", id: "details-sheet", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "details-title", "aria-describedby": "details-subtitle", hidden: true,
  },
  h("div", { class: "sheet-head" }, h("div", {}, heading, subtitle),
    h("button", { type: "button", class: "button primary", onclick: () => close() }, S.details.close)),
  body);

  let current = null;
  let opener = null;
  let reflect = () => {};

  function onEscape(event) {
    if (event.key === "Escape" && !sheet.hidden && !document.querySelector("dialog[open]")) {
      event.preventDefault();
      close();
    }
  }

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

  function render(row, places) {
    const f = row.view.fields;
    subtitle.textContent = S.details.subtitle(clockTime(f.occurred_at));
    const v = S.values;
    const chips = places.map(({ region, side }) => h("button", {
      type: "button", class: "chip", "aria-pressed": "false", dataset: { region, side: side || "" },
      onclick: () => save({ body_region: region, side }),
    }, placeName(region, side)));
    const region = selectControl(BODY_REGIONS.map((r) => [r, v.body_region[r]]), f.body_region,
      { includeEmpty: true, emptyLabel: S.details.notSet });
    region.addEventListener("change", () => save({ body_region: region.value || null }));
    const map = placeMap({
      frontLabel: A.details.front, backLabel: A.details.back, viewLabel: A.details.view,
      frontHint: A.details.frontHint, backHint: A.details.backHint,
      onpick: (r, side) => save({ body_region: r, side }),
    });
    map.show(f.body_region, f.side);
    const note = h("textarea", { maxLength: 500, rows: 2 });
    note.value = f.note || "";
    note.addEventListener("change", () => save({ note: note.value.trim() || null }));
    const atRest = h("input", { type: "checkbox", id: "details-at-rest", checked: f.at_rest === true });
    atRest.addEventListener("change", () => save({ at_rest: atRest.checked }));
    const when = h("input", { type: "datetime-local", value: toLocalInput(f.occurred_at) });
    when.addEventListener("change", () => {
      const instant = fromLocalInput(when.value);
      if (instant) save({ occurred_at: instant });
    });
    reflect = (now) => {
      map.show(now.body_region, now.side);
      region.value = now.body_region || "";
      for (const chip of chips) {
        chip.setAttribute("aria-pressed", String(chip.dataset.region === now.body_region && chip.dataset.side === (now.side || "")));
      }
      for (const input of body.querySelectorAll("input[type=radio]")) {
        const key = { "details-side": "side", "details-intensity": "intensity", "details-visibility": "visibility", "details-pattern": "pattern" }[input.name];
        if (key) input.checked = now[key] != null && String(now[key]) === input.value;
      }
      atRest.checked = now.at_rest === true;
      if (document.activeElement !== note) note.value = now.note || "";
    };

    replaceChildren(body,
      chips.length ? h("div", { class: "recent-places", role: "group", "aria-labelledby": "details-recent" },
        h("h3", { id: "details-recent" }, A.details.recent),
        h("div", { class: "chip-row" }, chips)) : null,
      h("h3", { class: "map-title" }, chips.length ? A.details.map : A.details.mapFirst),
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
      h("div", { class: "more-details" },
        h("h3", {}, A.details.more),
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
        }, S.details.clear)),
      h("button", { type: "button", class: "button primary wide", onclick: () => close() }, S.details.close));
    reflect(f);
  }

  async function open(recordId) {
    const active = document.activeElement;
    const [row, latest] = await Promise.all([getRecord("twitch", recordId), recentOf("twitch", 200)]);
    if (!row || row.view.deleted) return;
    if (!sheet.isConnected) document.body.append(sheet);
    current = row;
    render(row, recentPlaces(latest.filter((r) => r.record_id !== recordId)));
    sheet.hidden = false;
    document.body.classList.add("sheet-open");
    // Focus goes back where it came from, or to the big button when that is gone (a toast).
    opener = active && active !== document.body && active.id !== "main" && !active.closest("#toast") ? active : null;
    document.addEventListener("keydown", onEscape);
    (body.querySelector(".chip") || heading).focus();
  }

  function close() {
    if (sheet.hidden) return;
    // A tap on the (unfocusable) body map leaves focus on <body>; it still came from here.
    const hadFocus = sheet.contains(document.activeElement) || document.activeElement === document.body;
    // Blurring first fires `change` on a note being typed, so Escape never loses it.
    if (hadFocus) document.activeElement.blur();
    sheet.hidden = true;
    document.body.classList.remove("sheet-open");
    current = null;
    document.removeEventListener("keydown", onEscape);
    if (hadFocus) {
      const back = opener?.isConnected ? opener : document.getElementById("log-button");
      (back || document.getElementById("main"))?.focus();
    }
    opener = null;
  }

  return { element: sheet, open, close, get recordId() { return current?.record_id; } };
}
