// Extension point: the sharing screen. Replace this module's render(root) with the real screen.

import { S } from "../strings.js";
import { h, replaceChildren } from "./dom.js";

export function render(root) {
  replaceChildren(root, h("h1", {}, S.screens.sharing), h("p", { class: "hint" }, S.screens.comingSoon));
}
