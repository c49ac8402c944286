// The pacing screen's and the burst suggestion's stylesheet, linked once on first use.

const HREF = "/css/pacing.css";

export function ensurePacingStyles() {
  if (document.querySelector(`link[href="${HREF}"]`)) return;
  document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: HREF }));
}
