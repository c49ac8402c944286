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

test("the retry timer never waits more than 60 s while work waits (DESIGN §11)", () => {
  assert.equal(MAX_DELAY_MS, 60_000);
  for (const random of [() => 0, () => 0.5, () => 0.999999, Math.random]) {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      for (const retryAfter of [null, 0, 5_000, 120_000, 3_600_000]) {
        const delay = nextRetryDelay(attempt, retryAfter, random);
        assert.ok(delay > 0 || retryAfter === 0, `attempt ${attempt}: ${delay}`);
        assert.ok(delay <= 60_000, `attempt ${attempt}, Retry-After ${retryAfter}: ${delay}`);
      }
    }
  }
});

test("the schedule: quick first tries, then about once a minute", () => {
  const top = (n) => nextRetryDelay(n, null, () => 1);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map(top), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  const low = (n) => nextRetryDelay(n, null, () => 0);
  assert.equal(low(20), 30_000, "jitter keeps devices apart, never below half the cap");
  const total = Array.from({ length: 10 }, (_, n) => top(n)).reduce((a, b) => a + b, 0);
  assert.ok(total < 6 * 60_000, "ten tries within six minutes, where a 5-minute cap took over twenty");
});
