// The §2 domain as the app needs it: entities, fields, enums, ranges (DESIGN §2 is the contract).

export const BODY_REGIONS = [
  "eyelid", "face", "lip", "tongue", "jaw", "neck", "shoulder", "upper_arm", "elbow", "forearm",
  "hand", "finger", "chest", "abdomen", "upper_back", "lower_back", "buttock", "hip", "thigh",
  "knee", "calf", "shin", "ankle", "foot", "toe", "other",
];
export const SIDES = ["left", "right", "both", "midline"];
export const SYMPTOM_KINDS = [
  "weakness", "muscle_wasting", "speech_difficulty", "swallowing_difficulty", "reflex_change",
  "cramp", "numbness", "fatigue", "other",
];
export const RED_FLAG_KINDS = SYMPTOM_KINDS.slice(0, 5);
export const ACTIVITY_LEVELS = ["rest", "light", "moderate", "vigorous"];
export const INTAKE_KINDS = ["magnesium", "electrolytes", "water", "caffeine", "alcohol", "medication", "other"];
export const INTAKE_UNITS = ["mg", "ml", "l", "g", "unit"];

const int = (min, max) => ({ type: "int", min, max });
const num = (min, max) => ({ type: "number", min, max });
const choice = (values) => ({ type: "enum", values });
const text = (max) => ({ type: "text", max });
const bool = { type: "bool" };
const instant = { type: "instant" };

export const ENTITIES = {
  twitch: {
    time: "occurred_at",
    required: ["occurred_at"],
    fields: {
      occurred_at: instant,
      body_region: choice(BODY_REGIONS),
      side: choice(SIDES),
      intensity: int(1, 5),
      visibility: choice(["felt", "visible"]),
      pattern: choice(["single", "burst", "continuous"]),
      at_rest: bool,
      note: text(500),
    },
  },
  checkin: {
    time: "local_date",
    required: ["local_date"],
    fields: {
      local_date: { type: "date" },
      sleep_hours: num(0, 24),
      sleep_quality: int(1, 5),
      stress: int(0, 10),
      anxiety: int(0, 10),
      fatigue: int(0, 10),
      exertion: int(0, 10),
      twitch_burden: int(0, 10),
      hydration_l: num(0, 10),
      electrolytes: bool,
      magnesium_mg: num(0, 2000),
      caffeine_mg: num(0, 2000),
      crash: bool,
      note: text(2000),
    },
  },
  symptom: {
    time: "observed_at",
    required: ["observed_at", "kind"],
    fields: {
      observed_at: instant,
      kind: choice(SYMPTOM_KINDS),
      body_region: choice(BODY_REGIONS),
      side: choice(SIDES),
      progressive: bool,
      note: text(2000),
    },
  },
  activity: {
    time: "started_at",
    required: ["started_at", "level"],
    fields: {
      started_at: instant,
      ended_at: instant,
      level: choice(ACTIVITY_LEVELS),
      label: text(100),
    },
  },
  intake: {
    time: "taken_at",
    required: ["taken_at", "kind"],
    fields: {
      taken_at: instant,
      kind: choice(INTAKE_KINDS),
      amount: num(0, Infinity),
      unit: choice(INTAKE_UNITS),
      label: text(100),
    },
  },
};

export function isRedFlag(kind) {
  return RED_FLAG_KINDS.includes(kind);
}

// The instant (or local date, for check-ins) a record is sorted and grouped by.
export function recordTime(entity, fields) {
  const spec = ENTITIES[entity];
  return spec ? fields[spec.time] ?? null : null;
}

function fieldError(spec, value) {
  if (value === null) return null;
  switch (spec.type) {
    case "int":
      if (!Number.isInteger(value)) return "whole number";
      return value < spec.min || value > spec.max ? `${spec.min}–${spec.max}` : null;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return "number";
      return value < spec.min || value > spec.max ? "out of range" : null;
    case "enum":
      return spec.values.includes(value) ? null : "unknown value";
    case "text":
      return typeof value === "string" && value.length <= spec.max ? null : `at most ${spec.max} characters`;
    case "bool":
      return typeof value === "boolean" ? null : "yes or no";
    case "instant":
      return typeof value === "string" && /(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value))
        ? null : "instant with offset";
    case "date":
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? null : "YYYY-MM-DD";
    default:
      return "unknown field";
  }
}

// Field errors for a set (creating: required fields must be present), {} when valid.
export function validateFields(entity, fields, { creating = false } = {}) {
  const spec = ENTITIES[entity];
  if (!spec) return { entity: ["unknown entity"] };
  const errors = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name === "deleted") {
      if (typeof value !== "boolean") errors[name] = ["yes or no"];
      continue;
    }
    const fieldSpec = spec.fields[name];
    if (!fieldSpec) {
      errors[name] = ["unknown field"];
      continue;
    }
    if (value === null && spec.required.includes(name)) errors[name] = ["required"];
    const problem = fieldError(fieldSpec, value);
    if (problem) errors[name] = [problem];
  }
  if (creating) {
    for (const name of spec.required) {
      if (fields[name] == null) errors[name] = ["required"];
    }
  }
  if (entity === "activity" && fields.started_at && fields.ended_at
      && Date.parse(fields.ended_at) < Date.parse(fields.started_at)) {
    errors.ended_at = ["before the start"];
  }
  return errors;
}
