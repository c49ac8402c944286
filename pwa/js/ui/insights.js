// Insights: first the answer to "better or worse?" (the §13 trend, in calm words), then daily
// counts with dates and crash days marked, time of day, a body-map heat view, the findings that
// stand out after the q adjustment (with worst-days/best-days numbers from the person's own
// check-ins on this device) and the red-flag status. Calm mode hides the numbers, keeps the words.

import { onChange } from "../changes.js";
import { api, ApiError, OfflineError } from "../api.js";
import { readDevice, recentRecords } from "../db.js";
import { addDays, deviceTimeZone, localDateOf } from "../local-date.js";
import { T } from "../strings-insights.js";
import { choiceGroup, h, replaceChildren } from "./dom.js";
import { insightsSections } from "./insights-view.js";
import { ensureStyles } from "./insights-styles.js";
import { updateFromInsights } from "./red-flag-banner.js";

export function signedOutNotice() {
  return h("section", { class: "card" },
    h("p", {}, T.signedOut),
    h("a", { href: "#/more", class: "button secondary" }, T.signInLink));
}

export function failureNotice(error, retry) {
  return h("div", { class: "card", role: "status" },
    h("p", {}, error instanceof OfflineError ? T.offline : T.failed),
    h("button", { type: "button", class: "button secondary", onclick: retry }, T.retry));
}

export function render(root) {
  ensureStyles();
  let days = 28;
  let alive = true;
  const body = h("div", { class: "stack", "aria-live": "polite", "aria-busy": "true" }, h("p", { class: "hint" }, T.loading));
  const period = choiceGroup({
    legend: T.insights.period, name: "insights-period", value: days,
    options: T.insights.periods, onchange: (value) => { days = value; load(); },
  });
  const report = h("a", { class: "button secondary wide", download: "" }, T.insights.reportLink);

  // Loads can overlap (the session learned again, a period chosen): only the latest one draws, so
  // an earlier answer that arrives late never paints over it.
  let latest = 0;
  async function load() {
    const mine = ++latest;
    const current = () => alive && mine === latest;
    const device = await readDevice();
    if (!current()) return;
    if (!device.signed_in) {
      body.setAttribute("aria-busy", "false");
      replaceChildren(body, signedOutNotice());
      period.hidden = true;
      report.hidden = true;
      return;
    }
    const user = device.user || {};
    const calm = user.calm_mode === true;
    const to = localDateOf(new Date(), user.timezone || deviceTimeZone(), user.day_starts_at);
    const from = addDays(to, -(days - 1));
    report.href = `/api/v1/reports/clinician.pdf?from=${from}&to=${to}`;
    body.setAttribute("aria-busy", "true");
    try {
      const doc = await api("GET", `/insights?from=${from}&to=${to}`);
      updateFromInsights(doc);
      // this device's check-ins of the period (and the two days before, for the lags)
      const checkins = (await recentRecords("checkin", { since: addDays(doc.from, -2), until: `${doc.to}\uffff`, limit: 4000 }))
        .map((row) => row.view.fields);
      if (!current()) return;
      replaceChildren(body, h("p", { class: "hint" }, T.insights.range(doc.from, doc.to)),
        calm ? h("p", { class: "hint calm-note" }, T.insights.calmNote) : null,
        insightsSections(doc, { bannerShown: true, calm, checkins }));
    } catch (error) {
      if (!current()) return;
      if (error instanceof ApiError && error.status === 401) replaceChildren(body, signedOutNotice());
      else replaceChildren(body, failureNotice(error, load));
    }
    body.setAttribute("aria-busy", "false");
  }

  replaceChildren(root, h("h1", {}, T.insights.title), h("p", { class: "hint" }, T.insights.intro), period, body, report);
  load();
  // The account's settings (calm mode, day start) can change on another device: when the app
  // learns the session again, draw with what it now says.
  const stop = onChange((change) => { if (change?.reason === "session") load(); });
  return () => { alive = false; stop(); };
}
