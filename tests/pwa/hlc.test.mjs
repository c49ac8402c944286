import { test } from "node:test";
import assert from "node:assert/strict";
import { compareHlc, formatHlc, HLC_PATTERN, observe, parseHlc, tick } from "../../pwa/js/sync/hlc.js";

const CLIENT = "6f1c2f8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f";
const T = Date.parse("2026-11-25T19:42:10.123Z");

test("formats the contract shape", () => {
  const hlc = formatHlc({ wall: T, counter: 0 }, CLIENT);
  assert.equal(hlc, `2026-11-25T19:42:10.123Z-0000-${CLIENT}`);
  assert.match(hlc, HLC_PATTERN);
  assert.equal(formatHlc({ wall: T, counter: 0xab }, CLIENT).slice(25, 29), "00ab");
});

test("parse is the inverse of format", () => {
  const parsed = parseHlc(formatHlc({ wall: T, counter: 7 }, CLIENT));
  assert.deepEqual(parsed, { wall: T, counter: 7, clientId: CLIENT });
  assert.equal(parseHlc("2026-11-25T19:42:10Z-0000-x"), null);
  assert.equal(parseHlc("2026-11-25T19:42:10.123Z-00G0-x"), null);
  assert.equal(parseHlc(null), null);
});

test("tick follows the wall clock when it moves forward", () => {
  assert.deepEqual(tick({ wall: T, counter: 5 }, T + 1), { wall: T + 1, counter: 0 });
  assert.deepEqual(tick(null, T), { wall: T, counter: 0 });
});

test("tick counts up when the wall clock stands still or goes back", () => {
  assert.deepEqual(tick({ wall: T, counter: 5 }, T), { wall: T, counter: 6 });
  assert.deepEqual(tick({ wall: T, counter: 5 }, T - 60_000), { wall: T, counter: 6 });
});

test("tick carries into the next millisecond instead of overflowing 4 hex digits", () => {
  assert.deepEqual(tick({ wall: T, counter: 0xffff }, T), { wall: T + 1, counter: 0 });
});

test("a run of ticks gives strictly increasing strings, even with a clock that jumps back", () => {
  let clock = null;
  let previous = "";
  const walls = [T, T, T - 5000, T + 1, T + 1, T - 1, T + 2];
  for (const wall of walls) {
    clock = tick(clock, wall);
    const hlc = formatHlc(clock, CLIENT);
    assert.ok(hlc > previous, `${hlc} should sort after ${previous}`);
    previous = hlc;
  }
});

test("observe moves past a remote clock so the next local write wins over it", () => {
  const remote = formatHlc({ wall: T + 10_000, counter: 3 }, "zzzz");
  const clock = observe({ wall: T, counter: 0 }, remote);
  assert.deepEqual(clock, { wall: T + 10_000, counter: 3 });
  const next = formatHlc(tick(clock, T), CLIENT);
  assert.ok(next > remote);
});

test("observe ignores an older or unreadable remote clock", () => {
  const local = { wall: T, counter: 4 };
  assert.deepEqual(observe(local, formatHlc({ wall: T - 1, counter: 9 }, "x")), local);
  assert.deepEqual(observe(local, "garbage"), local);
});

test("compareHlc orders as plain strings, null first", () => {
  const a = formatHlc({ wall: T, counter: 1 }, "a");
  const b = formatHlc({ wall: T, counter: 1 }, "b");
  assert.equal(compareHlc(a, b), -1);
  assert.equal(compareHlc(b, a), 1);
  assert.equal(compareHlc(a, a), 0);
  assert.equal(compareHlc(null, a), -1);
  assert.equal(compareHlc(a, undefined), 1);
});
