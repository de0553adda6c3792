// Step `descent` — gradient descent, in four parts: one weight, two weights, three optimizers,
// mini-batches. Every number comes from /api/descent/* (ml2dl.lessons.descent, descent_2d);
// the parts (steps/descent/) only draw. `part` picks which one is shown.

import { mountCheck } from "../lib/check.js";
import { mountBatches } from "./descent/batches.js";
import { mountOne } from "./descent/one.js";
import { mountOptimizers } from "./descent/optimizers.js";
import { mountSurface } from "./descent/surface.js";
import { STYLE } from "./descent/style.js";

const PARTS = [
  { value: "one", label: "One weight", mount: mountOne },
  { value: "surface", label: "Two weights", mount: mountSurface },
  { value: "optimizers", label: "Optimizers", mount: mountOptimizers },
  { value: "batches", label: "Mini-batches", mount: mountBatches },
];

export default {
  options: (api) => api("descent/options"),
  params: (o) => {
    const t = o.surfaces.tumour;
    return {
      part: { type: "choice", default: "one", choices: PARTS.map(({ value, label }) => ({ value, label })) },
      // one weight
      w: { type: "float", default: -0.5, min: o.limits.w[0], max: o.limits.w[1], step: 0.01 },
      lr: { type: "float", default: 0.2, min: 0.001, max: 1, step: 0.001 },
      k: { type: "int", default: 0, min: 0, max: o.limits.max_steps },
      // two weights and the optimizers (shared: the surface, the start, η)
      surface: { type: "choice", default: "tumour",
        choices: [{ value: "tumour", label: "Tumour classifier" }, { value: "two_minima", label: "Two minima" }] },
      start: { type: "list", of: "float", default: [], min: -10, max: 10, maxLength: 2, empty: "auto" },
      eta: { type: "float", default: t.lr, min: 0.001, max: 0.3, step: 0.001 },
      n: { type: "int", default: 50, min: 1, max: o.limits.max_steps_2d },
      adam: { type: "float", default: t.adam_lr, min: 0.005, max: 0.5, step: 0.005 },
      cn: { type: "int", default: o.limits.max_compare_steps, min: 1, max: o.limits.max_compare_steps },
      // mini-batches
      m: { type: "int", default: 4, min: 1, max: 24 },
      mlr: { type: "float", default: 0.02, min: 0.001, max: 0.05, step: 0.001 },
      epochs: { type: "int", default: 10, min: 1, max: 10 },
      seed: { type: "int", default: 0, min: 0, max: 9999 },
      N: { type: "int", default: 4708, min: 1, max: 1000000 },
      bm: { type: "int", default: 32, min: 1, max: 1000000 },
    };
  },

  async mount(root, ctx) {
    const { el } = ctx;
    ctx.injectStyle("descent-style", STYLE);
    const area = el("div", { class: "descent-part", "data-testid": "part-area" });
    let cleanup = null;
    let shown = 0;  // the latest part asked for: a part that finishes mounting after another was chosen is dropped
    async function show(part) {
      const token = ++shown;
      if (typeof cleanup === "function") cleanup();
      cleanup = null;
      area.replaceChildren();
      area.dataset.part = part;
      area.removeAttribute("data-ready");
      const done = await PARTS.find((p) => p.value === part).mount(area, ctx);
      if (token !== shown) { if (typeof done === "function") done(); return; }
      cleanup = done;
      area.dataset.ready = "true";  // browser tests wait for the part
    }
    const tabs = ctx.choice({ name: "part", label: "Part", onChange: (v) => { ctx.setParams({ part: v }); show(v); } });
    root.append(
      el("p", { class: "lede" },
        "Training means walking downhill on the loss. The gradient ∂L/∂w says which way is uphill and how steep; ",
        "a step goes the other way, scaled by the learning rate η: ",
        el("strong", {}, "w′ = w − η·∂L/∂w"), ". Start with one weight, then two."),
      tabs.node ? el("div", { class: "descent-tabs" }, tabs.node) : null,
      area);
    mountCheck(root, ctx, ["gd_step"]);  // the check at the end of the step (lib/check.js)
    await show(ctx.params.part);
    return () => { if (typeof cleanup === "function") cleanup(); };
  },
};
