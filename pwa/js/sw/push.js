// Push and notification clicks. A minimal stub: show what the server sends, open its URL.
// The reminders capability fills in actions (snooze, done) answered through the API.

import { S } from "../strings.js";

function payloadOf(event) {
  if (!event.data) return {};
  try {
    return event.data.json() || {};
  } catch {
    return { body: event.data.text() };
  }
}

// Payload: {title, body, tag, url, actions: [{action, title}]}.
export function showPushNotification(event) {
  const payload = payloadOf(event);
  return self.registration.showNotification(payload.title || S.appName, {
    body: payload.body || "",
    tag: payload.tag,
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-maskable-192.png",
    data: { url: payload.url || "/" },
    actions: Array.isArray(payload.actions) ? payload.actions : [],
  });
}

export async function openFromNotification(event) {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/", self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin === self.location.origin && "focus" in client) {
      if (client.url !== url && "navigate" in client) await client.navigate(url).catch(() => {});
      return client.focus();
    }
  }
  return self.clients.openWindow(url);
}
