// Step 6 — convolution vs fully connected: parameter counts.
// Numbers from POST /api/convolution and /api/convolution/quiz (ml2dl.lessons.convolution).

import { mountCheck } from "../lib/check.js";

const PARAMS = {
  size: { type: "int", default: 28, min: 8, max: 512 },        // image side in pixels
  neurons: { type: "int", default: 32, min: 1, max: 256 },     // neurons = filters
  kernel: { type: "choice", default: 3, choices: [{ value: 3, label: "3 × 3" }, { value: 5, label: "5 × 5" }, { value: 7, label: "7 × 7" }] },
};

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el, svg, fmt, cssVar } = ctx;
    const FC_COLOUR = cssVar("--muted"), CONV_COLOUR = cssVar("--violet");
    const state = { ...ctx.params };
    const save = () => ctx.setParams({ size: state.size, neurons: state.neurons, kernel: state.kernel });

    const sizeCtl = ctx.control({ name: "size", label: "Image size (pixels per side)",
      onInput: (v) => { state.size = Math.round(v); save(); refresh(); },
      hint: "28 = PneumoniaMNIST; 224 = a typical CNN input." });
    const nCtl = ctx.control({ name: "neurons", label: "Neurons / filters",
      onInput: (v) => { state.neurons = Math.round(v); save(); refresh(); },
      hint: "Neurons of the fully connected layer = filters (feature maps) of the convolution." });
    const kChoice = ctx.choice({ name: "kernel", label: "Kernel size",
      onChange: (v) => { state.kernel = Number(v); save(); refresh(); } });

    const fcFormula = el("div", { class: "count-formula", "data-testid": "fc-formula" });
    const fcWeights = el("div", { class: "count-big num", "data-testid": "fc-weights" });
    const fcTotal = el("div", { class: "count-sub", "data-testid": "fc-total" });
    const convFormula = el("div", { class: "count-formula", "data-testid": "conv-formula" });
    const convWeights = el("div", { class: "count-big num", "data-testid": "conv-weights" });
    const convTotal = el("div", { class: "count-sub", "data-testid": "conv-total" });
    const ratio = el("div", { class: "ratio", "data-testid": "ratio" });
    const fcPicture = el("div", { class: "figure mini-fig" });
    const convPicture = el("div", { class: "figure mini-fig" });
    const chart = el("div", { class: "plot", "data-testid": "conv-chart" });

    root.append(
      el("p", { class: "lede" },
        "A fully connected neuron has one weight for ", el("em", {}, "every"), " pixel, so its weights grow with the image. ",
        "A convolution filter looks at a small k × k patch and slides the ", el("strong", {}, "same"),
        " k × k weights over the whole image: local connections, shared weights, few parameters."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls" }, el("h2", {}, "One layer on a grayscale image"), sizeCtl.node, nCtl.node, kChoice.node),
        el("div", { class: "stack" },
          el("div", { class: "cols-2" },
            el("div", { class: "panel count-card fc" },
              el("h2", {}, "Fully connected"), fcPicture, fcFormula, fcWeights, fcTotal),
            el("div", { class: "panel count-card conv" },
              el("h2", { "data-testid": "conv-title" }, "Convolution"), convPicture, convFormula, convWeights, convTotal)),
          ratio,
          el("div", { class: "panel" }, el("h2", {}, "Weights as the image grows (log scale)"), chart,
            el("p", { class: "caption" }, "Each step up the y axis is ×10. The fully connected count climbs with the ",
              "number of pixels (H × W); the convolution's stays flat, whatever the image size.")))),
    );

    // ------------------------------------------------------------ pictures: who connects to what
    function picture(node, kind, k) {
      const N = 9, cell = 13, ox = 8, oy = 8, side = N * cell;
      const cells = [];
      const p0 = 3; // patch corner
      for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) {
        const inPatch = kind === "fc" || (r >= p0 && r < p0 + Math.min(k, N - p0) && c >= p0 && c < p0 + Math.min(k, N - p0));
        cells.push(svg("rect", { x: ox + c * cell, y: oy + r * cell, width: cell - 1, height: cell - 1, rx: 1.5,
          fill: cssVar(inPatch ? (kind === "fc" ? "--fc-soft" : "--violet-soft") : "--empty") }));
      }
      const nx = ox + side + 70, ny = oy + side / 2;
      const lines = [];
      if (kind === "fc") {
        for (let r = 0; r < N; r += 2) for (let c = 0; c < N; c += 2) {
          lines.push(svg("line", { x1: ox + c * cell + cell / 2, y1: oy + r * cell + cell / 2, x2: nx - 12, y2: ny, class: "conn fc" }));
        }
      } else {
        const kk = Math.min(k, N - p0);
        for (let r = 0; r < kk; r++) for (let c = 0; c < kk; c++) {
          lines.push(svg("line", { x1: ox + (p0 + c) * cell + cell / 2, y1: oy + (p0 + r) * cell + cell / 2, x2: nx - 12, y2: ny, class: "conn conv" }));
        }
        lines.push(svg("rect", { x: ox + p0 * cell - 1.5, y: oy + p0 * cell - 1.5, width: kk * cell + 2, height: kk * cell + 2,
          fill: "none", stroke: CONV_COLOUR, "stroke-width": 2, rx: 3 }));
      }
      const neuron = svg("circle", { cx: nx, cy: ny, r: 12, fill: kind === "fc" ? FC_COLOUR : CONV_COLOUR });
      const cap = kind === "fc" ? "One neuron: a weight for every pixel." : `One filter: ${k} × ${k} weights, reused at every position.`;
      node.replaceChildren(svg("svg", { viewBox: `0 0 ${nx + 30} ${side + 16}`, role: "img", "aria-label": cap },
        cells, lines, neuron), el("p", { class: "caption" }, cap));
    }

    function draw(r) {
      const s = fmt(r.size), n = fmt(r.neurons), k = r.kernel;
      fcFormula.replaceChildren(ctx.math(`<mi>H</mi><mo>×</mo><mi>W</mi><mo>×</mo><mtext>neurons</mtext><mo>=</mo><mn>${s}</mn><mo>×</mo><mn>${s}</mn><mo>×</mo><mn>${n}</mn>`));
      fcWeights.replaceChildren(fmt(r.fully_connected.weights), el("span", { class: "unit" }, " weights"));
      const biases = (n) => `${fmt(n)} bias${n === 1 ? "" : "es"}`;  // "+ 1 bias", "+ 10 biases"
      fcTotal.textContent = `+ ${biases(r.fully_connected.biases)} = ${fmt(r.fully_connected.total)} parameters`;
      convFormula.replaceChildren(ctx.math(`<mi>k</mi><mo>×</mo><mi>k</mi><mo>×</mo><mtext>filters</mtext><mo>=</mo><mn>${k}</mn><mo>×</mo><mn>${k}</mn><mo>×</mo><mn>${n}</mn>`));
      convWeights.replaceChildren(fmt(r.convolution.weights), el("span", { class: "unit" }, " weights"));
      convTotal.textContent = `+ ${biases(r.convolution.biases)} = ${fmt(r.convolution.total)} parameters`;
      root.querySelector("[data-testid=conv-title]").textContent = `Convolution ${k} × ${k}`;
      ratio.replaceChildren(el("strong", {}, `${fmt(r.ratio, r.ratio < 10 ? 1 : 0)}×`),
        ` fewer weights with the convolution on a ${s} × ${s} image (${fmt(r.pixels)} pixels).`);
      picture(fcPicture, "fc", k);
      picture(convPicture, "conv", k);

      const xs = r.series.sizes;
      ctx.plot(chart, [
        { x: xs, y: r.series.fully_connected, mode: "lines+markers", name: "fully connected (H × W × neurons)",
          line: { color: FC_COLOUR, width: 3 }, marker: { size: 5 },
          hovertemplate: "%{x} × %{x}: %{y:,} weights<extra>fully connected</extra>" },
        { x: xs, y: r.series.convolution, mode: "lines+markers", name: `convolution (${k} × ${k} × filters)`,
          line: { color: CONV_COLOUR, width: 3 }, marker: { size: 5 },
          hovertemplate: "%{x} × %{x}: %{y:,} weights<extra>convolution</extra>" },
        { x: [r.size, r.size], y: [r.fully_connected.weights, r.convolution.weights], mode: "markers+text",
          text: [fmt(r.fully_connected.weights), fmt(r.convolution.weights)], showlegend: false,
          textposition: [r.size > 120 ? "top left" : "bottom right", "top right"],
          marker: { size: 11, color: [FC_COLOUR, CONV_COLOUR], line: { color: cssVar("--white"), width: 2 } }, hoverinfo: "skip",
          textfont: { size: 13, color: cssVar("--ink") } },
      ], {
        height: 320, showlegend: true, legend: { y: 1.16 },
        xaxis: { title: { text: "image size (pixels per side)" }, range: [0, 530] },
        yaxis: { type: "log", title: { text: "weights" }, exponentformat: "power" },
        shapes: [{ type: "line", x0: r.size, x1: r.size, yref: "paper", y0: 0, y1: 1, line: { color: cssVar("--guide"), dash: "dot" } }],
      });
    }

    const refresh = ctx.live(() => ctx.api("convolution", { ...state }), draw);

    // ------------------------------------------------------------ quiz
    if (!ctx.hidden("quiz")) {
      const fcIn = el("input", { type: "number", id: "quiz-fc", class: "input", min: 0, step: 1, "data-testid": "quiz-fc" });
      const convIn = el("input", { type: "number", id: "quiz-conv", class: "input", min: 0, step: 1, "data-testid": "quiz-conv" });
      const fcFeedback = el("p", { class: "quiz-feedback", "data-testid": "quiz-fc-feedback" });
      const convFeedback = el("p", { class: "quiz-feedback", "data-testid": "quiz-conv-feedback" });
      const answer = (input) => (input.value === "" ? null : Math.max(0, Math.round(Number(input.value))));
      const feedback = (node, part) => {
        // an empty box answers nothing: say so rather than stay silent
        if (part.correct === null) { node.textContent = "Type a whole number first, then check."; node.className = "quiz-feedback no"; return; }
        node.className = `quiz-feedback ${part.correct ? "ok" : "no"}`;
        node.textContent = part.correct ? `✓ Right: ${part.working}.` : `✗ Not quite. ${part.working}.`;
      };
      const submit = async () => {
        try {
          const r = await ctx.api("convolution/quiz", { fc_answer: answer(fcIn), conv_answer: answer(convIn) });
          feedback(fcFeedback, r.fully_connected);
          feedback(convFeedback, r.convolution);
        } catch (e) { ctx.notify(e.message); }
      };
      const check = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "quiz-check" }, "Check my answers");
      const form = el("form", { class: "quiz", onsubmit: (ev) => { ev.preventDefault(); submit(); } },
        el("div", { class: "quiz-q" },
          el("label", { for: "quiz-fc" }, "1. An image of 100 pixels feeds a fully connected hidden layer of 10 nodes. ",
            "How many parameters (weights and biases)?"), fcIn, fcFeedback),
        el("div", { class: "quiz-q" },
          el("label", { for: "quiz-conv" }, "2. Instead, a 3 × 3 convolution with 10 feature maps. How many parameters ",
            "(weights and biases)?"), convIn, convFeedback),
        el("div", { class: "btn-row" }, check));
      root.append(el("div", { class: "panel quiz-panel", "data-testid": "quiz", "data-control": "quiz" }, el("h2", {}, "Quick check"), form));
    }

    await refresh();
    mountCheck(root, ctx, ["conv_params", "conv_shape"]);  // the check at the end of the step (lib/check.js)
    return () => root.querySelectorAll(".js-plotly-plot").forEach((n) => ctx.plotly.purge(n));
  },
};
