// Reminders (DESIGN §5): the evening check-in and rest-break prompts, quiet hours, and whether
// this device shows notifications. Permission is asked only when a reminder is turned on.

import { api, ApiError, OfflineError } from "../api.js";
import { disableNotifications, enableNotifications, hasSubscription, pushSupport } from "../push-client.js";
import { R } from "../strings-reminders.js";
import { E } from "../strings-engines.js";
import { environment, pushNeedsInstall } from "../engines.js";
import { field, h, replaceChildren, selectControl, uid } from "./dom.js";
import { toast } from "./toast.js";

const STYLES = "/css/reminders.css";
const EVERY = [30, 45, 60, 75, 90, 105, 120, 150, 180, 210, 240];

function ensureStyles() {
  if (document.querySelector(`link[href="${STYLES}"]`)) return;
  document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: STYLES }));
}

function checkbox(labelText, checked, hint) {
  const id = uid("reminder");
  const input = h("input", { type: "checkbox", id, checked });
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return { input, element: h("div", {}, h("div", { class: "check" }, input, h("label", { for: id }, labelText)), hintEl) };
}

function timeInput(value) {
  return h("input", { type: "time", value, required: true, step: 60, class: "time" });
}

// The device part: what this browser will do, a test, and a way to stop it here.
function deviceSection() {
  const status = h("p", { role: "status" });
  const test = h("button", { type: "button", class: "button secondary wide" }, R.device.test);
  const off = h("button", { type: "button", class: "button link", hidden: true }, R.device.turnOff);

  async function refresh() {
    const support = pushSupport();
    const on = support === "granted" && (await hasSubscription().catch(() => false));
    status.textContent = support === "unsupported" ? (pushNeedsInstall(environment()) ? E.reminders.iosInstallFirst : R.device.unsupported)
      : support === "denied" ? R.device.blocked : on ? R.device.on : R.device.off;
    test.disabled = support === "unsupported" || support === "denied";
    off.hidden = !on;
  }

  test.addEventListener("click", async () => {
    test.disabled = true;
    try {
      if ((await enableNotifications()) !== "granted") {
        toast(R.device.testNone);
      } else {
        const { queued } = await api("POST", "/push/test");
        toast(queued ? R.device.testSent : R.device.testNone);
      }
    } catch {
      toast(R.device.testFailed);
    }
    await refresh();
  });
  off.addEventListener("click", async () => {
    await disableNotifications().catch(() => {});
    toast(R.device.turnedOff);
    await refresh();
    test.focus();
  });
  refresh();
  return {
    refresh,
    element: h("section", { class: "card stack", "aria-labelledby": "reminders-device-title" },
      h("h2", { id: "reminders-device-title" }, R.device.title), status, test, off),
  };
}

function settingsForm(settings, device) {
  const evening = checkbox(R.evening.enable, settings.evening.enabled, R.evening.hint);
  const eveningTime = timeInput(settings.evening.time);

  const pacing = checkbox(R.pacing.enable, settings.pacing.enabled, R.pacing.hint);
  const every = selectControl(EVERY.map((m) => [String(m), R.pacing.everyOption(m)]), String(settings.pacing.every_minutes));
  if (!EVERY.includes(settings.pacing.every_minutes)) {
    every.append(h("option", { value: String(settings.pacing.every_minutes), selected: true }, R.pacing.everyOption(settings.pacing.every_minutes)));
  }
  const activeFrom = timeInput(settings.pacing.active_from);
  const activeTo = timeInput(settings.pacing.active_to);
  const days = R.pacing.dayNames.map((name, day) => {
    const id = uid("day");
    const input = h("input", { type: "checkbox", id, value: String(day), checked: settings.pacing.days.includes(day) });
    return { input, element: h("li", { class: "check" }, input, h("label", { for: id }, name)) };
  });

  const quietOn = checkbox(R.quiet.enable, settings.quiet_hours !== null, R.quiet.hint);
  const quietFrom = timeInput(settings.quiet_hours ? settings.quiet_hours.from : "22:00");
  const quietTo = timeInput(settings.quiet_hours ? settings.quiet_hours.to : "07:00");

  const error = h("p", { class: "error", role: "alert" });
  const save = h("button", { type: "submit", class: "button primary wide" }, R.save);

  const sync = () => {
    eveningTime.disabled = !evening.input.checked;
    for (const control of [every, activeFrom, activeTo, ...days.map((d) => d.input)]) control.disabled = !pacing.input.checked;
    quietFrom.disabled = quietTo.disabled = !quietOn.input.checked;
  };
  // Turning a reminder on is the moment to ask for notifications, and not before.
  const turnedOn = async (event) => {
    sync();
    if (!event.target.checked) return;
    await enableNotifications().catch(() => null);
    await device.refresh();
  };
  evening.input.addEventListener("change", turnedOn);
  pacing.input.addEventListener("change", turnedOn);
  quietOn.input.addEventListener("change", sync);
  sync();

  const form = h("form", { class: "stack", "aria-label": R.title, novalidate: true },
    h("section", { class: "card", "aria-labelledby": "reminders-evening-title" },
      h("h2", { id: "reminders-evening-title" }, R.evening.title),
      evening.element, field(R.evening.time, eveningTime)),
    h("section", { class: "card", "aria-labelledby": "reminders-pacing-title" },
      h("h2", { id: "reminders-pacing-title" }, R.pacing.title),
      pacing.element, field(R.pacing.every, every),
      h("div", { class: "two-col" }, field(R.pacing.from, activeFrom), field(R.pacing.to, activeTo)),
      h("fieldset", { class: "days" }, h("legend", {}, R.pacing.days), h("ul", { class: "day-list" }, days.map((d) => d.element)))),
    h("section", { class: "card", "aria-labelledby": "reminders-quiet-title" },
      h("h2", { id: "reminders-quiet-title" }, R.quiet.title),
      quietOn.element,
      h("div", { class: "two-col" }, field(R.quiet.from, quietFrom), field(R.quiet.to, quietTo))),
    error, save);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const body = {
      burst: settings.burst, max_per_day: settings.max_per_day, // set on the Pacing screen (§13): kept as they are
      evening: { enabled: evening.input.checked, time: eveningTime.value },
      pacing: {
        enabled: pacing.input.checked, every_minutes: Number(every.value), active_from: activeFrom.value,
        active_to: activeTo.value, days: days.filter((d) => d.input.checked).map((d) => Number(d.input.value)),
      },
      quiet_hours: quietOn.input.checked ? { from: quietFrom.value, to: quietTo.value } : null,
    };
    save.disabled = true;
    save.textContent = R.saving;
    try {
      await api("PUT", "/reminders", body);
      toast(R.saved);
    } catch (failure) {
      error.textContent = failure instanceof OfflineError ? R.offline : R.saveFailed;
      const errors = failure instanceof ApiError ? failure.fieldErrors : {};
      const controls = { evening: [eveningTime], pacing: [every, activeFrom, activeTo], quiet_hours: [quietFrom, quietTo] };
      for (const section of Object.keys(errors)) for (const control of controls[section] || []) control.setAttribute("aria-invalid", "true");
    } finally {
      save.disabled = false;
      save.textContent = R.save;
    }
  });
  return form;
}

export function render(root) {
  ensureStyles();
  let alive = true;
  const body = h("div", { class: "stack", "aria-busy": "true" }, h("p", { class: "hint" }, R.loading));
  replaceChildren(root, h("h1", {}, R.title), h("p", {}, R.intro), body);

  async function load() {
    body.setAttribute("aria-busy", "true");
    try {
      const settings = await api("GET", "/reminders");
      if (!alive) return;
      const device = deviceSection();
      replaceChildren(body, settingsForm(settings, device), device.element);
    } catch (error) {
      if (!alive) return;
      if (error instanceof ApiError && error.status === 401) {
        replaceChildren(body, h("section", { class: "card stack" },
          h("p", {}, R.signedOut), h("a", { href: "#/more", class: "button secondary" }, R.signInLink)));
      } else {
        replaceChildren(body, h("div", { class: "card stack", role: "status" },
          h("p", {}, error instanceof OfflineError ? R.offline : R.failed),
          h("button", { type: "button", class: "button secondary", onclick: load }, R.retry)));
      }
    }
    body.setAttribute("aria-busy", "false");
  }
  load();
  return () => { alive = false; };
}
