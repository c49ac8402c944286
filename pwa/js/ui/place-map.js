// The details sheet's tappable body figure, front or back, large enough for a tired thumb: every place is at least
// 20 of the figure's 144 units wide and tall (about 48 px on a phone). Face and both eyelids are
// on it. It is a pointer shortcut only (aria-hidden): the same choice is always available in the
// labelled region and side controls beside it.

import { choiceGroup, h } from "./dom.js";

// (body-map.js keeps the small two-figure drawing the insights heat map colours.)

const NS = "http://www.w3.org/2000/svg";
const WIDTH = 144;

// [region, "near"|"far"|"midline", shape, ...geometry] with "near" drawn on the viewer's left.
// On the front figure the person's right is on the viewer's left; on the back, their left.
const FRONT = [
  ["face", "midline", "ellipse", 72, 24, 24, 23],
  ["eyelid", "near", "circle", 61, 19, 10.5],
  ["neck", "midline", "rect", 62, 47, 20, 20],
  ["shoulder", "near", "circle", 36, 72, 11],
  ["upper_arm", "near", "rect", 26, 84, 20, 22],
  ["forearm", "near", "rect", 26, 107, 20, 22],
  ["hand", "near", "rect", 26, 130, 20, 21],
  ["finger", "near", "rect", 26, 152, 20, 20],
  ["chest", "near", "rect", 48, 67, 24, 25],
  ["abdomen", "near", "rect", 48, 92, 24, 25],
  ["thigh", "near", "rect", 49, 118, 22, 28],
  ["knee", "near", "ellipse", 60, 157, 11, 10],
  ["shin", "near", "rect", 49, 168, 22, 22],
  ["foot", "near", "rect", 49, 191, 22, 20],
];
const BACK = [
  ["head", "deco", "ellipse", 72, 24, 24, 23],
  ["neck", "midline", "rect", 62, 47, 20, 20],
  ["shoulder", "near", "circle", 36, 72, 11],
  ["upper_arm", "near", "rect", 26, 84, 20, 20],
  ["elbow", "near", "circle", 36, 115, 10.5],
  ["forearm", "near", "rect", 26, 126, 20, 21],
  ["hand", "near", "rect", 26, 148, 20, 21],
  ["upper_back", "near", "rect", 48, 67, 24, 25],
  ["lower_back", "near", "rect", 48, 92, 24, 25],
  ["buttock", "near", "rect", 49, 118, 22, 22],
  ["thigh", "near", "rect", 49, 141, 22, 22],
  ["calf", "near", "rect", 49, 164, 22, 26],
  ["foot", "near", "rect", 49, 191, 22, 20],
];

function mirrored([region, where, kind, ...g]) {
  if (where !== "near") return null;
  const m = kind === "rect" ? [WIDTH - g[0] - g[2], g[1], g[2], g[3]] : [WIDTH - g[0], ...g.slice(1)];
  return [region, "far", kind, ...m];
}

function shape([region, where, kind, ...g], front) {
  const el = document.createElementNS(NS, kind);
  const attrs = kind === "circle" ? { cx: g[0], cy: g[1], r: g[2] }
    : kind === "ellipse" ? { cx: g[0], cy: g[1], rx: g[2], ry: g[3] }
      : { x: g[0], y: g[1], width: g[2], height: g[3], rx: 3 };
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (where === "deco") {
    el.setAttribute("class", "deco");
    return el;
  }
  const near = front ? "right" : "left";
  const far = front ? "left" : "right";
  el.setAttribute("class", "region");
  el.dataset.region = region;
  el.dataset.side = where === "midline" ? "midline" : where === "near" ? near : far;
  return el;
}

function figure(front) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${WIDTH} 212`);
  svg.setAttribute("class", "place-figure");
  svg.dataset.view = front ? "front" : "back";
  const parts = front ? FRONT : BACK;
  const all = [...parts, ...parts.map(mirrored).filter(Boolean)];
  // Larger shapes first, so the eyelids sit on top of the face.
  for (const s of all.filter((p) => p[0] !== "eyelid")) svg.append(shape(s, front));
  for (const s of all.filter((p) => p[0] === "eyelid")) svg.append(shape(s, front));
  return svg;
}

export function placeMap({ frontLabel, backLabel, viewLabel, frontHint, backHint, onpick, name = "body-view" }) {
  const front = figure(true);
  const back = figure(false);
  // Only the figure in view is in the page, so every place there is a target of full size.
  const stage = h("div", { class: "place-map", "aria-hidden": "true" });
  let view = "front";
  const hint = h("p", { class: "hint map-hint" });
  const setView = (next) => {
    view = next;
    hint.textContent = view === "front" ? frontHint : backHint;
    const shown = view === "front" ? front : back;
    shown.classList.add("shown");
    stage.replaceChildren(shown);
  };
  setView("front");
  const toggle = choiceGroup({
    legend: viewLabel, name, value: "front", className: "body-view",
    options: [["front", frontLabel], ["back", backLabel]], onchange: setView,
  });
  stage.addEventListener("click", (event) => {
    const target = event.target.closest(".region");
    if (target) onpick(target.dataset.region, target.dataset.side);
  });
  const element = h("div", { class: "place-map-wrap" }, toggle, hint, stage);
  return {
    element,
    show(region, side) {
      for (const el of [...front.querySelectorAll(".region"), ...back.querySelectorAll(".region")]) {
        el.classList.toggle("picked", el.dataset.region === region
          && (!side || el.dataset.side === side || side === "both" || el.dataset.side === "midline"));
      }
      // Show the side of the body where the place is drawn, if only one side has it.
      const onFront = front.querySelector(`.region[data-region="${region}"]`);
      const onBack = back.querySelector(`.region[data-region="${region}"]`);
      if (region && onBack && !onFront && view !== "back") {
        toggle.querySelector('input[value="back"]').checked = true;
        setView("back");
      }
    },
  };
}
