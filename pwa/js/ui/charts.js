// Small inline-SVG charts. Each comes with a real table of its numbers, so a screen reader (or
// anyone) gets the data itself; the picture is labelled and described, never the only source.

import { T } from "../strings-insights.js";
import { h, uid } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

// Mean of each value and the 6 before it (fewer at the start), to one decimal.
export function movingAverage(values, window = 7) {
  let sum = 0;
  return values.map((value, index) => {
    sum += value;
    if (index >= window) sum -= values[index - window];
    return Math.round((sum / Math.min(index + 1, window)) * 10) / 10;
  });
}

export function dataTable(caption, headers, rows) {
  return h("table", { class: "data-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, index) => (index === 0
      ? h("th", { scope: "row" }, cell) : h("td", {}, cell)))))));
}

// A bar chart with an optional line over it and real axes: `xLabels` [{index, text}] under the
// bars (dates, hours), the top value on the y axis, `marks` (indices drawn with a small triangle
// under the bar, e.g. crash days). `calm` hides every number (y axis, table) and keeps the shape.
// `table` = {headers, rows} for the accessible table.
export function barChart({
  title, description, values, line = null, table, height = 120, xLabels = [], marks = [], markLabel = "", calm = false,
  yUnit = "",
}) {
  const width = Math.max(240, values.length * 8);
  const top = Math.max(1, ...values, ...(line || []));
  const step = width / Math.max(values.length, 1);
  const gap = Math.min(2, step * 0.25);
  const markRoom = marks.length ? 10 : 0;
  const plot = height - markRoom;
  const y = (v) => plot - (v / top) * (plot - 8);
  const titleId = uid("chart-title");
  const descId = uid("chart-desc");
  const picture = svg("svg", {
    class: "chart-svg", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none",
    role: "img", "aria-labelledby": `${titleId} ${descId}`,
  });
  picture.append(svg("line", { class: "chart-axis", x1: 0, y1: plot - 0.5, x2: width, y2: plot - 0.5 }));
  picture.append(svg("line", { class: "chart-axis", x1: 0.5, y1: 0, x2: 0.5, y2: plot }));
  if (!calm) picture.append(svg("line", { class: "chart-grid", x1: 0, y1: y(top), x2: width, y2: y(top) }));
  values.forEach((value, index) => {
    if (value > 0) {
      picture.append(svg("rect", {
        class: "chart-bar", x: (index * step + gap / 2).toFixed(2), y: y(value).toFixed(2),
        width: Math.max(step - gap, 0.5).toFixed(2), height: (plot - y(value)).toFixed(2),
      }));
    }
  });
  for (const index of marks) {
    const x = index * step + step / 2;
    picture.append(svg("polygon", {
      class: "chart-mark", points: `${(x - 4).toFixed(2)},${height} ${(x + 4).toFixed(2)},${height} ${x.toFixed(2)},${height - 8}`,
    }));
  }
  if (line && line.length > 1) {
    const points = line.map((v, i) => `${(i * step + step / 2).toFixed(2)},${y(v).toFixed(2)}`).join(" ");
    picture.append(svg("polyline", { class: "chart-line", points }));
  }
  const ticks = h("div", { class: "chart-x", "aria-hidden": "true" }, xLabels.map(({ index, text }) => {
    const tick = h("span", {}, text);
    tick.style.left = `${(((index + 0.5) / Math.max(values.length, 1)) * 100).toFixed(2)}%`; // CSSOM: the CSP forbids style attributes
    return tick;
  }));
  const yAxis = calm ? null : h("div", { class: "chart-y", "aria-hidden": "true" },
    h("span", {}, `${Math.round(top * 10) / 10}${yUnit}`), h("span", {}, "0"));
  return h("figure", { class: `chart${calm ? " chart-calm" : ""}` },
    h("h3", { id: titleId }, title),
    h("div", { class: "chart-frame" }, yAxis, h("div", { class: "chart-plot" }, picture, ticks)),
    marks.length && markLabel ? h("p", { class: "chart-legend" }, h("span", { class: "mark-key", "aria-hidden": "true" }, "▲"), " ", markLabel) : null,
    h("p", { class: "hint", id: descId }, description),
    calm ? null : h("details", { class: "chart-table" },
      h("summary", {}, T.table),
      dataTable(title, table.headers, table.rows)));
}

// About `count` evenly spread tick positions over n bars, always the first and the last.
export function tickIndices(n, count = 4) {
  if (n <= 0) return [];
  if (n <= count) return [...Array(n).keys()];
  const out = new Set([0, n - 1]);
  for (let i = 1; i < count - 1; i += 1) out.add(Math.round((i * (n - 1)) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}

// A 0..4 heat step for a count, relative to the largest count shown.
export function heatLevel(count, max) {
  if (!count || !max) return 0;
  return Math.min(4, Math.max(1, Math.ceil((count / max) * 4)));
}
