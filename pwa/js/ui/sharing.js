// Sharing (DESIGN §6): make a caregiver invitation or a clinician link with chosen scopes and an
// end date, see the secret once, see every share with its access log, and stop any at once.

import { api, ApiError, OfflineError } from "../api.js";
import { readDevice } from "../db.js";
import { watchSignedIn } from "../session.js";
import { T } from "../strings-insights.js";
import { P } from "../strings-people.js";
import { TRUST } from "../strings-trust.js";
import { choiceGroup, field, h, replaceChildren, selectControl, uid } from "./dom.js";
import { failureNotice, signedOutNotice } from "./insights.js";
import { ensureStyles } from "./insights-styles.js";
import { shortDate } from "./insights-view.js";
import { ensurePeopleStyles } from "./people-styles.js";
import { toast } from "./toast.js";

const SCOPES = ["summary", "events", "checkins", "symptoms", "notes", "alerts"];
const LAST_CHOICE = "twitchlog:share-form";
const DAYS = T.sharing.expiryOptions.map(([d]) => String(d));

// What was chosen at the last share made on this device (kind, scopes, days); never the label.
function lastChoice() {
  try {
    const saved = JSON.parse(localStorage.getItem(LAST_CHOICE) || "null");
    if (!saved || !["caregiver", "link"].includes(saved.kind) || !Array.isArray(saved.scopes)) return null;
    const scopes = saved.scopes.filter((scope) => SCOPES.includes(scope));
    return { kind: saved.kind, scopes, days: DAYS.includes(String(saved.days)) ? String(saved.days) : "30" };
  } catch {
    return null;
  }
}

function rememberChoice(kind, scopes, days) {
  try {
    localStorage.setItem(LAST_CHOICE, JSON.stringify({ kind, scopes, days }));
  } catch {
    // Storage blocked: the form starts from its defaults next time.
  }
}
const dateTime = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });

function when(instant) {
  return dateTime.format(new Date(instant));
}

function statusOf(share, now = new Date()) {
  if (share.revoked_at) return "revoked";
  return new Date(share.expires_at) <= now ? "expired" : "active";
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast(T.sharing.copied);
  } catch {
    // No clipboard permission: the text stays selected in its field for a manual copy.
  }
}

// The phone's own share sheet (Messages, mail, AirDrop...) where the browser has one.
async function shareSheet(text, url) {
  try {
    await navigator.share({ title: P.share.shareTitle, text, url });
  } catch (error) {
    if (error?.name !== "AbortError") copy(url); // the sheet failed: copying is the next best thing
  }
}

function secretField(labelText, value, shareText) {
  const input = h("input", { type: "text", readOnly: true, value, class: "secret", spellcheck: false });
  input.addEventListener("focus", () => input.select());
  const canShare = shareText && typeof navigator.share === "function";
  return h("div", { class: "stack" }, field(labelText, input),
    h("div", { class: "share-actions" },
      canShare ? h("button", { type: "button", class: "button primary", onclick: () => shareSheet(shareText, value) },
        P.share.shareButton, h("span", { class: "visually-hidden" }, ` ${labelText}`)) : null,
      h("button", { type: "button", class: canShare ? "button secondary" : "button primary", onclick: () => copy(value) },
        T.sharing.copy, h("span", { class: "visually-hidden" }, ` ${labelText}`))));
}

// A clinician link as a QR code, drawn on this device when asked for (the link is a secret).
function qrDisclosure(url) {
  const slot = h("div", { class: "qr" });
  const details = h("details", { class: "qr-details" }, h("summary", {}, P.share.qrTitle), slot);
  details.addEventListener("toggle", async () => {
    if (!details.open || slot.firstChild) return;
    const { qrSvg } = await import("./share-qr.js");
    replaceChildren(slot, h("div", { class: "qr-code" }, qrSvg(url, P.share.qrAlt)), h("p", { class: "hint" }, P.share.qrHint));
  });
  return details;
}

// What the person sees once, right after making a share.
function createdCard(share, onDone) {
  const origin = location.origin;
  const caregiver = share.kind === "caregiver";
  const card = h("section", { class: "card stack", id: "share-created", tabindex: -1, "aria-labelledby": "share-created-title" },
    h("h2", { id: "share-created-title" }, caregiver ? T.sharing.createdCaregiver : T.sharing.createdLink),
    h("p", {}, caregiver ? T.sharing.caregiverHow : T.sharing.linkHow),
    caregiver
      ? [secretField(T.sharing.inviteField, `${origin}/#/caregiver?accept=${encodeURIComponent(share.token)}`, P.share.shareInvite),
        secretField(T.sharing.codeField, share.token)]
      : [secretField(T.sharing.linkField, `${origin}${share.url}`, P.share.shareLink), qrDisclosure(`${origin}${share.url}`)],
    h("button", { type: "button", class: "button primary", onclick: onDone }, T.sharing.done));
  return card;
}

function shareForm(onCreated) {
  const last = lastChoice();
  let kind = last?.kind || "caregiver";
  const checks = new Map();
  const error = h("p", { class: "error", role: "alert" });
  const scopeItems = SCOPES.map((scope) => {
    const id = uid("scope");
    const input = h("input", { type: "checkbox", id, value: scope, checked: last ? last.scopes.includes(scope) : scope === "summary" });
    checks.set(scope, input);
    const [name, hint] = T.sharing.scopes[scope];
    const hintId = `${id}-hint`;
    input.setAttribute("aria-describedby", hintId);
    return h("li", { dataset: { scope } },
      h("div", { class: "check" }, input, h("label", { for: id }, name)),
      h("p", { class: "hint", id: hintId }, hint));
  });
  const alertsItem = scopeItems[SCOPES.indexOf("alerts")];
  // The missed-days alert (§13 quiet_alert_days): only for a caregiver who gets alerts.
  const quietAlert = selectControl(P.share.quietAlertOptions, "");
  const quietField = field(P.share.quietAlert, quietAlert, P.share.quietAlertHint);
  const showQuiet = () => { quietField.hidden = kind === "link" || !checks.get("alerts").checked; };
  checks.get("alerts").addEventListener("change", showQuiet);
  alertsItem.hidden = kind === "link";
  const expiry = selectControl(T.sharing.expiryOptions.map(([d, label]) => [String(d), label]), last?.days || "30");
  const label = h("input", { type: "text", maxLength: 100, autocomplete: "off" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, T.sharing.create);
  const form = h("form", { class: "card stack", "aria-labelledby": "share-new-title", novalidate: true },
    h("h2", { id: "share-new-title" }, T.sharing.newShare),
    last ? h("p", { class: "remembered" }, P.share.remembered) : null,
    choiceGroup({
      legend: T.sharing.who, name: "share-kind", value: kind, className: "stacked",
      options: Object.entries(T.sharing.kinds),
      onchange: (value) => {
        kind = value;
        alertsItem.hidden = kind === "link";
        if (kind === "link") checks.get("alerts").checked = false;
        showQuiet();
      },
    }),
    h("fieldset", { class: "choices" }, h("legend", {}, T.sharing.what), h("ul", { class: "scope-list" }, scopeItems)),
    quietField,
    field(T.sharing.expires, expiry),
    field(T.sharing.label, label, T.sharing.labelHint),
    error,
    submit);
  showQuiet();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const scopes = SCOPES.filter((scope) => checks.get(scope).checked && !(kind === "link" && scope === "alerts"));
    if (!scopes.length) {
      error.textContent = T.sharing.chooseScope;
      return;
    }
    if (scopes.includes("notes") && !scopes.some((s) => ["summary", "events", "checkins", "symptoms"].includes(s))) {
      error.textContent = T.sharing.notesAlone;
      return;
    }
    submit.disabled = true;
    try {
      const body = { kind, scopes, expires_in_days: Number(expiry.value) };
      if (label.value.trim()) body.label = label.value.trim();
      if (kind === "caregiver" && scopes.includes("alerts") && quietAlert.value) body.quiet_alert_days = Number(quietAlert.value);
      const share = await api("POST", "/shares", body);
      rememberChoice(kind, scopes, expiry.value);
      label.value = "";
      onCreated(share);
    } catch (failure) {
      error.textContent = failure instanceof OfflineError ? T.offline : (failure.body?.message || T.failed);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function accessLog(share) {
  const list = h("div", {}, h("p", { class: "hint" }, T.loading));
  const details = h("details", { class: "access-log" },
    h("summary", { "aria-label": T.sharing.logLabel(share.label || T.sharing.untitled(share.kind)) }, T.sharing.log), list);
  details.addEventListener("toggle", async () => {
    if (!details.open) return;
    try {
      const entries = await api("GET", `/shares/${share.id}/accesses`);
      replaceChildren(list, entries.length
        ? h("ol", {}, entries.map((e) => h("li", {}, `${when(e.at)} · ${T.sharing.what_[e.what] || e.what}`)))
        : h("p", {}, T.sharing.logEmpty));
    } catch (error) {
      replaceChildren(list, h("p", {}, error instanceof OfflineError ? T.offline : T.failed));
    }
  });
  return details;
}

function shareItem(share, onStop) {
  const status = statusOf(share);
  const name = share.label || T.sharing.untitled(share.kind);
  const scopes = share.scopes.map((s) => T.sharing.scopes[s][0]).join(", ");
  return h("li", { class: "share-item", dataset: { shareId: share.id, status } },
    h("h3", {}, name),
    h("p", { class: "share-meta" },
      h("span", { class: `share-status-${status}` }, T.sharing.status[status]), " · ",
      T.sharing.kindName[share.kind], " · ", scopes),
    h("p", { class: "share-meta" }, T.sharing.created(shortDate(share.created_at.slice(0, 10))), " · ",
      status === "active" ? T.sharing.endsOn(shortDate(share.expires_at.slice(0, 10)))
        : T.sharing.endedOn(shortDate((share.revoked_at || share.expires_at).slice(0, 10)))),
    h("p", { class: "share-meta" }, T.sharing.uses(share.access_count, share.last_access_at ? when(share.last_access_at) : "")),
    share.kind === "caregiver" ? h("p", { class: "share-meta share-accepted" }, share.accepted_by
      ? TRUST.sharing.acceptedBy(share.accepted_by.email, when(share.accepted_at)) : TRUST.sharing.notAccepted) : null,
    accessLog(share),
    status === "active" ? h("button", {
      type: "button", class: "button secondary", "aria-label": T.sharing.stopLabel(name), onclick: () => onStop(share),
    }, T.sharing.stop) : null);
}

export function render(root) {
  ensureStyles();
  ensurePeopleStyles();
  let alive = true;
  let drawnSignedIn = null;
  const created = h("div");
  const list = h("div", { "aria-live": "polite" }, h("p", { class: "hint" }, T.loading));
  const formSlot = h("div");

  async function stop(share) {
    if (!confirm(T.sharing.confirmStop)) return;
    try {
      await api("DELETE", `/shares/${share.id}`);
      toast(T.sharing.stopped);
    } catch (error) {
      toast(error instanceof OfflineError ? T.offline : T.failed);
    }
    load();
  }

  async function load() {
    const device = await readDevice();
    if (!alive) return;
    drawnSignedIn = Boolean(device.signed_in);
    if (!device.signed_in) {
      replaceChildren(formSlot);
      replaceChildren(list, signedOutNotice());
      return;
    }
    if (!formSlot.firstChild) {
      replaceChildren(list, h("p", { class: "hint" }, T.loading)); // not the signed-out notice of a first draw
      replaceChildren(formSlot, shareForm((share) => {
        replaceChildren(created, createdCard(share, () => replaceChildren(created)));
        created.querySelector("#share-created").focus();
        load();
      }));
    }
    try {
      const shares = await api("GET", "/shares");
      if (!alive) return;
      replaceChildren(list, shares.length
        ? h("ul", { class: "share-list" }, shares.map((share) => shareItem(share, stop)))
        : h("p", {}, T.sharing.none));
    } catch (error) {
      if (!alive) return;
      if (error instanceof ApiError && error.status === 401) replaceChildren(list, signedOutNotice());
      else replaceChildren(list, failureNotice(error, load));
    }
  }

  replaceChildren(root,
    h("h1", {}, T.sharing.title),
    h("p", { class: "hint" }, T.sharing.intro),
    created,
    formSlot,
    h("section", { "aria-labelledby": "shares-title" }, h("h2", { id: "shares-title" }, T.sharing.yours), list));
  load();
  const stopWatching = watchSignedIn(() => drawnSignedIn, () => { if (alive) load(); });
  return () => { alive = false; stopWatching(); };
}
