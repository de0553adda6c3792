// Step 1 — a neuron is logistic regression.
// Every number comes from POST /api/neuron (ml2dl.lessons.neuron); this file only draws.

import { mountCheck } from "../lib/check.js";

const WEIGHT = { type: "float", min: -3, max: 3, step: 0.01 };
// the curriculum's worked example: z = 0.7·0.8 − 0.5·0.3 + 0.1 = 0.51, ŷ = σ(0.51) ≈ 0.625
const PARAMS = {
  x1: { ...WEIGHT, default: 0.8 },
  x2: { ...WEIGHT, default: 0.3 },
  w1: { ...WEIGHT, default: 0.7 },
  w2: { ...WEIGHT, default: -0.5 },
  b: { ...WEIGHT, default: 0.1 },
};

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el, svg, fmt, cssVar } = ctx;
    const ORANGE = cssVar("--orange"), BLUE = cssVar("--blue"), GREY = cssVar("--grey-ink");
    const sideColour = (p) => (p >= 0.5 ? ORANGE : BLUE);  // which side of the 0.5 threshold
    const state = {};
    for (const k of Object.keys(PARAMS)) state[k] = ctx.params[k];

    // ------------------------------------------------------------ controls
    const controls = {};
    const onInput = () => {
      for (const k of Object.keys(controls)) state[k] = controls[k].get();
      ctx.setParams(state);
      refresh();
    };
    const mk = (name, label, hint) => {
      controls[name] = ctx.control({ name, label, onInput, hint });
      return controls[name].node;
    };
    const group = (title, ...nodes) => nodes.some(Boolean)
      ? el("fieldset", { class: "group" }, el("legend", {}, title), nodes) : null;

    const reset = el("button", {
      type: "button", class: "btn btn-small", "data-testid": "reset",
      onclick: () => {
        for (const [k, spec] of Object.entries(PARAMS)) { state[k] = spec.default; controls[k].set(spec.default); }
        ctx.setParams(state);
        refresh();
      },
    }, "Reset to the worked example");

    const controlPanel = el("div", { class: "panel controls" },
      el("h2", {}, "Adjust the neuron"),
      group("Inputs — one patient's two measurements",
        mk("x1", el("span", {}, "x", el("sub", {}, "1"), " input 1")),
        mk("x2", el("span", {}, "x", el("sub", {}, "2"), " input 2"))),
      group("Weights — what training learns",
        mk("w1", el("span", {}, "w", el("sub", {}, "1"), " weight of x", el("sub", {}, "1"))),
        mk("w2", el("span", {}, "w", el("sub", {}, "2"), " weight of x", el("sub", {}, "2")))),
      group("Bias — shifts the threshold", mk("b", el("span", {}, "b bias"))),
      ctx.hidden("reset") ? null : el("div", { class: "btn-row", "data-control": "reset" }, reset),
      el("p", { class: "try" }, el("strong", {}, "Try: "), "drag w", el("sub", {}, "2"),
        " down to −3. When does the prediction flip to normal? Which z does that happen at?"));

    // ------------------------------------------------------------ outputs
    const diagram = el("div", { class: "figure", "data-testid": "neuron-diagram" });
    const equation = el("div", { class: "formula equation eq-grid", "data-testid": "equation" });
    const zOut = el("div", { class: "v num", "data-testid": "z" }, "…");
    const yOut = el("div", { class: "v num", "data-testid": "yhat" }, "…");
    const predOut = el("div", { class: "v", "data-testid": "prediction" }, "…");
    const predSub = el("div", { class: "s" });
    const yCard = el("div", { class: "readout" }, el("div", { class: "k" }, "ŷ = σ(z)"), yOut,
      el("div", { class: "s" }, "probability of pneumonia"));
    const predCard = el("div", { class: "readout" }, el("div", { class: "k" }, "Prediction"), predOut, predSub);
    const curve = el("div", { class: "figure", "data-testid": "sigmoid-plot" });

    root.append(
      el("p", { class: "lede" },
        "A neuron multiplies each input by a weight, adds a bias, and squashes the sum with the sigmoid into a ",
        "probability between 0 and 1. That is ", el("strong", {}, "logistic regression"),
        ". Move any slider: the numbers, the diagram, the equation and the curve are one computation."),
      el("div", { class: "step-grid" },
        controlPanel,
        el("div", { class: "stack" },
          el("div", { class: "readouts" },
            el("div", { class: "readout" }, el("div", { class: "k" }, "z — weighted sum"), zOut,
              el("div", { class: "s" }, "any real number")),
            yCard, predCard),
          el("div", { class: "panel" }, el("h2", {}, "The neuron"), diagram,
            el("p", { class: "caption" },
              "Edge thickness = size of the weight. Orange edges push ŷ up (towards pneumonia), ",
              "blue edges push it down (towards normal).")),
          el("div", { class: "cols-2" },
            el("div", { class: "panel" }, el("h2", {}, "The same neuron as an equation"), equation,
              el("p", { class: "callout", style: "margin-top: 14px" },
                "Logistic regression computes exactly ŷ = σ(w·x + b). One neuron ", el("em", {}, "is"),
                " logistic regression; a neural network is many of them, connected.")),
            el("div", { class: "panel" }, el("h2", {}, "The sigmoid squashes z into (0, 1)"), curve,
              el("p", { class: "caption" }, "Large positive z → close to 1; large negative z → close to 0; ",
                "z = 0 → exactly 0.5, the decision threshold.")))),
      ),
    );

    // ------------------------------------------------------------ drawing
    function drawEquation(r) {
      const [x1, x2] = r.inputs, [w1, w2] = r.weights;
      const n = (v, cls) => `<mn class="${cls}">${fmt(v)}</mn>`;
      const par = (v, cls) => (v < 0 ? `<mo stretchy="false">(</mo>${n(v, cls)}<mo stretchy="false">)</mo>` : n(v, cls));
      const sub = (b, s) => `<msub><mi>${b}</mi><mn>${s}</mn></msub>`;
      const rows = [
        ["<mi>z</mi>", `${sub("w", 1)}${sub("x", 1)}<mo>+</mo>${sub("w", 2)}${sub("x", 2)}<mo>+</mo><mi>b</mi>`],
        ["", `${par(w1, "w")}<mo>·</mo>${par(x1, "x")}<mo>+</mo>${par(w2, "w")}<mo>·</mo>${par(x2, "x")}<mo>+</mo>${par(r.bias, "w")}`],
        ["", `${n(r.terms[0], "")}<mo>+</mo>${par(r.terms[1], "")}<mo>+</mo>${par(r.bias, "")}`],
        ["", `<mn class="result">${fmt(r.z)}</mn>`],
        ["<mover><mi>y</mi><mo>^</mo></mover>", `<mi>σ</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo><mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo>${par(r.z, "")}</mrow></msup></mrow></mfrac>`],
        ["", `<mn class="result">${fmt(r.yhat, 3)}</mn>`],
      ];
      equation.replaceChildren(...rows.flatMap(([lhs, rhs]) => [
        el("span", { class: "eq-l" }, lhs ? ctx.math(lhs) : ""),
        el("span", { class: "eq-r" }, ctx.math(`<mo>=</mo>${rhs}`)),
      ]));
    }

    function drawDiagram(r) {
      const W = 660, H = 250;
      const inY = [72, 198], inX = 66, sumX = 290, sumY = 135, sigX = 458, outX = 590;
      const nodes = [];
      const edgeW = (w) => 1.5 + Math.min(Math.abs(w), 3) * 2.6;
      const edgeC = (w) => (w >= 0 ? ORANGE : BLUE);
      const label = (x, y, text, attrs = {}) => svg("text", { x, y, "text-anchor": "middle", class: "dg-label", ...attrs }, text);

      // edges input -> sum, with the weight at the middle
      r.inputs.forEach((x, i) => {
        const w = r.weights[i];
        nodes.push(svg("line", { x1: inX + 28, y1: inY[i], x2: sumX - 34, y2: sumY, stroke: edgeC(w),
          "stroke-width": edgeW(w), "stroke-linecap": "round", opacity: w === 0 ? 0.25 : 0.85 }));
        const mx = (inX + sumX) / 2 + 4, my = (inY[i] + sumY) / 2 + (i === 0 ? -16 : 26);
        nodes.push(svg("text", { x: mx, y: my, "text-anchor": "middle", class: "dg-w", fill: edgeC(w) },
          svg("tspan", {}, `w${i ? "₂" : "₁"} = ${fmt(w)}`)));
        nodes.push(svg("text", { x: mx, y: my + 16, "text-anchor": "middle", class: "dg-term" },
          `w${i ? "₂" : "₁"}x${i ? "₂" : "₁"} = ${fmt(r.terms[i])}`));
      });
      // bias edge from above
      nodes.push(svg("line", { x1: sumX, y1: 28, x2: sumX, y2: sumY - 34, stroke: edgeC(r.bias),
        "stroke-width": edgeW(r.bias), "stroke-linecap": "round", opacity: r.bias === 0 ? 0.25 : 0.85 }));
      nodes.push(label(sumX + 12, 24, `b = ${fmt(r.bias)}`, { "text-anchor": "start", class: "dg-w", fill: edgeC(r.bias) }));
      // sum -> sigmoid -> output
      nodes.push(svg("line", { x1: sumX + 34, y1: sumY, x2: sigX - 38, y2: sumY, stroke: GREY, "stroke-width": 2.5, "marker-end": "url(#arrow)" }));
      nodes.push(label((sumX + sigX) / 2, sumY - 10, `z = ${fmt(r.z)}`, { class: "dg-z" }));
      nodes.push(svg("line", { x1: sigX + 38, y1: sumY, x2: outX - 40, y2: sumY, stroke: GREY, "stroke-width": 2.5, "marker-end": "url(#arrow)" }));

      // input nodes
      r.inputs.forEach((x, i) => {
        nodes.push(svg("circle", { cx: inX, cy: inY[i], r: 28, class: "dg-node" }));
        nodes.push(label(inX, inY[i] - 3, `x${i ? "₂" : "₁"}`, { class: "dg-name" }));
        nodes.push(label(inX, inY[i] + 15, fmt(x), { class: "dg-val" }));
      });
      // summing node
      nodes.push(svg("circle", { cx: sumX, cy: sumY, r: 34, class: "dg-node dg-sum" }));
      nodes.push(label(sumX, sumY + 11, "Σ", { class: "dg-sigma" }));
      nodes.push(label(sumX, sumY + 58, "weighted sum", { class: "dg-cap" }));
      // sigmoid node with a tiny σ curve
      nodes.push(svg("rect", { x: sigX - 38, y: sumY - 30, width: 76, height: 60, rx: 12, class: "dg-node" }));
      const glyph = r.curve.z.filter((_, k) => k % 6 === 0).map((zz, k) => {
        const idx = k * 6;
        const gx = sigX - 28 + ((zz - r.curve.z[0]) / (r.curve.z[r.curve.z.length - 1] - r.curve.z[0])) * 56;
        const gy = sumY + 20 - r.curve.y[idx] * 40;
        return `${gx.toFixed(1)},${gy.toFixed(1)}`;
      }).join(" ");
      nodes.push(svg("polyline", { points: glyph, fill: "none", stroke: cssVar("--ink-2"), "stroke-width": 2.2 }));
      nodes.push(label(sigX, sumY + 58, "sigmoid σ", { class: "dg-cap" }));
      // output node: a gauge filled orange (pneumonia) up to ŷ, blue (normal) above
      const R0 = 40, fillTop = sumY + R0 - 2 * R0 * r.yhat;
      nodes.push(svg("clipPath", { id: "out-clip" }, svg("circle", { cx: outX, cy: sumY, r: R0 })));
      nodes.push(svg("g", { "clip-path": "url(#out-clip)" },
        svg("rect", { x: outX - R0, y: sumY - R0, width: 2 * R0, height: 2 * R0, fill: BLUE }),
        svg("rect", { x: outX - R0, y: fillTop, width: 2 * R0, height: sumY + R0 - fillTop, fill: ORANGE })));
      nodes.push(svg("circle", { cx: outX, cy: sumY, r: R0, fill: "none", stroke: cssVar("--white"), "stroke-width": 3 }));
      nodes.push(label(outX, sumY - 4, "ŷ", { class: "dg-name dg-light" }));
      nodes.push(label(outX, sumY + 16, fmt(r.yhat, 3), { class: "dg-val dg-light", "data-testid": "diagram-yhat" }));
      nodes.push(label(outX, sumY + 62, "orange part = ŷ", { class: "dg-cap" }));

      const defs = svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: GREY })));
      diagram.replaceChildren(svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
        "aria-label": `Neuron: z = ${fmt(r.z)}, y hat = ${fmt(r.yhat, 3)}` }, defs, nodes));
    }

    function drawCurve(r) {
      const W = 340, H = 210, L = 38, R = 12, T = 12, B = 34;
      const z0 = r.curve.z[0], z1 = r.curve.z[r.curve.z.length - 1];
      const sx = (z) => L + ((z - z0) / (z1 - z0)) * (W - L - R);
      const sy = (y) => T + (1 - y) * (H - T - B);
      const pts = r.curve.z.map((z, i) => `${sx(z).toFixed(1)},${sy(r.curve.y[i]).toFixed(1)}`).join(" ");
      const ticksX = [z0, z0 / 2, 0, z1 / 2, z1];
      const parts = [
        svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: cssVar("--plot-bg"), stroke: cssVar("--line") }),
        svg("line", { x1: L, x2: W - R, y1: sy(0.5), y2: sy(0.5), stroke: cssVar("--guide"), "stroke-dasharray": "4 4" }),
        svg("line", { x1: sx(0), x2: sx(0), y1: T, y2: H - B, stroke: cssVar("--guide"), "stroke-dasharray": "4 4" }),
        ...[0, 0.5, 1].map((y) => svg("text", { x: L - 6, y: sy(y) + 4, "text-anchor": "end", class: "ax" }, fmt(y, y === 0.5 ? 1 : 0))),
        ...ticksX.map((z) => svg("text", { x: sx(z), y: H - B + 16, "text-anchor": "middle", class: "ax" }, fmt(z))),
        svg("text", { x: (L + W - R) / 2, y: H - 3, "text-anchor": "middle", class: "ax ax-title" }, "z"),
        svg("polyline", { points: pts, fill: "none", stroke: cssVar("--ink-2"), "stroke-width": 2.5 }),
        svg("line", { x1: sx(r.z), x2: sx(r.z), y1: H - B, y2: sy(r.yhat), stroke: sideColour(r.yhat), "stroke-width": 1.5, "stroke-dasharray": "3 3" }),
        svg("line", { x1: L, x2: sx(r.z), y1: sy(r.yhat), y2: sy(r.yhat), stroke: sideColour(r.yhat), "stroke-width": 1.5, "stroke-dasharray": "3 3" }),
        svg("circle", { cx: sx(r.z), cy: sy(r.yhat), r: 7, fill: sideColour(r.yhat), stroke: cssVar("--white"), "stroke-width": 2, "data-testid": "sigmoid-point" }),
        svg("text", { x: Math.min(sx(r.z) + 10, W - R - 70), y: Math.max(sy(r.yhat) - 10, T + 12), class: "ax ax-point" },
          `σ(${fmt(r.z)}) = ${fmt(r.yhat, 3)}`),
      ];
      curve.replaceChildren(svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "sigmoid curve with the current point" }, parts));
    }

    function draw(r) {
      zOut.textContent = fmt(r.z);
      yOut.textContent = fmt(r.yhat, 3);
      const pneu = r.prediction === "pneumonia";
      predOut.textContent = pneu ? "pneumonia" : "normal";
      predSub.textContent = pneu ? "z ≥ 0, so ŷ ≥ 0.5" : "z < 0, so ŷ < 0.5";
      predCard.className = `readout ${pneu ? "orange" : "blue"}`;
      yCard.className = `readout ${pneu ? "orange" : "blue"}`;
      drawEquation(r);
      drawDiagram(r);
      drawCurve(r);
    }

    mountCheck(root, ctx, ["sigmoid"]);  // the check at the end of the step (lib/check.js)
    const refresh = ctx.live(() => ctx.api("neuron", { ...state }), draw);
    await refresh();
  },
};
