// Step "loss" — how wrong is the network? Three parts (part=): binary losses compared on the same
// predictions, regression (weight → BMI) with squared losses drawn as squares, and multi-class
// cross-entropy as a table. Every number comes from /api/loss (ml2dl.lessons.loss); drawing only.

import { mountCheck } from "../lib/check.js";
import { mountBinary } from "./loss/binary.js";
import { mountMulticlass } from "./loss/multiclass.js";
import { mountRegression } from "./loss/regression.js";

const PARTS = [
  { value: "binary", label: "Two classes" }, { value: "regression", label: "Regression: BMI" },
  { value: "multiclass", label: "Several classes" },
];

const PARAMS = {
  part: { type: "choice", default: "binary", choices: PARTS },
  // binary: predicted probability of pneumonia and the true label, one per example
  pred: { type: "list", of: "float", default: [0.95, 0.6, 0.3, 0.05, 0.2, 0.8], min: 0.01, max: 0.99, minLength: 1, maxLength: 12 },
  lab: { type: "list", of: "int", default: [1, 1, 1, 1, 0, 0], min: 0, max: 1, minLength: 1, maxLength: 12 },
  // regression: BMI ≈ slope·kg + intercept
  slope: { type: "float", default: 0.25, min: -1, max: 1, step: 0.001 },
  intercept: { type: "float", default: 5, min: -30, max: 30, step: 0.1 },
  // multi-class: 3 classes per row (row-major), the true class of each row (from 1)
  kind: { type: "choice", default: "probabilities", choices: [
    { value: "probabilities", label: "Edit probabilities" }, { value: "logits", label: "Edit scores (softmax)" }] },
  p: { type: "list", of: "float", default: [0.25, 0.6, 0.15, 0.05, 0.9, 0.05], min: 0, max: 1, minLength: 3, maxLength: 30 },
  z: { type: "list", of: "float", default: [1, 2, 0.5, -1, 2, -1], min: -10, max: 10, minLength: 3, maxLength: 30 },
  cls: { type: "list", of: "int", default: [2, 2], min: 1, max: 3, minLength: 1, maxLength: 10 },
};

export const LOSS_CSS = `
.ls-parts { margin-bottom: 14px; max-width: 620px; }
.ls-input { width: 5.2em; padding: 4px 6px; border: 1px solid var(--line-2); border-radius: 6px; background: var(--input-bg); text-align: right; font-variant-numeric: tabular-nums; }
.ls-label { min-width: 7.5em; color: var(--white); }
.ls-label[data-value="1"] { background: var(--orange); border-color: var(--orange); }
.ls-label[data-value="0"] { background: var(--blue); border-color: var(--blue); }
.ls-plots { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 14px; }
.ls-plot { height: 260px; }
.ls-key { display: flex; gap: 14px; flex-wrap: wrap; font-size: .85rem; color: var(--ink-2); }
.ls-key span::before { content: ""; display: inline-block; width: 18px; height: 3px; margin-right: 6px; vertical-align: middle; background: var(--c); }
.ls-table-wrap { overflow-x: auto; }
table.data td.ls-true { background: var(--blue-soft); font-weight: 700; }
table.data td.ls-sub { color: var(--muted); font-size: .82rem; }
.ls-bmi svg { max-width: 760px; }
.ls-bmi text { font-size: 12px; fill: var(--muted); }
.ls-mini { display: none; font-weight: 700; color: var(--orange-ink); margin-top: 10px; }
@media (max-width: 900px) { .ls-plots { grid-template-columns: 1fr; } .ls-mini { display: block; } }
@media (max-width: 560px) {
  .ls-narrow-hide { display: none; }
  .ls-input { width: 4.2em; }
  .ls-table-wrap table.data th, .ls-table-wrap table.data td { padding: 4px 3px; }
  .ls-table-wrap table.data th { font-size: .72rem; }
  .ls-table-wrap select { max-width: 6em; }
  .ls-eq { display: block; }
}
`;

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el } = ctx;
    ctx.injectStyle("loss-style", LOSS_CSS);
    const body = el("div", { class: "stack" });
    const partChoice = ctx.choice({ name: "part", label: "Part", onChange: (v) => { ctx.setParams({ part: v }); show(v); } });
    root.append(
      el("p", { class: "lede" },
        "To learn, a network needs one number that says how wrong it is: the ", el("strong", {}, "loss"),
        ". Training changes the weights to make it smaller. Different losses punish mistakes differently; ",
        "here you score the same predictions with several of them."),
      partChoice.node ? el("div", { class: "ls-parts" }, partChoice.node) : null,
      body);

    let stop = null;
    let shown = 0;
    async function show(part) {  // resolves once the part has drawn its first answer
      if (typeof stop === "function") stop();
      stop = null;
      const token = ++shown;
      body.replaceChildren();
      const mounts = { binary: mountBinary, regression: mountRegression, multiclass: mountMulticlass };
      const cleanup = await mounts[part](body, ctx);
      if (token === shown) stop = cleanup; else if (typeof cleanup === "function") cleanup();
    }
    mountCheck(root, ctx, ["cross_entropy"]);  // the check at the end of the step (lib/check.js)
    await show(ctx.params.part);
    return () => {
      if (typeof stop === "function") stop();
      root.querySelectorAll(".js-plotly-plot").forEach((n) => ctx.plotly.purge(n));
    };
  },
};
