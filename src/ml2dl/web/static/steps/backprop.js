// Step `backprop` — backpropagation, node by node, on a 2 → 2 → 1 sigmoid network and one example.
// Every number comes from POST /api/backprop and /api/backprop/update (ml2dl.lessons.backprop);
// this file only draws. `at` is how many backward steps are shown (0: the forward pass only).

import { mountCheck } from "../lib/check.js";
import { GRAPH_STYLE, drawGraph } from "./backprop/graph.js";
import { Player } from "../lib/player.js";

const WEIGHT = { type: "float", min: -50, max: 50, step: 0.01 };
const INPUT = { type: "float", min: -10, max: 10, step: 0.05 };
// The weights as PyTorch lays them out: W1 = [[w11, w12], [w21, w22]], b1 = [b1, b2], W2 = [[v1, v2]], b2 = [c].
// Hidden neuron 1 with x = (0.8, 0.3) is step 1's neuron: z₁ = 0.51, h₁ = 0.625.
const WEIGHTS = [
  ["w11", "w₁₁", 0.7], ["w12", "w₁₂", -0.5], ["b1", "b₁", 0.1],
  ["w21", "w₂₁", 0.2], ["w22", "w₂₂", 0.4], ["b2", "b₂", -0.3],
  ["v1", "v₁", 0.6], ["v2", "v₂", -0.8], ["c", "c", 0.2],
];
const STEPS = 18;  // backward steps, from L down to the inputs
const FRAME_MS = 900;

const PARAMS = {
  x1: { ...INPUT, default: 0.8 }, x2: { ...INPUT, default: 0.3 },
  y: { type: "choice", default: 1, choices: [{ value: 1, label: "1 pneumonia" }, { value: 0, label: "0 normal" }] },
  ...Object.fromEntries(WEIGHTS.map(([id, , v]) => [id, { ...WEIGHT, default: v }])),
  lr: { type: "float", default: 1, min: 0.01, max: 10, step: 0.01 },
  at: { type: "int", default: 0, min: 0, max: STEPS },
};

function sci(x) {  // display only: 3.2e-11 → "3.2 × 10⁻¹¹"
  if (x === 0) return "0";
  const [m, e] = Math.abs(x).toExponential(1).split("e");
  const sup = String(Number(e)).replace(/-/g, "⁻").replace(/\d/g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d]);
  return `${x < 0 ? "−" : ""}${m} × 10${sup}`;
}

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el, fmt } = ctx;
    ctx.injectStyle("backprop-style", GRAPH_STYLE + STYLE);
    let at = ctx.params.at;
    let last = null;

    // ------------------------------------------------------------ controls
    const x1 = ctx.control({ name: "x1", label: "x₁ input 1", onInput: (v) => change({ x1: v }) });
    const x2 = ctx.control({ name: "x2", label: "x₂ input 2", onInput: (v) => change({ x2: v }) });
    const y = ctx.choice({ name: "y", label: "Label y", onChange: (v) => change({ y: v }) });
    const boxes = {};
    const weightGrid = el("div", { class: "bp-weights" }, WEIGHTS.map(([id, label]) => {
      if (ctx.hidden(id)) return null;
      boxes[id] = el("input", { type: "number", step: 0.1, min: -50, max: 50, id: `bp-${id}`, class: "input",
        "data-testid": id, value: String(Number(ctx.params[id].toFixed(4))) });
      boxes[id].addEventListener("change", () => {
        const v = Number(boxes[id].value);
        if (boxes[id].value !== "" && Number.isFinite(v)) change({ [id]: v });
      });
      return el("div", { class: "bp-weight-box", "data-control": id }, el("label", { for: `bp-${id}` }, label), boxes[id]);
    }));
    const lr = ctx.control({ name: "lr", label: "Learning rate η", onInput: (v) => ctx.setParams({ lr: v }) });
    const apply = el("button", { type: "button", class: "btn btn-primary", "data-testid": "apply-update", onclick: update },
      "Apply one update");
    const updateOut = el("div", { class: "bp-update", "data-testid": "update-result", "aria-live": "polite" });
    const reset = el("button", { type: "button", class: "btn btn-small", "data-testid": "reset", onclick: () => {
      change(Object.fromEntries(WEIGHTS.map(([id, , v]) => [id, v])));
      updateOut.replaceChildren();
    } }, "Reset the weights");

    const player = new Player({
      tick: async () => {
        if (at >= STEPS) { player.pause(); return; }
        show(at + 1);
        await new Promise((resolve) => setTimeout(resolve, FRAME_MS));
        if (at >= STEPS) player.pause();
      },
      step: () => show(Math.min(STEPS, at + 1)),
      stepLabel: "Next node ▸",
      onError: (e) => ctx.notify(e.message),
    });
    player.stepButton.setAttribute("data-testid", "next-node");
    const prev = el("button", { type: "button", class: "btn", "data-testid": "previous-node",
      onclick: () => { player.pause(); show(Math.max(0, at - 1)); } }, "◂ Previous node");
    const counter = el("span", { class: "muted", "data-testid": "counter" });

    // ------------------------------------------------------------ outputs
    const stepBox = el("div", { class: "panel bp-step", "data-testid": "backward-step", "aria-live": "polite" });
    const graph = el("div", { class: "bp-scroll", "data-testid": "graph" });
    const forward = el("p", { class: "note", "data-testid": "forward" });
    const gradients = el("div", { class: "bp-scroll", "data-testid": "gradients" });
    const agree = el("p", { class: "callout", "data-testid": "agreement" });

    root.append(
      el("p", { class: "lede" },
        "To learn, every weight needs ∂L/∂w: how the loss changes when that weight moves. Backpropagation finds them ",
        "all in one pass backwards through the network: at each node, the gradient arriving from above times the ",
        "node's own local derivative — the chain rule."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls" },
          el("h2", {}, "One example, nine weights"),
          x1.node, x2.node, y.node,
          el("fieldset", { class: "group" }, el("legend", {}, "Weights (hidden: w, b; output: v, c)"), weightGrid,
            ctx.hidden("reset") ? null : el("div", { class: "btn-row", "data-control": "reset" }, reset)),
          lr.node,
          ctx.hidden("update") ? null : el("div", { class: "btn-row", "data-control": "update" }, apply),
          updateOut),
        el("div", { class: "stack" },
          el("div", { class: "btn-row bp-nav", "data-control": "at" }, prev, player.playButton, player.stepButton, counter),
          stepBox,
          el("div", { class: "panel" }, el("h2", {}, "The computation graph"), graph, forward,
            el("p", { class: "caption" }, "Grey numbers: each node's value, from the forward pass. Violet: ∂L/∂node, ",
              "found by the backward pass; on the highlighted edges, × the local derivative the gradient is multiplied by.")),
          el("div", { class: "panel" }, el("h2", {}, "Every weight's gradient, checked"), agree, gradients))));

    // ------------------------------------------------------------ drawing
    function drawStep(r) {
      counter.textContent = `backward step ${at} of ${STEPS}`;
      prev.disabled = at === 0;
      player.stepButton.disabled = at >= STEPS;
      const s = at > 0 ? r.backward[at - 1] : null;
      if (!s) {
        stepBox.replaceChildren(el("h2", {}, "Forward pass done"),
          el("p", {}, `Every node holds its value: the network says ŷ = ${fmt(r.forward.yhat, 3)} for label y = ${r.y}, `,
            `so the loss is L = ${fmt(r.forward.loss, 4)}. Press Next to send the gradient back from L, one node at a time.`));
        return;
      }
      const rows = s.terms.map((t) => {
        const parent = r.nodes.find((n) => n.id === t.from).label;
        return el("tr", {}, el("td", {}, parent), el("td", {}, fmt(t.upstream, 4)),
          el("td", {}, el("span", { class: "muted" }, `${t.local_formula} = `), fmt(t.local, 4)),
          el("td", { class: "strong" }, fmt(t.product, 4)));
      });
      stepBox.replaceChildren(...[
        el("h2", {}, `Step ${at}: ∂L/∂${s.label} = ${fmt(s.grad, 4)}`),
        s.terms.length ? el("div", { class: "bp-scroll" }, el("table", { class: "data bp-terms" },
          el("thead", {}, el("tr", {}, el("th", {}, "from"), el("th", {}, "upstream ∂L/∂parent"),
            el("th", {}, "local derivative"), el("th", {}, "product"))),
          el("tbody", {}, rows))) : el("p", {}, "The start: the loss's gradient with respect to itself is 1."),
        el("p", { class: "bp-equation", "data-testid": "equation" }, s.equation),
        s.terms.length > 1 ? el("p", { class: "note small" },
          `${s.label} feeds ${s.terms.length} nodes, so its gradient is the sum of the ${s.terms.length} products.`) : null,
      ].filter(Boolean));
    }

    function drawGradients(r) {
      gradients.replaceChildren(el("table", { class: "data" },
        el("thead", {}, el("tr", {}, el("th", {}, "weight"), el("th", {}, "value"), el("th", {}, "∂L/∂θ backprop"),
          el("th", {}, "finite difference"), el("th", {}, "difference"))),
        el("tbody", {}, r.gradients.map((g) => el("tr", { "data-testid": `gradient-${g.id}` },
          el("td", {}, g.label), el("td", {}, fmt(g.value, 3)), el("td", {}, fmt(g.grad, 6)),
          el("td", {}, fmt(g.numeric, 6)), el("td", {}, sci(g.difference)))))));
      const close = r.max_difference < 1e-6;  // far below the gradients' size: rounding, not a wrong gradient
      agree.className = `callout${close ? "" : " orange"}`;
      agree.textContent = "The backward pass and the central difference (L(θ + h) − L(θ − h)) / 2h with h = 10⁻⁶ "
        + (close ? `agree for all nine weights: the largest difference is ${sci(r.max_difference)}.`
          : `differ by up to ${sci(r.max_difference)}: at such saturated values the finite difference loses its precision.`);
    }

    function draw(r) {
      last = r;
      drawGraph(ctx, graph, r, at);
      drawStep(r);
      drawGradients(r);
      forward.textContent = `Forward: z₁ = ${fmt(r.forward.z1, 3)}, h₁ = σ(z₁) = ${fmt(r.forward.h1, 3)}; `
        + `z₂ = ${fmt(r.forward.z2, 3)}, h₂ = ${fmt(r.forward.h2, 3)}; z₃ = ${fmt(r.forward.z3, 3)}, `
        + `ŷ = ${fmt(r.forward.yhat, 3)} (${r.prediction}); L = ${fmt(r.forward.loss, 4)}. `
        + "Dashed: the label enters the loss but gets no gradient.";
      root.dataset.at = String(at);
    }

    function show(n) {
      at = n;
      ctx.setParams({ at });
      if (last) draw(last);
    }

    const body = () => ({
      x: [ctx.params.x1, ctx.params.x2], y: ctx.params.y,
      params: { W1: [[ctx.params.w11, ctx.params.w12], [ctx.params.w21, ctx.params.w22]], b1: [ctx.params.b1, ctx.params.b2],
        W2: [[ctx.params.v1, ctx.params.v2]], b2: [ctx.params.c] },
    });
    const refresh = ctx.live(() => ctx.api("backprop", body()), draw);

    function change(values) {
      ctx.setParams({ ...values, at: 0 });
      at = 0;
      // the boxes show 4 decimals; the URL and the requests keep every digit of the state
      for (const id of Object.keys(values)) if (boxes[id]) boxes[id].value = String(Number(ctx.params[id].toFixed(4)));
      refresh();
    }

    async function update() {
      player.pause();
      try {
        const u = await ctx.api("backprop/update", { ...body(), lr: ctx.params.lr });
        const p = u.params;
        change({ w11: p.W1[0][0], w12: p.W1[0][1], w21: p.W1[1][0], w22: p.W1[1][1], b1: p.b1[0], b2: p.b1[1],
          v1: p.W2[0][0], v2: p.W2[0][1], c: p.b2[0] });
        const better = u.loss_change < 0;
        updateOut.replaceChildren(
          el("p", { class: `callout${better ? "" : " orange"}`, "data-testid": "loss-before-after" },
            `Loss ${fmt(u.before.loss, 4)} → ${fmt(u.after.loss, 4)} (${u.loss_change < 0 ? "" : "+"}${fmt(u.loss_change, 4)}); `,
            `ŷ ${fmt(u.before.yhat, 3)} → ${fmt(u.after.yhat, 3)}. `,
            better ? "Every weight moved against its gradient, and the loss went down."
              : "The loss went up: the step was too large. Try a smaller η."),
          el("table", { class: "data small" },
            el("thead", {}, el("tr", {}, el("th", {}, "θ"), el("th", {}, "before"), el("th", {}, "∂L/∂θ"), el("th", {}, "after"))),
            el("tbody", {}, u.updates.map((w) => el("tr", {}, el("td", {}, w.label), el("td", {}, fmt(w.before, 4)),
              el("td", {}, fmt(w.grad, 4)), el("td", {}, fmt(w.after, 4)))))));
      } catch (e) {
        ctx.notify(e.message);
      }
    }

    mountCheck(root, ctx, ["gd_step"]);  // the check at the end of the step (lib/check.js)
    await refresh();
    return () => player.destroy();
  },
};

const STYLE = `
.bp-weights { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px; margin-bottom: 10px; }
.bp-weight-box { display: grid; gap: 2px; }
.bp-weight-box label { font-family: var(--math); font-style: italic; font-weight: 700; }
.bp-weight-box input { width: 100%; }
.bp-nav { align-items: center; }
.bp-step h2 { text-transform: none; letter-spacing: 0; font-size: 1.1rem; color: var(--purple-ink); }
.bp-equation { font-family: var(--mono); font-size: .92rem; overflow-wrap: anywhere; margin-top: 8px; }
.bp-terms td.strong { font-weight: 700; color: var(--purple-ink); }
.bp-update table { margin-top: 8px; }
`;
