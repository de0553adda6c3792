// ml2dl module shell: navigation, URL state and the `ctx` each step module receives.
// No maths here: every number shown is computed by the Python API. The kit lives in lib/.
//
// URL:  /?step=activations&fn=tanh&z=0.5&hide=z,fn
//   step  which step is mounted: its stable name (steps/registry.js); the old numbers 1..9 still
//         open steps 1–9 and are rewritten to the name (the other parameters and hide= are kept)
//   hide  controls a teacher hides (comma-separated control names, kept across steps)
//   the rest: the current step's declared parameters (lib/params.js): read, clamped, written back

import { api, live, notify } from "./lib/api.js";
import { cssVar } from "./lib/colour.js";
import { makeControls } from "./lib/controls.js";
import { el, fmt, injectStyle, math, mathml, svg } from "./lib/dom.js";
import { paintHeatmap } from "./lib/heatmap.js";
import { TOC, drawNav, findStep, kicker, stepLabel } from "./lib/nav.js";
import { clampParam, formatParam, readParams, urlParams } from "./lib/params.js";
import { Player } from "./lib/player.js";
import { plot } from "./lib/plot.js";

export { api, el, fmt, live, math, mathml, notify, plot, svg };

const RESERVED = new Set(["step", "hide"]);

// ------------------------------------------------------------------ URL state

/** `step` is the registry's step (the first one when `?step=` names none; `unknown` is then the name asked for). */
function readQuery() {
  const q = new URLSearchParams(location.search);
  const asked = q.get("step");
  const found = findStep(asked ?? TOC.steps[0].name);
  const step = found || TOC.steps[0];
  const unknown = found ? null : asked;
  const hide = new Set((q.get("hide") || "").split(",").map((s) => s.trim()).filter(Boolean));
  const params = {};
  for (const [k, v] of q.entries()) if (!RESERVED.has(k)) params[k] = v;
  return { step, hide, params, unknown };
}

/** Write the URL: `step` a registry step, `params` URL texts (null or "" leave a key out). */
function writeQuery(step, hide, params, push) {
  const q = new URLSearchParams();
  q.set("step", step.name);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    q.set(k, String(v));
  }
  if (hide.size) q.set("hide", [...hide].join(","));
  const url = `${location.pathname}?${q.toString().replace(/%2C/g, ",")}`;
  if (push) history.pushState({ step: step.name }, "", url);
  else history.replaceState({ step: step.name }, "", url);
}

/** hide=a,b: one rule hides every labelled container [data-control=a|b], whenever it is drawn. */
function applyHide(hide) {
  const rule = [...hide].map((n) => `[data-control="${CSS.escape(n)}"]`).join(",");
  let style = document.getElementById("hidden-controls");
  if (!style) {
    style = el("style", { id: "hidden-controls" });
    document.head.append(style);
  }
  style.textContent = rule ? `${rule} { display: none !important; }` : "";
}

// ------------------------------------------------------------------ navigation

let mountToken = 0;
let cleanup = null;
const moduleCache = new Map();

// Each step's state as it was when the student left it (what a teacher fixed in the link included):
// Next, Previous and the step list bring it back. Kept for the browser tab (sessionStorage).
const STATES = "ml2dl-step-states";
function loadStates() {
  try { return JSON.parse(sessionStorage.getItem(STATES)) || {}; } catch { return {}; }
}
function keepState() {
  const { step, params } = readQuery();
  const states = loadStates();
  states[step.name] = params;
  try { sessionStorage.setItem(STATES, JSON.stringify(states)); } catch { /* private mode: the URL still holds it */ }
}

async function go(step, { push = true } = {}) {
  keepState();
  writeQuery(step, readQuery().hide, loadStates()[step.name] || {}, push);
  await mount();
}

async function loadStep(step) {
  if (!moduleCache.has(step.name)) moduleCache.set(step.name, import(`./${step.module}`).then((m) => m.default));
  return moduleCache.get(step.name);
}

function showHead(step) {
  drawNav(document.getElementById("step-nav"), step, (s) => go(s));
  document.getElementById("step-kicker").textContent = kicker(step);
  document.getElementById("step-title").textContent = step.title;
  document.title = `${stepLabel(step)} ${step.title} — ml2dl`;
  document.getElementById("prev").disabled = step.index === 0;
  document.getElementById("next").disabled = step.index === TOC.steps.length - 1;
}

/**
 * The step's declared parameters: `mod.params` is a declaration, or a function of what
 * `mod.options(api)` fetched (limits the server enforces, choices it offers).
 */
async function declare(mod) {
  const options = mod.options ? await mod.options(api) : null;
  const declaration = typeof mod.params === "function" ? mod.params(options) : (mod.params || {});
  return { options, declaration };
}

function makeCtx(token, step, hide, declaration, values, options) {
  const hidden = (name) => hide.has(name);
  const spec = (name) => declaration[name];
  const ctx = {
    step: step.name,
    params: values,
    options,
    setParams(obj) {
      if (token !== mountToken) return;  // a stale step must not rewrite the URL
      const now = readQuery();
      const merged = { ...now.params };
      for (const [k, v] of Object.entries(obj)) {
        if (RESERVED.has(k)) continue;
        const s = declaration[k];
        if (!s) throw new Error(`step ${step.name} sets the parameter "${k}", which it does not declare`);
        ctx.params[k] = v === null || v === undefined ? s.default : clampParam(s, v);
        merged[k] = v === null || v === undefined ? null : formatParam(s, ctx.params[k]);
      }
      writeQuery(now.step, now.hide, merged, false);
    },
    api, hidden, plotly: window.Plotly,
    el, svg, mathml, math, fmt, live, notify, plot, injectStyle, cssVar, paintHeatmap, Player,
    ...makeControls(hidden, spec, (name) => ctx.params[name]),
  };
  return ctx;
}

async function mount() {
  const token = ++mountToken;
  const { step, hide, params, unknown } = readQuery();
  if (unknown !== null) notify(`There is no step “${unknown}” (yet): here is the first step.`, "info");
  writeQuery(step, hide, params, false);  // ?step=3 → ?step=activations, with its parameters and hide=
  showHead(step);
  applyHide(hide);

  if (typeof cleanup === "function") { try { cleanup(); } catch (e) { console.error(e); } }
  cleanup = null;
  const root = document.getElementById("step-root");
  root.replaceChildren(el("p", { class: "loading" }, "Loading…"));
  root.dataset.step = step.name;
  if (step.number) root.dataset.number = String(step.number);
  else delete root.dataset.number;
  root.removeAttribute("data-ready");

  let mod;
  try {
    mod = await loadStep(step);
  } catch (e) {
    if (token !== mountToken) return;
    moduleCache.delete(step.name);
    root.replaceChildren(el("div", { class: "panel empty" },
      el("h2", {}, "This step is not ready yet"),
      el("p", {}, `Its page could not be loaded (${e.message}).`)));
    return;
  }
  if (token !== mountToken) return;

  try {
    const { options, declaration } = await declare(mod);
    if (token !== mountToken) return;
    // read, clamp and write back: the URL always shows the state the step starts from
    const values = readParams(declaration, params);
    writeQuery(step, hide, { ...params, ...urlParams(declaration, values) }, false);
    const ctx = makeCtx(token, step, hide, declaration, values, options);
    root.replaceChildren();
    const result = await mod.mount(root, ctx);
    if (token !== mountToken) { if (typeof result === "function") result(); return; }
    cleanup = result;
    tidyHidden(root, hide);
    announceResults(root);
    teacherNote(root, hide);
    root.dataset.ready = "true";
  } catch (e) {
    console.error(e);
    if (token !== mountToken) return;
    root.append(el("div", { class: "panel empty" }, el("h2", {}, "Something went wrong"), el("p", {}, e.message)));
    notify(e.message);
  }
}

/**
 * A panel of controls (or a fieldset) whose every control a teacher hid would stay as an empty box:
 * hide it, and give a grid whose controls column is gone its whole width.
 */
function tidyHidden(root, hide) {
  if (!hide.size) return;
  for (const box of root.querySelectorAll(".panel.controls, fieldset.group, [data-controls-panel]")) {
    const usable = [...box.querySelectorAll("input, select, textarea, button, [role=radio], [tabindex='0']")]
      .some((n) => n.checkVisibility());
    if (!usable) box.hidden = true;
  }
}

/** Screen readers hear the results that change (each .readouts block), not the whole step on every move. */
function announceResults(root) {
  for (const node of root.querySelectorAll(".readouts")) {
    if (!node.closest("[aria-live]")) node.setAttribute("aria-live", "polite");
  }
}

/** The footer's "For teachers" note: the names this step's hide= knows, read from what it drew. */
function teacherNote(root, hide) {
  const names = new Set([...root.querySelectorAll("[data-control]")].map((n) => n.dataset.control));
  for (const h of hide) names.add(h);
  const node = document.getElementById("teacher-names");
  if (!node) return;
  const { step } = readQuery();
  node.replaceChildren(names.size
    ? el("span", {}, "Controls this step can hide: ", ...[...names].sort().flatMap((n, i) => [i ? ", " : "", el("code", {}, n)]),
      ". Example: ", el("code", {}, `?step=${step.name}&hide=${[...names].sort()[0]}`), ". Values set in the link are kept when students move between steps.")
    : el("span", {}, "This step has no controls to hide."));
}

function move(delta) {
  const next = TOC.steps[readQuery().step.index + delta];
  if (next) go(next);
}

function isTyping(target) {
  if (!target) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || target.isContentEditable;
}

document.getElementById("prev").addEventListener("click", () => move(-1));
document.getElementById("next").addEventListener("click", () => move(1));
// ← / → move between steps only from the page itself: never from a focused control (a button,
// a link, a pooling cell…), where the arrows may mean something else and leaving loses the step.
function onThePage(target) {
  return !target || target === document.body || target === document.documentElement
    || target.id === "step-root" || target.tagName === "MAIN";
}
document.addEventListener("keydown", (ev) => {
  if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  if (!onThePage(ev.target) || isTyping(ev.target)) return;
  if (ev.key === "ArrowLeft") { ev.preventDefault(); move(-1); }
  if (ev.key === "ArrowRight") { ev.preventDefault(); move(1); }
});
window.addEventListener("popstate", () => mount());
window.addEventListener("pagehide", keepState);
window.addEventListener("unhandledrejection", (ev) => notify(ev.reason?.message || String(ev.reason)));

mount();
