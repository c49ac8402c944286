// History: a month calendar (days shaded by how many twitches, or by words in calm mode), one
// day's entries to change, remove or add after the fact, and a search over notes.
// Routes: #/history (this month), #/history/YYYY-MM, #/history/YYYY-MM-DD (a day).

import { S } from "../strings.js";
import { A } from "../strings-screens.js";
import { onChange } from "../changes.js";
import { readDevice, searchNotes } from "../db.js";
import { calmLevel, monthGrid, monthOf, shade, shiftMonth } from "../calendar.js";
import { dayData, monthData } from "../history-data.js";
import { addDays, toInstant } from "../local-date.js";
import { dayOfFor } from "../person-day.js";
import { h, replaceChildren } from "./dom.js";
import { clockTime, entrySummary } from "./format.js";
import { entryList } from "./entry-list.js";
import { addEntry, editEntry } from "./entry-editor.js";

const monthFormat = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "long", timeZone: "UTC" });
const fullDayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeZone: "UTC" });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", timeZone: "UTC" });
const fullTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const asUtcNoon = (date) => new Date(`${date}T12:00:00Z`);
export const monthName = (month) => monthFormat.format(asUtcNoon(`${month}-01`));
export const fullDay = (date) => fullDayFormat.format(asUtcNoon(date));

function parseRoute(hash) {
  const arg = hash.replace(/^#\/?history\/?/, "").split("?")[0];
  if (/^\d{4}-\d{2}-\d{2}$/.test(arg)) return { day: arg };
  if (/^\d{4}-\d{2}$/.test(arg)) return { month: arg };
  return {};
}

export function render(root) {
  const route = parseRoute(location.hash);
  for (const key of ["ready", "month", "day"]) delete root.dataset[key];
  let stop = () => {};
  readDevice().then((device) => {
    const today = dayOfFor(device)(new Date());
    if (!root.isConnected) return;
    stop = route.day ? renderDay(root, route.day, today) : renderMonth(root, route.month || monthOf(today), today);
  });
  // Before the first draw the heading is there, so focus and the title work at once.
  replaceChildren(root, h("h1", {}, A.history.title));
  return () => {
    stop();
    for (const key of ["ready", "month", "day"]) delete root.dataset[key];
  };
}

function renderMonth(root, month, today) {
  const grid = h("div", { class: "calendar-wrap" });
  const legend = h("p", { class: "hint", id: "calendar-legend" });
  const results = h("div", { id: "note-results", "aria-live": "polite" });
  const query = h("input", { type: "search", id: "note-search", name: "q", enterkeyhint: "search", autocomplete: "off" });
  const searchForm = h("form", { class: "search-form", role: "search", "aria-labelledby": "search-title" },
    h("h2", { id: "search-title" }, A.history.searchTitle),
    h("label", { for: "note-search" }, A.history.searchLabel),
    h("div", { class: "search-row" }, query, h("button", { type: "submit", class: "button primary" }, A.history.search)),
    results);
  searchForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    await showResults(results, query.value);
  });
  const next = shiftMonth(month, 1);
  replaceChildren(root,
    h("h1", {}, A.history.title),
    h("p", { class: "hint" }, A.history.intro),
    h("div", { class: "month-nav" },
      h("a", { class: "button secondary", href: `#/history/${shiftMonth(month, -1)}`, "aria-label": `${A.history.previous}: ${monthName(shiftMonth(month, -1))}` }, "‹"),
      h("h2", { id: "month-title", "aria-live": "polite" }, monthName(month)),
      next <= monthOf(today)
        ? h("a", { class: "button secondary", href: `#/history/${next}`, "aria-label": `${A.history.next}: ${monthName(next)}` }, "›")
        : h("span", { class: "month-nav-spacer" })),
    grid, legend, searchForm);

  async function draw() {
    const data = await monthData(month);
    if (!root.isConnected) return;
    const max = Math.max(0, ...Object.values(data.counts));
    const weekdays = monthGrid("2026-11")[1].map((d) => weekdayFormat.format(asUtcNoon(d)));
    const table = h("table", { class: "calendar", "aria-labelledby": "month-title", "aria-describedby": "calendar-legend" },
      h("thead", {}, h("tr", {}, weekdays.map((w) => h("th", { scope: "col", abbr: w }, w)))),
      h("tbody", {}, monthGrid(month).map((week) => h("tr", {}, week.map((date) => {
        if (!date) return h("td", {});
        const count = data.counts[date] || 0;
        const level = data.calm ? [0, 1, 2, 4][calmLevel(count, data.counts)] : shade(count, max);
        const name = dayFormat.format(asUtcNoon(date));
        const marks = [data.symptomDays.has(date) ? A.history.symptomMark : null, data.checkinDays.has(date) ? A.history.checkinMark : null].filter(Boolean);
        const label = (data.calm ? A.history.calmDayLabel(name, A.history.calmWords[calmLevel(count, data.counts)]) : A.history.dayLabel(name, count))
          + (marks.length ? `, ${marks.join(", ")}` : "") + (date === today ? ` (${A.history.today})` : "");
        return h("td", {}, date > today ? h("span", { class: "day future" }, Number(date.slice(8)))
          : h("a", {
            class: `day level-${level}${date === today ? " today" : ""}`, href: `#/history/${date}`, "aria-label": label,
            dataset: { date, ...(data.calm ? {} : { count: String(count) }) },
          }, h("span", { class: "day-number" }, Number(date.slice(8))),
          data.symptomDays.has(date) ? h("span", { class: "day-mark", "aria-hidden": "true" }) : null));
      })))));
    replaceChildren(grid, table);
    legend.textContent = data.calm ? A.history.calmLegend : A.history.legend;
    root.dataset.month = month;
    root.dataset.ready = "month";
  }
  draw();
  return onChange(() => draw());
}

async function showResults(box, words) {
  if (!words.trim()) {
    replaceChildren(box);
    return;
  }
  const [rows, device] = await Promise.all([searchNotes(words), readDevice()]);
  const dayOf = dayOfFor(device);
  if (!rows.length) {
    replaceChildren(box, h("p", {}, A.history.noResults(words.trim())));
    return;
  }
  replaceChildren(box,
    h("p", { class: "hint" }, A.history.results(rows.length)),
    h("ul", { class: "entries note-results" }, rows.map((row) => {
      const date = row.entity === "checkin" ? row.view.fields.local_date : dayOf(row.at);
      const when = row.entity === "checkin" ? fullDay(date) : fullTimeFormat.format(new Date(row.at));
      return h("li", { class: "note-result" },
        h("a", { href: `#/history/${date}` }, when),
        h("span", {}, ` · ${entrySummary(row)}`),
        h("p", { class: "note-text" }, row.view.fields.note));
    })));
}

function checkinSummary(fields) {
  const parts = [];
  for (const [name, label] of Object.entries(A.day.checkinLabels)) {
    if (fields[name] != null) parts.push(`${label} ${fields[name]}`);
  }
  if (fields.electrolytes != null) parts.push(A.day.electrolytes(fields.electrolytes));
  if (fields.crash != null) parts.push(A.day.crash(fields.crash));
  return parts.join(" · ");
}

function renderDay(root, date, today) {
  const summary = h("p", { class: "day-summary" });
  const checkinBox = h("div", { class: "card" });
  const list = h("div");
  // A new entry on a past day starts at noon of that day (now, for today); the editor changes it.
  const at = () => toInstant(date === today ? new Date() : new Date(`${date}T12:00`));
  const adds = [
    ["twitch", A.day.addTwitch, () => addEntry("twitch", { occurred_at: at() })],
    ["symptom", A.day.addSymptom, () => addEntry("symptom", { observed_at: at() })],
    ["activity", A.day.addActivity, () => addEntry("activity", { started_at: at() })],
    ["intake", A.day.addIntake, () => addEntry("intake", { taken_at: at() })],
  ];
  replaceChildren(root,
    h("p", { class: "back-link" }, h("a", { href: `#/history/${monthOf(date)}` }, `‹ ${A.day.back}`)),
    h("h1", {}, fullDay(date)),
    h("div", { class: "month-nav" },
      h("a", { class: "button secondary", href: `#/history/${addDays(date, -1)}` }, A.day.previousDay),
      date < today ? h("a", { class: "button secondary", href: `#/history/${addDays(date, 1)}` }, A.day.nextDay) : null),
    summary,
    h("section", { "aria-labelledby": "day-checkin" }, h("h2", { id: "day-checkin" }, A.day.checkin), checkinBox),
    h("section", { "aria-labelledby": "day-entries" }, h("h2", { id: "day-entries" }, A.day.entries), list),
    h("section", { "aria-labelledby": "day-add" },
      h("h2", { id: "day-add" }, A.day.add),
      h("div", { class: "add-row" }, adds.map(([entity, label, run]) => h("button", {
        type: "button", class: "button secondary", dataset: { entity }, onclick: run,
      }, label)))));

  async function draw() {
    const data = await dayData(date);
    if (!root.isConnected) return;
    const twitches = data.entries.filter((r) => r.entity === "twitch").length;
    summary.textContent = data.calm ? A.day.calmTwitches(twitches) : A.day.twitches(twitches);
    replaceChildren(checkinBox,
      h("p", {}, data.checkin ? checkinSummary(data.checkin.view.fields) || A.day.emptyCheckin : A.day.noCheckin),
      data.checkin?.view.fields.note ? h("p", { class: "note-text" }, data.checkin.view.fields.note) : null,
      h("a", { class: "button secondary", href: `#/checkin?date=${date}` }, A.day.editCheckin));
    replaceChildren(list, entryList(data.entries, {
      empty: A.day.none,
      timeOf: (row) => clockTime(row.at),
      onEdit: (row) => editEntry(row.entity, row.record_id),
    }));
    root.dataset.day = date;
    root.dataset.ready = "day";
  }
  draw();
  return onChange(() => draw());
}
