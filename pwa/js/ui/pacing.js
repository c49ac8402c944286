// Pacing as people with post-exertional malaise use it (issue 12): today's energy envelope as a
// bar (energy.js has the rule), a timeline of today's activity and rest, rest breaks, activities
// logged with minute chips, intakes, and the burst rest suggestion's settings.

import { S } from "../strings.js";
import { PC } from "../strings-pacing.js";
import { api, ApiError, OfflineError } from "../api.js";
import { readDevice, recentRecords } from "../db.js";
import { addDays, deviceTimeZone, earliestInstantOf, localDateOf, dayStartMinutes } from "../local-date.js";
import { energyState, envelope, pointsByDate, activityMinutes } from "../energy.js";
import { rememberBurstSettings } from "../burst.js";
import { ensurePacingStyles } from "./pacing-styles.js";
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
  let minutes = 15;
  const label = h("input", { type: "text", maxLength: 100, autocomplete: "off" });
  const minuteChoice = choiceGroup({
    legend: PC.minutesChips, name: "activity-minutes", value: minutes, className: "chips",
    options: [[0, PC.noMinutes], ...[5, 15, 30, 60].map((m) => [m, PC.minutesChip(m)])], onchange: (m) => { minutes = m; },
  });
  const form = h("form", { class: "card stack", "aria-labelledby": "activity-title" },
    h("h2", { id: "activity-title" }, S.pacing.activityTitle),
    choiceGroup({
      legend: S.pacing.level, name: "activity-level", value: level,
      options: ACTIVITY_LEVELS.map((l) => [l, S.values.level[l]]), onchange: (l) => { level = l; },
    }),
    minuteChoice,
    field(S.pacing.label, label),
    h("button", { type: "submit", class: "button primary wide" }, S.pacing.logActivity));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await logActivity({ level, label: label.value.trim() || null, minutes: minutes > 0 ? minutes : null });
    label.value = "";
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

function timeOfDay(minutesFromStart, startMinutes) {
  const total = (startMinutes + minutesFromStart) % (24 * 60);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(Math.round(total % 60)).padStart(2, "0")}`;
}

// What today looks like for the envelope and the timeline: read from this device's records.
async function todayOnDevice(now = new Date()) {
  const device = await readDevice();
  const user = device.signed_in && device.user ? device.user : {};
  const timeZone = user.timezone || deviceTimeZone();
  const dayStartsAt = user.day_starts_at || "00:00";
  const today = localDateOf(now, timeZone, dayStartsAt);
  const activities = (await recentRecords("activity", { since: earliestInstantOf(addDays(today, -30)), limit: 20000 }))
    .map((row) => row.view.fields);
  const checkins = (await recentRecords("checkin", { since: addDays(today, -31), limit: 400 })).map((row) => row.view.fields);
  const spent = pointsByDate(activities, { timeZone, dayStartsAt, now });
  const crashes = checkins.filter((c) => c.crash === true).map((c) => c.local_date);
  const todays = activities.filter((a) => a.started_at && localDateOf(a.started_at, timeZone, dayStartsAt) === today)
    .sort((a, b) => (a.started_at < b.started_at ? -1 : 1));
  return {
    calm: user.calm_mode === true, today, timeZone, dayStartsAt, todays,
    spentToday: spent.get(today) || 0, budget: envelope(spent, crashes, today),
  };
}

function energySection() {
  const fill = h("div", { class: "energy-fill" });
  const bar = h("div", {
    id: "energy-bar", class: "energy-bar", role: "meter", "aria-label": PC.energyLabel, "aria-valuemin": "0",
  }, fill);
  const words = h("p", { class: "energy-words" });
  const numbers = h("p", { class: "energy-numbers" });
  const basis = h("p", { class: "hint" });
  const element = h("section", { class: "card", "aria-labelledby": "energy-title" },
    h("h2", { id: "energy-title" }, PC.energyTitle),
    h("p", { class: "hint" }, PC.energyIntro),
    bar, words, numbers, basis,
    h("details", {}, h("summary", {}, PC.how), h("p", {}, PC.howText)));
  function update(day) {
    const state = energyState(day.spentToday, day.budget.points);
    const share = Math.min(1.25, day.spentToday / day.budget.points);
    bar.dataset.state = state;
    bar.setAttribute("aria-valuemax", String(Math.round(day.budget.points)));
    bar.setAttribute("aria-valuenow", String(Math.min(Math.round(day.spentToday), Math.round(day.budget.points))));
    bar.setAttribute("aria-valuetext", day.calm ? PC.state[state] : `${PC.points(day.spentToday, day.budget.points)}. ${PC.state[state]}`);
    fill.style.width = `${Math.round((share / 1.25) * 100)}%`;
    bar.style.setProperty("--envelope", `${(100 / 1.25).toFixed(1)}%`);
    words.textContent = PC.state[state];
    numbers.textContent = day.calm ? "" : PC.points(day.spentToday, day.budget.points);
    numbers.hidden = day.calm;
    basis.textContent = day.budget.learned ? PC.learned(day.budget.days) : PC.learning(day.budget.days);
  }
  return { element, update };
}

function timelineSection() {
  const body = h("div");
  const element = h("section", { class: "card", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, PC.timelineTitle), body);
  function update(day, now = new Date()) {
    if (!day.todays.length) {
      replaceChildren(body, h("p", { class: "hint" }, PC.timelineEmpty));
      return;
    }
    const startMinutes = dayStartMinutes(day.dayStartsAt);
    const wall = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: day.timeZone });
    const clockMinutes = (instant) => { // minutes since the person's day started, by the wall clock
      const parts = Object.fromEntries(wall.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
      return (Number(parts.hour) * 60 + Number(parts.minute) - startMinutes + 24 * 60) % (24 * 60);
    };
    const track = h("div", { class: "timeline-track", "aria-hidden": "true" });
    for (const a of day.todays) {
      const from = clockMinutes(a.started_at);
      const length = Math.max(4, activityMinutes(a, now));
      const block = h("span", { class: `timeline-block level-${a.level}` });
      block.style.left = `${((from / 1440) * 100).toFixed(2)}%`; // CSSOM: the CSP forbids style attributes
      block.style.width = `${Math.min(100 - (from / 1440) * 100, (length / 1440) * 100).toFixed(2)}%`;
      track.append(block);
    }
    const ticks = h("div", { class: "timeline-ticks", "aria-hidden": "true" }, [0, 6, 12, 18].map((hours) => {
      const tick = h("span", {}, timeOfDay(hours * 60, startMinutes));
      tick.style.left = `${((hours * 60) / 1440) * 100}%`;
      return tick;
    }));
    const list = h("ul", { class: "timeline-list" }, day.todays.map((a) => h("li", { class: `level-${a.level}` },
      a.ended_at
        ? PC.entry(S.values.level[a.level], a.label, clockTime(a.started_at), clockTime(a.ended_at))
        : PC.entryOpen(S.values.level[a.level], a.label, clockTime(a.started_at)))));
    replaceChildren(body, h("p", { class: "hint" }, PC.timelineDesc), track, ticks, list);
  }
  return { element, update };
}

function burstSection() {
  const body = h("div", { class: "stack" });
  const element = h("section", { class: "card", "aria-labelledby": "burst-title" },
    h("h2", { id: "burst-title" }, PC.burstTitle), h("p", { class: "hint" }, PC.burstIntro), body);
  async function load() {
    let settings;
    try {
      settings = await api("GET", "/reminders");
    } catch (error) {
      replaceChildren(body, h("p", {}, error instanceof ApiError && error.status === 401 ? PC.burstSignedOut
        : error instanceof OfflineError ? PC.burstOffline : PC.burstFailed));
      return;
    }
    rememberBurstSettings(settings.burst);
    const burst = { ...settings.burst };
    let maxPerDay = settings.max_per_day;
    const onId = `burst-on`;
    const on = h("input", { type: "checkbox", id: onId, checked: burst.enabled });
    const status = h("p", { class: "hint", role: "status" });
    const save = h("button", { type: "submit", class: "button primary wide" }, PC.burstSave);
    const form = h("form", { class: "stack" },
      h("div", { class: "check" }, on, h("label", { for: onId }, PC.burstOn)),
      choiceGroup({ legend: PC.burstCount, name: "burst-count", value: burst.count, className: "chips",
        options: [3, 5, 8, 12].concat([3, 5, 8, 12].includes(burst.count) ? [] : [burst.count]).map((n) => [n, String(n)]),
        onchange: (n) => { burst.count = n; } }),
      choiceGroup({ legend: PC.burstMinutes, name: "burst-minutes", value: burst.minutes, className: "chips",
        options: [5, 15, 30, 60].concat([5, 15, 30, 60].includes(burst.minutes) ? [] : [burst.minutes]).map((m) => [m, PC.minutesChip(m)]),
        onchange: (m) => { burst.minutes = m; } }),
      choiceGroup({ legend: PC.maxPerDay, name: "max-per-day", value: maxPerDay, className: "chips",
        options: [4, 8, 12, 20].concat([4, 8, 12, 20].includes(maxPerDay) ? [] : [maxPerDay]).map((n) => [n, String(n)]),
        onchange: (n) => { maxPerDay = n; } }),
      save, status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      burst.enabled = on.checked;
      save.disabled = true;
      try {
        const saved = await api("PUT", "/reminders", { ...settings, burst, max_per_day: maxPerDay });
        rememberBurstSettings(saved.burst);
        status.textContent = PC.burstSaved;
      } catch (error) {
        status.textContent = error instanceof OfflineError ? PC.burstOffline : PC.burstFailed;
      }
      save.disabled = false;
    });
    replaceChildren(body, form);
  }
  return { element, load };
}

export function render(root) {
  ensurePacingStyles();
  const energy = energySection();
  const timeline = timelineSection();
  const rest = restSection();
  const burst = burstSection();
  const list = h("div");
  replaceChildren(root, h("h1", {}, S.pacing.title), energy.element, timeline.element, rest.element, activityForm(),
    intakeForm(), burst.element,
    h("section", { "aria-labelledby": "pacing-recent" }, h("h2", { id: "pacing-recent" }, S.pacing.recent), list));
  let alive = true;
  async function refresh() {
    const day = await todayOnDevice();
    if (!alive) return;
    energy.update(day);
    timeline.update(day);
    const rows = [...await recentOf("activity", 5), ...await recentOf("intake", 5)]
      .sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 6);
    replaceChildren(list, entryList(rows, { empty: "", onEdit: (row) => editEntry(row.entity, row.record_id) }));
    rest.refresh();
  }
  refresh();
  burst.load();
  const stop = onChange(refresh);
  return () => { alive = false; stop(); };
}
