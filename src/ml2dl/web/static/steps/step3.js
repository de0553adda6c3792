// Step 3 — why activation functions.
// Numbers from POST /api/activations and /api/activations/stack (ml2dl.lessons.activations).

import { mountCheck } from "../lib/check.js";

const FNS = [
  { value: "sigmoid", label: "Sigmoid" },
  { value: "tanh", label: "Tanh" },
  { value: "relu", label: "ReLU" },
  { value: "leaky_relu", label: "Leaky ReLU" },
  { value: "step", label: "Step" },
  { value: "linear", label: "Linear (none)" },
  { value: "softmax", label: "Softmax" },
];
const PARAMS = {
  fn: { type: "choice", default: "sigmoid", choices: FNS },
  z: { type: "float", default: 0, min: -5, max: 5, step: 0.01 },
  a: { type: "float", default: 0.1, min: 0, max: 1, step: 0.01 },          // leaky ReLU's slope
  v: { type: "list", of: "float", default: [2, 1, 0.1], min: -20, max: 20, minLength: 2, maxLength: 8 },  // softmax scores
  act: { type: "choice", default: "on", choices: [{ value: "on", label: "On" }, { value: "off", label: "Off (linear)" }] },
  k: { type: "int", default: 3, min: 1, max: 8 },
  seed: { type: "int", default: 1, min: 0, max: 50 },
};

// MathML for each formula and its derivative (presentation only).
const sub = (b, s) => `<msub><mi>${b}</mi><mi>${s}</mi></msub>`;
const frac = (a, b) => `<mfrac><mrow>${a}</mrow><mrow>${b}</mrow></mfrac>`;
const piece = (rows) => `<mrow><mo>{</mo><mtable>${rows.map(([v, c]) =>
  `<mtr><mtd columnalign="left"><mrow>${v}</mrow></mtd><mtd columnalign="left"><mtext>&#x2003;${c}</mtext></mtd></mtr>`).join("")}</mtable></mrow>`;
const FORMULAS = {
  sigmoid: {
    f: `<mi>σ</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo>${frac("<mn>1</mn>", "<mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><mi>z</mi></mrow></msup>")}`,
    df: `<mi>σ</mi><mo>′</mo><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo><mi>σ</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo stretchy="false">(</mo><mn>1</mn><mo>−</mo><mi>σ</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo stretchy="false">)</mo>`,
  },
  tanh: {
    f: `<mi>tanh</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo>${frac("<msup><mi>e</mi><mi>z</mi></msup><mo>−</mo><msup><mi>e</mi><mrow><mo>−</mo><mi>z</mi></mrow></msup>", "<msup><mi>e</mi><mi>z</mi></msup><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><mi>z</mi></mrow></msup>")}`,
    df: `<mi>tanh</mi><mo>′</mo><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo><mn>1</mn><mo>−</mo><msup><mi>tanh</mi><mn>2</mn></msup><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo>`,
  },
  relu: {
    f: `<mi>ReLU</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo><mi>max</mi><mo stretchy="false">(</mo><mn>0</mn><mo>,</mo><mi>z</mi><mo stretchy="false">)</mo>`,
    df: `<mi>ReLU</mi><mo>′</mo><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo>${piece([["<mn>1</mn>", "if z > 0"], ["<mn>0</mn>", "otherwise"]])}`,
  },
  leaky_relu: {
    f: `<mi>f</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo>${piece([["<mi>z</mi>", "if z > 0"], ["<mi>a</mi><mi>z</mi>", "otherwise"]])}`,
    df: `<mi>f</mi><mo>′</mo><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo>${piece([["<mn>1</mn>", "if z > 0"], ["<mi>a</mi>", "otherwise"]])}`,
  },
  step: {
    f: `<mi>f</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo>${piece([["<mn>1</mn>", "if z > 0"], ["<mn>0</mn>", "otherwise"]])}`,
    df: `<mi>f</mi><mo>′</mo><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo><mn>0</mn><mtext>&#x2003;(no gradient to learn from)</mtext>`,
  },
  linear: {
    f: `<mi>f</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo><mi>z</mi>`,
    df: `<mi>f</mi><mo>′</mo><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo><mn>1</mn>`,
  },
  softmax: {
    f: `<msub><mi>p</mi><mi>i</mi></msub><mo>=</mo><mi>softmax</mi><msub><mrow><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo></mrow><mi>i</mi></msub><mo>=</mo>${frac(`<msup><mi>e</mi>${sub("z", "i")}</msup>`, `<munder><mo>∑</mo><mi>j</mi></munder><msup><mi>e</mi>${sub("z", "j")}</msup>`)}`,
    df: `<mfrac><mrow><mo>∂</mo>${sub("p", "1")}</mrow><mrow><mo>∂</mo>${sub("z", "1")}</mrow></mfrac><mo>=</mo>${sub("p", "1")}<mo stretchy="false">(</mo><mn>1</mn><mo>−</mo>${sub("p", "1")}<mo stretchy="false">)</mo>`,
  },
};
const F_NAME = { sigmoid: "σ", tanh: "tanh", relu: "ReLU", leaky_relu: "f", step: "f", linear: "f", softmax: "p₁" };

// 8.9e-16 -> "8.9 × 10⁻¹⁶" (display only)
function sci(x) {
  if (x === 0) return "0";
  const [m, e] = x.toExponential(1).split("e");
  const sup = { "-": "⁻", "+": "", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  return `${m} × 10${[...e].map((c) => sup[c]).join("")}`;
}

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el, fmt, cssVar } = ctx;
    const F_COLOUR = cssVar("--slate"), DF_COLOUR = cssVar("--violet");
    const NEURON_COLOURS = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => cssVar(`--series-${i}`));
    const state = { ...ctx.params, v: [...ctx.params.v] };
    const save = () => ctx.setParams({ fn: state.fn, z: state.z, a: state.a, v: state.v, act: state.act, k: state.k, seed: state.seed });

    // ------------------------------------------------------------ part 1: one function
    const fnChoice = ctx.choice({ name: "fn", label: "Activation function",
      onChange: (v) => { state.fn = v; save(); layoutFor(); refresh(); refreshStack(); } });
    const zCtl = ctx.control({ name: "z", label: "z (the neuron's weighted sum)", onInput: (v) => { state.z = v; save(); refresh(); } });
    const aCtl = ctx.control({ name: "a", label: "a (slope for z < 0)",
      onInput: (v) => { state.a = v; save(); refresh(); refreshStack(); },
      hint: "PyTorch's default is 0.01; 0.1 here so you can see it." });
    const vecBox = el("div", { class: "vector-editor", "data-testid": "vector" });
    const vecPanel = ctx.hidden("v") ? null : el("fieldset", { class: "group", "data-control": "v" },
      el("legend", {}, "Scores z — one per class"), vecBox,
      el("p", { class: "hint" }, "Softmax needs a vector: it turns any scores into probabilities."));

    function drawVectorEditor() {
      if (!vecPanel) return;
      const rows = state.v.map((value, i) => el("div", { class: "vec-row" },
        el("label", { for: `vec-${i}` }, `z${"₁₂₃₄₅₆₇₈"[i]} (class ${i + 1})`),
        el("input", { type: "number", id: `vec-${i}`, class: "input", step: 0.1, min: PARAMS.v.min, max: PARAMS.v.max, value,
          "data-testid": `vec-${i}`, oninput: (ev) => {
            const x = Number(ev.target.value);
            if (ev.target.value === "" || !Number.isFinite(x)) return;
            state.v[i] = x; save(); refresh();
          } })));
      const add = el("button", { type: "button", class: "btn btn-small", "data-testid": "vec-add", disabled: state.v.length >= PARAMS.v.maxLength,
        onclick: () => { state.v.push(0); save(); drawVectorEditor(); refresh(); } }, "+ class");
      const remove = el("button", { type: "button", class: "btn btn-small", "data-testid": "vec-remove", disabled: state.v.length <= PARAMS.v.minLength,
        onclick: () => { state.v.pop(); save(); drawVectorEditor(); refresh(); } }, "− class");
      vecBox.replaceChildren(...rows, el("div", { class: "btn-row" }, add, remove));
    }

    const formula = el("div", { class: "formula big-formula", "data-testid": "formula" });
    const rangeOut = el("div", { class: "v", "data-testid": "range" });
    const fzKey = el("div", { class: "k" });
    const fzOut = el("div", { class: "v num", "data-testid": "fz" });
    const dfKey = el("div", { class: "k" });
    const dfOut = el("div", { class: "v num", "data-testid": "dfz" });
    const usedFor = el("p", { class: "callout", "data-testid": "used-for" });
    const curvePlot = el("div", { class: "plot", "data-testid": "activation-plot" });
    const softmaxBox = el("div", { "data-testid": "softmax" });

    const controlsPanel = el("div", { class: "panel controls" },
      el("h2", {}, "Pick an activation"),
      fnChoice.node,
      el("div", { class: "z-slot" }, zCtl.node),
      el("div", { class: "a-slot" }, aCtl.node),
      vecPanel,
      el("p", { class: "try" }, el("strong", {}, "Try: "), "compare where each curve is flat, then scroll down and ",
        "switch the activation off between the layers."));

    root.append(
      el("p", { class: "lede" },
        "A neuron's weighted sum z goes through an ", el("strong", {}, "activation function"),
        " before it leaves the neuron. Without one, a stack of layers is still one straight line; ",
        "the activation is what lets depth bend it."),
      el("div", { class: "step-grid" },
        controlsPanel,
        el("div", { class: "stack" },
          el("div", { class: "panel" },
            el("div", { class: "fn-head" }, formula),
            el("div", { class: "readouts" },
              el("div", { class: "readout" }, el("div", { class: "k" }, "Output range"), rangeOut),
              el("div", { class: "readout" }, fzKey, fzOut),
              el("div", { class: "readout" }, dfKey, dfOut)),
            usedFor),
          el("div", { class: "panel" }, el("h2", { "data-testid": "plot-title" }, "The function and its derivative"), curvePlot,
            el("p", { class: "caption" }, "Solid: f(z). Dashed: its derivative f′(z), the gradient that training ",
              "sends back through the neuron. Flat parts of f′ are where learning stalls."),
            softmaxBox))),
    );

    function layoutFor() {
      const soft = state.fn === "softmax";
      controlsPanel.querySelector(".z-slot").hidden = soft;
      controlsPanel.querySelector(".a-slot").hidden = state.fn !== "leaky_relu";
      if (vecPanel) vecPanel.hidden = !soft;
      softmaxBox.hidden = !soft;
      stackNote.hidden = state.fn !== "softmax";
    }

    function draw(r) {
      const name = F_NAME[r.fn];
      formula.replaceChildren(ctx.math(FORMULAS[r.fn].f, { display: "block" }),
        ctx.math(FORMULAS[r.fn].df, { display: "block", class: "derivative" }));
      rangeOut.textContent = r.output_range;
      const zs = fmt(r.at.z, 2);
      fzKey.textContent = r.fn === "softmax" ? `p₁ at z₁ = ${zs}` : `${name}(${zs})`;
      dfKey.textContent = r.fn === "softmax" ? "∂p₁/∂z₁" : `${name}′(${zs})`;
      fzOut.textContent = fmt(r.at.f, 3);
      dfOut.textContent = fmt(r.at.df, 3);
      usedFor.replaceChildren(el("strong", {}, "Where it is used. "), r.used_for);

      const xTitle = r.fn === "softmax" ? "z₁ (score of class 1; the others fixed)" : "z";
      ctx.plot(curvePlot, [
        { x: r.curve.z, y: r.curve.f, mode: "lines", name: r.fn === "softmax" ? "p₁" : "f(z)",
          line: { color: F_COLOUR, width: 3, shape: r.fn === "step" ? "hv" : "linear" } },
        { x: r.curve.z, y: r.curve.df, mode: "lines", name: r.fn === "softmax" ? "∂p₁/∂z₁" : "f′(z)",
          line: { color: DF_COLOUR, width: 2, dash: "dash" } },
        { x: [r.at.z], y: [r.at.f], mode: "markers+text", name: "at z", text: [fmt(r.at.f, 3)],
          textposition: "top left", textfont: { size: 13, color: F_COLOUR },
          marker: { size: 12, color: cssVar("--white"), line: { color: F_COLOUR, width: 3 } } },
      ], { height: 300, showlegend: true, xaxis: { title: { text: xTitle }, range: [-5, 5] },
        yaxis: { title: { text: "" } } });

      if (r.softmax) drawSoftmax(r.softmax);
    }

    function drawSoftmax(s) {
      const labels = s.vector.map((_, i) => `class ${i + 1}`);
      const bars = el("div", { class: "plot small-plot", "data-testid": "softmax-plot" });
      const rows = s.vector.map((v, i) => el("tr", { class: i === s.argmax ? "hi" : "" },
        el("td", {}, labels[i]), el("td", {}, fmt(v, 2)), el("td", {}, fmt(s.exp[i], 3)),
        el("td", { "data-testid": `prob-${i}` }, fmt(s.probabilities[i], 3))));
      softmaxBox.replaceChildren(
        el("h2", { class: "panel-title", style: "margin-top: 14px" }, "Softmax of your scores"),
        el("div", { class: "cols-2" },
          el("table", { class: "data" },
            el("thead", {}, el("tr", {}, el("th", {}, "class"), el("th", {}, "score z"), el("th", {}, "eᶻ"), el("th", {}, "p = eᶻ / Σ eᶻ"))),
            el("tbody", {}, rows),
            el("tfoot", {}, el("tr", {}, el("td", {}, "total"), el("td", {}), el("td", {}, fmt(s.exp_sum, 3)),
              el("td", { "data-testid": "prob-total" }, fmt(s.total, 3))))),
          bars));
      ctx.plot(bars, [{ type: "bar", x: labels, y: s.probabilities, text: s.probabilities.map((p) => fmt(p, 3)),
        textposition: "outside", marker: { color: s.probabilities.map((_, i) => (i === s.argmax ? F_COLOUR : cssVar("--bar-muted"))) } }],
      { height: 220, yaxis: { range: [0, 1.12], title: { text: "probability" } }, margin: { t: 8 } });
    }

    const refresh = ctx.live(() => ctx.api("activations", {
      fn: state.fn, z: state.z, negative_slope: state.a, vector: state.v,
    }), draw);

    // ------------------------------------------------------------ part 2: stacking
    const actChoice = ctx.choice({ name: "act", label: "Activation between the layers",
      onChange: (v) => { state.act = v; save(); refreshStack(); } });
    const kCtl = ctx.control({ name: "k", label: "Neurons per hidden layer (k)",
      onInput: (v) => { state.k = Math.round(v); save(); refreshStack(); } });
    const seedCtl = ctx.control({ name: "seed", label: "Weights (seed)",
      onInput: (v) => { state.seed = Math.round(v); save(); refreshStack(); } });
    const hiddenPlots = [el("div", { class: "plot tiny-plot", "data-testid": "stack-h1" }),
      el("div", { class: "plot tiny-plot", "data-testid": "stack-h2" })];
    const outPlot = el("div", { class: "plot tiny-plot", "data-testid": "stack-output" });
    const verdict = el("div", { class: "callout", "data-testid": "stack-verdict" });
    const stackNote = el("p", { class: "hint" }, "Softmax is an output-layer function; between layers it squeezes the neurons against each other.");

    root.append(el("div", { class: "panel stack-panel" },
      el("h2", {}, "Stack layers with and without the activation"),
      el("p", { class: "note" }, "A small network 1 → k → k → 1 with fixed weights. Each hidden neuron is a curve over the ",
        "input x; the output adds them up. Turn the activation off and every curve, and so the whole network, ",
        "becomes a straight line."),
      el("div", { class: "step-grid" },
        el("div", {}, actChoice.node, kCtl.node, seedCtl.node, stackNote),
        el("div", { class: "stack" },
          el("div", { class: "cols-3" },
            el("figure", { class: "mini" }, el("figcaption", {}, "Hidden layer 1: each neuron"), hiddenPlots[0]),
            el("figure", { class: "mini" }, el("figcaption", {}, "Hidden layer 2: each neuron"), hiddenPlots[1]),
            el("figure", { class: "mini" }, el("figcaption", {}, "Output y(x)"), outPlot)),
          verdict))));

    function drawStack(r) {
      const mode = r[state.act];
      const other = r[state.act === "on" ? "off" : "on"];
      const yRange = (curves) => {
        let lo = Infinity, hi = -Infinity;
        for (const c of curves) for (const y of c) { if (y < lo) lo = y; if (y > hi) hi = y; }
        const pad = Math.max((hi - lo) * 0.08, 0.05);
        return [lo - pad, hi + pad];
      };
      const small = { height: 200, margin: { l: 40, r: 8, t: 6, b: 34 }, xaxis: { title: { text: "x" } } };
      mode.hidden.forEach((layer, li) => {
        ctx.plot(hiddenPlots[li], layer.map((y, j) => ({ x: r.x, y, mode: "lines",
          line: { color: NEURON_COLOURS[j % NEURON_COLOURS.length], width: 2, shape: r.fn === "step" && state.act === "on" ? "hv" : "linear" },
          name: `neuron ${j + 1}` })), { ...small, yaxis: { range: yRange(layer) } });
      });
      ctx.plot(outPlot, [
        { x: r.x, y: other.output, mode: "lines", name: state.act === "on" ? "activation off" : "activation on",
          line: { color: cssVar("--guide"), width: 2, dash: "dot" } },
        { x: r.x, y: mode.output, mode: "lines", name: state.act === "on" ? "activation on" : "activation off",
          line: { color: F_COLOUR, width: 3.5 } },
      ], { ...small, margin: { ...small.margin, t: 30 }, height: 224, showlegend: true,  // both traces named and in range
        legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }, yaxis: { range: yRange([mode.output, other.output]) } });

      if (state.act === "off") {
        const c = r.collapsed;
        verdict.className = "callout";
        verdict.replaceChildren(
          el("strong", {}, "Linear ∘ linear = linear. "),
          "All three layers collapse into one weight and one bias: ",
          ctx.math(`<mi>y</mi><mo>=</mo><mrow><msub><mi>W</mi><mn>3</mn></msub><msub><mi>W</mi><mn>2</mn></msub><msub><mi>W</mi><mn>1</mn></msub></mrow><mi>x</mi><mo>+</mo><mi>b</mi><mo>=</mo><mn data-testid="collapsed-w">${fmt(c.weight, 3)}</mn><mi>x</mi><mo>${c.bias < 0 ? "−" : "+"}</mo><mn>${fmt(Math.abs(c.bias), 3)}</mn>`),
          `. Its ${fmt(r.num_parameters)} parameters do the work of 2: `,
          "the network and the single line differ by at most ", sci(c.max_abs_error), " (floating-point rounding).");
      } else {
        // the words follow the measured output: bent, straight, or constant (ReLU with one neuron, softmax of one value…)
        const shape = r.on.shape;
        verdict.className = shape === "bends" ? "callout accent" : "callout";
        verdict.dataset.shape = shape;
        const dev = fmt(r.on.line_deviation, 3);
        verdict.replaceChildren(...(r.fn === "linear"
          ? [el("strong", {}, "Still a straight line. "), "'Linear' is no activation at all, so switching it on changes nothing."]
          : shape === "bends"
            ? [el("strong", {}, "The output bends. "), `It strays up to ${dev} from the best straight line through it. `,
              "With enough neurons, two layers with a non-linear activation can approximate any continuous curve (the universal approximation theorem)."]
            : shape === "straight"
              ? [el("strong", {}, "Still a straight line here. "), `The output strays at most ${dev} from the best straight line: `,
                "with these weights the activation is used only where it is (almost) straight. Try another seed or more neurons."]
              : [el("strong", {}, "The output is constant. "), `It is ${fmt(mode.output[0], 3)} for every x: `,
                "nothing that changes with x reaches the output. Try another seed or more neurons."]));
      }
    }
    const refreshStack = ctx.live(() => ctx.api("activations/stack", {
      fn: state.fn, width: state.k, seed: state.seed, negative_slope: state.a,
    }), drawStack);

    drawVectorEditor();
    layoutFor();
    await Promise.all([refresh(), refreshStack()]);
    mountCheck(root, ctx, ["sigmoid"]);  // the check at the end of the step (lib/check.js)
    return () => root.querySelectorAll(".js-plotly-plot").forEach((n) => ctx.plotly.purge(n));
  },
};
