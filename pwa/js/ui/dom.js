// A tiny element builder: h("button", {class: "x", onclick: fn}, "text").

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    // A textarea's text and a control's current value are properties, not attributes.
    else if (name === "value" || (name in el && typeof value !== "string")) el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let nextId = 0;
export function uid(prefix = "f") {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A group of radio buttons styled as large segmented choices.
export function choiceGroup({ legend, name, options, value, onchange, hint, className = "" }) {
  const hintId = hint ? uid("hint") : null;
  return h("fieldset", { class: `choices ${className}`, "aria-describedby": hintId },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("div", { class: "choice-row" }, options.map(([optionValue, label]) => {
      const id = uid(name);
      return h("span", { class: "choice" },
        h("input", {
          type: "radio", id, name, value: String(optionValue),
          checked: value != null && String(value) === String(optionValue),
          onchange: () => onchange(optionValue),
        }),
        h("label", { for: id }, label));
    })));
}

export function field(labelText, control, hint) {
  const id = control.id || uid("field");
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, labelText), hintEl, control);
}

export function selectControl(options, value, { includeEmpty, emptyLabel } = {}) {
  return h("select", {},
    includeEmpty ? h("option", { value: "" }, emptyLabel) : null,
    options.map(([optionValue, label]) => h("option", {
      value: optionValue, selected: value === optionValue,
    }, label)));
}
