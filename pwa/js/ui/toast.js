// One polite live region for confirmations, with an optional action (Undo, Add details).

import { h, replaceChildren } from "./dom.js";

const SHOW_MS = 7000;
let timer = null;

function region() {
  return document.getElementById("toast");
}

export function toast(message, actions = []) {
  const el = region();
  clearTimeout(timer);
  replaceChildren(el,
    h("p", { class: "toast-text" }, message),
    actions.length ? h("div", { class: "toast-actions" }, actions.map(({ label, run, ariaLabel }) => h("button", {
      type: "button", class: "button secondary", "aria-label": ariaLabel,
      onclick: () => { clearToast(); run(); },
    }, label))) : null);
  el.classList.add("shown");
  timer = setTimeout(clearToast, SHOW_MS);
}

export function clearToast() {
  clearTimeout(timer);
  const el = region();
  if (el.contains(document.activeElement)) document.getElementById("main")?.focus();
  el.classList.remove("shown");
  el.replaceChildren();
}
