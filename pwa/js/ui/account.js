// Sign in, create an account, sign out. Everything logged before works without an account.

import { S } from "../strings.js";
import { ApiError, OfflineError } from "../api.js";
import { readDevice, updateDevice } from "../db.js";
import { deviceTimeZone } from "../local-date.js";
import { prepareSignOut, signIn, signOut, signUp } from "../session.js";
import { onChange } from "../changes.js";
import { requestSync } from "../sync/scheduler.js";
import { field, h, replaceChildren } from "./dom.js";
import { accountSettings } from "./account-settings.js";
import { deviceStorageStatus } from "./device-storage.js";
import { toast } from "./toast.js";
import { mountAccountSecurity } from "./account-security.js";

function messageFor(error) {
  if (error instanceof OfflineError) return S.account.offline;
  if (error instanceof ApiError && error.body?.message) return error.body.message;
  return S.account.failed;
}

function authForm(mode, onDone, onSwitch) {
  const signingUp = mode === "signup";
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true, autocapitalize: "none", spellcheck: false });
  const password = h("input", {
    type: "password", name: "password", required: true, minLength: signingUp ? 10 : null,
    autocomplete: signingUp ? "new-password" : "current-password",
  });
  const error = h("p", { class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, signingUp ? S.account.signUp : S.account.signIn);
  const form = h("form", { class: "card stack", "aria-labelledby": "auth-title", novalidate: true },
    h("h2", { id: "auth-title" }, signingUp ? S.account.signUpTitle : S.account.signInTitle),
    field(S.account.email, email),
    field(S.account.password, password, signingUp ? S.account.passwordHint : null),
    error,
    submit,
    h("button", { type: "button", class: "button link", onclick: onSwitch },
      signingUp ? S.account.switchToSignIn : S.account.switchToSignUp));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    for (const input of [email, password]) input.removeAttribute("aria-invalid");
    if (!form.checkValidity()) {
      for (const input of [email, password]) if (!input.checkValidity()) input.setAttribute("aria-invalid", "true");
      error.textContent = (email.validationMessage || password.validationMessage);
      return;
    }
    submit.disabled = true;
    try {
      const { outcome } = await (signingUp ? signUp : signIn)(email.value.trim(), password.value);
      toast(outcome.switched ? S.account.switched(outcome.parked) : S.account.welcome);
      requestSync();
      onDone();
    } catch (failure) {
      const fields = failure instanceof ApiError ? failure.fieldErrors : {};
      if (fields.email) email.setAttribute("aria-invalid", "true");
      if (fields.password) password.setAttribute("aria-invalid", "true");
      error.textContent = [messageFor(failure), ...Object.values(fields).flat()].join(" ");
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export function accountSection() {
  const section = h("section", { class: "account", "aria-labelledby": "account-title" });
  let mode = "signup";

  let shownSignedIn = null;

  async function render() {
    show(await readDevice());
  }

  // The session is learned after the screen is drawn (a reload straight onto More): draw again
  // when who is signed in changes, and only then, so a half-typed form is never wiped.
  const stopWatching = onChange(async (change) => {
    if (change?.reason !== "session") return;
    if (!section.isConnected && shownSignedIn !== null) { stopWatching(); return; }
    const device = await readDevice();
    if (Boolean(device.signed_in && device.user) !== shownSignedIn) show(device);
  });

  function show(device) {
    shownSignedIn = Boolean(device.signed_in && device.user);
    if (device.signed_in && device.user) {
      const notice = h("div", { "aria-live": "polite" });
      const signOutButton = h("button", { type: "button", class: "button secondary wide" }, S.account.signOut);
      signOutButton.addEventListener("click", async () => {
        signOutButton.disabled = true;
        try {
          const pending = await prepareSignOut();
          if (pending.entries > 0 && !navigator.onLine) {
            replaceChildren(notice, h("p", { class: "error" }, S.account.signOutOffline));
            return;
          }
          if (pending.entries > 0) {
            replaceChildren(notice, h("p", {}, S.account.signOutPending(pending.entries)),
              h("div", { class: "button-row" },
                h("button", { type: "button", class: "button primary", onclick: finishSignOut }, S.account.signOutConfirm),
                h("button", { type: "button", class: "button secondary", onclick: () => replaceChildren(notice) }, S.account.cancel)));
            return;
          }
          await finishSignOut();
        } finally {
          signOutButton.disabled = false;
        }
      });
      async function finishSignOut() {
        try {
          await signOut();
          toast(S.account.signedOut);
          render();
        } catch (failure) {
          replaceChildren(notice, h("p", { class: "error" }, failure instanceof OfflineError ? S.account.signOutOffline : messageFor(failure)));
        }
      }
      const refused = device.rejected || [];
      replaceChildren(section,
        h("h2", { id: "account-title" }, S.account.title),
        h("p", {}, S.account.signedInAs(device.user.email)),
        refused.length ? h("div", { class: "card red-flag" },
          h("p", {}, S.status.rejected(refused.length)),
          h("ul", {}, refused.map((r) => h("li", {}, `${S.entities[r.entity] || r.entity}: ${r.message}`))),
          h("button", {
            type: "button", class: "button secondary",
            onclick: async () => { await updateDevice({ rejected: [] }); render(); },
          }, S.account.dismiss)) : null,
        h("p", { class: "hint" }, S.account.timezone(deviceTimeZone())),
        h("div", { class: "button-row" },
          h("button", { type: "button", class: "button primary", onclick: () => requestSync() }, S.account.syncNow),
          signOutButton),
        notice,
        accountSettings(device.user, { onDeleted: render }),
        deviceStorageStatus(), // whether the browser keeps this device's copy (helper E, DESIGN §11)
        // Password and passkeys: helper B1's account-security.js mounts into this element.
        h("div", { id: "account-security" }));
    } else {
      replaceChildren(section,
        h("h2", { id: "account-title" }, S.account.title),
        h("p", { class: "hint" }, S.account.intro),
        authForm(mode, render, () => {
          mode = mode === "signup" ? "signin" : "signup";
          show(device);
          section.querySelector("input")?.focus();
        }));
    }
    mountAccountSecurity(section, device, render); // password, passkeys, reset, this device's copy (helper B1, §12)
  }
  render();
  return section;
}
