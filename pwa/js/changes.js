// "Local data changed" news between this page, other tabs and the service worker.

const CHANNEL = "twitchlog-changes";
const local = new EventTarget();
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;

if (channel) {
  channel.unref?.(); // Node (unit tests) only: an open channel would keep the process alive
  channel.onmessage = (event) => local.dispatchEvent(new CustomEvent("change", { detail: event.data }));
}

export function announceChange(detail = {}) {
  channel?.postMessage(detail);
  local.dispatchEvent(new CustomEvent("change", { detail }));
}

export function onChange(listener) {
  const handler = (event) => listener(event.detail);
  local.addEventListener("change", handler);
  return () => local.removeEventListener("change", handler);
}
