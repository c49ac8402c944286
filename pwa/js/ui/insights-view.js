// The sections of an insights document (DESIGN §7), for the person's own screen and for a
// caregiver's view of a person (where anything the share does not open is null and left out).

import { S } from "../strings.js";
import { T } from "../strings-insights.js";
import { bodyMap } from "./body-map.js";
import { barChart, dataTable, heatLevel, movingAverage } from "./charts.js";
import { RED_FLAG_KINDS } from "../records.js";
import { h } from "./dom.js";

const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const FACTORS = Object.keys(T.insights.factorNames);
const FACE = ["face", "eyelid", "lip", "tongue", "jaw"];

export function shortDate(date) {
  return dayFormat.format(new Date(`${date}T12:00:00Z`));
}

export function regionName(region, side) {
  const name = S.values.body_region[region] || region;
  return side ? `${name} (${S.values.side[side].toLowerCase()})` : name;
}

export function reasonText(reason) {
  if (reason.kind === "red_flag_symptom") {
    return T.redFlag.symptom(S.values.kind[reason.symptom] || reason.symptom, reason.dates.map(shortDate).join(", "));
  }
  return T.redFlag.persistent(regionName(reason.body_region, reason.side), reason.days, Math.round(reason.share * 100));
}

// Local symptom reasons joined with the server's reasons (dates merged per kind).
export function mergeReasons(local, server) {
  const dates = new Map();
  for (const reason of [...local, ...server.filter((r) => r.kind === "red_flag_symptom")]) {
    dates.set(reason.symptom, new Set([...(dates.get(reason.symptom) || []), ...reason.dates]));
  }
  const symptoms = RED_FLAG_KINDS.filter((kind) => dates.has(kind))
    .map((kind) => ({ kind: "red_flag_symptom", symptom: kind, dates: [...dates.get(kind)].sort() }));
  return [...symptoms, ...server.filter((r) => r.kind === "localized_persistent")];
}

// The plain "talk to a doctor" card; `reasons` may be null (a share that opens only the status).
export function redFlagCard(flags, { headingLevel = "h2", id = "insights-red-flag" } = {}) {
  if (!flags) return null;
  if (flags.status !== "see_doctor") {
    return h("section", { class: "card flag-clear", "aria-labelledby": `${id}-title` },
      h(headingLevel, { id: `${id}-title` }, T.insights.redFlagsTitle),
      h("p", {}, T.insights.noRedFlags));
  }
  return h("section", { class: "card red-flag", "aria-labelledby": `${id}-title` },
    h(headingLevel, { id: `${id}-title` }, T.redFlag.title),
    flags.reasons ? [h("p", {}, T.redFlag.intro), h("ul", {}, flags.reasons.map((r) => h("li", {}, reasonText(r))))] : null,
    h("p", {}, T.redFlag.what),
    h("p", { class: "hint" }, T.redFlag.calm));
}

function dailySection(doc) {
  const values = doc.daily.map((d) => d.count);
  const average = movingAverage(values);
  const total = values.reduce((a, b) => a + b, 0);
  return h("section", { class: "card", "aria-labelledby": "insights-daily" },
    h("h2", { id: "insights-daily" }, T.insights.daily),
    h("p", {}, T.insights.total(total, values.length), " ",
      T.insights.average((total / Math.max(values.length, 1)).toFixed(1))),
    barChart({
      title: T.insights.daily,
      description: T.insights.dailyDesc(Math.max(0, ...values)),
      values, line: average,
      table: {
        headers: [T.insights.date, T.insights.count, T.insights.avg7],
        rows: doc.daily.map((d, i) => [d.date, String(d.count), String(average[i])]),
      },
    }));
}

function hoursSection(doc) {
  const total = doc.by_hour.reduce((a, b) => a + b, 0);
  const evening = [...doc.by_hour.slice(18), ...doc.by_hour.slice(0, 6)].reduce((a, b) => a + b, 0);
  return h("section", { class: "card", "aria-labelledby": "insights-hours" },
    h("h2", { id: "insights-hours" }, T.insights.hours),
    total ? h("p", {}, T.insights.eveningShare(Math.round((evening / total) * 100))) : null,
    barChart({
      title: T.insights.hours,
      description: T.insights.hoursDesc,
      values: doc.by_hour, height: 90,
      table: {
        headers: [T.insights.hour, T.insights.count],
        rows: doc.by_hour.map((count, hour) => [`${String(hour).padStart(2, "0")}:00`, String(count)]),
      },
    }));
}

function regionsSection(doc) {
  const section = h("section", { class: "card", "aria-labelledby": "insights-regions" },
    h("h2", { id: "insights-regions" }, T.insights.regions));
  if (!doc.by_region.length) {
    section.append(h("p", {}, T.insights.noRegions));
    return section;
  }
  // Heat per drawn (region, side); a twitch without a side, or on both, warms both sides.
  const heat = new Map();
  const add = (region, side, count) => heat.set(`${region}|${side}`, (heat.get(`${region}|${side}`) || 0) + count);
  for (const { body_region: logged, side, count } of doc.by_region) {
    const region = FACE.includes(logged) ? "face" : logged; // the figure draws one face for these
    if (side === "left" || side === "right" || side === "midline") add(region, side, count);
    else for (const s of ["left", "right", "midline"]) add(region, s, count);
  }
  const max = Math.max(...heat.values());
  const map = bodyMap({ frontLabel: T.insights.front, backLabel: T.insights.back, onpick: () => {} });
  map.element.classList.add("heat-map");
  for (const el of map.element.querySelectorAll(".region")) {
    el.classList.add(`heat-${heatLevel(heat.get(`${el.dataset.region}|${el.dataset.side}`) || 0, max)}`);
  }
  section.append(
    h("p", { class: "hint" }, T.insights.regionsDesc),
    map.element,
    dataTable(T.insights.regions, [T.insights.region, T.insights.side, T.insights.count],
      doc.by_region.map((r) => [S.values.body_region[r.body_region] || r.body_region,
        r.side ? S.values.side[r.side] : T.insights.unspecifiedSide, String(r.count)])));
  return section;
}

function factorLine(name, when, result) {
  if (!result) return null;
  const rho = result.rho;
  let words = T.insights.noLink;
  if (Math.abs(rho) >= 0.1) {
    const strength = Math.abs(rho) < 0.3 ? "weak" : Math.abs(rho) < 0.5 ? "moderate" : "strong";
    words = T.insights.link(T.insights.strength[strength], T.insights.factorNouns[name], rho > 0 ? "more" : "fewer");
  }
  return h("p", {}, h("strong", {}, `${when}: `), words, h("span", { class: "factor-n" }, ` (${T.insights.rho(rho, result.n)})`));
}

function factorsSection(doc) {
  const known = FACTORS.filter((name) => doc.factors[name] && (doc.factors[name].same_day || doc.factors[name].previous_day));
  const unknown = FACTORS.filter((name) => !known.includes(name));
  return h("section", { class: "card", "aria-labelledby": "insights-factors" },
    h("h2", { id: "insights-factors" }, T.insights.factors),
    h("p", { class: "association" }, T.insights.factorsIntro),
    h("ul", { class: "factor-cards" }, known.map((name) => h("li", { class: "factor-card" },
      h("h3", {}, T.insights.factorNames[name]),
      factorLine(name, T.insights.sameDay, doc.factors[name].same_day),
      factorLine(name, T.insights.nextDay, doc.factors[name].previous_day)))),
    unknown.length ? h("p", { class: "hint" }, T.insights.tooFew, " ",
      unknown.map((name) => T.insights.factorNames[name]).join(", "), ".") : null);
}

// Every section the document has data for, in reading order. On the person's own screen the
// banner at the top already says "talk to a doctor", so `bannerShown` leaves that card out.
export function insightsSections(doc, { headingLevel = "h2", bannerShown = false } = {}) {
  const flags = bannerShown && doc.red_flags?.status === "see_doctor" ? null : doc.red_flags;
  return [
    redFlagCard(flags, { headingLevel }),
    doc.daily ? dailySection(doc) : null,
    doc.by_hour ? hoursSection(doc) : null,
    doc.by_region ? regionsSection(doc) : null,
    doc.factors ? factorsSection(doc) : null,
  ].filter(Boolean);
}
