// A tappable front/back body figure. It is a pointer shortcut only (aria-hidden): the same
// choice is always available in the labelled region and side controls beside it.

const NS = "http://www.w3.org/2000/svg";

// [region, side, shape, ...geometry] in a 100 x 200 box per figure. On the front figure the
// person's right is on the viewer's left; on the back figure it is on the viewer's right.
function limbs(mirror) {
  const near = mirror ? "left" : "right"; // the side drawn on the viewer's left
  const far = mirror ? "right" : "left";
  const pairs = [];
  for (const [side, x] of [[near, 0], [far, 1]]) {
    const sx = (v, w = 0) => (x ? 100 - v - w : v);
    pairs.push(
      ["shoulder", side, "circle", sx(31), 41, 7],
      ["upper_arm", side, "rect", sx(22, 9), 47, 9, 24],
      ["elbow", side, "circle", sx(26.5), 75, 4.5],
      ["forearm", side, "rect", sx(21, 9), 80, 9, 22],
      ["hand", side, "rect", sx(19, 10), 103, 10, 10],
      ["finger", side, "rect", sx(19, 10), 114, 10, 8],
      ["thigh", side, "rect", sx(39, 10.5), 92, 10.5, 32],
      ["knee", side, "circle", sx(44.2), 129, 5],
      [mirror ? "calf" : "shin", side, "rect", sx(40, 9), 135, 9, 33],
      ["ankle", side, "circle", sx(44.5), 171, 3.8],
      ["foot", side, "rect", sx(38, 13), 176, 13, 7],
    );
    if (!mirror) pairs.push(["toe", side, "rect", sx(38, 13), 184, 13, 5]);
  }
  return pairs;
}

function torso(front) {
  const near = front ? "right" : "left";
  const far = front ? "left" : "right";
  const rows = front
    ? [["chest", 36, 20], ["abdomen", 56, 22], ["hip", 78, 13]]
    : [["upper_back", 36, 20], ["lower_back", 56, 22], ["buttock", 78, 13]];
  const shapes = [
    ["face", "midline", "ellipse", 50, 15, 10, 12],
    ["neck", "midline", "rect", 45, 28, 10, 7],
  ];
  for (const [region, y, height] of rows) {
    shapes.push([region, near, "rect", 38, y, 12, height], [region, far, "rect", 50, y, 12, height]);
  }
  return shapes;
}

function shape([region, side, kind, ...g]) {
  const el = document.createElementNS(NS, kind);
  const attrs = kind === "circle" ? { cx: g[0], cy: g[1], r: g[2] }
    : kind === "ellipse" ? { cx: g[0], cy: g[1], rx: g[2], ry: g[3] }
      : { x: g[0], y: g[1], width: g[2], height: g[3], rx: 2 };
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.setAttribute("class", "region");
  el.dataset.region = region;
  el.dataset.side = side;
  return el;
}

function figure(title, front) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 100 192");
  svg.setAttribute("class", "figure");
  for (const s of [...torso(front), ...limbs(!front)]) svg.append(shape(s));
  const caption = document.createElement("span");
  caption.className = "figure-caption";
  caption.textContent = title;
  const wrap = document.createElement("div");
  wrap.className = "figure-wrap";
  wrap.append(svg, caption);
  return wrap;
}

export function bodyMap({ frontLabel, backLabel, onpick }) {
  const map = document.createElement("div");
  map.className = "body-map";
  map.setAttribute("aria-hidden", "true");
  map.append(figure(frontLabel, true), figure(backLabel, false));
  map.addEventListener("click", (event) => {
    const target = event.target.closest(".region");
    if (target) onpick(target.dataset.region, target.dataset.side);
  });
  return {
    element: map,
    show(region, side) {
      for (const el of map.querySelectorAll(".region")) {
        el.classList.toggle("picked", el.dataset.region === region && (!side || el.dataset.side === side || side === "both"));
      }
    },
  };
}
