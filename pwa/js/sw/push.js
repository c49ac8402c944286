// Push, notification clicks and subscription changes (DESIGN §5). The worker shows what the
// server sends; a notification's actions are answered through the API, so every device agrees.
// Each function takes what it touches (registration, clients, the API) so node can test it.

import { api } from "../api.js";
import { base64UrlToBytes } from "../base64url.js";
import { R } from "../strings-reminders.js";

export const SNOOZE_MINUTES = 15;
const REMINDERS = new Set(["evening", "pacing"]);
const ANSWERS = {
  snooze: { path: "snooze", body: { minutes: SNOOZE_MINUTES } },
  done: { path: "done", body: {} },
};

function payloadOf(data) {
  if (!data) return {};
  try {
    return data.json() || {};
  } catch {
    return { body: data.text() };
  }
}

function actionsFor(payload, kind) {
  const sent = Array.isArray(payload.actions)
    ? payload.actions.filter((a) => a && typeof a.action === "string" && typeof a.title === "string")
    : [];
  if (sent.length) return sent.slice(0, 2);
  if (!REMINDERS.has(kind) || !payload.occurrence_id) return [];
  return [
    { action: "snooze", title: R.notification.snooze },
    { action: "done", title: kind === "pacing" ? R.notification.rested : R.notification.done },
  ];
}

// Payload {title, body, tag, url, kind, occurrence_id, actions} -> showNotification's arguments.
export function notificationFor(payload) {
  const kind = typeof payload.kind === "string" ? payload.kind : "message";
  return {
    title: payload.title || R.notification.fallbackTitle,
    options: {
      body: payload.body || "",
      tag: payload.tag || `twitchlog-${kind}`, // one per kind on screen: a repeat replaces, never stacks
      renotify: REMINDERS.has(kind), // a snoozed prompt that comes back should be noticed again
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-maskable-192.png",
      data: { url: payload.url || "/", kind, occurrence_id: payload.occurrence_id || null },
      actions: actionsFor(payload, kind),
    },
  };
}

export function showPushNotification(event, registration = self.registration) {
  const { title, options } = notificationFor(payloadOf(event.data));
  return registration.showNotification(title, options);
}

// "Snooze 15 min" and "Done"/"I rested" go to the API with the session cookie; anything else,
// or an answer that fails (offline, signed out), opens the notification's screen.
export async function openFromNotification(event, { clients = self.clients, origin = self.location.origin, call = api } = {}) {
  const notification = event.notification;
  const data = notification.data || {};
  notification.close();
  const answer = ANSWERS[event.action];
  if (answer && data.occurrence_id) {
    try {
      await call("POST", `/reminders/${encodeURIComponent(data.occurrence_id)}/${answer.path}`, answer.body);
      return null;
    } catch {
      // fall through: the person can act in the app
    }
  }
  return openWindow(openPath(data), clients, origin);
}

// Where a tap on the notification (or an answer that failed) lands: a reminder opens its own
// prompt in the app, with the same snooze and done choices (iOS and macOS show no buttons).
export function openPath(data) {
  if (REMINDERS.has(data.kind) && data.occurrence_id) {
    return `/#/prompt/${encodeURIComponent(data.occurrence_id)}?kind=${data.kind}`;
  }
  return data.url || "/";
}

async function openWindow(path, clients, origin) {
  const url = new URL(path, origin).href;
  const windows = await clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin === origin && "focus" in client) {
      if (client.url !== url && "navigate" in client) await client.navigate(url).catch(() => {});
      return client.focus();
    }
  }
  return clients.openWindow(url);
}

// The push service replaced or dropped this browser's subscription: subscribe again with the
// server's key and save it, so reminders keep arriving without the app being opened.
export async function renewSubscription(event, { registration = self.registration, call = api } = {}) {
  let fresh = event.newSubscription;
  if (!fresh) {
    const { public_key: key } = await call("GET", "/push/key");
    fresh = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) });
  }
  await call("PUT", "/push/subscriptions", fresh.toJSON());
  const old = event.oldSubscription;
  if (old && old.endpoint !== fresh.endpoint) {
    await call("DELETE", "/push/subscriptions", { endpoint: old.endpoint }).catch(() => {});
  }
}
