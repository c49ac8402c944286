// "Add to Home Screen" (DESIGN §11): the browser's own install button where it offers one
// (beforeinstallprompt, Chromium), else a short guide for Safari on iPhone, iPad and Mac, and
// Firefox. Nothing at all once installed, or where there is nothing honest to say.

import { INSTALL_EVENT, environment, installGuideFor, installOffer, promptInstall } from "../engines.js";
import { E } from "../strings-engines.js";
import { h, replaceChildren } from "./dom.js";

export function installCard() {
  const card = h("section", { class: "card stack", id: "install-guide", "aria-labelledby": "install-guide-title", hidden: true });

  function draw(event) {
    if (event && !card.isConnected) return removeEventListener(INSTALL_EVENT, draw); // the screen has gone
    const kind = installGuideFor({ ...environment(), hasInstallPrompt: Boolean(installOffer()) });
    card.dataset.kind = kind || "none";
    card.hidden = kind === null || kind === "installed";
    if (card.hidden) return replaceChildren(card);
    const title = h("h2", { id: "install-guide-title" }, E.install.title);
    if (kind === "prompt") {
      return replaceChildren(card, title, h("p", {}, E.install.intro),
        h("button", { type: "button", class: "button primary wide", onclick: () => promptInstall().then(draw) }, E.install.button));
    }
    return replaceChildren(card, title, h("p", {}, E.install.intro),
      h("ol", { class: "install-steps" }, E.install.guides[kind].map((step) => h("li", {}, step))));
  }

  addEventListener(INSTALL_EVENT, draw);
  draw();
  return card;
}
