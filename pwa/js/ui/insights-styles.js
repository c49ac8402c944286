// The stylesheet of the insights, red-flag, sharing and caregiver views, linked once on first use.

const HREF = "/css/insights.css";

export function ensureStyles() {
  if (document.querySelector(`link[href="${HREF}"]`)) return;
  document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: HREF }));
}
