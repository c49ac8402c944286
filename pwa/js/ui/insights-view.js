// The sections of an insights document (DESIGN §7), for the person's own screen and for a
// caregiver's view of a person (where anything the share does not open is null and left out).

import { S } from "../strings.js";
import { T } from "../strings-insights.js";
import { bodyMap } from "./body-map.js";
import { barChart, dataTable, heatLevel, movingAverage, tickIndices } from "./charts.js";
import { factorValues, fromFirstEntry, headlineKey, rankEntries, worstAndBest } from "../insight-findings.js";
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

export function headlineSection(doc, { calm = false, headingLevel = "h2" } = {}) {
  const trend = doc.trend;
  if (!trend) return null;
  const key = headlineKey(trend);
  let numbers = null;
  if (!calm) {
    numbers = key === "not_enough_data" ? T.insights.headlineNeed(trend.recent, trend.before)
      : T.insights.headlineNumbers(trend.recent, trend.before);
  }
  return h("section", { class: "card", "aria-labelledby": "insights-headline" },
    h(headingLevel, { id: "insights-headline", class: "insights-headline", "data-change": key }, T.insights.headline[key]),
    numbers ? h("p", { class: "headline-numbers" }, numbers) : null,
    key === "more" ? h("p", { class: "hint" }, T.insights.headlineMore) : null,
    h("p", { class: "hint" }, T.insights.headlineHow));
}

function dailySection(doc, { calm, crashDates }) {
  const shown = fromFirstEntry(doc.daily, [...crashDates]);
  const values = shown.map((d) => d.count);
  const average = movingAverage(values);
  const total = values.reduce((a, b) => a + b, 0);
  const marks = shown.map((d, i) => (crashDates.has(d.date) ? i : -1)).filter((i) => i >= 0);
  return h("section", { class: "card", "aria-labelledby": "insights-daily" },
    h("h2", { id: "insights-daily" }, T.insights.daily),
    shown.length < doc.daily.length ? h("p", { class: "hint" }, T.insights.sinceFirst(shortDate(shown[0].date))) : null,
    calm ? null : h("p", {}, T.insights.total(total, values.length), " ",
      T.insights.average((total / Math.max(values.length, 1)).toFixed(1))),
    barChart({
      title: T.insights.daily,
      description: calm ? T.insights.dailyCalmDesc : T.insights.dailyDesc(Math.max(0, ...values)),
      values, line: average, calm,
      xLabels: tickIndices(shown.length).map((index) => ({ index, text: shortDate(shown[index].date) })),
      marks, markLabel: T.insights.crashLegend,
      table: {
        headers: [T.insights.date, T.insights.count, T.insights.avg7],
        rows: shown.map((d, i) => [d.date, String(d.count), String(average[i])]),
      },
    }));
}

function hoursSection(doc, { calm }) {
  const total = doc.by_hour.reduce((a, b) => a + b, 0);
  const evening = [...doc.by_hour.slice(18), ...doc.by_hour.slice(0, 6)].reduce((a, b) => a + b, 0);
  return h("section", { class: "card", "aria-labelledby": "insights-hours" },
    h("h2", { id: "insights-hours" }, T.insights.hours),
    total && !calm ? h("p", {}, T.insights.eveningShare(Math.round((evening / total) * 100))) : null,
    barChart({
      title: T.insights.hours,
      description: calm ? T.insights.hoursCalmDesc : T.insights.hoursDesc,
      values: doc.by_hour, height: 90, calm,
      xLabels: [0, 6, 12, 18, 23].map((hour) => ({ index: hour, text: `${String(hour).padStart(2, "0")}:00` })),
      table: {
        headers: [T.insights.hour, T.insights.count],
        rows: doc.by_hour.map((count, hour) => [`${String(hour).padStart(2, "0")}:00`, String(count)]),
      },
    }));
}

function regionsSection(doc, { calm }) {
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
    calm
      ? h("ul", {}, doc.by_region.map((r) => h("li", {}, regionName(r.body_region, r.side))))
      : dataTable(T.insights.regions, [T.insights.region, T.insights.side, T.insights.count],
        doc.by_region.map((r) => [S.values.body_region[r.body_region] || r.body_region,
          r.side ? S.values.side[r.side] : T.insights.unspecifiedSide, String(r.count)])));
  return section;
}

function findingItem(entry, { calm, daily, values }) {
  const lagWords = T.insights.lag[entry.lag];
  const direction = entry.rho > 0 ? "more" : "fewer";
  const compared = values ? worstAndBest(entry, daily, values[entry.factor]) : null;
  const describe = T.insights.value[entry.factor];
  return h("li", { class: "finding", "data-factor": entry.factor, "data-lag": entry.lag },
    h("h3", {}, T.insights.findingTitle(T.insights.factorNouns[entry.factor], lagWords, direction)),
    !calm && compared ? h("p", {}, T.insights.worstBest(compared.days, lagWords, describe(compared.worst), describe(compared.best))) : null,
    calm ? null : h("p", { class: "finding-stats" }, T.insights.stats(entry)));
}

function otherItem(entry, { calm }) {
  const rho = entry.rho;
  let words = T.insights.noLink;
  if (Math.abs(rho) >= 0.1) {
    const strength = Math.abs(rho) < 0.3 ? "weak" : Math.abs(rho) < 0.5 ? "moderate" : "strong";
    words = T.insights.link(T.insights.strength[strength], T.insights.factorNouns[entry.factor], rho > 0 ? "more" : "fewer");
  }
  return h("li", {},
    h("strong", {}, `${T.insights.otherLine(T.insights.factorNames[entry.factor], T.insights.lag[entry.lag])}: `), words,
    calm ? null : h("span", { class: "finding-stats" }, ` (${T.insights.stats(entry)})`));
}

function findingsSection(doc, { calm, checkins }) {
  const { findings, others } = rankEntries(doc.factors);
  const values = checkins ? factorValues(checkins, FACTORS) : null;
  const unknown = FACTORS.filter((name) => !Object.values(doc.factors[name] || {}).some(Boolean));
  return h("section", { class: "card", "aria-labelledby": "insights-factors" },
    h("h2", { id: "insights-factors" }, T.insights.findings),
    h("p", { class: "association" }, T.insights.association, " ", T.insights.findingsIntro),
    findings.length
      ? h("ul", { class: "findings plain-list" }, findings.map((e) => findingItem(e, { calm, daily: doc.daily, values })))
      : h("p", { class: "no-findings" }, T.insights.noFindings),
    others.length ? h("details", { class: "findings-all" },
      h("summary", {}, T.insights.showAll(others.length)),
      h("ul", {}, others.map((e) => otherItem(e, { calm }))),
      h("p", { class: "hint" }, T.insights.association)) : null,
    unknown.length ? h("p", { class: "hint" }, T.insights.tooFew, " ",
      unknown.map((name) => T.insights.factorNames[name]).join(", "), ".") : null);
}

// Every section the document has data for, in reading order. On the person's own screen the
// banner at the top already says "talk to a doctor", so `bannerShown` leaves that card out.
// `calm` hides numbers and keeps words (red flags always show); `checkins` (the person's own
// check-in fields, when known) give findings their worst-days/best-days numbers and the crash marks.
export function insightsSections(doc, { headingLevel = "h2", bannerShown = false, calm = false, checkins = null } = {}) {
  const flags = bannerShown && doc.red_flags?.status === "see_doctor" ? null : doc.red_flags;
  const crashDates = new Set((checkins || []).filter((c) => c?.crash === true).map((c) => c.local_date));
  return [
    doc.daily ? headlineSection(doc, { calm }) : null, // the question asked first: better or worse?
    redFlagCard(flags, { headingLevel }),
    doc.daily ? dailySection(doc, { calm, crashDates }) : null,
    doc.by_hour ? hoursSection(doc, { calm }) : null,
    doc.by_region ? regionsSection(doc, { calm }) : null,
    doc.factors ? findingsSection(doc, { calm, checkins }) : null,
  ].filter(Boolean);
}
