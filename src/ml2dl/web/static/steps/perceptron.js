// Step "perceptron" — the perceptron and logic. Four parts (part=): the gates, a question the
// server checks, XOR, the learning rule. Every number comes from /api/perceptron
// (ml2dl.lessons.perceptron); this file and perceptron/ only draw.

import { mountCheck } from "../lib/check.js";
import { PLOT_CSS, bit, square } from "./perceptron/plot.js";
import { WEIGHT_LIMIT, mountLearn } from "./perceptron/learn.js";
import { QUESTIONS, mountQuiz } from "./perceptron/quiz.js";
import { mountXor } from "./perceptron/xor.js";

const WEIGHT = { type: "float", min: -WEIGHT_LIMIT, max: WEIGHT_LIMIT, step: 0.1 };
const GATES = ["AND", "OR", "NAND", "NOR", "XOR"];
const PARTS = [
  { value: "gates", label: "Logic gates" }, { value: "quiz", label: "Your turn" },
  { value: "xor", label: "XOR" }, { value: "learn", label: "Learning rule" },
];

const PARAMS = {
  part: { type: "choice", default: "gates", choices: PARTS },
  w1: { ...WEIGHT, default: 1 },   // AND: w = (1, 1), b = −1.5
  w2: { ...WEIGHT, default: 1 },
  b: { ...WEIGHT, default: -1.5 },
  q: { type: "int", default: 0, min: 0, max: QUESTIONS.length - 1 },        // which question
  ans: { type: "list", of: "int", default: [0, 0, 0, 0], min: 0, max: 1, minLength: 4, maxLength: 4 },
  target: { type: "choice", default: "OR", choices: GATES },              // the gate the rule learns
  lr: { type: "choice", default: 1, choices: [{ value: 0.25, label: "0.25" }, { value: 0.5, label: "0.5" }, { value: 1, label: "1" }] },
  t: { type: "int", default: 0, min: 0, max: 1000000 },                    // updates taken (next example: t mod 4)
};

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el } = ctx;
    ctx.injectStyle("perceptron-style", PLOT_CSS);
    const presets = await ctx.api("perceptron/presets");
    const body = el("div", { class: "stack" });
    const partChoice = ctx.choice({ name: "part", label: "Part", onChange: (v) => { ctx.setParams({ part: v }); show(v); } });
    root.append(
      el("p", { class: "lede" },
        "A perceptron adds up its weighted inputs and fires — outputs 1 — when the sum is positive: ",
        ctx.math("<mover><mi>y</mi><mo>^</mo></mover><mo>=</mo><mn>1</mn><mtext>&#160;if&#160;</mtext><msub><mi>w</mi><mn>1</mn></msub><msub><mi>x</mi><mn>1</mn></msub><mo>+</mo><msub><mi>w</mi><mn>2</mn></msub><msub><mi>x</mi><mn>2</mn></msub><mo>+</mo><mi>b</mi><mo>&gt;</mo><mn>0</mn><mtext>, else&#160;</mtext><mn>0</mn>"),
        ". With two inputs that are 0 or 1 it is a logic gate, and its decision boundary is a straight line."),
      partChoice.node ? el("div", { class: "pc-parts" }, partChoice.node) : null,
      body);

    let stop = null;
    let shown = 0;
    async function show(part) {  // resolves once the part has drawn its first answer
      if (typeof stop === "function") stop();
      stop = null;
      const token = ++shown;
      body.replaceChildren();
      const mounts = { gates: mountGates, quiz: mountQuiz, xor: mountXor, learn: mountLearn };
      const cleanup = await mounts[part](body, ctx, presets);
      if (token === shown) stop = cleanup; else if (typeof cleanup === "function") cleanup();
    }
    await show(ctx.params.part);
    mountCheck(root, ctx, ["perceptron"]);  // the check at the end of the step (lib/check.js)
    return () => { if (typeof stop === "function") stop(); };
  },
};

/** The gates: weights and bias, presets, the truth table and the line, live. */
async function mountGates(body, ctx, presets) {
  const { el, fmt } = ctx;
  const controls = {};
  const onInput = () => {
    const w = { w1: controls.w1.get(), w2: controls.w2.get(), b: controls.b.get() };
    ctx.setParams(w);
    refresh();
  };
  for (const [name, label] of [["w1", ["w", "1", " weight of x", "1"]], ["w2", ["w", "2", " weight of x", "2"]], ["b", null]]) {
    const text = label ? el("span", {}, label[0], el("sub", {}, label[1]), label[2], el("sub", {}, label[3])) : "b bias";
    controls[name] = ctx.control({ name, label: text, onInput });
  }
  const presetButtons = Object.entries(presets).map(([name, p]) => el("button", {
    type: "button", class: "btn btn-small", "data-testid": `preset-${name}`,
    onclick: () => {
      for (const k of ["w1", "w2", "b"]) controls[k].set(p[k]);
      ctx.setParams({ w1: p.w1, w2: p.w2, b: p.b });
      refresh();
    },
  }, name));

  const gateOut = el("div", { class: "v", "data-testid": "gate" }, "…");
  const mini = el("p", { class: "pc-mini", "data-testid": "gate-mini", "aria-hidden": "true" });  // phones: the result beside the controls
  const gateSub = el("div", { class: "s" });
  const bitsOut = el("div", { class: "pc-bits", "data-testid": "outputs" });
  const figure = el("div", { class: "figure pc-figure" });
  const table = el("table", { class: "data", "data-testid": "truth-table" });

  body.append(el("div", { class: "step-grid" },
    el("div", { class: "panel controls" },
      el("h2", {}, "Set the perceptron"),
      el("fieldset", { class: "group" }, el("legend", {}, "Weights and bias"),
        controls.w1.node, controls.w2.node, controls.b.node),
      ctx.hidden("presets") ? null : el("fieldset", { class: "group", "data-control": "presets" },
        el("legend", {}, "Presets"), el("div", { class: "pc-presets" }, presetButtons)),
      mini,
      el("p", { class: "try" }, el("strong", {}, "Try: "), "start from AND and change only b until it computes OR. ",
        "Which weights give NAND? Can any setting give XOR (1 for 01 and 10 only)?")),
    el("div", { class: "stack" },
      el("div", { class: "readouts" },
        el("div", { class: "readout blue" }, el("div", { class: "k" }, "This perceptron computes"), gateOut, gateSub),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Outputs for 00, 01, 10, 11"), bitsOut)),
      el("div", { class: "cols-2" },
        el("div", { class: "panel" }, el("h2", {}, "The four inputs and the line"), figure,
          el("p", { class: "caption" }, "The line is w₁x₁ + w₂x₂ + b = 0. Shaded: the side where the sum is positive, ",
            "so the perceptron outputs 1 (orange); blue points get 0.")),
        el("div", { class: "panel" }, el("h2", {}, "Truth table"), table,
          el("p", { class: "caption" }, "z is the weighted sum; ŷ = 1 only when z > 0 (z = 0 gives 0)."))))));

  const refresh = ctx.live(
    () => ctx.api("perceptron", { w1: controls.w1.get(), w2: controls.w2.get(), b: controls.b.get() }),
    (r) => {
      gateOut.textContent = r.gate || "no named gate";
      mini.textContent = `${r.gate || "No named gate"}: outputs ${r.outputs.join(" ")} for 00 01 10 11`;
      gateSub.textContent = r.gate ? `its truth table is ${r.gate}'s` : "not AND, OR, NAND, NOR or XOR";
      bitsOut.replaceChildren(...r.outputs.map((v, i) => bit(el, v, `out-${i}`)));
      figure.replaceChildren(square({ box: r.box, lines: [{ line: r.line }], testid: "square",
        points: r.rows.map((row) => ({ x: row.x, output: row.output })),
        label: `The four inputs; the perceptron outputs ${r.outputs.join(", ")} for 00, 01, 10, 11` }));
      table.replaceChildren(
        el("thead", {}, el("tr", {}, el("th", {}, "x₁ x₂"), el("th", {}, "z = w₁x₁ + w₂x₂ + b"), el("th", {}, "ŷ"))),
        el("tbody", {}, r.rows.map((row, i) => el("tr", { "data-testid": `row-${i}` },
          el("td", {}, `${row.x[0]} ${row.x[1]}`), el("td", { "data-testid": `z-${i}` }, fmt(row.z, 2)),
          el("td", {}, bit(el, row.output, `yhat-${i}`))))));
    });
  await refresh();
  return null;
}
