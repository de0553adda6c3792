// Part "one weight": the loss curve L(w) of the tumour classifier, the tangent at w, the step
// w′ = w − η·∂L/∂w with its numbers, Step and Play, and what the learning rate did, in words.
// Numbers from POST /api/descent/one {w, lr, steps}: the run so far and the next step.

import { Player } from "../../lib/player.js";

const FRAME_MS = 450;  // a pause between played steps, so each one can be followed

export async function mountOne(area, ctx) {
  const { el, fmt, cssVar } = ctx;
  const presets = ctx.options.presets;
  let k = ctx.params.k;

  // ------------------------------------------------------------ controls
  const lr = ctx.control({ name: "lr", label: "Learning rate η", onInput: (v) => { ctx.setParams({ lr: v }); restart(); } });
  const w0 = ctx.control({ name: "w", label: "Starting weight w₀", onInput: (v) => { ctx.setParams({ w: v }); restart(); } });
  const presetButtons = presets.map((p) => el("button", {
    type: "button", class: "btn btn-small", "data-testid": `preset-${p.name.replace(/ /g, "-")}`,
    onclick: () => { lr.set(p.lr); ctx.setParams({ lr: p.lr }); restart(); },
  }, `${p.name} (η = ${fmt(p.lr)})`));
  const player = new Player({
    tick: async () => {
      const r = await advance(1);
      await new Promise((resolve) => setTimeout(resolve, FRAME_MS));
      if (done(r)) player.pause();
    },
    step: () => advance(1),
    stepLabel: "Step",
    onError: (e) => ctx.notify(e.message),
  });
  const reset = el("button", { type: "button", class: "btn", "data-testid": "reset",
    onclick: () => { player.pause(); restart(); } }, "Back to w₀");

  // ------------------------------------------------------------ outputs
  const kOut = el("div", { class: "v num", "data-testid": "k" });
  const wOut = el("div", { class: "v num", "data-testid": "w-now" });
  const lossOut = el("div", { class: "v num", "data-testid": "loss-now" });
  const gradOut = el("div", { class: "v num", "data-testid": "gradient" });
  const update = el("div", { class: "formula descent-update", "data-testid": "update" });
  const verdict = el("p", { class: "callout", "data-testid": "behaviour", "aria-live": "polite" });
  const curve = el("div", { class: "figure descent-plot", "data-testid": "loss-curve" });
  const perStep = el("div", { class: "figure descent-plot small-plot", "data-testid": "loss-steps" });
  const minimum = ctx.options.minimum;
  const data = ctx.options.data;
  const dataPlot = el("div", { class: "figure descent-plot small-plot", "data-testid": "tumour-data" });

  area.append(el("div", { class: "step-grid" },
    el("div", { class: "panel controls" },
      el("h2", {}, "Walk down the loss"),
      ctx.hidden("presets") ? null : el("div", { class: "control", "data-control": "presets" },
        el("div", { class: "control-top" }, el("span", { class: "label" }, "Learning-rate presets")),
        el("div", { class: "btn-row wrap" }, presetButtons)),
      lr.node, w0.node,
      el("div", { class: "btn-row", "data-control": "k" }, player.playButton, player.stepButton, reset)),
    el("div", { class: "stack" },
      el("div", { class: "readouts" },
        el("div", { class: "readout" }, el("div", { class: "k" }, "steps taken"), kOut),
        el("div", { class: "readout" }, el("div", { class: "k" }, "w"), wOut),
        el("div", { class: "readout" }, el("div", { class: "k" }, "L(w)"), lossOut),
        el("div", { class: "readout" }, el("div", { class: "k" }, "∂L/∂w (slope)"), gradOut)),
      update, verdict,
      el("div", { class: "panel" }, el("h2", {}, "The loss curve and the tangent at w"), curve,
        el("p", { class: "caption" },
          `The bottom is at w* = ${fmt(minimum.w, 3)} (L = ${fmt(minimum.loss, 3)}): four borderline tumours are `,
          "labelled against the 3 cm rule, so no weight fits all 24 and the loss never reaches 0. ",
          "The dashed line is the tangent: its slope is ∂L/∂w."),
        el("p", { class: "note small", "data-testid": "which-loss" },
          "The classifier: tumour size → abnormal, with one weight. ", el("strong", {}, "Its loss is the squared error"),
          " L(w) = 1/N Σ (w·xᵢ − tᵢ)² of the score w·x (x = size − 3 cm) against t = ±1 (least squares), ",
          "so L(w) is an exact parabola; classifiers are usually trained with cross-entropy instead (see ",
          el("a", { href: "?step=loss", "data-testid": "loss-link" }, "the loss step"), ").")),
      el("div", { class: "panel" }, el("h2", {}, "The loss after each step"), perStep),
      el("div", { class: "panel" }, el("h2", {}, "The data: 24 tumours"), dataPlot,
        el("p", { class: "caption" }, `Target t = +1 for abnormal (orange), −1 for normal (blue). The score w·x with `,
          `x = size − ${fmt(data.centre_cm)} cm calls a tumour abnormal when it is positive, so for w > 0 the boundary `,
          `is the dashed line at ${fmt(data.centre_cm)} cm. The tumours on the wrong side of it are why no weight classifies all 24 `,
          "correctly, and why the loss stays above 0.")))));

  // ------------------------------------------------------------ drawing
  function drawUpdate(r) {
    const s = r.step;
    if (!s) {
      const w = r.run.w[r.run.w.length - 1];
      const [lo, hi] = ctx.options.limits.w;
      update.replaceChildren(el("span", {}, `The weight is now w = ${fmt(w, 4)}, outside ${fmt(lo)} … ${fmt(hi)}: `,
        "the run stops here. Press “Back to w₀” and pick a smaller η."));
      return;
    }
    update.replaceChildren(
      ctx.math("<mi>w</mi><mo>′</mo><mo>=</mo><mi>w</mi><mo>−</mo><mi>η</mi><mo>·</mo>"
        + "<mfrac><mrow><mo>∂</mo><mi>L</mi></mrow><mrow><mo>∂</mo><mi>w</mi></mrow></mfrac>"),
      el("span", { class: "descent-numbers", "data-testid": "update-text" }, s.text),
      el("span", { class: "muted small" }, `loss ${fmt(s.loss, 4)} → ${fmt(s.loss_next, 4)}`));
  }

  function drawVerdict(r) {
    const run = r.run;
    verdict.className = `callout${run && run.behaviour === "diverged" ? " orange" : ""}`;
    verdict.dataset.behaviour = run ? run.behaviour : "start";
    verdict.textContent = run ? run.message : "At the start. Press Step (or Play) to take the first step.";
  }

  function drawCurve(r) {
    const c = (r.run || r.step).curve;
    const ws = r.run ? r.run.w : [r.step.w];
    const ls = r.run ? r.run.loss : [r.step.loss];
    const top = Math.max(...c.loss);
    const traces = [
      { x: c.w, y: c.loss, mode: "lines", line: { color: cssVar("--ink-2"), width: 2.5 }, name: "L(w)",
        hovertemplate: "w = %{x:.3f}<br>L = %{y:.4f}<extra></extra>" },
      { x: ws, y: ls, mode: "lines+markers", line: { color: cssVar("--violet"), width: 1.5 },
        marker: { size: 6, color: cssVar("--violet") }, name: "steps", hovertemplate: "w = %{x:.4f}<br>L = %{y:.4f}<extra></extra>" },
      { x: [minimum.w], y: [minimum.loss], mode: "markers", marker: { symbol: "star", size: 13, color: cssVar("--good") },
        name: "minimum w*", hovertemplate: "w* = %{x:.3f}<extra></extra>" },
    ];
    if (r.step) {
      traces.push({ x: r.step.tangent.w, y: r.step.tangent.loss, mode: "lines", name: "tangent",
        line: { color: cssVar("--highlight-centre"), width: 2, dash: "dash" }, hoverinfo: "skip" });
      traces.push({ x: [r.step.w], y: [r.step.loss], mode: "markers", name: "w now",
        marker: { size: 13, color: cssVar("--highlight-centre"), line: { color: cssVar("--white"), width: 2 } },
        hovertemplate: "w = %{x:.4f}<extra></extra>" });
    }
    ctx.plot(curve, traces, {
      height: 300, xaxis: { title: { text: "weight w" }, range: [c.w[0], c.w[c.w.length - 1]] },
      yaxis: { title: { text: "loss L(w)" }, range: [0, top * 1.05] },
    });
  }

  function drawPerStep(r) {
    const ls = r.run ? r.run.loss : [r.step.loss];
    ctx.plot(perStep, [
      { x: ls.map((_, i) => i), y: ls, mode: "lines+markers", line: { color: cssVar("--violet") }, marker: { size: 5 },
        hovertemplate: "step %{x}: L = %{y:.4g}<extra></extra>" },
      { x: [0, Math.max(ls.length - 1, 1)], y: [minimum.loss, minimum.loss], mode: "lines", hoverinfo: "skip",
        line: { color: cssVar("--good"), dash: "dot" } },
    ], { height: 200, xaxis: { title: { text: "step" } }, yaxis: { title: { text: "loss (log scale)" }, type: "log", tickformat: ".2~g" } });
  }

  function draw(r) {
    const here = r.step || null;
    const run = r.run;
    kOut.textContent = fmt(k);
    wOut.textContent = fmt(here ? here.w : run.w[run.w.length - 1], 4);
    lossOut.textContent = fmt(here ? here.loss : run.loss[run.loss.length - 1], 4);
    gradOut.textContent = here ? fmt(here.gradient, 4) : "—";
    drawUpdate(r);
    drawVerdict(r);
    drawCurve(r);
    drawPerStep(r);
    area.dataset.k = String(k);
  }

  function drawData() {
    const side = (label) => data.label.map((l, i) => (l === label ? i : -1)).filter((i) => i >= 0);
    ctx.plot(dataPlot, [[0, "normal", "--blue"], [1, "abnormal", "--orange"]].map(([label, name, colour]) => ({
      x: side(label).map((i) => data.size_cm[i]), y: side(label).map((i) => data.target[i]), mode: "markers", name,
      marker: { size: 10, color: cssVar(colour), line: { color: cssVar("--white"), width: 1 } },
      hovertemplate: `%{x} cm: ${name}<extra></extra>`,
    })), {
      height: 170, showlegend: true, xaxis: { title: { text: "tumour size (cm)" } },
      yaxis: { title: { text: "target t" }, tickvals: [-1, 1], range: [-1.6, 1.6] },
      shapes: [{ type: "line", x0: data.centre_cm, x1: data.centre_cm, y0: -1.5, y1: 1.5,
        line: { color: cssVar("--ink-2"), dash: "dash", width: 1.5 } }],
    });
  }

  const fetchState = () => ctx.api("descent/one", { w: ctx.params.w, lr: ctx.params.lr, steps: k });
  const maxSteps = ctx.options.limits.max_steps;
  let last = null;
  // no further step: the weight left the chart, or the step limit is reached
  const stuck = (r) => !r.step || k >= maxSteps;
  // Play stops there too, and once the run has settled at the bottom
  const done = (r) => stuck(r) || (r.run && r.run.settled);

  async function advance(n) {
    if (last && stuck(last)) return last;
    k = Math.min(k + n, maxSteps);
    ctx.setParams({ k });
    last = await fetchState();
    draw(last);
    return last;
  }

  const refresh = ctx.live(fetchState, (r) => { last = r; draw(r); });
  function restart() {
    k = 0;
    ctx.setParams({ k: 0 });
    refresh();
  }
  drawData();
  last = await fetchState();
  draw(last);
  return () => player.destroy();
}
