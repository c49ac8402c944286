// This browser's push subscription, from the page: ask for permission only when the person turns
// a reminder on (or asks for a test), subscribe with the server's VAPID key, and send the
// subscription again on every start and sign-in, so the server always has the current one.

import { api } from "./api.js";
import { base64UrlToBytes } from "./base64url.js";
import { onChange } from "./changes.js";

function sameKey(buffer, key) {
  if (!buffer) return true; // the browser does not say: trust the subscription
  const a = new Uint8Array(buffer);
  const b = base64UrlToBytes(key);
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

// "unsupported" | "default" (not asked yet) | "granted" | "denied"
export function pushSupport() {
  if (!("serviceWorker" in navigator) || !("PushManager" in globalThis) || !("Notification" in globalThis)) return "unsupported";
  return Notification.permission;
}

async function currentSubscription({ create }) {
  const registration = await navigator.serviceWorker.ready;
  const { public_key: key } = await api("GET", "/push/key");
  let subscription = await registration.pushManager.getSubscription();
  let replace = false;
  if (subscription && !sameKey(subscription.options?.applicationServerKey, key)) {
    await subscription.unsubscribe().catch(() => {}); // made for a key the server no longer signs with
    subscription = null;
    replace = true;
  }
  if (!subscription && (create || replace)) {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) });
  }
  return subscription;
}

// Call from a tap: asks for permission if not yet asked, subscribes, saves it on the server.
// Returns the permission state ("granted" when notifications will arrive here).
export async function enableNotifications() {
  let state = pushSupport();
  if (state === "default") state = await Notification.requestPermission();
  if (state !== "granted") return state;
  const subscription = await currentSubscription({ create: true });
  await api("PUT", "/push/subscriptions", subscription.toJSON());
  return state;
}

export async function hasSubscription() {
  if (pushSupport() !== "granted") return false;
  const registration = await navigator.serviceWorker.ready;
  return Boolean(await registration.pushManager.getSubscription());
}

export async function disableNotifications() {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  await api("DELETE", "/push/subscriptions", { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}

// Only an existing subscription is sent: one turned off here stays off.
export async function resendSubscription() {
  if (pushSupport() !== "granted") return false;
  try {
    const subscription = await currentSubscription({ create: false });
    if (!subscription) return false;
    await api("PUT", "/push/subscriptions", subscription.toJSON());
    return true;
  } catch {
    return false; // signed out or offline: the next start or sign-in sends it
  }
}

export function keepSubscriptionFresh() {
  resendSubscription();
  onChange((detail) => {
    if (detail && detail.reason === "session") resendSubscription();
  });
}
