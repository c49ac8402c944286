// People (DESIGN §6): the caregiver's side. Accept an invitation (kept through sign-in or sign-up
// when it was opened signed out), see who shares, and read a person's log as far as their share
// allows: red flags and one summary per day in the third person, a day's details on their own
// screen, then the 4-week patterns. Read-only throughout.
// Routes: #/caregiver, #/caregiver?accept=<code>, #/caregiver/<person id>, #/caregiver/<person id>/<YYYY-MM-DD>.

import { api, ApiError, OfflineError } from "../api.js";
import { readDevice } from "../db.js";
import { watchSignedIn } from "../session.js";
import { hourRows, lastDates, localHourIn, summariseDays } from "../follow-days.js";
import { acceptKeptInvitation, codeFrom, isFollowerOnly, keepInvitation, keptInvitation, personName, refreshFollowerMode } from "../people.js";
import { S } from "../strings.js";
import { T } from "../strings-insights.js";
import { P } from "../strings-people.js";
import { field, h, replaceChildren } from "./dom.js";
import { clockTime } from "./format.js";
import { failureNotice, signedOutNotice } from "./insights.js";
import { ensureStyles } from "./insights-styles.js";
import { barChart, movingAverage } from "./charts.js";
import { ensurePeopleStyles } from "./people-styles.js";
import { toast } from "./toast.js";

const DAYS = 14;
const RED_FLAG_KINDS = ["weakness", "muscle_wasting", "speech_difficulty", "swallowing_difficulty", "reflex_change"];
const CHECKIN_ORDER = ["sleep_hours", "sleep_quality", "stress", "anxiety", "fatigue", "exertion", "twitch_burden",
  "hydration_l", "electrolytes", "magnesium_mg", "caffeine_mg"];
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
const shortFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });

export { codeFrom };

function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/");
  return {
    personId: parts[1] ? decodeURIComponent(parts[1]) : null,
    day: /^\d{4}-\d{2}-\d{2}$/.test(parts[2] || "") ? parts[2] : null,
    accept: new URLSearchParams(query).get("accept"),
  };
}

const dayName = (date) => dayFormat.format(new Date(`${date}T12:00:00Z`));
const shortDay = (date) => shortFormat.format(new Date(`${date}T12:00:00Z`));

function place(key) {
  const [region, side] = key.split("|");
  const name = (S.values.body_region[region] || region).toLowerCase();
  if (side === "left" || side === "right") return `${S.values.side[side].toLowerCase()} ${name}`;
  if (side === "both") return `${name}, both sides`;
  if (side === "midline") return `${name}, middle`;
  return name;
}

function placeOf(record) {
  return record.body_region ? place(`${record.body_region}|${record.side || ""}`) : null;
}

const kindName = (kind) => S.values.kind[kind] || kind;
const personLink = (person) => `#/caregiver/${encodeURIComponent(person.id)}`;

// --- the list of people and accepting -----------------------------------------------------------

function acceptForm(prefill, onAccepted, { open = true } = {}) {
  const input = h("input", { type: "text", autocomplete: "off", spellcheck: false, value: prefill || "", class: "secret" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "stack", novalidate: true },
    field(P.people.code, input, P.people.codeHint),
    error,
    h("button", { type: "submit", class: "button primary wide" }, P.people.acceptButton));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const token = codeFrom(input.value);
    if (!token) return;
    try {
      const person = await api("POST", "/shares/accept", { token });
      toast(P.people.accepted(personName(person)));
      history.replaceState(null, "", "#/caregiver");
      onAccepted(person);
    } catch (failure) {
      if (failure instanceof OfflineError) error.textContent = T.offline;
      else if (failure instanceof ApiError && failure.status === 400) error.textContent = P.people.ownCode;
      else error.textContent = P.people.badCode;
    }
  });
  const title = h("h2", { id: "accept-title" }, open ? P.people.acceptTitle : P.people.acceptMore);
  if (open) return h("section", { class: "card stack", "aria-labelledby": "accept-title" }, title, form);
  // With people already listed, accepting another is the rarer step: folded away.
  return h("details", { class: "card accept-more" }, h("summary", {}, title), form);
}

function peopleList(people) {
  if (!people.length) return h("p", { id: "people-none" }, P.people.none);
  return h("ul", { class: "people-list" }, people.map((person) => {
    const name = personName(person);
    return h("li", { class: "person-item" },
      h("h3", {}, name),
      h("p", { class: "share-meta" }, P.people.shares(name, person.scopes.map((s) => T.sharing.scopes[s][0].toLowerCase()).join(", "))),
      h("p", { class: "share-meta" }, P.people.since(shortDay(person.since.slice(0, 10)))),
      h("a", { href: personLink(person), class: "button secondary" }, P.people.view(name)));
  }));
}

function waitingCard() {
  return h("section", { class: "card stack", id: "invitation-waiting", "aria-labelledby": "invitation-waiting-title" },
    h("h2", { id: "invitation-waiting-title" }, P.people.waitingTitle),
    h("p", {}, P.people.waiting),
    h("a", { href: "#/more", class: "button primary wide", dataset: { intent: "sign-up" } }, P.people.createAccount),
    h("a", { href: "#/more", class: "button secondary wide", dataset: { intent: "sign-in" } }, P.people.signIn));
}

// --- one person ---------------------------------------------------------------------------------

// Four evenly spread label positions over n bars, the first and the last among them.
function ticks(n) {
  if (n <= 4) return [...Array(Math.max(n, 0)).keys()];
  return [...new Set([0, Math.round((n - 1) / 3), Math.round((2 * (n - 1)) / 3), n - 1])];
}

// The 4-week patterns in the third person (the person's own Insights screen speaks to them).
function patternsSection(doc, name, checkins) {
  const parts = [];
  if (doc.trend) {
    parts.push(h("p", { class: "trend-words" }, P.person.trend[doc.trend.change]?.(name) || ""));
    if (doc.trend.change !== "not_enough_data") parts.push(h("p", { class: "hint" }, P.person.trendNumbers(doc.trend.recent, doc.trend.before)));
  }
  if (doc.daily) {
    const values = doc.daily.map((d) => d.count);
    const average = movingAverage(values);
    const crashes = new Set((checkins || []).filter((c) => c.crash === true).map((c) => c.local_date));
    parts.push(barChart({
      title: P.person.dailyChart, description: P.person.dailyDesc(name, Math.max(0, ...values)), values, line: average,
      xLabels: ticks(doc.daily.length).map((index) => ({ index, text: shortDay(doc.daily[index].date) })),
      marks: doc.daily.map((d, i) => (crashes.has(d.date) ? i : -1)).filter((i) => i >= 0), markLabel: P.person.crashMark,
      table: { headers: [P.person.date, P.person.count, P.person.avg7], rows: doc.daily.map((d, i) => [d.date, String(d.count), String(average[i])]) },
    }));
  }
  if (doc.by_hour) {
    const total = doc.by_hour.reduce((a, b) => a + b, 0);
    if (total) {
      const late = [...doc.by_hour.slice(18), ...doc.by_hour.slice(0, 6)].reduce((a, b) => a + b, 0);
      let best = 0;
      for (let hour = 0; hour < 24; hour++) {
        const span = (x) => doc.by_hour[x % 24] + doc.by_hour[(x + 1) % 24] + doc.by_hour[(x + 2) % 24];
        if (span(hour) > span(best)) best = hour;
      }
      const clock = (hour) => `${String(hour % 24).padStart(2, "0")}:00`;
      parts.push(h("p", {}, P.person.evening(name, Math.round((late / total) * 100)), " ", P.person.busiestHours(clock(best), clock(best + 3))));
    }
  }
  if (doc.by_region && doc.by_region.length) {
    parts.push(h("p", {}, P.person.places(name, doc.by_region.slice(0, 3)
      .map((r) => `${place(`${r.body_region}|${r.side || ""}`)} (${r.count})`).join(", "))));
  }
  return parts.length ? h("section", { class: "card stack", "aria-labelledby": "patterns-title" },
    h("h2", { id: "patterns-title" }, P.person.patternsTitle), parts) : null;
}

function redFlagCard(flags, name) {
  if (!flags) return null;
  if (flags.status !== "see_doctor") {
    return h("section", { class: "card flag-clear", "aria-labelledby": "person-flags-title" },
      h("h2", { id: "person-flags-title" }, P.person.noFlagsTitle),
      h("p", {}, P.person.noFlags(name)));
  }
  const reasons = flags.reasons;
  return h("section", { class: "card red-flag", "aria-labelledby": "person-flags-title" },
    h("h2", { id: "person-flags-title" }, P.person.flagTitle(name)),
    reasons ? [h("p", {}, P.person.flagIntro(name)), h("ul", {}, reasons.map((r) => h("li", {},
      r.kind === "red_flag_symptom"
        ? P.person.symptom(name, kindName(r.symptom), r.dates.map(shortDay).join(", "))
        : P.person.persistent(name, place(`${r.body_region}|${r.side || ""}`), r.days, Math.round(r.share * 100)))))]
      : h("p", {}, P.person.flagsPrivate(name)),
    h("p", {}, P.person.flagWhat(name)),
    h("p", { class: "hint" }, P.person.calm));
}

function checkinWords(checkin) {
  const words = CHECKIN_ORDER.filter((name) => checkin[name] != null).slice(0, 4).map((name) => P.person.fields[name](checkin[name]));
  if (checkin.crash === true) words.push(P.person.crash);
  return words.length ? P.person.checkin(words.join(", ")) : P.person.checkinDone;
}

function dayLine(day, counts, opens, name, person, today) {
  const count = counts.has(day.date) ? counts.get(day.date) : day.twitches;
  const bits = [];
  if (opens.twitch || counts.size) {
    if (count) bits.push(h("span", { class: "day-count" }, P.person.twitches(count)), day.topPlace ? ` · ${P.person.mostly(place(day.topPlace))}` : "");
  }
  const lines = [];
  if (bits.length) lines.push(h("p", {}, bits));
  if (day.symptoms.length) {
    const kinds = [...new Set(day.symptoms.map((s) => kindName(s.kind) + (placeOf(s) ? ` (${placeOf(s)}${s.progressive ? `, ${P.person.worse}` : ""})` : "")))];
    const flagged = day.symptoms.some((s) => RED_FLAG_KINDS.includes(s.kind));
    lines.push(h("p", { class: flagged ? "day-flag" : "" }, P.person.symptoms(name, kinds), "."));
  }
  if (day.checkin) lines.push(h("p", {}, checkinWords(day.checkin)));
  if (day.rests || day.activities) {
    lines.push(h("p", {}, [day.rests ? P.person.rests(day.rests, day.restMinutes) : null, day.activities ? P.person.activities(day.activities) : null]
      .filter(Boolean).join(" · ")));
  }
  const empty = !lines.length;
  const label = day.date === today ? `${P.person.today}, ${dayName(day.date)}` : dayName(day.date);
  return h("li", { class: `day-summary${empty ? " empty" : ""}`, dataset: { date: day.date } },
    h("h3", {}, label),
    empty ? h("p", { class: "hint" }, P.person.nothing) : lines,
    empty ? null : h("a", { href: `${personLink(person)}/${day.date}`, class: "day-link" }, P.person.details(dayName(day.date))));
}

async function personView(container, person, isAlive) {
  const name = personName(person);
  const id = encodeURIComponent(person.id);
  const doc = await api("GET", `/people/${id}/insights`);
  const last = doc.to;
  const dates = lastDates(last, DAYS);
  const events = await api("GET", `/people/${id}/events?from=${dates[dates.length - 1]}&to=${last}`);
  if (!isAlive()) return;
  const opens = Object.fromEntries(Object.entries(events.records).map(([entity, list]) => [entity, list !== null]));
  const counts = new Map((doc.daily || []).map((d) => [d.date, d.count]));
  const days = summariseDays(events.records, events.timezone, dates);
  const anyDays = counts.size || Object.values(opens).some(Boolean);
  replaceChildren(container,
    h("section", { class: "stack", id: "shared-person", "aria-labelledby": "person-title" },
      h("h2", { id: "person-title", class: "person-title" }, name),
      h("p", { class: "hint" }, P.people.shares(name, person.scopes.map((s) => T.sharing.scopes[s][0].toLowerCase()).join(", "))),
      redFlagCard(doc.red_flags, name),
      anyDays ? h("section", { class: "card", "aria-labelledby": "shared-entries-title" },
        h("h2", { id: "shared-entries-title" }, P.person.daysTitle),
        h("p", { class: "hint" }, P.person.daysIntro(name, DAYS)),
        h("ul", { class: "day-summaries" }, days.map((day) => dayLine(day, counts, opens, name, person, last)))) : null,
      patternsSection(doc, name, events.records.checkin)),
    h("a", { href: "#/caregiver", class: "button secondary" }, P.people.back));
}

function dayTable(rows, name) {
  return h("table", { class: "day-hours" },
    h("caption", { class: "visually-hidden" }, P.person.dayTwitches),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, P.person.hour), h("th", { scope: "col" }, P.person.count), h("th", { scope: "col" }, P.person.where))),
    h("tbody", {}, rows.map((row) => h("tr", {},
      h("th", { scope: "row" }, `${String(row.hour).padStart(2, "0")}:00`),
      h("td", {}, String(row.count)),
      h("td", {}, row.places.slice(0, 3).map(([key, n]) => `${place(key)} ${n}`).join(", ") || "–")))));
}

async function dayView(container, person, date, isAlive) {
  const name = personName(person);
  const events = await api("GET", `/people/${encodeURIComponent(person.id)}/events?from=${date}&to=${date}`);
  if (!isAlive()) return;
  const r = events.records;
  const zone = events.timezone;
  const timeOf = (instant) => clockTime(instant);
  const notShared = h("p", { class: "hint" }, P.person.notShared(name));
  const none = () => h("p", { class: "hint" }, P.person.noneThatDay);
  const twitchNotes = (r.twitch || []).filter((t) => t.note);
  const sections = [
    h("section", { class: "card", "aria-labelledby": "day-symptoms" }, h("h3", { id: "day-symptoms" }, P.person.daySymptoms),
      r.symptom === null ? notShared : r.symptom.length ? h("ul", { class: "shared-entries" }, r.symptom.map((s) => h("li", { class: RED_FLAG_KINDS.includes(s.kind) ? "day-flag" : "" },
        `${timeOf(s.observed_at)} · ${kindName(s.kind)}${placeOf(s) ? `, ${placeOf(s)}` : ""}${s.progressive ? `, ${P.person.worse}` : ""}`,
        s.note ? h("span", { class: "hint" }, ` · ${s.note}`) : null))) : none()),
    h("section", { class: "card", "aria-labelledby": "day-checkin" }, h("h3", { id: "day-checkin" }, P.person.dayCheckin),
      r.checkin === null ? notShared : r.checkin.length ? h("ul", { class: "shared-entries" },
        CHECKIN_ORDER.filter((k) => r.checkin[0][k] != null).map((k) => h("li", {}, P.person.fields[k](r.checkin[0][k]))),
        r.checkin[0].crash === true ? h("li", {}, P.person.crash) : null,
        r.checkin[0].note ? h("li", { class: "hint" }, r.checkin[0].note) : null) : none()),
    h("section", { class: "card", "aria-labelledby": "day-twitches" }, h("h3", { id: "day-twitches" }, P.person.dayTwitches),
      r.twitch === null ? notShared : r.twitch.length ? [h("p", {}, P.person.dayTwitchesIntro(name, r.twitch.length)),
        dayTable(hourRows(r.twitch, zone, date), name),
        twitchNotes.length ? [h("h4", {}, P.person.dayNotes), h("ul", { class: "shared-entries" }, twitchNotes.map((t) => h("li", {},
          `${String(localHourIn(t.occurred_at, zone)).padStart(2, "0")}h ${placeOf(t) || ""} · ${t.note}`)))] : null] : none()),
    h("section", { class: "card", "aria-labelledby": "day-activity" }, h("h3", { id: "day-activity" }, P.person.dayActivity),
      r.activity === null ? notShared : r.activity.length ? h("ul", { class: "shared-entries" }, r.activity.map((a) => h("li", {},
        `${timeOf(a.started_at)}${a.ended_at ? `–${timeOf(a.ended_at)}` : ""} · ${S.values.level[a.level] || a.level}${a.label ? ` · ${a.label}` : ""}`))) : none()),
    r.intake && r.intake.length ? h("section", { class: "card", "aria-labelledby": "day-intake" }, h("h3", { id: "day-intake" }, P.person.dayIntake),
      h("ul", { class: "shared-entries" }, r.intake.map((i) => h("li", {},
        `${timeOf(i.taken_at)} · ${S.values.intakeKind[i.kind] || i.kind}${i.amount != null ? ` ${i.amount} ${S.values.unit[i.unit] || i.unit || ""}` : ""}`)))) : null,
  ];
  replaceChildren(container,
    h("section", { class: "stack", id: "shared-day", "aria-labelledby": "day-title" },
      h("h2", { id: "day-title" }, P.person.dayTitle(name, dayName(date))), sections),
    h("a", { href: personLink(person), class: "button secondary" }, P.people.backTo(name)));
}

function goneNotice(container) {
  replaceChildren(container, h("section", { class: "card", id: "person-gone" }, h("p", {}, P.people.gone)),
    h("a", { href: "#/caregiver", class: "button secondary" }, P.people.back));
}

export function render(root) {
  ensureStyles();
  ensurePeopleStyles();
  let alive = true;
  let drawnSignedIn = null;
  const isAlive = () => alive;
  const { personId, day, accept } = route();
  const body = h("div", { class: "stack", "aria-live": "polite" }, h("p", { class: "hint" }, T.loading));

  async function acceptKept() {
    if (!keptInvitation()) return;
    try {
      const person = await acceptKeptInvitation();
      if (person) toast(P.people.acceptedKept(personName(person)));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) toast(P.people.keptRefused);
      else if (error instanceof OfflineError) toast(P.people.offline);
    }
  }

  async function load() {
    const device = await readDevice();
    if (!alive) return;
    drawnSignedIn = Boolean(device.signed_in);
    if (!device.signed_in) {
      // Opened signed out: keep the invitation on this device until the account exists.
      if (accept) {
        keepInvitation(accept);
        history.replaceState(null, "", "#/caregiver");
      }
      replaceChildren(body, keptInvitation() ? waitingCard() : signedOutNotice());
      return;
    }
    try {
      await acceptKept();
      const people = await api("GET", "/people");
      if (!alive) return;
      const followerOnly = await refreshFollowerMode({ people }).catch(() => isFollowerOnly());
      if (!alive) return;
      if (personId) {
        const person = people.find((p) => p.id === personId);
        if (!person) return goneNotice(body);
        if (day) await dayView(body, person, day, isAlive);
        else await personView(body, person, isAlive);
        return;
      }
      replaceChildren(body,
        h("section", { "aria-labelledby": "people-title" }, h("h2", { id: "people-title" }, P.people.listTitle), peopleList(people)),
        acceptForm(accept, () => load(), { open: !people.length || Boolean(accept) }),
        followerOnly ? h("section", { class: "own-log", "aria-labelledby": "own-log-title" },
          h("h2", { id: "own-log-title", class: "visually-hidden" }, P.people.ownLog),
          h("a", { href: "#/", class: "button secondary wide" }, P.people.ownLog),
          h("p", { class: "hint" }, P.people.ownLogHint)) : null);
    } catch (error) {
      if (!alive) return;
      if (error instanceof ApiError && error.status === 401) replaceChildren(body, signedOutNotice());
      else if (error instanceof ApiError && error.status === 404) goneNotice(body);
      else replaceChildren(body, failureNotice(error, load));
    }
  }

  const refresh = () => { if (document.visibilityState === "visible") load(); };
  document.addEventListener("visibilitychange", refresh);
  replaceChildren(root, h("h1", {}, P.people.title), personId ? null : h("p", { class: "hint" }, P.people.intro), body);
  load();
  const stopWatching = watchSignedIn(() => drawnSignedIn, () => { if (alive) load(); });
  return () => {
    alive = false;
    stopWatching();
    document.removeEventListener("visibilitychange", refresh);
  };
}
