// The service worker's push module with fakes: what a notification shows, what its actions
// call, and how a changed subscription is renewed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { base64UrlToBytes } from "../../pwa/js/base64url.js";
import { notificationFor, openFromNotification, renewSubscription, showPushNotification } from "../../pwa/js/sw/push.js";

const ORIGIN = "https://twitchlog.example";
const OCCURRENCE = "0b6c1f5e-2f0a-4c55-9d1c-7a6e1c0b9a11";

function recorder(result = {}) {
  const calls = [];
  const call = async (...args) => {
    calls.push(args);
    if (result instanceof Error) throw result;
    return result;
  };
  return { calls, call };
}

function fakeClients(windows = []) {
  const opened = [];
  return {
    opened,
    matchAll: async () => windows,
    openWindow: async (url) => { opened.push(url); return { url }; },
  };
}

function clickEvent(action, data) {
  const notification = { data, closed: false, close() { this.closed = true; } };
  return { action, notification };
}

test("a reminder shows its actions, replaces an earlier one with its tag, and alerts again", () => {
  const { title, options } = notificationFor({
    title: "Evening check-in", body: "When you are ready", tag: "twitchlog-evening", url: "/#/checkin",
    kind: "evening", occurrence_id: OCCURRENCE,
    actions: [{ action: "snooze", title: "Snooze 15 min" }, { action: "done", title: "Done" }],
  });
  assert.equal(title, "Evening check-in");
  assert.equal(options.tag, "twitchlog-evening");
  assert.equal(options.renotify, true);
  assert.deepEqual(options.actions.map((a) => a.title), ["Snooze 15 min", "Done"]);
  assert.deepEqual(options.data, { url: "/#/checkin", kind: "evening", occurrence_id: OCCURRENCE });
});

test("a pacing prompt without actions in the payload still offers Snooze and I rested", () => {
  const { options } = notificationFor({ title: "Rest", kind: "pacing", occurrence_id: OCCURRENCE });
  assert.deepEqual(options.actions.map((a) => a.action), ["snooze", "done"]);
  assert.deepEqual(options.actions.map((a) => a.title), ["Snooze 15 min", "I rested"]);
  assert.equal(options.tag, "twitchlog-pacing");
});

test("a test or alert has no reminder actions and does not re-alert; junk in the payload is safe", () => {
  const { title, options } = notificationFor({ kind: "test", body: "works", actions: [{ nope: 1 }, "x"] });
  assert.equal(title, "Twitchlog");
  assert.deepEqual(options.actions, []);
  assert.equal(options.renotify, false);
  assert.deepEqual(notificationFor({}).options.data, { url: "/", kind: "message", occurrence_id: null });
});

test("showPushNotification reads the push data as JSON (or text)", async () => {
  const shown = [];
  const registration = { showNotification: async (title, options) => shown.push([title, options]) };
  await showPushNotification({ data: { json: () => ({ title: "Hi", kind: "test" }) } }, registration);
  await showPushNotification({ data: { json: () => { throw new SyntaxError("x"); }, text: () => "plain" } }, registration);
  await showPushNotification({ data: null }, registration);
  assert.deepEqual(shown.map(([title, o]) => [title, o.body]), [["Hi", ""], ["Twitchlog", "plain"], ["Twitchlog", ""]]);
});

for (const [action, path, body] of [["snooze", "snooze", { minutes: 15 }], ["done", "done", {}]]) {
  test(`"${action}" is answered through the API for every device, without opening a window`, async () => {
    const api = recorder();
    const clients = fakeClients();
    const event = clickEvent(action, { url: "/#/checkin", kind: "evening", occurrence_id: OCCURRENCE });
    await openFromNotification(event, { clients, origin: ORIGIN, call: api.call });
    assert.deepEqual(api.calls, [["POST", `/reminders/${OCCURRENCE}/${path}`, body]]);
    assert.deepEqual(clients.opened, []);
    assert.equal(event.notification.closed, true);
  });
}

test("an action that cannot reach the server opens the app instead", async () => {
  const api = recorder(new Error("offline"));
  const clients = fakeClients();
  await openFromNotification(clickEvent("done", { url: "/#/pacing", occurrence_id: OCCURRENCE }),
    { clients, origin: ORIGIN, call: api.call });
  assert.equal(api.calls.length, 1);
  assert.deepEqual(clients.opened, [`${ORIGIN}/#/pacing`]);
});

test("a tap on the notification focuses an open window on its screen, else opens one", async () => {
  const navigated = [];
  const open = { url: `${ORIGIN}/#/`, focus: async () => "focused", navigate: async (url) => navigated.push(url) };
  const api = recorder();
  const result = await openFromNotification(clickEvent("", { url: "/#/checkin", occurrence_id: OCCURRENCE }),
    { clients: fakeClients([open]), origin: ORIGIN, call: api.call });
  assert.equal(result, "focused");
  assert.deepEqual(navigated, [`${ORIGIN}/#/checkin`]);
  assert.deepEqual(api.calls, [], "opening is not an answer");
  const none = fakeClients([{ url: "https://elsewhere.example/", focus: async () => "wrong" }]);
  await openFromNotification(clickEvent("", { url: "/#/checkin" }), { clients: none, origin: ORIGIN, call: api.call });
  assert.deepEqual(none.opened, [`${ORIGIN}/#/checkin`]);
});

test("a changed subscription is saved and the old endpoint forgotten", async () => {
  const api = recorder();
  const fresh = { endpoint: "https://push.example/new", toJSON: () => ({ endpoint: "https://push.example/new", keys: {} }) };
  await renewSubscription({ newSubscription: fresh, oldSubscription: { endpoint: "https://push.example/old" } },
    { registration: {}, call: api.call });
  assert.deepEqual(api.calls, [
    ["PUT", "/push/subscriptions", { endpoint: "https://push.example/new", keys: {} }],
    ["DELETE", "/push/subscriptions", { endpoint: "https://push.example/old" }],
  ]);
});

test("a dropped subscription is made again with the server's key", async () => {
  const key = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
  const calls = [];
  const call = async (method, path, body) => {
    calls.push([method, path]);
    return method === "GET" ? { public_key: key } : null;
  };
  let options = null;
  const registration = { pushManager: { subscribe: async (o) => { options = o; return { endpoint: "e", toJSON: () => ({ endpoint: "e" }) }; } } };
  await renewSubscription({ newSubscription: null, oldSubscription: null }, { registration, call });
  assert.equal(options.userVisibleOnly, true);
  assert.deepEqual([...options.applicationServerKey], [...base64UrlToBytes(key)]);
  assert.equal(options.applicationServerKey.length, 65);
  assert.deepEqual(calls, [["GET", "/push/key"], ["PUT", "/push/subscriptions"]]);
});
