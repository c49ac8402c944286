// The caregiver's view (DESIGN §6): accept an invitation, see who shares with you, and read a
// person's insights and recent entries as far as their share allows. Read-only throughout.
// Routes: #/caregiver, #/caregiver?accept=<code>, #/caregiver/<person id>.

import { api, ApiError, OfflineError } from "../api.js";
import { readDevice } from "../db.js";
import { addDays, localDate } from "../local-date.js";
import { S } from "../strings.js";
import { T } from "../strings-insights.js";
import { field, h, replaceChildren } from "./dom.js";
import { clockTime } from "./format.js";
import { failureNotice, signedOutNotice } from "./insights.js";
import { ensureStyles } from "./insights-styles.js";
import { insightsSections, regionName, shortDate } from "./insights-view.js";
import { toast } from "./toast.js";

function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/");
  return { personId: parts[1] ? decodeURIComponent(parts[1]) : null, accept: new URLSearchParams(query).get("accept") };
}

// A pasted invitation link or a bare code: the code either way.
export function codeFrom(text) {
  const value = text.trim();
  const match = /[?&]accept=([^&\s]+)/.exec(value);
  return match ? decodeURIComponent(match[1]) : value;
}

function acceptForm(prefill, onAccepted) {
  const input = h("input", { type: "text", autocomplete: "off", spellcheck: false, value: prefill || "", class: "secret" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "card stack", "aria-labelledby": "accept-title", novalidate: true },
    h("h2", { id: "accept-title" }, T.caregiver.accept),
    field(T.caregiver.code, input, T.caregiver.codeHint),
    error,
    h("button", { type: "submit", class: "button primary wide" }, T.caregiver.acceptButton));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const token = codeFrom(input.value);
    if (!token) return;
    try {
      const person = await api("POST", "/shares/accept", { token });
      toast(T.caregiver.accepted(person.email));
      history.replaceState(null, "", "#/caregiver");
      onAccepted(person);
    } catch (failure) {
      if (failure instanceof OfflineError) error.textContent = T.offline;
      else if (failure instanceof ApiError && failure.status === 400) error.textContent = T.caregiver.ownCode;
      else error.textContent = T.caregiver.badCode;
    }
  });
  return form;
}

function peopleList(people) {
  if (!people.length) return h("p", {}, T.caregiver.none);
  return h("ul", { class: "people-list" }, people.map((person) => h("li", { class: "person-item" },
    h("h3", {}, person.email),
    h("p", { class: "share-meta" }, person.scopes.map((s) => T.sharing.scopes[s][0]).join(", "), " · ",
      T.caregiver.since(shortDate(person.since.slice(0, 10)))),
    h("a", { href: `#/caregiver/${encodeURIComponent(person.id)}`, class: "button secondary" }, T.caregiver.view(person.email)))));
}

function entryLines(records) {
  const lines = [];
  const v = S.values;
  const note = (r) => (r.note ? h("span", { class: "hint" }, ` · ${T.caregiver.note(r.note)}`) : null);
  for (const r of records.twitch || []) {
    lines.push([r.occurred_at, T.caregiver.twitchAt(`${shortDate(r.occurred_at.slice(0, 10))} ${clockTime(r.occurred_at)}`,
      r.body_region ? regionName(r.body_region, r.side) : ""), note(r)]);
  }
  for (const r of records.symptom || []) {
    lines.push([r.observed_at, T.caregiver.symptomAt(`${shortDate(r.observed_at.slice(0, 10))} ${clockTime(r.observed_at)}`, v.kind[r.kind] || r.kind), note(r)]);
  }
  for (const r of records.activity || []) {
    lines.push([r.started_at, T.caregiver.activityAt(`${shortDate(r.started_at.slice(0, 10))} ${clockTime(r.started_at)}`, v.level[r.level] || r.level), null]);
  }
  for (const r of records.intake || []) {
    lines.push([r.taken_at, T.caregiver.intakeAt(`${shortDate(r.taken_at.slice(0, 10))} ${clockTime(r.taken_at)}`, v.intakeKind[r.kind] || r.kind), null]);
  }
  for (const r of records.checkin || []) {
    lines.push([`${r.local_date}T23:59:59Z`, T.caregiver.checkinOn(shortDate(r.local_date)), note(r)]);
  }
  return lines.sort((a, b) => (a[0] < b[0] ? 1 : -1));
}

async function personView(container, personId, people, isAlive) {
  const person = people.find((p) => p.id === personId);
  if (!person) {
    replaceChildren(container, h("section", { class: "card", id: "person-gone" }, h("p", {}, T.caregiver.gone)),
      h("a", { href: "#/caregiver", class: "button secondary" }, T.caregiver.back));
    return;
  }
  const to = localDate(new Date());
  try {
    const [doc, events] = await Promise.all([
      api("GET", `/people/${encodeURIComponent(personId)}/insights`),
      api("GET", `/people/${encodeURIComponent(personId)}/events?from=${addDays(to, -6)}&to=${to}`),
    ]);
    if (!isAlive()) return;
    const lines = entryLines(events.records);
    const opensEntries = Object.values(events.records).some((list) => list !== null);
    replaceChildren(container,
      h("section", { class: "stack", id: "shared-person", "aria-labelledby": "person-title" },
        h("h2", { id: "person-title" }, T.caregiver.personTitle(person.email)),
        h("p", { class: "hint" }, T.caregiver.sees, " ", person.scopes.map((s) => T.sharing.scopes[s][0]).join(", ")),
        insightsSections(doc),
        opensEntries ? h("section", { class: "card", "aria-labelledby": "shared-entries-title" },
          h("h2", { id: "shared-entries-title" }, T.caregiver.recent),
          lines.length ? h("ul", { class: "shared-entries" }, lines.map(([, text, extra]) => h("li", {}, text, extra)))
            : h("p", {}, T.caregiver.noEntries)) : null),
      h("a", { href: "#/caregiver", class: "button secondary" }, T.caregiver.back));
  } catch (error) {
    if (!isAlive()) return;
    if (error instanceof ApiError && error.status === 404) {
      replaceChildren(container, h("section", { class: "card", id: "person-gone" }, h("p", {}, T.caregiver.gone)),
        h("a", { href: "#/caregiver", class: "button secondary" }, T.caregiver.back));
    } else {
      replaceChildren(container, failureNotice(error, () => personView(container, personId, people, isAlive)));
    }
  }
}

export function render(root) {
  ensureStyles();
  let alive = true;
  const isAlive = () => alive;
  const { personId, accept } = route();
  const body = h("div", { class: "stack", "aria-live": "polite" }, h("p", { class: "hint" }, T.loading));

  async function load() {
    const device = await readDevice();
    if (!alive) return;
    if (!device.signed_in) {
      replaceChildren(body, signedOutNotice());
      return;
    }
    try {
      const people = await api("GET", "/people");
      if (!alive) return;
      if (personId) {
        await personView(body, personId, people, isAlive);
        return;
      }
      replaceChildren(body,
        acceptForm(accept, () => load()),
        h("section", { "aria-labelledby": "people-title" }, h("h2", { id: "people-title" }, T.caregiver.people), peopleList(people)));
    } catch (error) {
      if (!alive) return;
      if (error instanceof ApiError && error.status === 401) replaceChildren(body, signedOutNotice());
      else replaceChildren(body, failureNotice(error, load));
    }
  }

  const refresh = () => { if (document.visibilityState === "visible") load(); };
  document.addEventListener("visibilitychange", refresh);
  replaceChildren(root, h("h1", {}, T.caregiver.title), h("p", { class: "hint" }, T.caregiver.intro), body);
  load();
  return () => {
    alive = false;
    document.removeEventListener("visibilitychange", refresh);
  };
}
