// Step 2 — what one neuron cannot do: a live playground.
// Every number comes from POST /api/playground/train (ml2dl.lessons.playground): the server trains
// with the engine and returns the new training state (which this page keeps and sends back), the
// decision boundary on a grid, each hidden neuron's map, losses and accuracies. This file lays the
// page out and keeps the settings; step2/ draws the network (network.js), the boundary and the loss
// (boundary.js), and runs the training with the kit's Player (player.js). The limits (neurons,
// layers, steps per request, grid resolution, seed, noise…) come from GET /api/playground/options.

import { paintRadios, radioKeys } from "../lib/controls.js";
import { fmt as fmtNumber } from "../lib/dom.js";
import { drawBoundary, drawLoss, problemIcon } from "./step2/boundary.js";
import { featureToggles, spiralCard } from "./step2/features.js";
import { networkDiagram } from "./step2/network.js";
import { ownData } from "./step2/owndata.js";
import { CSS } from "./step2/style.js";
import { trainingPlayer } from "./step2/player.js";

const LABELS = {
  problem: { linear: "Linear", xor: "XOR", circle: "Circle", spiral: "Spiral", csv: "Your data" },
  activation: { tanh: "tanh", relu: "ReLU", sigmoid: "sigmoid", linear: "linear (none)" },
  optimizer: { sgd: "gradient descent", adam: "Adam" },
};
const RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];   // what the page offers, within the server's limits
const BATCHES = [1, 5, 10, 30, 100];
const DECAYS = [0, 0.001, 0.003, 0.01, 0.03, 0.1];               // L2 λ (0: off)
const DROPOUTS = [0, 0.1, 0.2, 0.5];                             // dropout p (0: off)
const STEPS_PER_UPDATE = 10;
const RESOLUTION = 48;
const XY = ["x1", "x2"];  // the plain inputs: every card but the spiral's starts from them
const CHALLENGES = [
  { id: "one-neuron-xor", title: "One neuron on XOR",
    text: "No hidden layer: logistic regression. Its boundary is one straight line: see how far a line gets on XOR.",
    set: { problem: "xor", hidden: [], act: "tanh", opt: "sgd", lr: 0.3, features: XY } },
  { id: "hidden-xor", title: "Add 4 hidden neurons",
    text: "Each hidden neuron draws its own line; the output combines them and the boundary bends around the quadrants.",
    set: { problem: "xor", hidden: [4], act: "tanh", opt: "sgd", lr: 0.3, features: XY } },
  { id: "circle", title: "A circle",
    text: "One neuron cannot enclose a region. Three or more hidden neurons can (a triangle, then rounder). "
      + "Or keep one neuron and give it x₁² and x₂² as inputs instead of x₁ and x₂.",
    set: { problem: "circle", hidden: [3], act: "tanh", opt: "sgd", lr: 0.3, features: XY } },
  { id: "overfit", title: "Overfit, then regularise",
    text: "Very noisy points and two layers of 8: after a few thousand steps the boundary wraps around single points. "
      + "Then set L2 to 0.01 or dropout to 0.5 and keep training; compare the boundary, and the train and test loss.",
    set: { problem: "circle", noise: 0.4, hidden: [8, 8], act: "tanh", opt: "sgd", lr: 0.3, l2: 0, dropout: 0, features: XY } },
];

const sub = (n) => String(n).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[d]);
/** signedSum([[w, "·x₁²"], [b, ""]]) -> "−0.94·x₁² + 0.53": each term with its own sign (no "+ −"). */
const signedSum = (terms) => terms.map(([v, t], i) => {
  const mag = `${fmtAbs(v)}${t}`;
  return i === 0 ? (v < 0 ? `−${mag}` : mag) : `${v < 0 ? " − " : " + "}${mag}`;
}).join("");
const fmtAbs = (v) => fmtNumber(Math.abs(v), 2);
/** mathTerm(w, "<mi>x</mi>", first) -> MathML of "± |w|·x" (the sign an operator; no sign before a positive first term). */
const mathTerm = (w, x, first = false) => `${Number(w.toFixed(2)) < 0 ? "<mo>−</mo>" : first ? "" : "<mo>+</mo>"}<mn>${fmtAbs(w)}</mn>`
  + (x ? `<mo>·</mo>${x}` : "");
const clampTo = (lim, v) => Math.min(lim.max, Math.max(lim.min, v));
const labelled = (names, labels) => names.map((v) => ({ value: v, label: labels[v] ?? v }));
const within = (values, lim) => values.filter((v) => (lim.min_exclusive === undefined || v > lim.min_exclusive)
  && (lim.min === undefined || v >= lim.min) && (lim.max === undefined || v <= lim.max));

/** The URL parameters, with the limits of the server's request models (GET /api/playground/options). */
function declare(o) {
  const st = o.settings;
  return {
    problem: { type: "choice", default: st.problem.default, choices: labelled(st.problem.choices, LABELS.problem) },
    noise: { type: "float", default: st.noise.default, min: st.noise.min, max: st.noise.max, step: 0.05 },
    seed: { type: "int", default: st.seed.default, min: st.seed.min, max: st.seed.max },
    hidden: { type: "list", of: "int", default: [4], min: 1, max: o.max_neurons, maxLength: st.hidden.max_items, empty: "none" },
    act: { type: "choice", default: st.activation.default, choices: labelled(st.activation.choices, LABELS.activation) },
    lr: { type: "choice", default: st.learning_rate.default, choices: within(RATES, st.learning_rate) },
    opt: { type: "choice", default: st.optimizer.default, choices: labelled(st.optimizer.choices, LABELS.optimizer) },
    batch: { type: "choice", default: st.batch_size.default, choices: within(BATCHES, st.batch_size) },
    l2: { type: "choice", default: st.weight_decay.default, choices: within(DECAYS, st.weight_decay) },
    dropout: { type: "choice", default: st.dropout.default, choices: within(DROPOUTS, st.dropout) },
    features: { type: "list", of: "choice", choices: o.features, default: st.features.default, minLength: 1 },
    data: { type: "string", default: "" },                    // problem=csv: your points, encoded (when a link can carry them)
    test: { type: "bool", default: true },                    // show the test points
    play: { type: "bool", default: false, transient: true },  // play=1: start training on arrival
  };
}

export default {
  options: (api) => api("playground/options"),
  params: declare,

  async mount(root, ctx) {
    ctx.injectStyle("step2-style", CSS);
    const { el, svg, fmt } = ctx;
    const o = ctx.options;
    const st0 = o.settings;
    const p = ctx.params;
    const s = { problem: p.problem, noise: p.noise, seed: p.seed, hidden: [...p.hidden], act: p.act, lr: p.lr,
      opt: p.opt, batch: p.batch, test: p.test, l2: p.l2, dropout: p.dropout, features: [...p.features], data: p.data || null };
    if (s.problem === "csv" && !s.data) s.problem = st0.problem.default;  // a link without the points: the default problem
    const maxLayers = o.settings.hidden.max_items, maxNeurons = o.max_neurons;
    let last = null;         // the last response
    let points = null;       // this run's train/test points
    let inputs = null;       // this run's input features' maps (sent with the points)
    let lossDrawn = 0;
    let own = null;          // "your own data" (step2/owndata.js), unless a teacher hid it

    const save = () => {
      const csv = s.problem === "csv";
      ctx.setParams({ problem: s.problem, noise: s.noise, seed: s.seed, hidden: s.hidden, act: s.act, lr: s.lr, opt: s.opt,
        batch: s.batch, test: s.test, l2: s.l2, dropout: s.dropout, features: s.features, data: csv ? s.data : null });
      // your points go in the link only while it stays within what every browser and server accepts
      const chars = location.href.length;
      const fits = !csv || chars <= o.csv.link_limit;
      if (!fits) ctx.setParams({ data: null });
      own?.linkNote(fits ? null : chars);
    };
    const settings = () => ({
      problem: s.problem, noise: s.noise, seed: s.seed, hidden: s.hidden, activation: s.act,
      optimizer: s.opt, learning_rate: s.lr, batch_size: s.batch, weight_decay: s.l2, dropout: s.dropout,
      features: s.features, data: s.problem === "csv" ? s.data : null,
    });
    const training = trainingPlayer(ctx, { settings, draw,
      resolution: clampTo(o.request.resolution, RESOLUTION), stepsPerUpdate: clampTo(o.request.steps, STEPS_PER_UPDATE) });
    const restart = () => { network.invalidate(); training.reset(); };

    // ------------------------------------------------------------ top bar
    const resetBtn = el("button", { type: "button", class: "btn btn-ghost", "data-testid": "reset",
      onclick: () => training.reset() }, "↺ Reset");
    const stepCount = el("div", { class: "v", "data-testid": "step-count" }, "0");
    const selects = {
      lr: ctx.select({ name: "lr", label: "Learning rate η", onChange: (v) => { s.lr = v; save(); } }),
      act: ctx.select({ name: "act", label: "Activation", onChange: (v) => { s.act = v; save(); restart(); } }),
      opt: ctx.select({ name: "opt", label: "Optimizer", onChange: (v) => { s.opt = v; save(); restart(); } }),
      batch: ctx.select({ name: "batch", label: "Batch size", onChange: (v) => { s.batch = v; save(); } }),
      // the regularisers may change mid-run, like η: the next steps use the new value
      l2: ctx.select({ name: "l2", label: "L2 (weight decay) λ", onChange: (v) => { s.l2 = v; save(); if (!training.player.playing) training.advance(0); } }),
      dropout: ctx.select({ name: "dropout", label: "Dropout p", onChange: (v) => { s.dropout = v; save(); if (!training.player.playing) training.advance(0); } }),
    };

    // ------------------------------------------------------------ data panel
    const probButtons = o.settings.problem.choices.map((v) => el("button", {  // csv: shown once a file is loaded
      type: "button", role: "radio", class: "pg-prob", "data-testid": `problem-${v}`, "data-value": v,
      "aria-label": `${LABELS.problem[v] ?? v} problem`, onclick: () => chooseProblem(v),
    }, problemIcon(svg, v), LABELS.problem[v] ?? v));
    const probGroup = ctx.hidden("problem") ? null : el("div", { class: "pg-problems", role: "radiogroup",
      "aria-label": "Problem", "data-testid": "problem", "data-control": "problem" }, probButtons);
    const shownProblems = [];  // the arrow keys move among the cards shown
    if (probGroup) radioKeys(probGroup, shownProblems, () => s.problem, chooseProblem);
    const paintProblems = () => {
      probButtons.forEach((b) => { b.hidden = b.dataset.value === "csv" && !s.data; });
      shownProblems.splice(0, shownProblems.length, ...probButtons.filter((b) => !b.hidden));
      paintRadios(probButtons, s.problem);
      if (noiseCtl.node) noiseCtl.node.hidden = s.problem === "csv";  // your points are as the file gives them
    };
    function chooseProblem(v) { s.problem = v; paintProblems(); save(); restart(); }

    const noiseCtl = ctx.control({ name: "noise", label: "Noise",
      onInput: (v) => { s.noise = v; save(); restart(); }, hint: "how far points stray from their pattern" });
    const newData = ctx.hidden("seed") ? null : el("button", { type: "button", class: "btn btn-small", "data-testid": "new-data",
      onclick: () => { s.seed = (s.seed + 1) % (o.settings.seed.max + 1); save(); restart(); } }, "New random data");
    own = ctx.hidden("data") || ctx.hidden("csv") || ctx.hidden("problem") ? null : ownData(ctx, { limits: o.csv,
      onData: (r) => { s.data = r.data; s.problem = "csv"; paintProblems(); save(); restart(); } });
    const testBox = el("input", { type: "checkbox", id: "pg-test", "data-testid": "show-test", checked: s.test,
      onchange: () => { s.test = testBox.checked; save(); if (last) drawBoundary(plotCanvas, last, points, s.test); } });

    // ------------------------------------------------------------ network panel
    const layerCount = el("strong", { "data-testid": "hidden-layers" });
    const layerWord = el("span", {}, " hidden layers");
    const setHidden = (hidden) => { s.hidden = hidden; save(); restart(); };
    const addLayer = el("button", { type: "button", class: "btn btn-icon", "data-testid": "add-layer", "aria-label": "Add a hidden layer",
      onclick: () => { if (s.hidden.length < maxLayers) setHidden([...s.hidden, s.hidden.at(-1) ?? 4]); } }, "+");
    const removeLayer = el("button", { type: "button", class: "btn btn-icon", "data-testid": "remove-layer", "aria-label": "Remove a hidden layer",
      onclick: () => { if (s.hidden.length) setHidden(s.hidden.slice(0, -1)); } }, "−");
    const features = ctx.hidden("features") ? null : featureToggles(ctx, { choices: o.features, labels: o.feature_labels,
      get: () => s.features, onChange: (f) => { s.features = f; features.paint(); save(); restart(); } });
    const netBox = el("div", { class: "pg-net", "data-testid": "network" });
    const network = networkDiagram(ctx, netBox, { sizes: () => s.hidden, editable: !ctx.hidden("hidden"), maxNeurons,
      inputs: () => s.features.map((f) => o.feature_labels[f] ?? f),
      onNeurons: (l, n) => setHidden(s.hidden.map((h, i) => (i === l - 1 ? n : h))) });
    const netCaption = el("p", { class: "caption", "data-testid": "network-caption" });
    const params = el("span", { "data-testid": "parameters" });

    // ------------------------------------------------------------ output panel
    const plotCanvas = el("canvas", { width: 720, height: 720, role: "img", "data-testid": "boundary",
      "aria-label": "Decision boundary and data points" });
    const plotBox = el("div", { class: "pg-plot" }, plotCanvas);
    const axesNote = el("span", { "data-testid": "axes-note" }, "x₁ horizontal, x₂ vertical, −1.5 … 1.5");
    const readout = (key, label, cls) => {
      const v = el("div", { class: "v num", "data-testid": key }, "—");
      return [el("div", { class: `readout ${cls || ""}` }, el("div", { class: "k" }, label), v), v];
    };
    const [testAccBox, testAcc] = readout("test-accuracy", "Test accuracy");
    const [trainAccBox, trainAcc] = readout("train-accuracy", "Train accuracy");
    const [testLossBox, testLoss] = readout("test-loss", "Test loss");
    const [trainLossBox, trainLoss] = readout("train-loss", "Train loss");
    const lossPlot = el("div", { class: "plot pg-loss", "data-testid": "loss-curve" });
    const status = el("p", { class: "pg-status", "data-testid": "status", "aria-live": "polite" });
    const lineBox = el("div", { class: "callout", "data-testid": "one-neuron" });
    const regBox = el("p", { class: "small", "data-testid": "regularisation", hidden: true });

    const spiral = spiralCard(o.spiral_challenge, { labels: o.feature_labels, fmt, canChooseFeatures: Boolean(features),
      actLabel: (a) => LABELS.activation[a] ?? a });
    const challenges = el("div", { class: "pg-challenges" }, [...CHALLENGES, spiral].map((c) => el("button", {
      type: "button", class: "pg-challenge", "data-testid": `try-${c.id}`,
      onclick: () => {
        // a setting the teacher hid stays as the teacher fixed it: the card sets only what the student can see
        const allowed = Object.fromEntries(Object.entries(c.set).filter(([k]) => !ctx.hidden(k)));
        Object.assign(s, allowed, "hidden" in allowed ? { hidden: [...allowed.hidden] } : {},
          "features" in allowed ? { features: [...allowed.features] } : {});
        for (const k of ["act", "opt", "lr", "batch", "l2", "dropout"]) if (k in allowed) selects[k].set(s[k]);
        if ("noise" in allowed) noiseCtl.set(s.noise);
        features?.paint();
        paintProblems(); save(); restart(); training.player.play();
        plotBox.scrollIntoView({ block: "nearest", behavior: "smooth" });  // the run it starts is the result: in view
      },
    }, el("strong", {}, c.title), el("span", { "data-testid": `card-${c.id}` }, c.text))));
    const spiralAnswer = el("details", { class: "small", "data-testid": "spiral-answer", style: "margin-top: 10px" },
      el("summary", {}, "The spiral: which inputs?"), el("p", {}, spiral.answer));

    root.append(
      el("p", { class: "lede" },
        "Blue points are ", el("strong", { style: "color: var(--blue)" }, "normal"), ", orange points ",
        el("strong", { style: "color: var(--orange-ink)" }, "pneumonia"),
        ". Press ▶: the network learns, and the background shows what it predicts everywhere. ",
        "One neuron can only draw ", el("em", {}, "one straight line"),
        " — watch it fail on XOR and the circle, then add hidden neurons and watch the boundary bend."),
      el("div", { class: "panel pg-top" },
        training.player.playButton,
        el("div", { class: "pg-stepcount" }, el("div", { class: "k" }, "Steps"), stepCount),
        el("div", { class: "btn-row" }, training.player.stepButton, resetBtn),
        selects.lr.node, selects.act.node, selects.opt.node, selects.batch.node, selects.l2.node, selects.dropout.node),
      el("div", { class: "pg-grid" },
        el("div", { class: "panel" },
          el("h2", {}, "Data"),
          probGroup,
          noiseCtl.node,
          newData ? el("div", { class: "btn-row", "data-control": "seed" }, newData) : null,
          el("label", { class: "pg-check", for: "pg-test", "data-control": "test" }, testBox, "Show test points (dark ring)"),
          el("p", { class: "caption" }, "Half of the points train the network; the other half (the test points) ",
            "are never used for training: they tell whether it learned the pattern or memorised the points."),
          own?.node),
        el("div", { class: "panel" },
          el("h2", {}, "The network"),
          ctx.hidden("hidden") ? null : el("div", { class: "pg-layerbar", "data-control": "hidden" }, removeLayer, addLayer,
            el("span", {}, layerCount, layerWord, " · ", params, " parameters")),
          features?.node,
          netBox,
          el("div", { class: "pg-legend" },
            el("span", {}, svg("svg", { width: 28, height: 8 }, svg("line", { x1: 2, y1: 4, x2: 26, y2: 4, class: "pg-edge pos", "stroke-width": 3 })), " positive weight"),
            el("span", {}, svg("svg", { width: 28, height: 8 }, svg("line", { x1: 2, y1: 4, x2: 26, y2: 4, class: "pg-edge neg", "stroke-width": 3 })), " negative weight (thicker = larger)")),
          netCaption),
        el("div", { class: "panel pg-out stack", style: "gap: 12px" },
          el("h2", { style: "margin: 0" }, "Output: what the network predicts"),
          el("div", {}, plotBox, el("div", { class: "pg-axes" }, axesNote,
            el("span", {}, "paler = less sure"))),
          el("div", { class: "readouts pg-readouts" }, testAccBox, trainAccBox),
          status,  // a divergence right under the accuracy it explains
          el("div", { class: "readouts pg-readouts" }, testLossBox, trainLossBox),
          lossPlot,
          regBox)),
      el("div", { class: "panel", style: "margin-top: 18px" }, lineBox),
      el("div", { class: "panel", style: "margin-top: 18px" },
        el("h2", {}, "Try this"), challenges, spiralAnswer),
    );
    paintProblems();

    // ------------------------------------------------------------ drawing an answer
    function draw(r, runPoints) {
      last = r;
      points = runPoints;
      stepCount.textContent = fmt(r.step);
      testAcc.textContent = `${fmt(r.percent.test_accuracy, 1)} %`;
      trainAcc.textContent = `${fmt(r.percent.train_accuracy, 1)} %`;
      testLoss.textContent = fmt(r.metrics.test_loss, 3);
      trainLoss.textContent = fmt(r.metrics.train_loss, 3);
      plotCanvas.setAttribute("aria-label", `Decision boundary after ${r.step} steps: test accuracy ${fmt(r.percent.test_accuracy, 1)} percent`);
      drawBoundary(plotCanvas, r, points, s.test);
      if (r.inputs) inputs = r.inputs;
      if (r.points) {  // a new run: say where your points came from
        own?.describe(r.dataset ?? null, s.seed);
        axesNote.textContent = r.dataset ? `x₁ = ${r.dataset.names[0]}, x₂ = ${r.dataset.names[1]}, each scaled onto −1 … 1`
          : "x₁ horizontal, x₂ vertical, −1.5 … 1.5";
      }
      network.draw(r, inputs);
      layerCount.textContent = String(s.hidden.length);
      layerWord.textContent = s.hidden.length === 1 ? " hidden layer" : " hidden layers";
      params.textContent = fmt(r.parameters);
      const plainInputs = r.features.join() === "x1,x2";
      const inputNames = r.features.map((f) => o.feature_labels[f] ?? f);
      netCaption.textContent = (s.hidden.length === 0
        ? (plainInputs ? "One neuron: ŷ = σ(w₁x₁ + w₂x₂ + b). Its picture is always a straight edge."
          : `One neuron: ŷ = σ(${inputNames.map((n, i) => `w${sub(i + 1)}·${n}`).join(" + ")} + b).`)
        : "Each small square is what that neuron computes over the whole plane (orange = high, blue = low). "
          + (plainInputs ? "The first layer's neurons each draw one straight edge; the layers after combine them."
            : "The circles on the left are the inputs over the plane; each first-layer neuron adds them up with its weights."))
        + (plainInputs ? "" : " Inputs other than x₁ and x₂ are computed from the point.")
        + (r.features.some((f) => f.startsWith("sin")) ? " Why sin 4x rather than sin x: TensorFlow Playground's plane "
          + "is ±6 and this one ±1.5, so its sin x is this sin 4x (sin x over ±1.5 would be almost the straight line x)." : "");
      const now = performance.now();
      if (!training.player.playing || now - lossDrawn > 300) { drawLoss(ctx, lossPlot, r.state.history); lossDrawn = now; }
      const rose = r.loss_rose;
      status.className = r.diverged || rose ? "pg-status bad" : "pg-status";
      status.textContent = r.diverged ? "Training diverged: the weights blew up, the learning rate is too large. Lower it and press Reset."
        : rose ? (rose.kind === "rose"
          ? `Training diverged: the training loss rose from ${fmt(rose.start, 3)} to ${fmt(rose.now, 3)}. `
          : `Training has stalled: after ${fmt(rose.steps)} steps the training loss is ${fmt(rose.now, 3)}, no lower than at the start (${fmt(rose.start, 3)}). `)
          + `The learning rate η = ${fmt(s.lr)} may be too large for ${s.act}: lower it and press Reset.` : "";
      status.hidden = !status.textContent;  // no empty gap between the accuracy and the losses
      drawExplanation(r);
      drawRegularisation(r.regularisation);
    }

    // L2 and dropout, when on: what they are doing now (the numbers from the server)
    function drawRegularisation(g) {
      regBox.hidden = !g;
      if (!g) return;
      const parts = [];
      if (g.weight_decay > 0) parts.push(`L2 pulls every weight towards 0 (λ = ${fmt(g.weight_decay)}): the weights' size ‖θ‖² is `
        + `${fmt(g.weights_norm_sq, 2)}, the penalty λ/2·‖θ‖² = ${fmt(g.penalty, 4)}. Small weights can only draw a smooth boundary. `);
      if (g.dropout > 0) parts.push(`Dropout switches each hidden neuron off with probability ${fmt(g.dropout)} at every step `
        + `(${g.dropout_layers} dropout layer${g.dropout_layers === 1 ? "" : "s"}); the picture shows the network with all neurons on. `);
      parts.push("The losses above are the data's cross-entropy alone.");
      regBox.textContent = parts.join("");
    }

    function drawExplanation(r) {
      const plainInputs = r.features.join() === "x1,x2";
      const names = r.features.map((f) => o.feature_labels[f] ?? f);
      if (!plainInputs && s.hidden.length === 0) {  // one neuron on computed features: straight in them, curved in the plane
        const w = r.state.params["0.weight"][0], b = r.state.params["0.bias"][0];
        lineBox.replaceChildren(
          el("strong", {}, `One neuron on the inputs ${names.join(", ")}. `),
          `It predicts pneumonia where ${signedSum(names.map((n, i) => [w[i], `·${n}`]).concat([[b, ""]]))} > 0: `
            + "a straight cut through the inputs, which is curved in the plane wherever an input is not x₁ or x₂ itself. "
            + `For comparison, the best straight line in the plane scores ${fmt(r.best_line.train_percent, 1)} % on these training points.`);
      } else if (r.line) {
        lineBox.replaceChildren(
          el("strong", {}, "One neuron = logistic regression. "),
          "It predicts pneumonia where w₁x₁ + w₂x₂ + b > 0, so its boundary is the straight line",
          // each term with its own sign (no "+ (−0.65)"), on a line of its own that fits a phone
          ctx.math(`<mrow>${mathTerm(r.line.w1, "<msub><mi>x</mi><mn>1</mn></msub>", true)}`
            + `${mathTerm(r.line.w2, "<msub><mi>x</mi><mn>2</mn></msub>")}${mathTerm(r.line.b, "")}<mo>=</mo><mn>0</mn></mrow>`,
          { display: "block", class: "pg-eq", "data-testid": "line-formula" }),
          `The best straight line on these training points scores ${fmt(r.best_line.train_percent, 1)} % `
            + `(${fmt(r.best_line.test_percent, 1)} % on the test points): one neuron can do no better here.`);
      } else {
        lineBox.replaceChildren(
          el("strong", {}, `${s.hidden.length} hidden layer${s.hidden.length > 1 ? "s" : ""} of ${s.hidden.join(", ")} neurons. `),
          s.act === "linear"
            ? (plainInputs ? "With a linear activation the layers collapse into one linear map: the boundary is still a straight line. Pick tanh or ReLU."
              : `With a linear activation the layers collapse into one linear map of ${names.join(", ")}: the boundary is what one neuron on these inputs draws.`)
            : (plainInputs ? "Each hidden neuron computes its own straight edge" : `Each first-layer neuron computes its own edge through ${names.join(", ")}`)
              + " and bends it with the activation; the output neuron adds them up, so the boundary can curve. "
              + "Fewer neurons → simpler shapes; more layers → more complex ones (and slower training). "
              + `For comparison, the best straight line scores ${fmt(r.best_line.train_percent, 1)} % on these training points.`);
      }
    }

    const onResize = () => { network.invalidate(); if (last) network.draw(last, inputs); };
    window.addEventListener("resize", onResize);
    await training.advance(0);
    if (p.play) training.player.play();

    return () => {
      training.destroy();
      window.removeEventListener("resize", onResize);
    };
  },
};
