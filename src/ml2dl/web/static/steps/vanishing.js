// When learning goes wrong — vanishing gradients.
// POST /api/vanishing (ml2dl.lessons.vanishing) trains three deep stacks (sigmoid + Xavier, tanh + Xavier,
// ReLU + He) with plain SGD and measures, at initialisation and after training, the gradient norm at
// every layer, the error δ at every layer, their per-layer ratio and the mean f′(z) of every hidden layer.
// This file draws; every number and every verdict ("vanishes", "keeps") comes from the server.

import { mountCheck } from "../lib/check.js";

const CSS = `
.va-arms { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 10px; }
@media (max-width: 700px) { .va-arms { grid-template-columns: 1fr; } }
.va-arm { border-radius: 10px; padding: 8px 12px; background: var(--bg); border: 1px solid var(--line); border-top-width: 4px; }
.va-arm .k { font-weight: 650; font-size: .88rem; }
.va-arm .big { font-size: 1.35rem; font-weight: 750; font-variant-numeric: tabular-nums; }
.va-arm .s { font-size: .82rem; color: var(--ink-2); }
.va-chart { min-height: 320px; height: 320px; }
.va-loss { min-height: 220px; height: 220px; }
.va-table-wrap { overflow-x: auto; }
.va-table td.vanish { color: var(--bad); font-weight: 650; }
.va-formula { font-size: 1.1rem; margin: 6px 0 10px; overflow-x: auto; }
`;

const COLOURS = { sigmoid: "--series-4", tanh: "--series-2", relu: "--series-3" };
const SUPER = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** Display only: 2.3e-6 → "2.3 × 10⁻⁶" (numbers between 0.01 and 1000 as they are). */
export function sci(x, fmt) {
  if (x === null || x === undefined) return "—";
  if (x === 0 || (Math.abs(x) >= 0.01 && Math.abs(x) < 1000)) return fmt(x, Math.abs(x) >= 10 ? 1 : 2);
  const [m, e] = x.toExponential(1).split("e");
  return `${m.replace("-", "−")} × 10${String(Number(e)).split("").map((c) => SUPER[c]).join("")}`;
}

export default {
  options: (api) => api("vanishing/options"),
  params: (o) => ({
    depth: { type: "int", default: o.defaults.depth, min: o.depth.min, max: o.depth.max },
    epochs: { type: "choice", default: o.defaults.epochs, choices: o.epochs },
    lr: { type: "choice", default: o.defaults.lr, choices: o.lr },
    seed: { type: "int", default: o.defaults.seed, min: o.seed.min, max: o.seed.max },
  }),

  async mount(root, ctx) {
    ctx.injectStyle("vanishing-style", CSS);
    const { el, fmt, cssVar } = ctx;
    const o = ctx.options;
    const s = { ...ctx.params };
    let alive = true;

    const fetchAndDraw = ctx.live(() => ctx.api("vanishing", { depth: s.depth, epochs: s.epochs, lr: s.lr, seed: s.seed }),
      (r) => { if (alive) draw(r); });
    const change = (name) => (v) => { s[name] = v; ctx.setParams({ [name]: v }); busy(); fetchAndDraw(); };

    const depthCtl = ctx.control({ name: "depth", label: "Hidden layers", onInput: change("depth"), hint: `each of ${o.width} units` });
    const epochSel = ctx.select({ name: "epochs", label: "Training epochs", onChange: change("epochs") });
    const lrSel = ctx.select({ name: "lr", label: "Learning rate η (SGD)", onChange: change("lr") });
    const seedBtn = ctx.hidden("seed") ? null : el("div", { class: "btn-row", "data-control": "seed" },
      el("button", { type: "button", class: "btn btn-small", "data-testid": "new-start",
        onclick: () => change("seed")((s.seed + 1) % (o.seed.max + 1)) }, "New random start"));

    const status = el("p", { class: "small muted", "data-testid": "status", "aria-live": "polite" });
    const setup = el("p", { class: "caption", "data-testid": "setup" });
    const arms = el("div", { class: "va-arms", "data-testid": "arms" });
    const gradChart = el("div", { class: "plot va-chart", "data-testid": "gradient-chart", role: "img",
      "aria-label": "Gradient norm at every layer, log scale" });
    const lossChart = el("div", { class: "plot va-loss", "data-testid": "loss-chart", role: "img", "aria-label": "Training loss per epoch" });
    const whyText = el("p", { "data-testid": "why" });
    const table = el("div", { class: "va-table-wrap", "data-testid": "ratio-table" });
    const lossText = el("p", { class: "note", "data-testid": "loss-text" });

    root.append(
      el("p", { class: "lede" },
        "Backpropagation carries the error from the output back to the first layer, one layer at a time, and every layer ",
        "multiplies it by the slope of its activation. Stack ten sigmoid layers and the first ones hardly receive any gradient: ",
        "they barely learn. ReLU with He initialisation, and tanh with Xavier, keep the gradient's size."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls stack" },
          el("h2", {}, "The deep stacks"),
          depthCtl.node, epochSel.node, lrSel.node, seedBtn, status, setup),
        el("div", { class: "stack" },
          el("div", { class: "panel" },
            el("h2", {}, "Gradient at every layer"),
            el("p", { class: "small muted" }, "‖∂L/∂W‖ of each layer's weights, from the input side (left) to the output (right). ",
              "Log scale: each grid line is ten times smaller. Solid: at initialisation; dotted: after training. ",
              "Colours as in the cards below."),
            gradChart, arms),
          el("div", { class: "panel" },
            el("h2", {}, "Why: the slope, once per layer"),
            el("div", { class: "va-formula" }, ctx.math(
              "<mrow><msub><mi>δ</mi><mi>l</mi></msub><mo>=</mo><mo>(</mo><msubsup><mi>W</mi><mrow><mi>l</mi><mo>+</mo><mn>1</mn></mrow><mo>⊤</mo></msubsup>"
              + "<msub><mi>δ</mi><mrow><mi>l</mi><mo>+</mo><mn>1</mn></mrow></msub><mo>)</mo><mo>⊙</mo><msup><mi>f</mi><mo>′</mo></msup><mo>(</mo>"
              + "<msub><mi>z</mi><mi>l</mi></msub><mo>)</mo><mspace width='1.5em'/><msup><mi>σ</mi><mo>′</mo></msup><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo>"
              + "<mi>σ</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>(</mo><mn>1</mn><mo>−</mo><mi>σ</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>)</mo><mo>≤</mo><mn>0.25</mn></mrow>",
              { display: "block" })),
            el("p", { class: "small" }, "δ", el("sub", {}, "l"), " = ∂L/∂z", el("sub", {}, "l"), " is the error at layer l's weighted sum z",
              el("sub", {}, "l"), ". Each step down multiplies it by the weights and by the activation's slope f′ — the chain rule of ",
              el("a", { href: "?step=backprop", "data-testid": "backprop-link" }, "backpropagation"), ", once per layer."),
            whyText, table),
          el("div", { class: "panel" },
            el("h2", {}, "Loss while training"),
            lossChart, lossText))),
    );

    function busy() { status.textContent = "Training the three networks…"; }

    const armLabel = (a) => a.label;
    const colour = (a) => cssVar(COLOURS[a.activation]);

    function drawGradients(r) {
      const traces = [];
      for (const a of r.arms) {
        for (const [when, dash, name] of [["at_init", "solid", "at initialisation"], ["trained", "dot", "after training"]]) {
          traces.push({ type: "scatter", mode: "lines+markers", x: r.layers, y: a[when].weight_grad, name: `${armLabel(a)}, ${name}`,
            line: { color: colour(a), width: 2.5, dash }, marker: { size: 6 }, legendgroup: a.activation, showlegend: when === "at_init",
            hovertemplate: `${armLabel(a)} (${name})<br>%{x}: ‖∂L/∂W‖ = %{y:.2e}<extra></extra>` });
        }
      }
      ctx.plot(gradChart, traces, {
        margin: { l: 64, r: 10, t: 10, b: 60 },  // the coloured cards below are the legend
        yaxis: { type: "log", title: { text: "gradient norm (log scale)" }, exponentformat: "power", dtick: 1 },
        xaxis: { tickangle: -40 },
      });
    }

    function drawArms(r) {
      arms.replaceChildren(...r.arms.map((a) => {
        const m = a.at_init;
        const words = { vanishes: "vanishes", keeps: "keeps its size", explodes: "explodes" }[m.trend];
        return el("div", { class: "va-arm", style: { borderTopColor: `var(${COLOURS[a.activation]})` }, "data-testid": `arm-${a.activation}` },
          el("div", { class: "k" }, armLabel(a)),
          el("div", { class: "big", "data-testid": `reach-${a.activation}` }, `× ${sci(m.delta_first_over_last, fmt)}`),
          el("div", { class: "s" }, `of the error at hidden layer ${r.depth} reaches hidden layer 1: the gradient ${words}. `,
            `About × ${sci(m.ratio_typical, fmt)} per layer.`));
      }));
    }

    function drawWhy(r) {
      const sig = r.arms.find((a) => a.activation === "sigmoid").at_init;
      const maxSlope = Math.max(...sig.slope_mean);
      const others = r.arms.filter((a) => a.activation !== "sigmoid");
      whyText.replaceChildren(
        `Measured at initialisation: the sigmoid layers' mean slope σ′ is at most ${fmt(maxSlope, 3)} (never above 0.25), `,
        `and the error changes by about × ${sci(sig.ratio_typical, fmt)} per layer. Over the ${r.depth - 1} steps from hidden layer ${r.depth} `,
        `down to hidden layer 1 these factors multiply to × ${sci(sig.delta_first_over_last, fmt)}; `,
        `0.25 multiplied ${r.depth - 1} times is ${sci(r.quarter_power, fmt)}. tanh′ and ReLU′ are 1 where the unit is active, `,
        "and Xavier and He initialisation keep the weights from shrinking the signal: their factors per layer are ",
        ...others.map((a, i) => `${i ? " and " : ""}× ${sci(a.at_init.ratio_typical, fmt)} (${armLabel(a)})`), ".");
      const head = el("tr", {}, el("th", {}, "hidden layer"),
        ...r.arms.map((a) => el("th", { class: "num", colspan: 2 }, armLabel(a))));
      const sub = el("tr", {}, el("th", {}), ...r.arms.flatMap(() => [el("th", { class: "num" }, "mean f′"), el("th", { class: "num" }, "‖δₗ‖/‖δₗ₊₁‖")]));
      const rows = [];
      for (let l = 0; l < r.depth; l++) {
        rows.push(el("tr", {}, el("td", {}, String(l + 1)), ...r.arms.flatMap((a) => {
          const m = a.at_init;
          const ratio = l < r.depth - 1 ? m.ratio[l] : null;
          return [el("td", { class: "num" }, fmt(m.slope_mean[l], 3)),
            el("td", { class: `num ${ratio !== null && ratio < 0.5 ? "vanish" : ""}` }, ratio === null ? "—" : sci(ratio, fmt))];
        })));
      }
      table.replaceChildren(el("table", { class: "data small" }, el("thead", {}, head, sub), el("tbody", {}, rows)),
        el("p", { class: "caption" }, `At initialisation, on all ${r.points} training points. The last hidden layer has no ratio: above it is the output layer.`));
    }

    function drawLoss(r) {
      const x = r.arms[0].loss.map((_, i) => i);
      ctx.plot(lossChart, r.arms.map((a) => ({ type: "scatter", mode: "lines", x, y: a.loss, name: armLabel(a),
        line: { color: colour(a), width: 2.5 }, hovertemplate: `${armLabel(a)}<br>epoch %{x}: loss %{y:.3f}<extra></extra>` })), {
        showlegend: true, legend: { orientation: "h", x: 0, y: 1.2 }, margin: { t: 30 },
        xaxis: { title: { text: "epoch (0 = at initialisation)" } }, yaxis: { title: { text: "training loss" }, rangemode: "tozero" },
      });
      lossText.replaceChildren(...r.arms.map((a) => el("span", { "data-testid": `loss-${a.activation}` },
        `${armLabel(a)}: loss ${fmt(a.loss[0], 3)} → ${fmt(a.final_loss, 3)}, ${fmt(100 * a.accuracy, 1)} % of the points right. `)),
        "A loss that stays near ln 2 ≈ 0.693 is a network still guessing.");
    }

    function draw(r) {
      status.textContent = "";
      setup.textContent = `${r.depth} hidden layers of ${r.width} units each, on ${r.points} points of the circle problem (2 inputs, `
        + `one logit out). Each network is trained by ml2dl's training loop with plain gradient descent (no momentum; Adam would `
        + `rescale every weight's step and hide the effect), η = ${fmt(r.lr)}, batches of ${r.batch_size}: ${fmt(r.steps)} steps. `
        + `The three start from the same seed (${r.seed}).`;
      drawGradients(r);
      drawArms(r);
      drawWhy(r);
      drawLoss(r);
    }

    busy();
    await fetchAndDraw();
    mountCheck(root, ctx, ["vanishing"]);  // the check at the end of the step (lib/check.js)
    return () => { alive = false; };
  },
};
