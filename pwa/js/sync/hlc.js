// Hybrid logical clock: "<UTC instant with ms>-<4 hex counter>-<client_id>", fixed width so
// it orders as a plain string (DESIGN §3).

export const HLC_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-([0-9a-f]{4})-(.+)$/;

const MAX_COUNTER = 0xffff;

export const ZERO_CLOCK = Object.freeze({ wall: 0, counter: 0 });

export function formatHlc(clock, clientId) {
  const instant = new Date(clock.wall).toISOString();
  const counter = clock.counter.toString(16).padStart(4, "0");
  return `${instant}-${counter}-${clientId}`;
}

export function parseHlc(hlc) {
  const match = typeof hlc === "string" ? HLC_PATTERN.exec(hlc) : null;
  if (!match) return null;
  const wall = Date.parse(match[1]);
  if (Number.isNaN(wall)) return null;
  return { wall, counter: parseInt(match[2], 16), clientId: match[3] };
}

function later(a, b) {
  if (a.wall !== b.wall) return a.wall > b.wall ? a : b;
  return a.counter >= b.counter ? a : b;
}

// The clock for a new local event: strictly after everything this device has made or seen.
export function tick(clock, nowMs) {
  const last = clock || ZERO_CLOCK;
  if (nowMs > last.wall) return { wall: nowMs, counter: 0 };
  if (last.counter < MAX_COUNTER) return { wall: last.wall, counter: last.counter + 1 };
  return { wall: last.wall + 1, counter: 0 };
}

// Remember a clock seen from elsewhere so the next local tick orders after it, even when this
// device's wall clock is behind.
export function observe(clock, hlc) {
  const seen = parseHlc(hlc);
  const last = clock || ZERO_CLOCK;
  if (!seen) return last;
  const winner = later(last, seen);
  return { wall: winner.wall, counter: winner.counter };
}

export function compareHlc(a, b) {
  if (a === b) return 0;
  if (a == null) return -1;
  if (b == null) return 1;
  return a < b ? -1 : 1;
}
