// A link drawn as a QR code on the device, with the vendored encoder (uqr, MIT): the secret link
// is never sent anywhere to be drawn, and it works offline. SVG built with DOM calls (strict CSP).

import { encode } from "../vendor/uqr.js";

const SVG = "http://www.w3.org/2000/svg";

// An <svg> of `text` as a QR code: error correction M, the standard 4-module quiet zone.
export function qrSvg(text, label) {
  const { size, data } = encode(text, { ecc: "M", border: 4 });
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  let d = "";
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) if (data[row][col]) d += `M${col},${row}h1v1h-1z`;
  }
  const modules = document.createElementNS(SVG, "path");
  modules.setAttribute("d", d);
  modules.setAttribute("fill", "#000");
  svg.append(background, modules);
  return svg;
}
