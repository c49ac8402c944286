// JSON over fetch to /api/v1, same-origin with the session cookie. Works in pages and workers.

import { retryAfterMs } from "./sync/backoff.js";

const TIMEOUT_MS = 30000;

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super((body && body.message) || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.fieldErrors = (body && body.errors) || {};
    this.retryAfter = retryAfter;
  }
}

export class OfflineError extends Error {
  constructor(cause) {
    super("The server could not be reached.");
    this.name = "OfflineError";
    this.cause = cause;
  }
}

export async function api(method, path, body) {
  const init = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json" },
    // A hung request must not hold the sync lock (and with it sign-in) forever.
    signal: AbortSignal.timeout(TIMEOUT_MS),
  };
  if (method !== "GET" && method !== "HEAD") {
    // The server wants every state-changing request as JSON, bodiless ones included.
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch (error) {
    throw new OfflineError(error);
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, data, retryAfterMs(response.headers.get("Retry-After")));
  }
  return data;
}
