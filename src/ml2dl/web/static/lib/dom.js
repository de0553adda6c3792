// DOM helpers and display formatting. No maths: every number shown was computed by the Python API.

const SVG_NS = "http://www.w3.org/2000/svg";
const MATH_NS = "http://www.w3.org/1998/Math/MathML";

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class" || key === "className") node.setAttribute("class", value);
    else if (key === "style" && typeof value === "object") Object.assign(node.style, value);
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value; // trusted markup written by us (MathML, SVG)
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "value" && "value" in node) node.value = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** el("div", {class: "x", "data-testid": "y", onclick: f}, child, "text", [more]) */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  return append(node, children);
}

/** svg("circle", {cx: 5, cy: 5, r: 3}) — same as el, in the SVG namespace. */
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  return append(node, children);
}

/** mathml("mi", {}, "x") — same as el, in the MathML namespace. */
export function mathml(tag, attrs, ...children) {
  const node = document.createElementNS(MATH_NS, tag);
  setAttrs(node, attrs);
  return append(node, children);
}

/** math("<mi>z</mi><mo>=</mo>…", {display: "block"}) — a <math> element from MathML markup. */
export function math(markup, attrs = {}) {
  const holder = document.createElement("span");
  holder.innerHTML = `<math${attrs.display === "block" ? ' display="block"' : ""}>${markup}</math>`;
  const node = holder.firstElementChild;
  for (const [k, v] of Object.entries(attrs)) if (k !== "display") node.setAttribute(k, v);
  return node;
}

/** injectStyle(id, css): add a step's own <style> once (steps keep their CSS beside their code). */
export function injectStyle(id, css) {
  if (document.getElementById(id)) return;
  const style = document.createElement("style");
  style.id = id;
  style.textContent = css;
  document.head.append(style);
}

/**
 * fmt(0.62480, 3) -> "0.625"; fmt(-0.5, 2) -> "−0.50"; fmt(25088) -> "25,088".
 * Integers without `digits` get thousands separators; a true minus sign is used.
 */
export function fmt(x, digits) {
  if (x === null || x === undefined || (typeof x === "number" && !Number.isFinite(x))) return "—";
  const n = Number(x);
  let text;
  if (digits === undefined) {
    text = Number.isInteger(n) ? n.toLocaleString("en-US") : String(Number(n.toPrecision(6)));
  } else {
    text = n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  if (/^-0(\.0*)?$/.test(text)) text = text.slice(1); // no "−0.00"
  return text.replace(/^-/, "−");
}
