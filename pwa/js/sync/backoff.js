// Retry timing after a failed sync: exponential, capped, with jitter so devices don't stampede.
// The cap is the page's promise in DESIGN §11: without Background Sync (WebKit, Gecko) the retry
// timer is all there is while the app is open and work waits, so never more than 60 s between
// tries, whatever the attempt or a server's Retry-After.

export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 60 * 1000;

// "Equal jitter": half the exponential step, plus a random share of the other half.
export function retryDelay(attempt, random = Math.random, base = BASE_DELAY_MS, cap = MAX_DELAY_MS) {
  const step = Math.min(cap, base * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + random() * (step / 2));
}

// Retry-After in seconds or as an HTTP date; null when absent or unreadable.
export function retryAfterMs(header, nowMs = Date.now()) {
  if (header == null || header === "") return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

// The retry timer's schedule: attempt n (0-based) -> milliseconds until the next try.
export function nextRetryDelay(attempt, retryAfter, random = Math.random) {
  const delay = retryDelay(attempt, random);
  return retryAfter == null ? delay : Math.min(MAX_DELAY_MS, Math.max(delay, retryAfter));
}
