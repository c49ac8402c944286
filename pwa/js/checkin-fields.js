// What a check-in save sends (DESIGN §16): only what the person set or confirmed. A new day's
// check-in carries `local_date` and the touched fields; an existing one only what changed.
// Pure functions, unit-tested in node.

export const CUP_MG = 95;

// `touched`: {field: value} of the controls the person changed (null = they cleared it).
export function checkinChanges({ date, existing, touched }) {
  if (existing && !existing.deleted) {
    const fields = {};
    for (const [name, value] of Object.entries(touched)) {
      if ((existing.fields[name] ?? null) !== value) fields[name] = value;
    }
    return fields;
  }
  const fields = { local_date: date };
  for (const [name, value] of Object.entries(touched)) {
    if (value !== null && value !== undefined) fields[name] = value;
  }
  if (existing?.deleted) fields.deleted = false;
  return fields;
}

// Steady things a "same as yesterday" chip may carry over from the latest earlier check-in.
export const STEADY = ["magnesium_mg", "electrolytes"];

export function steadyFrom(previous) {
  if (!previous) return null;
  const picked = Object.fromEntries(STEADY.filter((name) => previous[name] != null).map((name) => [name, previous[name]]));
  return Object.keys(picked).length ? picked : null;
}

export function cupsToMg(cups) {
  return Math.round(cups * CUP_MG);
}
