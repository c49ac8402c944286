// "More": the account, and the entry points to screens that are added later.

import { S } from "../strings.js";
import { EXTRA_SCREENS } from "./extra-screens.js";
import { accountSection } from "./account.js";
import { installCard } from "./install-guide.js";
import { h, replaceChildren } from "./dom.js";

export function render(root) {
  replaceChildren(root,
    h("h1", {}, S.nav.more),
    accountSection(),
    installCard(), // "Add to Home Screen" where the browser has no install prompt (DESIGN §11)
    h("nav", { "aria-labelledby": "more-links" },
      h("h2", { id: "more-links" }, S.account.moreScreens),
      h("ul", { class: "link-list" }, EXTRA_SCREENS.map((screen) => h("li", {},
        h("a", { href: `#/${screen.path}`, class: "button secondary wide" }, screen.title()))))));
}
