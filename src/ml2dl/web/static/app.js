// ml2dl module shell: navigation, URL state and the `ctx` each step module receives.
// No maths here: every number shown is computed by the Python API.
//
// URL:  /?step=3&fn=tanh&z=0.5&hide=z,fn
//   step  which step is mounted (1..9)
//   hide  controls a teacher hides (comma-separated control names, kept across steps)
//   the rest: the current step's own settings (strings), given to it as ctx.params

const STEPS = [
  { id: 1, short: "Neuron", title: "A neuron is logistic regression" },
  { id: 2, short: "One neuron fails", title: "What one neuron cannot do" },
  { id: 3, short: "Activations", title: "Why activation functions" },
  { id: 4, short: "Layers", title: "Stack layers: deep learning" },
  { id: 5, short: "Images", title: "Images are special" },
  { id: 6, short: "Convolution", title: "Convolution" },
  { id: 7, short: "Kernels", title: "Kernel explorer" },
  { id: 8, short: "Pooling", title: "Pooling" },
  { id: 9, short: "CNN pipeline", title: "The full CNN pipeline" },
];
const RESERVED = new Set(["step", "hide"]);

const SVG_NS = "http://www.w3.org/2000/svg";
const MATH_NS = "http://www.w3.org/1998/Math/MathML";

// ------------------------------------------------------------------ DOM helpers

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

// ------------------------------------------------------------------ formatting (display only)

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

// ------------------------------------------------------------------ URL state

function readQuery() {
  const q = new URLSearchParams(location.search);
  let step = parseInt(q.get("step") || "1", 10);
  if (!(step >= 1 && step <= STEPS.length)) step = 1;
  const hide = new Set((q.get("hide") || "").split(",").map((s) => s.trim()).filter(Boolean));
  const params = {};
  for (const [k, v] of q.entries()) if (!RESERVED.has(k)) params[k] = v;
  return { step, hide, params };
}

function writeQuery(step, hide, params, push) {
  const q = new URLSearchParams();
  q.set("step", String(step));
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    q.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  if (hide.size) q.set("hide", [...hide].join(","));
  const url = `${location.pathname}?${q.toString().replace(/%2C/g, ",")}`;
  if (push) history.pushState({ step }, "", url);
  else history.replaceState({ step }, "", url);
}

// ------------------------------------------------------------------ API

/** POST JSON (or GET when body is undefined) to /api/...; throws Error(server message) on failure. */
export async function api(path, body) {
  const url = path.startsWith("/") ? path : `/api/${path}`;
  const init = body === undefined
    ? { method: "GET" }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new Error(`Cannot reach the ml2dl server (${e.message}). Is \`ml2dl serve\` still running?`);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    let message = data && (data.message || (typeof data.detail === "string" ? data.detail : null));
    if (!message && data && Array.isArray(data.detail)) message = data.detail.map((d) => d.msg).join("; ");
    const error = new Error(message || `${response.status} ${response.statusText} from ${url}`);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

// ------------------------------------------------------------------ toast

let toastTimer = null;
export function notify(message, kind = "error") {
  const toast = document.getElementById("toast");
  toast.textContent = message;
  toast.dataset.kind = kind;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
}

// ------------------------------------------------------------------ live refresh

/**
 * live(fetch, draw) -> refresh(). Call refresh() on every input event: at most one request is in
 * flight; calls made meanwhile collapse into one follow-up with the newest state, so dragging a
 * slider never queues stale requests. Errors show in the toast (and in `onError` if given).
 */
export function live(fetcher, draw, onError) {
  let running = false;
  let pending = false;
  async function refresh() {
    if (running) { pending = true; return; }
    running = true;
    try {
      const result = await fetcher();
      if (!pending) draw(result);
    } catch (e) {
      if (!pending) { if (onError) onError(e); else notify(e.message); }
    } finally {
      running = false;
      if (pending) { pending = false; refresh(); }
    }
  }
  return refresh;
}

// ------------------------------------------------------------------ controls

function decimals(step) {
  const s = String(step);
  return s.includes(".") ? s.split(".")[1].length : 0;
}

/**
 * A labelled number control: slider + number box kept in sync.
 *   control({name, label, min, max, step, value, onInput, hint})
 * The number box has data-testid=name, the slider data-testid=name+"-slider".
 * Returns {node, get(), set(v)}; node is null when the teacher hid `name` (get() still works).
 */
function makeControl(hidden) {
  return function control({ name, label, min, max, step = 1, value, onInput, hint, unit }) {
    let current = Number(value);
    const state = { node: null, get: () => current, set: (v) => { current = Number(v); sync(); } };
    if (hidden(name)) return state;
    const id = `ctl-${name}`;
    const range = el("input", {
      type: "range", id: `${id}-slider`, min, max, step, value: current,
      "data-testid": `${name}-slider`, "aria-label": `${typeof label === "string" ? label : name} slider`,
    });
    const box = el("input", {
      type: "number", id, min, max, step, value: current, "data-testid": name, inputmode: "decimal",
    });
    const clamp = (v) => Math.min(Number(max), Math.max(Number(min), v));
    function sync(from) {
      if (from !== range) range.value = current;
      if (from !== box) box.value = Number(current.toFixed(decimals(step)));
      range.style.setProperty("--fill", `${((current - min) / (max - min)) * 100}%`);
    }
    range.addEventListener("input", () => { current = Number(range.value); sync(range); onInput && onInput(current); });
    box.addEventListener("input", () => {
      const v = Number(box.value);
      if (box.value === "" || !Number.isFinite(v)) return;
      current = clamp(v);
      sync(box);
      onInput && onInput(current);
    });
    box.addEventListener("change", () => sync());
    sync();
    state.node = el("div", { class: "control", "data-control": name },
      el("div", { class: "control-top" },
        el("label", { for: id }, label),
        el("span", { class: "control-box" }, box, unit ? el("span", { class: "unit" }, unit) : null)),
      range,
      hint ? el("p", { class: "hint" }, hint) : null);
    return state;
  };
}

/**
 * A labelled choice: segmented buttons (radio group).
 *   choice({name, label, options: [{value, label}], value, onChange})
 * Each button has data-testid=`${name}-${value}`; returns {node, get(), set(v)}.
 */
function makeChoice(hidden) {
  return function choice({ name, label, options, value, onChange }) {
    let current = value;
    const state = { node: null, get: () => current, set: (v) => { current = v; paint(); } };
    if (hidden(name)) return state;
    const buttons = options.map((o) => el("button", {
      type: "button", role: "radio", class: "seg-btn", "data-value": o.value, "data-testid": `${name}-${o.value}`,
      onclick: () => { current = o.value; paint(); onChange && onChange(current); },
    }, o.label ?? o.value));
    function paint() {
      for (const b of buttons) {
        const on = b.dataset.value === String(current);
        b.setAttribute("aria-checked", on ? "true" : "false");
        b.tabIndex = on ? 0 : -1;
      }
    }
    const group = el("div", { class: "seg", role: "radiogroup", "aria-label": label, "data-testid": name }, buttons);
    group.addEventListener("keydown", (ev) => {
      if (!["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"].includes(ev.key)) return;
      ev.preventDefault();
      ev.stopPropagation();
      const i = options.findIndex((o) => String(o.value) === String(current));
      const d = ev.key === "ArrowLeft" || ev.key === "ArrowUp" ? -1 : 1;
      const next = options[(i + d + options.length) % options.length];
      current = next.value;
      paint();
      buttons.find((b) => b.dataset.value === String(current)).focus();
      onChange && onChange(current);
    });
    paint();
    state.node = el("div", { class: "control", "data-control": name },
      el("div", { class: "control-top" }, el("span", { class: "label" }, label)), group);
    return state;
  };
}

// ------------------------------------------------------------------ plots

// Deep merge into a fresh object: Plotly writes into the layout it is given, so defaults must never be shared.
function merge(base, extra) {
  const out = JSON.parse(JSON.stringify(base));
  for (const [k, v] of Object.entries(extra || {})) {
    out[k] = v && typeof v === "object" && !Array.isArray(v) && base[k] && typeof base[k] === "object"
      ? merge(base[k], v) : (v && typeof v === "object" && !(v instanceof Node) ? JSON.parse(JSON.stringify(v)) : v);
  }
  return out;
}

const AXIS = { gridcolor: "#e8ebf1", zerolinecolor: "#b8bfcc", linecolor: "#cfd5e0", tickcolor: "#cfd5e0",
  automargin: true, title: { font: { size: 12 } } };

/** injectStyle(id, css): add a step's own <style> once (steps keep their CSS beside their code). */
function injectStyle(id, css) {
  if (document.getElementById(id)) return;
  const style = document.createElement("style");
  style.id = id;
  style.textContent = css;
  document.head.append(style);
}

/**
 * plot(node, traces, layout, config): Plotly.react with the house style (no mode bar, light grid,
 * the page font, responsive). Pass only what differs; nested layout objects are merged.
 */
export function plot(node, traces, layout = {}, config = {}) {
  const base = {
    margin: { l: 50, r: 14, t: 12, b: 42 },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fafbfd",
    font: { family: getComputedStyle(document.body).fontFamily, size: 12, color: "#4a5466" },
    xaxis: AXIS, yaxis: AXIS, showlegend: false, hovermode: "closest",
    legend: { orientation: "h", x: 0, y: 1.12, bgcolor: "rgba(0,0,0,0)" },
    hoverlabel: { font: { family: getComputedStyle(document.body).fontFamily } },
  };
  return window.Plotly.react(node, traces, merge(base, layout),
    { displayModeBar: false, responsive: true, ...config });
}

// ------------------------------------------------------------------ navigation

let mountToken = 0;
let cleanup = null;
const moduleCache = new Map();

function buildNav(current) {
  const list = document.getElementById("step-list");
  list.replaceChildren(...STEPS.map((s) => el("li", {},
    el("a", {
      href: `?step=${s.id}`, class: "step-link", "data-testid": `nav-step-${s.id}`,
      "aria-current": s.id === current ? "step" : false, title: s.title,
      onclick: (ev) => { ev.preventDefault(); go(s.id); },
    }, el("span", { class: "step-num" }, String(s.id)), el("span", { class: "step-short" }, s.short)))));
}

function currentHide() { return readQuery().hide; }

async function go(step, { push = true } = {}) {
  const hide = currentHide();
  writeQuery(step, hide, {}, push);
  await mount();
}

async function loadStep(id) {
  if (!moduleCache.has(id)) moduleCache.set(id, import(`./steps/step${id}.js`).then((m) => m.default));
  return moduleCache.get(id);
}

async function mount() {
  const token = ++mountToken;
  const { step, hide, params } = readQuery();
  const meta = STEPS[step - 1];
  buildNav(step);
  document.getElementById("step-kicker").textContent = `Step ${step} of ${STEPS.length}`;
  document.getElementById("step-title").textContent = meta.title;
  document.title = `${step}. ${meta.title} — ml2dl`;
  document.getElementById("prev").disabled = step === 1;
  document.getElementById("next").disabled = step === STEPS.length;

  if (typeof cleanup === "function") { try { cleanup(); } catch (e) { console.error(e); } }
  cleanup = null;
  const root = document.getElementById("step-root");
  root.replaceChildren(el("p", { class: "loading" }, "Loading…"));
  root.dataset.step = String(step);
  root.removeAttribute("data-ready");

  let mod;
  try {
    mod = await loadStep(step);
  } catch (e) {
    if (token !== mountToken) return;
    moduleCache.delete(step);
    root.replaceChildren(el("div", { class: "panel empty" },
      el("h2", {}, "This step is not ready yet"),
      el("p", {}, `Its page could not be loaded (${e.message}).`)));
    return;
  }
  if (token !== mountToken) return;
  if (mod.title) document.getElementById("step-title").textContent = mod.title;

  const hidden = (name) => hide.has(name);
  const ctx = {
    step,
    params: { ...params },
    setParams(obj) {
      if (token !== mountToken) return;  // a stale step must not rewrite the URL
      const now = readQuery();
      const merged = { ...now.params };
      for (const [k, v] of Object.entries(obj)) {
        if (RESERVED.has(k)) continue;
        if (v === undefined || v === null || v === "") delete merged[k];
        else merged[k] = Array.isArray(v) ? v.join(",") : String(v);
      }
      ctx.params = merged;
      writeQuery(now.step, now.hide, merged, false);
    },
    api,
    hidden,
    plotly: window.Plotly,
    el, svg, mathml, math, fmt, live, notify, plot, injectStyle,
    control: makeControl(hidden),
    choice: makeChoice(hidden),
  };
  root.replaceChildren();
  try {
    const result = await mod.mount(root, ctx);
    if (token !== mountToken) { if (typeof result === "function") result(); return; }
    cleanup = result;
    root.dataset.ready = "true";
  } catch (e) {
    console.error(e);
    if (token !== mountToken) return;
    root.append(el("div", { class: "panel empty" }, el("h2", {}, "Something went wrong"), el("p", {}, e.message)));
    notify(e.message);
  }
}

function move(delta) {
  const { step } = readQuery();
  const next = step + delta;
  if (next >= 1 && next <= STEPS.length) go(next);
}

function isTyping(target) {
  if (!target) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || target.isContentEditable;
}

document.getElementById("prev").addEventListener("click", () => move(-1));
document.getElementById("next").addEventListener("click", () => move(1));
document.addEventListener("keydown", (ev) => {
  if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  if (isTyping(ev.target) || ev.target.closest?.("[role=radiogroup],[role=slider]")) return;
  if (ev.key === "ArrowLeft") { ev.preventDefault(); move(-1); }
  if (ev.key === "ArrowRight") { ev.preventDefault(); move(1); }
});
window.addEventListener("popstate", () => mount());
window.addEventListener("unhandledrejection", (ev) => notify(ev.reason?.message || String(ev.reason)));

mount();
