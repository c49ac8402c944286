// Account settings of a signed-in person (issue 10): name on reports, calm mode, when the day
// ends, taking the data along (JSON, CSV per entity, FHIR), deleting the account. Each setting
// is saved at once with PATCH /api/v1/me and kept with this device's copy of the account.

import { A } from "../strings-screens.js";
import { S } from "../strings.js";
import { api, ApiError, OfflineError } from "../api.js";
import { forgetAccount, updateDevice } from "../db.js";
import { announceChange } from "../changes.js";
import { withSyncLock } from "../sync/engine.js";
import { field, h, uid } from "./dom.js";
import { toast } from "./toast.js";

const DAY_STARTS = ["00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00"];
const EXPORT_ENTITIES = ["twitch", "checkin", "symptom", "activity", "intake"];

function problem(error) {
  if (error instanceof OfflineError) return S.account.offline;
  if (error instanceof ApiError && error.body?.message) {
    const fields = Object.values(error.fieldErrors || {}).flat();
    return [error.body.message, ...fields].join(" ");
  }
  return S.account.failed;
}

// PATCH /me, then keep the answer as this device's copy, so screens (calm mode) follow at once.
async function saveMe(changes, status) {
  status.textContent = "";
  try {
    const user = await api("PATCH", "/me", changes);
    await updateDevice({ user });
    announceChange({ reason: "settings" });
    status.textContent = A.account.saved;
    return user;
  } catch (error) {
    status.textContent = problem(error);
    return null;
  }
}

function nameSection(user) {
  const status = h("p", { class: "hint", role: "status" });
  const input = h("input", { type: "text", maxLength: 100, autocomplete: "name", value: user.display_name || "" });
  const form = h("form", { class: "stack", novalidate: true },
    field(A.account.displayName, input, A.account.displayNameHint),
    h("button", { type: "submit", class: "button secondary" }, A.account.saveName),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await saveMe({ display_name: input.value.trim() || null }, status)) status.textContent = A.account.nameSaved;
  });
  return form;
}

function calmSection(user) {
  const status = h("p", { class: "hint", role: "status" });
  const id = uid("calm");
  const hintId = `${id}-hint`;
  const box = h("input", { type: "checkbox", id, checked: user.calm_mode === true, "aria-describedby": hintId });
  box.addEventListener("change", async () => {
    if (!(await saveMe({ calm_mode: box.checked }, status))) box.checked = !box.checked;
  });
  return h("div", {},
    h("div", { class: "check" }, box, h("label", { for: id }, A.account.calm)),
    h("p", { class: "hint", id: hintId }, A.account.calmHint),
    status);
}

function dayStartSection(user) {
  const status = h("p", { class: "hint", role: "status" });
  const current = user.day_starts_at || "00:00";
  const options = DAY_STARTS.includes(current) ? DAY_STARTS : [...DAY_STARTS, current].sort();
  const select = h("select", {}, options.map((hhmm) => h("option", { value: hhmm, selected: hhmm === current }, A.account.dayStartOption(hhmm))));
  select.addEventListener("change", () => saveMe({ day_starts_at: select.value }, status));
  return h("div", {}, field(A.account.dayStart, select, A.account.dayStartHint), status);
}

function exportSection() {
  const link = (href, label) => h("li", {}, h("a", { class: "button secondary wide", href, download: "" }, label));
  return h("section", { "aria-labelledby": "export-title" },
    h("h3", { id: "export-title" }, A.account.exportTitle),
    h("ul", { class: "link-list" },
      link("/api/v1/export?format=json", A.account.exportJson),
      EXPORT_ENTITIES.map((entity) => link(`/api/v1/export?format=csv&entity=${entity}`,
        A.account.exportCsv(S.entities[entity][0].toUpperCase() + S.entities[entity].slice(1)))),
      link("/api/v1/export?format=fhir", A.account.exportFhir)));
}

function deleteSection(onDeleted) {
  const password = h("input", { type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button danger" }, A.account.deleteConfirm);
  const form = h("form", { class: "stack", novalidate: true },
    h("p", {}, A.account.deleteIntro),
    field(A.account.deletePassword, password),
    error,
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!password.value) {
      password.setAttribute("aria-invalid", "true");
      error.textContent = A.account.deletePassword;
      return;
    }
    submit.disabled = true;
    try {
      await api("DELETE", "/me", { password: password.value });
      await withSyncLock(() => forgetAccount());
      announceChange({ reason: "session" });
      toast(A.account.deleted);
      onDeleted();
    } catch (failure) {
      password.setAttribute("aria-invalid", "true");
      error.textContent = failure instanceof ApiError && failure.status === 403 ? A.account.wrongPassword : problem(failure);
    } finally {
      submit.disabled = false;
    }
  });
  return h("details", { class: "danger-zone" }, h("summary", {}, A.account.deleteStart), form);
}

// The settings block of the signed-in account; `onDeleted` redraws the account section.
export function accountSettings(user, { onDeleted }) {
  return h("section", { class: "settings stack", "aria-labelledby": "settings-title" },
    h("h2", { id: "settings-title" }, A.account.settings),
    nameSection(user),
    calmSection(user),
    dayStartSection(user),
    exportSection(),
    h("section", { "aria-labelledby": "delete-title" },
      h("h3", { id: "delete-title" }, A.account.deleteTitle),
      deleteSection(onDeleted)));
}
