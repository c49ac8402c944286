// The password-reset screen, opened by the emailed link /reset#<token> (§12). The token lives only
// in the URL's fragment, which browsers never send to a server; it is taken into memory here and
// the address goes back to "/" at once, so it stays out of history, bookmarks and screenshots.

import { AC } from "../strings-account.js";
import { api, ApiError, OfflineError } from "../api.js";
import { field, h, replaceChildren } from "./dom.js";

export function render(root) {
  const token = location.hash.replace(/^#/, "");
  history.replaceState(null, "", "/");
  const goSignIn = () => { location.hash = "#/more"; };
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) {
    replaceChildren(root, h("section", { class: "stack" },
      h("h1", {}, AC.resetTitle),
      h("p", { role: "alert" }, AC.resetNoLink),
      h("button", { type: "button", class: "button primary", onclick: goSignIn }, AC.resetGoSignIn)));
    return null;
  }
  const password = h("input", { type: "password", name: "new-password", autocomplete: "new-password", required: true, minLength: 10 });
  const status = h("p", { role: "status" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, AC.resetSave);
  const form = h("form", { class: "card stack", novalidate: true },
    field(AC.newPassword, password, AC.resetHint), status, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    password.removeAttribute("aria-invalid");
    if (!password.checkValidity()) {
      password.setAttribute("aria-invalid", "true");
      status.textContent = password.validationMessage;
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/auth/password-reset/confirm", { token, new_password: password.value });
      replaceChildren(form,
        h("p", { role: "status" }, AC.resetDone),
        h("button", { type: "button", class: "button primary wide", onclick: goSignIn }, AC.resetGoSignIn));
      form.querySelector("button").focus();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 400 && failure.fieldErrors.token) status.textContent = AC.resetBad;
      else if (failure instanceof OfflineError) status.textContent = AC.offline;
      else status.textContent = failure?.body?.message || AC.failed;
    } finally {
      submit.disabled = false;
    }
  });
  replaceChildren(root, h("section", { class: "stack" },
    h("h1", { id: "reset-title" }, AC.resetTitle),
    h("p", { class: "hint" }, AC.resetIntro),
    form));
  return null;
}
