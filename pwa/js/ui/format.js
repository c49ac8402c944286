// How times and entries read on screen.

import { S } from "../strings.js";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function clockTime(instant) {
  return timeFormat.format(new Date(instant));
}

export function shortTime(instant, now = new Date()) {
  const date = new Date(instant);
  if (now - date < 20 * 3600 * 1000) return timeFormat.format(date);
  // A weekday alone is ambiguous beyond six days: older entries show their full date.
  return now - date < 6 * 24 * 3600 * 1000 ? dayTimeFormat.format(date) : fullFormat.format(date);
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
  return row.entity === "checkin" ? row.view.fields.local_date : shortTime(row.at);
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
