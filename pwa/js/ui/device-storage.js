// Account settings: whether the browser keeps this device's copy (DESIGN §11). The app asks
// navigator.storage.persist() after the first entry (engines.js); this line shows the answer.

import { persistence } from "../engines.js";
import { E } from "../strings-engines.js";
import { h } from "./dom.js";

export function deviceStorageStatus({ signedIn = true } = {}) {
  const line = h("p", { class: "hint", id: "device-storage-status", role: "status" });
  persistence().then((state) => {
    line.dataset.state = state;
    line.textContent = state === "kept" ? E.storage.kept
      : state === "may-be-cleared" ? (signedIn ? E.storage.mayBeClearedSignedIn : E.storage.mayBeCleared)
        : E.storage.unknown;
  });
  return h("section", { class: "stack", "aria-labelledby": "device-storage-title" },
    h("h3", { id: "device-storage-title" }, E.storage.title), line);
}
