// How times and entries read on screen. Times and dates follow the device's locale (12- or 24-hour
// clock, day and month order) through Intl (DESIGN §11); `options` ({locale, timeZone}) exist for
// tests, the app passes none.

import { S } from "../strings.js";

const cache = new Map();
function formatter(kind, { locale, timeZone } = {}) {
  const key = `${kind}|${locale || ""}|${timeZone || ""}`;
  if (!cache.has(key)) {
    const base = {
      time: { hour: "numeric", minute: "2-digit" },
      dayTime: { weekday: "short", hour: "numeric", minute: "2-digit" },
      full: { dateStyle: "medium", timeStyle: "short" },
      date: { weekday: "short", day: "numeric", month: "short", year: "numeric" },
    }[kind];
    cache.set(key, new Intl.DateTimeFormat(locale, timeZone ? { ...base, timeZone } : base));
  }
  return cache.get(key);
}

// True where the locale's clock has AM and PM.
export function uses12Hour(locale) {
  return new Intl.DateTimeFormat(locale, { hour: "numeric" }).resolvedOptions().hour12 === true;
}

export function clockTime(instant, options) {
  return formatter("time", options).format(new Date(instant));
}

export function shortTime(instant, now = new Date(), options) {
  const date = new Date(instant);
  if (now - date < 20 * 3600 * 1000) return formatter("time", options).format(date);
  // A weekday alone is ambiguous beyond six days: older entries show their full date.
  return now - date < 6 * 24 * 3600 * 1000 ? formatter("dayTime", options).format(date) : formatter("full", options).format(date);
}

// A local date ("2026-03-29", a check-in's day) in the device's words; never shifted by a zone.
export function localDateLabel(localDate, { locale } = {}) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate || "");
  if (!match) return localDate || "";
  const instant = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12);
  return formatter("date", { locale, timeZone: "UTC" }).format(new Date(instant));
}

// <input type="datetime-local"> works in the device's local time.
export function toLocalInput(instant) {
  const date = new Date(instant);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

export function fromLocalInput(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function entryTime(row) {
  return row.entity === "checkin" ? localDateLabel(row.view.fields.local_date) : shortTime(row.at);
}

export function entrySummary(row) {
  const f = row.view.fields;
  const v = S.values;
  const parts = [];
  switch (row.entity) {
    case "twitch":
      parts.push(S.entities.twitch);
      if (f.body_region) parts.push([f.side && v.side[f.side], v.body_region[f.body_region]].filter(Boolean).join(" ").toLowerCase());
      if (f.intensity) parts.push(`${S.details.intensity.toLowerCase()} ${f.intensity}`);
      if (f.pattern) parts.push(v.pattern[f.pattern].toLowerCase());
      break;
    case "symptom":
      parts.push(v.kind[f.kind] || S.entities.symptom);
      break;
    case "activity":
      parts.push(`${v.level[f.level] || ""} ${S.entities.activity}`.trim());
      if (f.label) parts.push(f.label);
      break;
    case "intake":
      parts.push(v.intakeKind[f.kind] || S.entities.intake);
      if (f.amount != null) parts.push(`${f.amount} ${f.unit ? v.unit[f.unit] : ""}`.trim());
      break;
    default:
      parts.push(S.entities[row.entity] || row.entity);
  }
  return parts.join(" · ");
}
