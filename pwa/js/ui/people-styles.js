// The stylesheet of the People and sharing additions, linked once on first use.

const HREF = "/css/people.css";

export function ensurePeopleStyles() {
  if (document.querySelector(`link[href="${HREF}"]`)) return;
  document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: HREF }));
}
