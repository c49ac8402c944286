// Small line icons for the navigation and links, drawn inline (no extra requests). Always
// decorative: the text label beside each one is what a screen reader reads.

const NS = "http://www.w3.org/2000/svg";

// 24 x 24, stroked with currentColor, so they follow the text colour in light and dark.
const PATHS = {
  log: ["M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z", "M12 8v8", "M8 12h8"],
  checkin: ["M4 5h16v15H4z", "M8 3v4", "M16 3v4", "M4 10h16", "M8.5 15l2.5 2.5l4.5-5"],
  pacing: ["M3 12h4l2.5-6l4 12l2.5-6H21"],
  insights: ["M4 20V4", "M4 20h16", "M8 16v-5", "M12 16V8", "M16 16v-3", "M20 16V6"],
  more: ["M5 12h.01", "M12 12h.01", "M19 12h.01"],
  history: ["M4 5h16v15H4z", "M4 10h16", "M8 3v4", "M16 3v4", "M8 14h2", "M14 14h2", "M8 17h2"],
  symptoms: ["M12 20s-7-4.35-7-10a4 4 0 0 1 7-2.65A4 4 0 0 1 19 10c0 5.65-7 10-7 10z"],
  people: ["M9 11a3.5 3.5 0 1 0 0-7a3.5 3.5 0 0 0 0 7z", "M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6", "M16 4.5a3.5 3.5 0 0 1 0 6.5", "M18 14.5c1.8.9 3 2.9 3 5.5"],
};

export function icon(name, className = "icon") {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of PATHS[name] || PATHS.more) {
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}
