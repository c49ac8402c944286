import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_DELAY_MS, nextRetryDelay, retryAfterMs, retryDelay } from "../../pwa/js/sync/backoff.js";

test("delays grow exponentially between half and all of each step", () => {
  assert.equal(retryDelay(0, () => 0), 500);
  assert.equal(retryDelay(0, () => 1), 1000);
  assert.equal(retryDelay(3, () => 0), 4000);
  assert.equal(retryDelay(3, () => 1), 8000);
});

test("delays are capped", () => {
  assert.equal(retryDelay(40, () => 1), MAX_DELAY_MS);
});

test("jitter spreads devices out", () => {
  const delays = new Set(Array.from({ length: 20 }, () => retryDelay(4)));
  assert.ok(delays.size > 1);
});

test("Retry-After in seconds or as a date", () => {
  assert.equal(retryAfterMs("3"), 3000);
  assert.equal(retryAfterMs("Wed, 25 Nov 2026 19:42:13 GMT", Date.parse("2026-11-25T19:42:10Z")), 3000);
  assert.equal(retryAfterMs(null), null);
  assert.equal(retryAfterMs("soon"), null);
});

test("Retry-After is honoured when longer than the backoff", () => {
  assert.equal(nextRetryDelay(0, 30_000, () => 0), 30_000);
  assert.equal(nextRetryDelay(3, 10, () => 0), 4000);
});
