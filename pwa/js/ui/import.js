// Settings -> Import (DESIGN §14): pick an export of Daylio, Bearable or Visible, see what it
// would add and how each of its labels is kept, change any of them, confirm, and watch it go in.
// The file is sent as multipart/form-data with the person's mapping; the preview is the same
// request with dry_run=1, so what is shown is exactly what the server will do.

import { api, ApiError, OfflineError } from "../api.js";
import { I, targetName } from "../strings-import.js";
import { syncNow } from "../sync/engine.js";
import { choiceGroup, field, h, replaceChildren, selectControl, uid } from "./dom.js";

const STYLES = "/css/import.css";
const ENTITIES = ["twitch", "checkin", "symptom", "activity", "intake"];
const SHOWN_SKIPPED = 10;

function ensureStyles() {
  if (document.querySelector(`link[href="${STYLES}"]`)) return;
  document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: STYLES }));
}

// POST the file with XMLHttpRequest, which (unlike fetch) reports upload progress.
export function sendImport({ source, file, mapping, dryRun, onUpload }) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/imports?source=${encodeURIComponent(source)}${dryRun ? "&dry_run=1" : ""}`);
    request.responseType = "json";
    request.setRequestHeader("Accept", "application/json");
    if (onUpload) request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onUpload(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) resolve(request.response);
      else reject(new ApiError(request.status, request.response, null));
    });
    request.addEventListener("error", () => reject(new OfflineError(new Error("network"))));
    request.addEventListener("timeout", () => reject(new OfflineError(new Error("timeout"))));
    const form = new FormData();
    form.append("file", file);
    form.append("mapping", JSON.stringify(mapping));
    request.send(form);
  });
}

function messageOf(error) {
  if (error instanceof OfflineError) return I.offline;
  if (error instanceof ApiError && error.status === 401) return I.signedOut;
  const said = error && error.body && error.body.message;
  if (said && error.status === 400) return `${said} ${I.checkFile}`;
  return said || I.failed;
}

function total(records) {
  return ENTITIES.reduce((sum, name) => sum + (records[name] || 0), 0);
}

export function render(root) {
  ensureStyles();
  const state = { source: "daylio", file: null, mapping: {}, preview: null, targets: null, busy: false, token: 0 };

  const problem = h("p", { class: "error import-problem", role: "alert" });
  const status = h("p", { role: "status", class: "hint" });
  const bar = h("progress", { max: 1, "aria-label": I.progressLabel });
  const progress = h("div", { class: "import-progress", hidden: true }, bar);
  const preview = h("section", { class: "card", "aria-labelledby": "import-preview-title", hidden: true });
  const fileInput = h("input", { type: "file", accept: ".csv,text/csv", id: uid("import-file") });
  const sourceHint = h("p", { class: "hint" });

  function showSourceHint() {
    sourceHint.textContent = I.sources[state.source][1];
  }

  function setProgress(fraction, words) {
    progress.hidden = fraction === null;
    if (fraction === undefined) bar.removeAttribute("value"); // indeterminate: the server is working
    else if (fraction !== null) bar.value = fraction;
    status.textContent = words || "";
  }

  async function runPreview() {
    if (!state.file) return;
    const token = ++state.token;
    problem.textContent = "";
    setProgress(0, I.reading);
    try {
      const result = await sendImport({
        source: state.source, file: state.file, mapping: state.mapping, dryRun: true,
        onUpload: (part) => token === state.token && setProgress(part, I.reading),
      });
      if (token !== state.token) return;
      state.preview = result;
      setProgress(null);
      drawPreview();
    } catch (error) {
      if (token !== state.token) return;
      setProgress(null);
      state.preview = null;
      preview.hidden = true;
      problem.textContent = messageOf(error);
    }
  }

  async function confirm() {
    if (!state.preview || state.busy) return;
    state.busy = true;
    const token = ++state.token;
    problem.textContent = "";
    drawPreview();
    setProgress(0, I.uploading(0));
    progress.scrollIntoView({ block: "center" });
    try {
      const result = await sendImport({
        source: state.source, file: state.file, mapping: state.mapping, dryRun: false,
        onUpload: (part) => setProgress(part < 1 ? part : undefined, part < 1 ? I.uploading(Math.round(part * 100)) : I.saving),
      });
      if (token !== state.token) return;
      setProgress(null);
      const added = total(result.records);
      replaceChildren(preview,
        h("h2", { id: "import-preview-title", tabindex: "-1" }, I.doneTitle),
        h("p", {}, added ? I.done(added) : I.doneNothing),
        h("div", { class: "button-row" },
          h("a", { class: "button primary", href: "#/history" }, I.history),
          h("button", { type: "button", class: "button secondary", onclick: reset }, I.again)));
      preview.querySelector("h2").focus();
      syncNow().catch(() => {}); // this device pulls the new records now, the others on their next sync
      state.busy = false;
    } catch (error) {
      setProgress(null);
      problem.textContent = messageOf(error);
      state.busy = false;
      drawPreview();
    }
  }

  function reset() {
    state.file = null;
    state.preview = null;
    state.mapping = {};
    fileInput.value = "";
    preview.hidden = true;
    fileInput.focus();
  }

  function mappingList() {
    const options = (state.targets || []).map((target) => [target, targetName(target)]);
    return h("ul", { class: "import-map" }, state.preview.labels.map(({ label, maps_to: target }) => {
      const select = selectControl(options.some(([value]) => value === target) ? options : [[target, targetName(target)], ...options], target);
      select.disabled = state.busy;
      select.addEventListener("change", () => {
        state.mapping[label] = select.value;
        runPreview();
      });
      const id = uid("map");
      select.id = id;
      return h("li", {}, h("label", { for: id }, label), select);
    }));
  }

  function drawPreview() {
    const result = state.preview;
    const count = total(result.records);
    const skipped = result.skipped || [];
    preview.hidden = false;
    replaceChildren(preview,
      h("h2", { id: "import-preview-title" }, I.previewTitle),
      h("p", {}, I.rows(result.rows)),
      count ? h("ul", { class: "import-counts" },
        ENTITIES.filter((name) => result.records[name]).map((name) => h("li", {}, I.counts[name](result.records[name]))))
        : h("p", {}, I.nothing),
      skipped.length ? h("details", {},
        h("summary", {}, I.skippedTitle(skipped.length)),
        h("ul", { class: "import-skipped" },
          skipped.slice(0, SHOWN_SKIPPED).map((s) => h("li", {}, I.skippedRow(s.row, s.reason))),
          skipped.length > SHOWN_SKIPPED ? h("li", {}, I.skippedMore(skipped.length - SHOWN_SKIPPED)) : null)) : null,
      result.labels.length ? h("h3", {}, I.mappingTitle) : null,
      result.labels.length ? h("p", { class: "hint" }, I.mappingHint) : null,
      result.labels.length ? mappingList() : null,
      h("p", { class: "hint" }, I.times),
      h("div", { class: "button-row" },
        h("button", { type: "button", class: "button primary wide", disabled: state.busy || !count, onclick: confirm },
          count ? I.confirm(count) : I.confirmNothing)));
  }

  fileInput.addEventListener("change", () => {
    state.file = fileInput.files[0] || null;
    state.mapping = {};
    runPreview();
  });

  showSourceHint();
  replaceChildren(root,
    h("h1", {}, I.title),
    h("p", {}, I.intro),
    choiceGroup({
      legend: I.sourceLegend, name: "import-source", value: state.source,
      options: Object.entries(I.sources).map(([value, [label]]) => [value, label]),
      onchange: (value) => { state.source = value; state.mapping = {}; showSourceHint(); runPreview(); },
    }),
    sourceHint,
    h("div", { class: "import-file" }, field(I.fileLabel, fileInput, I.fileHint)),
    problem, preview, status, progress);

  api("GET", "/imports/targets")
    .then((answer) => { state.targets = answer.targets; if (state.preview) drawPreview(); })
    .catch((error) => { problem.textContent = messageOf(error); });
}
