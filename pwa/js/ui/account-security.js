// The account's security in settings (§12): password change, passkeys, removing this account's
// copy from the device; and on the sign-in screen: "Sign in with a passkey", "Forgot password?",
// why the app signed out, and work parked for an account that signed out. Mounted by account.js.

import { AC } from "../strings-account.js";
import { api, ApiError, OfflineError } from "../api.js";
import { announceChange } from "../changes.js";
import { parkedExpiry, parkedRows, pendingSummary, removeAccountData } from "../db.js";
import { signInWithPasskey } from "../session.js";
import { requestSync } from "../sync/scheduler.js";
import { withSyncLock } from "../sync/engine.js";
import { field, h, replaceChildren } from "./dom.js";
import { toast } from "./toast.js";
import { base64UrlToBytes } from "../base64url.js";

const canPasskey = () => typeof globalThis.PublicKeyCredential === "function" && !!navigator.credentials;

function messageFor(error) {
  if (error instanceof OfflineError) return AC.offline;
  if (error instanceof ApiError && error.body?.message) return error.body.message;
  return AC.failed;
}

function day(iso) {
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });
}

// --- WebAuthn JSON <-> objects (browsers without parse*FromJSON / toJSON) ------------------------

function bytesToBase64Url(buffer) {
  let text = "";
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: base64UrlToBytes(json.challenge),
    user: { ...json.user, id: base64UrlToBytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: base64UrlToBytes(c.id) })),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: base64UrlToBytes(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: base64UrlToBytes(c.id) })) };
}

function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: bytesToBase64Url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = bytesToBase64Url(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = bytesToBase64Url(r.authenticatorData);
    response.signature = bytesToBase64Url(r.signature);
    if (r.userHandle) response.userHandle = bytesToBase64Url(r.userHandle);
  }
  return { id: credential.id, rawId: bytesToBase64Url(credential.rawId), type: credential.type, response,
    clientExtensionResults: credential.getClientExtensionResults?.() || {},
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined };
}

function passkeyMessage(error) {
  if (error?.name === "NotAllowedError" || error?.name === "AbortError") return AC.passkeyCancelled;
  if (error instanceof ApiError || error instanceof OfflineError) return messageFor(error);
  return AC.passkeyFailed;
}

// --- signed out ----------------------------------------------------------------------------------

function passkeySignIn(onDone, error) {
  const button = h("button", { type: "button", class: "button secondary wide" }, AC.passkeySignIn);
  button.addEventListener("click", async () => {
    button.disabled = true;
    error.textContent = "";
    try {
      const options = await api("POST", "/auth/passkeys/login/options", {});
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      await signInWithPasskey(credentialJSON(credential));
      requestSync();
      onDone();
    } catch (failure) {
      error.textContent = passkeyMessage(failure);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function forgotForm(onBack) {
  const email = h("input", { type: "email", name: "reset-email", autocomplete: "email", required: true, autocapitalize: "none", spellcheck: false });
  const status = h("p", { role: "status" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, AC.forgotSend);
  const form = h("form", { class: "card stack", "aria-labelledby": "forgot-title", novalidate: true },
    h("h2", { id: "forgot-title" }, AC.forgotTitle),
    h("p", { class: "hint" }, AC.forgotIntro),
    field(AC.forgotEmail, email),
    status,
    submit,
    h("button", { type: "button", class: "button link", onclick: onBack }, AC.forgotBack));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    email.removeAttribute("aria-invalid");
    if (!email.checkValidity()) {
      email.setAttribute("aria-invalid", "true");
      status.textContent = email.validationMessage;
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/auth/password-reset", { email: email.value.trim() });
      status.textContent = AC.forgotSent(email.value.trim());
    } catch (failure) {
      status.textContent = messageFor(failure);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function parkedNotice(rerender) {
  const rows = await parkedRows().catch(() => []);
  const entries = rows.reduce((sum, row) => sum + row.mutations.length, 0);
  if (!entries) return null;
  const until = new Date(Math.max(...rows.map(parkedExpiry))).toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });
  return h("div", { class: "card stack", "data-parked": String(entries) },
    h("p", {}, AC.parkedWaiting(entries, until)),
    h("button", {
      type: "button", class: "button secondary",
      onclick: async () => {
        await withSyncLock(() => removeAccountData(null));
        toast(AC.parkedRemoved);
        rerender();
      },
    }, AC.parkedRemove));
}

function mountSignedOut(section, device, rerender) {
  const authForm = section.querySelector("form");
  if (device.notice === "signed-out-elsewhere") {
    section.querySelector("h2")?.after(h("p", { class: "card", role: "status" }, AC.signedOutElsewhere));
  }
  const error = h("p", { class: "error", role: "alert" });
  const extras = h("div", { class: "stack account-extras" },
    canPasskey() ? passkeySignIn(rerender, error) : null,
    error,
    h("button", { type: "button", class: "button link", onclick: showForgot }, AC.forgot));
  const parked = h("div", {});
  section.append(extras, parked);
  parkedNotice(rerender).then((notice) => { if (notice) parked.append(notice); });

  function showForgot() {
    authForm.hidden = true;
    extras.hidden = true;
    const form = forgotForm(() => {
      form.remove();
      authForm.hidden = false;
      extras.hidden = false;
      extras.querySelector("button.link")?.focus();
    });
    extras.after(form);
    form.querySelector("input").focus();
  }
}

// --- signed in -----------------------------------------------------------------------------------

function passwordForm() {
  const current = h("input", { type: "password", name: "current-password", autocomplete: "current-password", required: true });
  const next = h("input", { type: "password", name: "new-password", autocomplete: "new-password", required: true, minLength: 10 });
  const status = h("p", { role: "status" });
  const submit = h("button", { type: "submit", class: "button secondary" }, AC.changePassword);
  const form = h("form", { class: "card stack", "aria-labelledby": "password-title", novalidate: true },
    h("h2", { id: "password-title" }, AC.passwordTitle),
    field(AC.currentPassword, current),
    field(AC.newPassword, next, AC.newPasswordHint),
    status,
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    for (const input of [current, next]) input.removeAttribute("aria-invalid");
    if (!form.checkValidity()) {
      for (const input of [current, next]) if (!input.checkValidity()) input.setAttribute("aria-invalid", "true");
      status.textContent = current.validationMessage || next.validationMessage;
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/auth/password", { current_password: current.value, new_password: next.value });
      form.reset();
      status.textContent = AC.passwordChanged;
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 403) {
        current.setAttribute("aria-invalid", "true");
        status.textContent = AC.wrongPassword;
      } else {
        if (failure instanceof ApiError && failure.fieldErrors.new_password) next.setAttribute("aria-invalid", "true");
        status.textContent = messageFor(failure);
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function passkeysCard() {
  const list = h("ul", { class: "passkey-list" });
  const status = h("p", { role: "status" });
  const add = h("button", { type: "button", class: "button secondary" }, AC.passkeyAdd);
  const card = h("section", { class: "card stack", "aria-labelledby": "passkeys-title" },
    h("h2", { id: "passkeys-title" }, AC.passkeysTitle),
    h("p", { class: "hint" }, AC.passkeysIntro),
    list, status, add);
  let count = 0;

  async function load() {
    try {
      const passkeys = await api("GET", "/auth/passkeys");
      count = passkeys.length;
      replaceChildren(list, passkeys.length ? passkeys.map((p) => h("li", { class: "passkey" },
        h("span", {}, h("strong", {}, p.label), h("br"), h("span", { class: "hint" }, AC.passkeyAddedOn(day(p.created_at)))),
        h("button", {
          type: "button", class: "button small secondary", "aria-label": AC.passkeyRemove(p.label),
          onclick: () => remove(p),
        }, AC.remove))) : h("li", { class: "hint" }, AC.passkeysNone));
    } catch (failure) {
      status.textContent = messageFor(failure);
    }
  }

  async function remove(passkey) {
    try {
      await api("DELETE", `/auth/passkeys/${encodeURIComponent(passkey.id)}`);
      status.textContent = AC.passkeyRemoved;
      await load();
    } catch (failure) {
      status.textContent = messageFor(failure);
    }
  }

  add.addEventListener("click", async () => {
    add.disabled = true;
    status.textContent = "";
    try {
      const options = await api("POST", "/auth/passkeys/register/options", {});
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      await api("POST", "/auth/passkeys/register", { credential: credentialJSON(credential), label: AC.passkeyLabel(count + 1) });
      status.textContent = AC.passkeyAdded;
      await load();
    } catch (failure) {
      status.textContent = passkeyMessage(failure);
    } finally {
      add.disabled = false;
    }
  });
  load();
  return card;
}

function deviceCard(device, rerender) {
  const notice = h("div", { "aria-live": "polite" });
  const remove = h("button", { type: "button", class: "button secondary" }, AC.removeData);

  async function confirmRemoval() {
    try {
      await api("POST", "/auth/logout", {});
    } catch {
      // Offline: the copy goes anyway; the session ends the next time the server sees it, or on expiry.
    }
    await withSyncLock(() => removeAccountData(device.owner));
    announceChange({ reason: "session" });
    toast(AC.removeDataDone);
    rerender();
  }

  remove.addEventListener("click", async () => {
    const pending = await pendingSummary().catch(() => ({ entries: 0 }));
    replaceChildren(notice,
      h("p", {}, AC.removeDataIntro),
      pending.entries > 0 ? h("p", { class: "error" }, AC.removeDataPending(pending.entries)) : null,
      h("div", { class: "button-row" },
        h("button", { type: "button", class: "button danger", onclick: confirmRemoval }, AC.removeDataConfirm),
        h("button", { type: "button", class: "button secondary", onclick: () => replaceChildren(notice) }, AC.cancel)));
    notice.querySelector("button")?.focus();
  });
  return h("section", { class: "card stack", "aria-labelledby": "device-title" },
    h("h2", { id: "device-title" }, AC.deviceTitle), remove, notice);
}

function mountSignedIn(section, device, rerender) {
  let host = section.querySelector("#account-security");
  if (!host) {
    host = h("div", { id: "account-security" });
    section.append(host);
  }
  replaceChildren(host, passwordForm(), canPasskey() ? passkeysCard() : null, deviceCard(device, rerender));
}

// account.js calls this after each render of the account section.
export function mountAccountSecurity(section, device, rerender) {
  if (device.signed_in && device.user) mountSignedIn(section, device, rerender);
  else mountSignedOut(section, device, rerender);
}
