// What the insights screen says, as pure functions of the §13 document and the person's own
// check-ins (unit-tested in node): the better-or-worse headline, the findings worth showing (q < 0.1,
// strongest first) with plain numbers, and where a period really starts.

export const FINDING_Q = 0.1;
export const LAG_DAYS = { same_day: 0, previous_day: 1, two_days_before: 2 };

// "fewer" | "more" | "about_the_same" | "not_enough_data" from the document's trend (or its absence).
export function headlineKey(trend) {
  const change = trend?.change;
  return ["fewer", "more", "about_the_same"].includes(change) ? change : "not_enough_data";
}

function shiftDate(date, days) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

// The days to compare at each end: 10, or a third of the paired days when there are fewer than 30.
export function groupSize(n) {
  return Math.max(1, Math.min(10, Math.floor(n / 3)));
}

// Every non-null factor entry as {factor, lag, rho, n, p, q}; `findings` those with q < 0.1,
// strongest |rho| first (ties: smaller q, then name); `others` the rest in the same order.
export function rankEntries(factors) {
  const all = [];
  for (const [factor, lags] of Object.entries(factors || {})) {
    for (const [lag, entry] of Object.entries(lags || {})) {
      if (entry) all.push({ factor, lag, ...entry });
    }
  }
  const order = (a, b) => Math.abs(b.rho) - Math.abs(a.rho) || (a.q ?? 1) - (b.q ?? 1)
    || a.factor.localeCompare(b.factor) || LAG_DAYS[a.lag] - LAG_DAYS[b.lag];
  all.sort(order);
  return {
    findings: all.filter((e) => typeof e.q === "number" && e.q < FINDING_Q),
    others: all.filter((e) => !(typeof e.q === "number" && e.q < FINDING_Q)),
  };
}

// Worst days against best days for one entry: the `k` dates with the most twitches and the `k`
// with the fewest (among dates whose factor on d - lag is known), and the factor's mean on each
// side. `daily` is [{date, count}], `values` a Map date -> number. Null when it cannot be said.
export function worstAndBest(entry, daily, values) {
  const lag = LAG_DAYS[entry.lag] ?? 0;
  const paired = [];
  for (const { date, count } of daily) {
    const value = values.get(shiftDate(date, -lag));
    if (typeof value === "number") paired.push({ date, count, value });
  }
  if (paired.length < 6) return null;
  const k = groupSize(paired.length);
  const byCount = [...paired].sort((a, b) => b.count - a.count || (a.date < b.date ? -1 : 1));
  const worst = byCount.slice(0, k);
  const best = byCount.slice(-k);
  return {
    days: k,
    worst: mean(worst.map((p) => p.value)),
    best: mean(best.map((p) => p.value)),
    worstCount: mean(worst.map((p) => p.count)),
    bestCount: mean(best.map((p) => p.count)),
  };
}

// A Map per factor: date -> number (electrolytes as 0/1), from check-in records' fields.
export function factorValues(checkins, names) {
  const maps = Object.fromEntries(names.map((name) => [name, new Map()]));
  for (const fields of checkins) {
    if (!fields?.local_date) continue;
    for (const name of names) {
      const value = fields[name];
      if (typeof value === "number") maps[name].set(fields.local_date, value);
      else if (typeof value === "boolean") maps[name].set(fields.local_date, value ? 1 : 0);
    }
  }
  return maps;
}

// The daily series from the first date with anything logged (a twitch, or one of `otherDates`),
// so a new log does not show months of empty bars; the whole series when nothing is logged.
export function fromFirstEntry(daily, otherDates = []) {
  const marked = new Set(otherDates);
  const first = daily.findIndex((d) => d.count > 0 || marked.has(d.date));
  return first <= 0 ? daily : daily.slice(first);
}
