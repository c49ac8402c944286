import { test } from "node:test";
import assert from "node:assert/strict";
import { promptFromHash } from "../../pwa/js/ui/prompt.js";

test("the prompt route carries the occurrence id and kind; junk is refused", () => {
  const id = "0B6C1F5E-2F0A-4C55-9D1C-7A6E1C0B9A11";
  assert.deepEqual(promptFromHash(`#/prompt/${id}?kind=pacing`), { id: id.toLowerCase(), kind: "pacing" });
  assert.deepEqual(promptFromHash(`#/prompt/${id}`), { id: id.toLowerCase(), kind: "evening" });
  assert.deepEqual(promptFromHash("#/prompt/../../x?kind=<b>"), { id: null, kind: "evening" });
});
