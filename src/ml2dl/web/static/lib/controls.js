// Labelled, keyboard-reachable controls bound to a step's declared parameters.
// makeControls(hidden, spec, value) gives {control, choice, select}: each fills its range, choices and
// starting value from the declaration (spec(name)) and the URL (value(name)) unless given, and returns
// {node, get(), set(v)} with node = null when the teacher hid it (get() still works). The labelled
// container carries data-control=name, which is what hide= hides.

import { el, fmt } from "./dom.js";
import { choiceOptions } from "./params.js";

function decimals(step) {
  const s = String(step);
  return s.includes(".") ? s.split(".")[1].length : 0;
}

/**
 * radioKeys(group, buttons, current, choose): arrow keys move a radio group's choice and focus;
 * `current()` gives the checked value, `choose(value)` applies one. Buttons carry data-value.
 */
export function radioKeys(group, buttons, current, choose) {
  group.addEventListener("keydown", (ev) => {
    const d = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
    if (!d) return;
    ev.preventDefault();
    ev.stopPropagation();
    const i = Math.max(0, buttons.findIndex((b) => b.dataset.value === String(current())));
    const next = buttons[(i + d + buttons.length) % buttons.length];
    choose(next.dataset.value);
    next.focus();
  });
}

/** paintRadios(buttons, value): aria-checked and roving tabindex for the checked button. */
export function paintRadios(buttons, value) {
  for (const b of buttons) {
    const on = b.dataset.value === String(value);
    b.setAttribute("aria-checked", on ? "true" : "false");
    b.tabIndex = on ? 0 : -1;
  }
}

export function makeControls(hidden, spec, value) {
  const fill = (o) => ({ ...(spec(o.name) || {}), value: value(o.name), ...o });
  const typed = (o, text) => {  // a choice's string back to its declared type (numbers stay numbers)
    const found = o.options.find((x) => String(x.value) === String(text));
    return found ? found.value : text;
  };

  /**
   * control({name, label, onInput, hint, unit}): slider + number box kept in sync; min/max/step/value
   * from the declaration. The number box has data-testid=name, the slider name + "-slider".
   */
  function control(options) {
    const o = fill(options);
    const { name, label, min, max, step = 1, onInput, hint, unit } = o;
    let current = Number(o.value);
    let sync = () => {};  // the hidden control has nothing to draw (Reset still sets its value)
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
    // an int declared with a step (grid sides 4, 6, 8…) takes the nearest allowed value, as the slider does
    const snap = (v) => (o.type === "int" && Number(step) > 1 ? Number(min) + Math.round((v - Number(min)) / Number(step)) * Number(step) : v);
    // typed out of range: the value used is the limit, said beside the box until the next valid entry
    const clampNote = el("p", { class: "hint clamp-note", role: "status", "data-testid": `${name}-clamped`, hidden: true });
    const shown = (v) => Number(v.toFixed(decimals(step)));
    sync = (from) => {
      if (from !== range) range.value = current;
      if (from !== box) box.value = shown(current);
      range.style.setProperty("--fill", `${((current - min) / (max - min)) * 100}%`);
    };
    const noteClamp = (typed) => {
      const clamped = typed !== current;
      clampNote.hidden = !clamped;
      box.toggleAttribute("aria-invalid", clamped);
      const outside = typed < Number(min) || typed > Number(max);
      clampNote.textContent = !clamped ? "" : outside
        ? `${box.value} is outside ${fmt(Number(min))} … ${fmt(Number(max))}: using ${fmt(shown(current))}.`
        : `${box.value} is not one of ${fmt(Number(min))}, ${fmt(Number(min) + Number(step))}, ${fmt(Number(min) + 2 * Number(step))} … ${fmt(Number(max))}: using ${fmt(shown(current))}.`;
    };
    range.addEventListener("input", () => { current = Number(range.value); noteClamp(current); sync(range); onInput && onInput(current); });
    box.addEventListener("input", () => {
      const v = Number(box.value);
      if (box.value === "" || !Number.isFinite(v)) return;
      current = clamp(snap(v));
      noteClamp(v);
      sync(box);
      onInput && onInput(current);
    });
    box.addEventListener("change", () => sync());  // leaving the box shows the value used
    sync();
    state.node = el("div", { class: "control", "data-control": name },
      el("div", { class: "control-top" },
        el("label", { for: id }, label),
        el("span", { class: "control-box" }, box, unit ? el("span", { class: "unit" }, unit) : null)),
      range,
      clampNote,
      hint ? el("p", { class: "hint" }, hint) : null);
    return state;
  }

  /**
   * choice({name, label, onChange, options?}): segmented radio buttons (arrow keys move); options
   * [{value, label}] from the declaration's choices. Group data-testid=name, buttons name-value.
   */
  function choice(given) {
    const o = fill(given);
    const options = o.options || choiceOptions(o);
    let current = o.value;
    const state = { node: null, get: () => current, set: (v) => { current = v; paint(); } };
    if (hidden(o.name)) return state;
    const pick = (text) => { current = typed({ options }, text); paint(); o.onChange && o.onChange(current); };
    const buttons = options.map((x) => el("button", {
      type: "button", role: "radio", class: "seg-btn", "data-value": x.value, "data-testid": `${o.name}-${x.value}`,
      onclick: () => pick(x.value),
    }, x.label ?? x.value));
    const paint = () => paintRadios(buttons, current);
    const group = el("div", { class: "seg", role: "radiogroup", "aria-label": o.label, "data-testid": o.name }, buttons);
    radioKeys(group, buttons, () => current, pick);
    paint();
    state.node = el("div", { class: "control", "data-control": o.name },
      el("div", { class: "control-top" }, el("span", { class: "label" }, o.label)), group);
    return state;
  }

  /**
   * select({name, label, onChange, options?}): a labelled <select> (data-testid=name); options
   * [{value, label}] from the declaration's choices.
   */
  function select(given) {
    const o = fill(given);
    const options = o.options || choiceOptions(o);
    let current = o.value;
    let sel = null;
    const state = { node: null, get: () => current, set: (v) => { current = v; if (sel) sel.value = String(v); } };
    if (hidden(o.name)) return state;
    const id = `sel-${o.name}`;
    sel = el("select", { id, "data-testid": o.name,
      onchange: () => { current = typed({ options }, sel.value); o.onChange && o.onChange(current); } },
    options.map((x) => el("option", { value: x.value, selected: String(x.value) === String(current) }, x.label ?? x.value)));
    state.node = el("div", { class: "field", "data-control": o.name }, el("label", { for: id }, o.label), sel);
    return state;
  }

  return { control, choice, select };
}
