// Which red-flag reasons the person has acknowledged on this device, and how the banner shows
// (DESIGN §16): in full until every reason holding now is acknowledged, then a slim strip that
// cannot be removed while any reason holds; in full again when a new reason appears, and always
// in full on Symptoms and Insights. Pure functions, unit-tested in node.

export const FULL_ON_SCREENS = ["symptoms", "insights"];

// A reason is the same reason while its kind and what it is about stay the same.
export function reasonKey(reason) {
  if (reason.kind === "red_flag_symptom") return `red_flag_symptom:${reason.symptom}`;
  return `${reason.kind}:${reason.body_region || ""}:${reason.side || ""}`;
}

export function unacknowledged(reasons, acknowledged) {
  const seen = new Set(acknowledged);
  return reasons.filter((reason) => !seen.has(reasonKey(reason)));
}

// "none" | "full" | "strip". `expanded`: the person opened the strip to read it again.
export function bannerMode({ reasons, acknowledged, screen, expanded = false }) {
  if (!reasons.length) return "none";
  if (FULL_ON_SCREENS.includes(screen) || expanded) return "full";
  return unacknowledged(reasons, acknowledged).length ? "full" : "strip";
}

// Acknowledging keeps earlier acknowledgements and adds every reason shown now.
export function acknowledge(acknowledged, reasons) {
  return [...new Set([...acknowledged, ...reasons.map(reasonKey)])].sort();
}

// When the full list of reasons is known, acknowledgements of reasons that no longer hold are
// dropped, so the same sign coming back weeks later counts as new again.
export function prune(acknowledged, reasons) {
  const holding = new Set(reasons.map(reasonKey));
  return acknowledged.filter((key) => holding.has(key));
}
