// Step 2 — what one neuron cannot do: a live playground.
// Every number comes from POST /api/playground/train (ml2dl.lessons.playground): the server trains
// with the engine and returns the new training state (which this page keeps and sends back), the
// decision boundary on a grid, each hidden neuron's map, losses and accuracies. This file only draws.

const PROBLEMS = [
  { value: "linear", label: "Linear" },
  { value: "xor", label: "XOR" },
  { value: "circle", label: "Circle" },
  { value: "spiral", label: "Spiral" },
];
const ACTIVATIONS = [
  { value: "tanh", label: "tanh" },
  { value: "relu", label: "ReLU" },
  { value: "sigmoid", label: "sigmoid" },
  { value: "linear", label: "linear (none)" },
];
const RATES = ["0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3"];
const BATCHES = ["1", "5", "10", "30", "100"];
const STEPS_PER_UPDATE = 10;
const BLUE = [31, 119, 180];
const ORANGE = [255, 127, 14];
const CHALLENGES = [
  { id: "one-neuron-xor", title: "One neuron on XOR",
    text: "No hidden layer: logistic regression. Its boundary is one straight line, so it stays near 50 %.",
    set: { problem: "xor", hidden: [], act: "tanh", opt: "sgd", lr: "0.3" } },
  { id: "hidden-xor", title: "Add 4 hidden neurons",
    text: "Each hidden neuron draws its own line; the output combines them and the boundary bends around the quadrants.",
    set: { problem: "xor", hidden: [4], act: "tanh", opt: "sgd", lr: "0.3" } },
  { id: "circle", title: "A circle",
    text: "One neuron cannot enclose a region. Three or more hidden neurons can (a triangle, then rounder).",
    set: { problem: "circle", hidden: [3], act: "tanh", opt: "sgd", lr: "0.3" } },
  { id: "spiral", title: "The spiral (hard)",
    text: "Needs depth: 3 layers of 8 ReLU neurons with Adam. Give it a few thousand steps.",
    set: { problem: "spiral", hidden: [8, 8, 8], act: "relu", opt: "adam", lr: "0.01" } },
];

const CSS = `
.pg-top { display: flex; flex-wrap: wrap; align-items: center; gap: 14px 22px; margin-bottom: 18px; }
.pg-play { width: 52px; height: 52px; border-radius: 50%; border: 0; background: var(--blue); color: #fff; font-size: 1.35rem;
  cursor: pointer; box-shadow: 0 2px 8px rgba(31,119,180,.35); display: grid; place-items: center; }
.pg-play:hover { background: #1a6497; }
.pg-play[aria-pressed="true"] { background: #2f3b52; box-shadow: 0 2px 8px rgba(20,30,50,.3); }
.pg-stepcount { min-width: 110px; }
.pg-stepcount .k { color: var(--muted); font-size: .78rem; font-weight: 650; text-transform: uppercase; letter-spacing: .05em; }
.pg-stepcount .v { font-size: 1.6rem; font-weight: 720; font-variant-numeric: tabular-nums; line-height: 1.1; }
.pg-field { display: grid; gap: 3px; }
.pg-field label, .pg-field .label { font-size: .82rem; font-weight: 650; color: var(--ink-2); }
.pg-field select { padding: 5px 8px; border: 1px solid var(--line-2); border-radius: 8px; background: #fff; min-width: 96px; }
.pg-grid { display: grid; grid-template-columns: 230px minmax(0, 1fr) 380px; gap: 18px; align-items: start; }
@media (max-width: 1180px) { .pg-grid { grid-template-columns: 230px minmax(0, 1fr); } .pg-out { grid-column: 1 / -1; } }
@media (max-width: 760px) { .pg-grid { grid-template-columns: 1fr; } }
.pg-problems { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin-bottom: 14px; }
.pg-prob { border: 2px solid var(--line); border-radius: 10px; background: #fff; padding: 6px 4px 4px; cursor: pointer; display: grid;
  justify-items: center; gap: 2px; font-weight: 650; font-size: .85rem; color: var(--ink-2); }
.pg-prob svg { width: 64px; height: 64px; border-radius: 6px; background: #fafbfd; }
.pg-prob[aria-checked="true"] { border-color: var(--blue); color: var(--ink); box-shadow: 0 0 0 3px rgba(31,119,180,.15); }
.pg-net { position: relative; width: 100%; min-height: 360px; }
.pg-net svg.pg-edges { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible; }
.pg-edge { fill: none; stroke-linecap: round; }
.pg-edge.pos { stroke: #2f3b52; }
.pg-edge.neg { stroke: #a05cc4; stroke-dasharray: 5 3; }
.pg-node { position: absolute; width: 44px; height: 44px; border-radius: 7px; border: 1px solid #9aa3b5; background: #fff;
  overflow: hidden; transform: translate(-50%, -50%); box-shadow: 0 1px 3px rgba(20,30,50,.12); }
.pg-node canvas { width: 100%; height: 100%; display: block; image-rendering: auto; }
.pg-node.input { border-radius: 50%; display: grid; place-items: center; font-family: var(--math); font-style: italic; font-size: 17px;
  background: #f3f5f9; }
.pg-node.output { border: 2px solid #2f3b52; }
.pg-colhead { position: absolute; top: 0; transform: translateX(-50%); text-align: center; font-size: .76rem; color: var(--muted);
  font-weight: 650; white-space: nowrap; }
.pg-colhead .btn-icon { width: 24px; height: 24px; font-size: .95rem; }
.pg-layerbar { display: flex; align-items: center; gap: 8px; margin-bottom: 6px; flex-wrap: wrap; }
.pg-layerbar strong { font-variant-numeric: tabular-nums; }
.pg-legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: .8rem; color: var(--ink-2); margin-top: 6px; }
.pg-legend svg { vertical-align: middle; }
.pg-plot { position: relative; width: 100%; aspect-ratio: 1; border-radius: 8px; overflow: hidden; border: 1px solid var(--line); background: #fff; }
.pg-plot canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.pg-axes { display: flex; justify-content: space-between; font-size: .75rem; color: var(--muted); margin-top: 2px; }
.pg-readouts .readout { flex-basis: 100px; padding: 8px 10px; }
.pg-readouts .readout .v { font-size: 1.35rem; }
.pg-loss { min-height: 150px; height: 150px; }
.pg-challenges { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 10px; }
.pg-challenge { text-align: left; border: 1px solid var(--line); border-radius: 10px; background: #fff; padding: 10px 12px; cursor: pointer; }
.pg-challenge:hover { border-color: var(--blue); }
.pg-challenge strong { display: block; margin-bottom: 2px; }
.pg-challenge span { font-size: .86rem; color: var(--ink-2); }
.pg-status { font-size: .9rem; min-height: 1.4em; }
.pg-status.bad { color: var(--bad); font-weight: 600; }
.pg-check { display: flex; gap: 8px; align-items: center; font-size: .9rem; margin-top: 10px; }
`;

// ---------------------------------------------------------------- URL parsing (strings → settings)

function parseHidden(text) {
  if (text === undefined) return [4];
  if (text === "" || text === "none") return [];
  const parts = String(text).split(",").map((s) => Math.round(Number(s)));
  if (parts.some((n) => !Number.isFinite(n))) return [4];
  return parts.slice(0, 4).map((n) => Math.min(8, Math.max(1, n)));
}
function pick(value, options, fallback) {
  return options.includes(String(value)) ? String(value) : fallback;
}
function num(value, fallback, lo, hi) {
  const v = Number(value);
  if (value === undefined || value === "" || !Number.isFinite(v)) return fallback;
  return Math.min(hi, Math.max(lo, v));
}

// ---------------------------------------------------------------- colours (drawing only)

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}
/** P(orange) → background colour: blue below 0.5, orange above, more opaque when more confident. */
function probColour(p) {
  const conf = Math.min(1, Math.abs(p - 0.5) * 2);
  return mix([255, 255, 255], p >= 0.5 ? ORANGE : BLUE, 0.08 + 0.42 * conf);
}
/** A neuron's normalised output in [-1, 1] → blue (−) … white (0) … orange (+). */
function signedColour(v) {
  const t = Math.min(1, Math.abs(v));
  return mix([255, 255, 255], v >= 0 ? ORANGE : BLUE, 0.85 * t);
}

function paintGrid(canvas, grid, colour) {
  const n = grid.length;
  const off = document.createElement("canvas");
  off.width = n; off.height = n;
  const octx = off.getContext("2d");
  const img = octx.createImageData(n, n);
  for (let i = 0; i < n; i++) {          // grid row i is x₂ = axis[i], bottom to top
    const row = grid[i];
    const y = n - 1 - i;
    for (let j = 0; j < n; j++) {
      const [r, g, b] = colour(row[j]);
      const k = (y * n + j) * 4;
      img.data[k] = r; img.data[k + 1] = g; img.data[k + 2] = b; img.data[k + 3] = 255;
    }
  }
  octx.putImageData(img, 0, 0);
  const ctx2 = canvas.getContext("2d");
  ctx2.imageSmoothingEnabled = true;
  ctx2.imageSmoothingQuality = "high";
  ctx2.drawImage(off, 0, 0, canvas.width, canvas.height);
}

// Decorative icons of the four problems (not data: the real points are drawn from the API).
function problemIcon(svg, name) {
  const dots = [];
  const add = (x, y, c) => dots.push(svg("circle", { cx: x, cy: y, r: 2.6, fill: c === 1 ? "#ff7f0e" : "#1f77b4" }));
  const B = 0, O = 1;
  if (name === "linear") {
    [[12, 14], [20, 24], [10, 34], [26, 12], [18, 40], [8, 22]].forEach(([x, y]) => add(x, y, B));
    [[50, 52], [40, 44], [54, 30], [36, 54], [46, 38], [56, 44]].forEach(([x, y]) => add(x, y, O));
  } else if (name === "xor") {
    [[14, 14], [22, 20], [12, 24], [44, 44], [52, 50], [42, 54]].forEach(([x, y]) => add(x, y, O));
    [[44, 14], [52, 22], [42, 24], [14, 44], [22, 52], [12, 52]].forEach(([x, y]) => add(x, y, B));
  } else if (name === "circle") {
    for (let k = 0; k < 10; k++) { const t = (k / 10) * 2 * Math.PI; add(32 + 24 * Math.cos(t), 32 + 24 * Math.sin(t), B); }
    [[32, 32], [26, 28], [37, 36], [30, 38], [38, 27]].forEach(([x, y]) => add(x, y, O));
  } else {
    for (let k = 0; k < 12; k++) {
      const s = k / 12, t = 1.75 * 2 * Math.PI * s;
      add(32 + 26 * s * Math.sin(t), 32 + 26 * s * Math.cos(t), B);
      add(32 + 26 * s * Math.sin(t + Math.PI), 32 + 26 * s * Math.cos(t + Math.PI), O);
    }
  }
  return svg("svg", { viewBox: "0 0 64 64", "aria-hidden": "true" }, dots);
}

export default {
  id: 2,
  title: "What one neuron cannot do",

  async mount(root, ctx) {
    ctx.injectStyle("step2-style", CSS);
    const { el, svg, fmt } = ctx;
    const p = ctx.params;
    const s = {
      problem: pick(p.problem, PROBLEMS.map((o) => o.value), "xor"),
      noise: num(p.noise, 0.1, 0, 0.5),
      seed: Math.round(num(p.seed, 0, 0, 9999)),
      hidden: parseHidden(p.hidden),
      act: pick(p.act, ACTIVATIONS.map((o) => o.value), "tanh"),
      lr: pick(p.lr, RATES, "0.3"),
      opt: pick(p.opt, ["sgd", "adam"], "sgd"),
      batch: pick(p.batch, BATCHES, "10"),
      showTest: p.test !== "0",
    };
    let state = null;        // the training state: opaque, sent back to the server each time
    let last = null;         // the last response
    let points = null;
    let playing = false;
    let alive = true;
    let busy = false;
    let resetPending = true;
    let lossDrawn = 0;

    const save = () => ctx.setParams({
      problem: s.problem, noise: s.noise, seed: s.seed, hidden: s.hidden.length ? s.hidden.join(",") : "none",
      act: s.act, lr: s.lr, opt: s.opt, batch: s.batch, test: s.showTest ? null : "0",
    });
    const settings = () => ({
      problem: s.problem, noise: s.noise, seed: s.seed, hidden: s.hidden, activation: s.act,
      optimizer: s.opt, learning_rate: Number(s.lr), batch_size: Number(s.batch),
    });

    // ------------------------------------------------------------ top bar
    const playBtn = el("button", { type: "button", class: "pg-play", "data-testid": "play", "aria-label": "Play",
      "aria-pressed": "false", onclick: () => setPlaying(!playing) }, "▶");
    const stepBtn = el("button", { type: "button", class: "btn", "data-testid": "step-once",
      onclick: () => { setPlaying(false); advance(STEPS_PER_UPDATE); } }, `Step (+${STEPS_PER_UPDATE})`);
    const resetBtn = el("button", { type: "button", class: "btn btn-ghost", "data-testid": "reset",
      onclick: () => { resetPending = true; if (!playing) advance(0); } }, "↺ Reset");
    const stepCount = el("div", { class: "v", "data-testid": "step-count" }, "0");

    const select = (name, label, options, value, onChange) => {
      if (ctx.hidden(name)) return null;
      const id = `pg-${name}`;
      const sel = el("select", { id, "data-testid": name, onchange: () => onChange(sel.value) },
        options.map((o) => el("option", { value: o.value, selected: o.value === value }, o.label)));
      return el("div", { class: "pg-field" }, el("label", { for: id }, label), sel);
    };
    const rateSel = select("lr", "Learning rate η", RATES.map((r) => ({ value: r, label: r })), s.lr,
      (v) => { s.lr = v; save(); });
    const actSel = select("act", "Activation", ACTIVATIONS, s.act, (v) => { s.act = v; save(); restart(); });
    const optSel = select("opt", "Optimizer", [{ value: "sgd", label: "gradient descent" }, { value: "adam", label: "Adam" }],
      s.opt, (v) => { s.opt = v; save(); restart(); });
    const batchSel = select("batch", "Batch size", BATCHES.map((b) => ({ value: b, label: b })), s.batch,
      (v) => { s.batch = v; save(); });

    // ------------------------------------------------------------ data panel
    const probButtons = PROBLEMS.map((o) => el("button", {
      type: "button", role: "radio", class: "pg-prob", "data-testid": `problem-${o.value}`, "data-value": o.value,
      "aria-label": `${o.label} problem`, onclick: () => chooseProblem(o.value),
    }, problemIcon(svg, o.value), o.label));
    const probGroup = ctx.hidden("problem") ? null : el("div", { class: "pg-problems", role: "radiogroup",
      "aria-label": "Problem", "data-testid": "problem" }, probButtons);
    probGroup?.addEventListener("keydown", (ev) => {
      const order = PROBLEMS.map((o) => o.value);
      const d = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
      if (!d) return;
      ev.preventDefault(); ev.stopPropagation();
      const next = order[(order.indexOf(s.problem) + d + order.length) % order.length];
      chooseProblem(next);
      probButtons[order.indexOf(next)].focus();
    });
    function paintProblems() {
      for (const b of probButtons) {
        const on = b.dataset.value === s.problem;
        b.setAttribute("aria-checked", on ? "true" : "false");
        b.tabIndex = on ? 0 : -1;
      }
    }
    function chooseProblem(v) { s.problem = v; paintProblems(); save(); restart(); }

    const noiseCtl = ctx.control({ name: "noise", label: "Noise", min: 0, max: 0.5, step: 0.05, value: s.noise,
      onInput: (v) => { s.noise = v; save(); restart(); }, hint: "how far points stray from their pattern" });
    const newData = ctx.hidden("seed") ? null : el("button", { type: "button", class: "btn btn-small", "data-testid": "new-data",
      onclick: () => { s.seed = (s.seed + 1) % 10000; save(); restart(); } }, "New random data");
    const testBox = el("input", { type: "checkbox", id: "pg-test", "data-testid": "show-test", checked: s.showTest,
      onchange: () => { s.showTest = testBox.checked; save(); drawPlot(); } });

    // ------------------------------------------------------------ network panel
    const layerCount = el("strong", { "data-testid": "hidden-layers" });
    const addLayer = el("button", { type: "button", class: "btn btn-icon", "data-testid": "add-layer",
      "aria-label": "Add a hidden layer", onclick: () => { if (s.hidden.length < 4) { s.hidden = [...s.hidden, s.hidden.at(-1) ?? 4]; save(); restart(); } } }, "+");
    const removeLayer = el("button", { type: "button", class: "btn btn-icon", "data-testid": "remove-layer",
      "aria-label": "Remove a hidden layer", onclick: () => { if (s.hidden.length) { s.hidden = s.hidden.slice(0, -1); save(); restart(); } } }, "−");
    const netBox = el("div", { class: "pg-net", "data-testid": "network" });
    const netCaption = el("p", { class: "caption", "data-testid": "network-caption" });
    const params = el("span", { "data-testid": "parameters" });

    // ------------------------------------------------------------ output panel
    const plotCanvas = el("canvas", { width: 720, height: 720, role: "img", "data-testid": "boundary",
      "aria-label": "Decision boundary and data points" });
    const plotBox = el("div", { class: "pg-plot" }, plotCanvas);
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

    const challenges = el("div", { class: "pg-challenges" }, CHALLENGES.map((c) => el("button", {
      type: "button", class: "pg-challenge", "data-testid": `try-${c.id}`,
      onclick: () => {
        s.problem = c.set.problem; s.hidden = [...c.set.hidden]; s.act = c.set.act; s.opt = c.set.opt; s.lr = c.set.lr;
        syncSelects(); paintProblems(); save(); restart(); setPlaying(true);
      },
    }, el("strong", {}, c.title), el("span", {}, c.text))));

    root.append(
      el("p", { class: "lede" },
        "Blue points are ", el("strong", { style: "color: var(--blue)" }, "normal"), ", orange points ",
        el("strong", { style: "color: #c85f00" }, "pneumonia"),
        ". Press ▶: the network learns, and the background shows what it predicts everywhere. ",
        "One neuron can only draw ", el("em", {}, "one straight line"),
        " — watch it fail on XOR and the circle, then add hidden neurons and watch the boundary bend."),
      el("div", { class: "panel pg-top" },
        playBtn,
        el("div", { class: "pg-stepcount" }, el("div", { class: "k" }, "Steps"), stepCount),
        el("div", { class: "btn-row" }, stepBtn, resetBtn),
        rateSel, actSel, optSel, batchSel),
      el("div", { class: "pg-grid" },
        el("div", { class: "panel" },
          el("h2", {}, "Data"),
          probGroup,
          noiseCtl.node,
          newData ? el("div", { class: "btn-row" }, newData) : null,
          el("label", { class: "pg-check", for: "pg-test" }, testBox, "Show test points (dark ring)"),
          el("p", { class: "caption" }, "Half of the points train the network; the other half (the test points) ",
            "are never used for training: they tell whether it learned the pattern or memorised the points.")),
        el("div", { class: "panel" },
          el("h2", {}, "The network"),
          ctx.hidden("hidden") ? null : el("div", { class: "pg-layerbar" }, removeLayer, addLayer,
            el("span", {}, layerCount, " hidden layers · ", params, " parameters")),
          netBox,
          el("div", { class: "pg-legend" },
            el("span", {}, svg("svg", { width: 28, height: 8 }, svg("line", { x1: 2, y1: 4, x2: 26, y2: 4, class: "pg-edge pos", "stroke-width": 3 })), " positive weight"),
            el("span", {}, svg("svg", { width: 28, height: 8 }, svg("line", { x1: 2, y1: 4, x2: 26, y2: 4, class: "pg-edge neg", "stroke-width": 3 })), " negative weight (thicker = larger)")),
          netCaption),
        el("div", { class: "panel pg-out stack", style: "gap: 12px" },
          el("h2", { style: "margin: 0" }, "Output: what the network predicts"),
          el("div", {}, plotBox, el("div", { class: "pg-axes" }, el("span", {}, "x₁ horizontal, x₂ vertical, −1.5 … 1.5"),
            el("span", {}, "paler = less sure"))),
          el("div", { class: "readouts pg-readouts" }, testAccBox, trainAccBox),
          el("div", { class: "readouts pg-readouts" }, testLossBox, trainLossBox),
          lossPlot,
          status)),
      el("div", { class: "panel", style: "margin-top: 18px" }, lineBox),
      el("div", { class: "panel", style: "margin-top: 18px" },
        el("h2", {}, "Try this"), challenges),
    );
    paintProblems();

    function syncSelects() {
      const set = (name, v) => { const node = root.querySelector(`[data-testid="${name}"]`); if (node) node.value = v; };
      set("act", s.act); set("opt", s.opt); set("lr", s.lr); set("batch", s.batch);
    }

    // ------------------------------------------------------------ network diagram
    let netNodes = null; // {edges: [[line, from, to, layer]], maps: [[canvas]], output: canvas}
    let netKey = "";

    function buildNet() {
      const sizes = [2, ...s.hidden, 1];
      const W = Math.max(320, netBox.clientWidth || 480);
      const maxN = Math.max(...sizes);
      const H = Math.max(360, 58 * maxN + 96);
      netBox.style.height = `${H}px`;
      const cols = sizes.length;
      const xs = sizes.map((_, i) => 30 + (i * (W - 60)) / (cols - 1));
      const ys = sizes.map((n) => Array.from({ length: n }, (_, j) => 84 + ((H - 96) * (j + 0.5)) / n));
      const edgeSvg = svg("svg", { class: "pg-edges", viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", "aria-hidden": "true" });
      const edges = [];
      for (let l = 0; l < cols - 1; l++) {
        for (let i = 0; i < sizes[l + 1]; i++) for (let j = 0; j < sizes[l]; j++) {
          const x1 = xs[l] + 22, y1 = ys[l][j], x2 = xs[l + 1] - 22, y2 = ys[l + 1][i];
          const mx = (x1 + x2) / 2;
          const path = svg("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: "pg-edge pos", "stroke-width": 1 });
          edgeSvg.append(path);
          edges.push({ path, l, i, j });
        }
      }
      const parts = [edgeSvg];
      const maps = [];
      sizes.forEach((n, l) => {
        const head = l === 0 ? "Inputs" : l === cols - 1 ? "Output" : `Hidden ${l}`;
        const controls = l > 0 && l < cols - 1 && !ctx.hidden("hidden") ? el("div", {},
          el("button", { type: "button", class: "btn btn-icon", "aria-label": `Fewer neurons in hidden layer ${l}`, "data-testid": `fewer-${l}`,
            onclick: () => { if (s.hidden[l - 1] > 1) { s.hidden[l - 1] -= 1; save(); restart(); } } }, "−"),
          " ",
          el("button", { type: "button", class: "btn btn-icon", "aria-label": `More neurons in hidden layer ${l}`, "data-testid": `more-${l}`,
            onclick: () => { if (s.hidden[l - 1] < 8) { s.hidden[l - 1] += 1; save(); restart(); } } }, "+")) : null;
        parts.push(el("div", { class: "pg-colhead", style: { left: `${(xs[l] / W) * 100}%` } },
          el("div", {}, head), l > 0 && l < cols - 1 ? el("div", { class: "num" }, `${n} neuron${n > 1 ? "s" : ""}`) : null, controls));
        const layerMaps = [];
        for (let j = 0; j < n; j++) {
          const pos = { left: `${(xs[l] / W) * 100}%`, top: `${ys[l][j]}px` };
          if (l === 0) {
            parts.push(el("div", { class: "pg-node input", style: pos, title: j === 0 ? "input x₁" : "input x₂" }, j === 0 ? "x₁" : "x₂"));
          } else {
            const c = el("canvas", { width: 32, height: 32 });
            const label = l === cols - 1 ? "the output neuron" : `neuron ${j + 1} of hidden layer ${l}`;
            parts.push(el("div", { class: `pg-node ${l === cols - 1 ? "output" : ""}`, style: pos, title: label }, c));
            layerMaps.push(c);
          }
        }
        if (l > 0) maps.push(layerMaps);
      });
      netBox.replaceChildren(...parts);
      netNodes = { edges, maps };
      netKey = sizes.join("-") + "@" + W;
      layerCount.textContent = String(s.hidden.length);
    }

    function drawNet(r) {
      const key = [2, ...s.hidden, 1].join("-") + "@" + Math.max(320, netBox.clientWidth || 480);
      if (!netNodes || key !== netKey) buildNet();
      const prm = r.state.params;
      let maxW = 0;
      for (const e of netNodes.edges) maxW = Math.max(maxW, Math.abs(prm[`${2 * e.l}.weight`][e.i][e.j]));
      for (const e of netNodes.edges) {
        const w = prm[`${2 * e.l}.weight`][e.i][e.j];
        e.path.setAttribute("class", `pg-edge ${w >= 0 ? "pos" : "neg"}`);
        e.path.setAttribute("stroke-width", String(0.4 + 5 * Math.abs(w) / (maxW || 1)));
        e.path.setAttribute("opacity", String(0.35 + 0.65 * Math.abs(w) / (maxW || 1)));
      }
      r.neurons.forEach((layer, l) => layer.forEach((m, j) => {
        const c = netNodes.maps[l]?.[j];
        if (c) paintGrid(c, m.values, signedColour);
      }));
      const out = netNodes.maps.at(-1)?.[0];
      if (out) paintGrid(out, r.boundary.probability, probColour);
      params.textContent = fmt(r.parameters);
      netCaption.textContent = s.hidden.length === 0
        ? "One neuron: ŷ = σ(w₁x₁ + w₂x₂ + b). Its picture is always a straight edge."
        : "Each small square is what that neuron computes over the whole plane (orange = high, blue = low). "
          + "The first layer's neurons each draw one straight edge; the layers after combine them.";
    }

    // ------------------------------------------------------------ output plot
    function drawPlot() {
      if (!last) return;
      const c2 = plotCanvas.getContext("2d");
      c2.clearRect(0, 0, plotCanvas.width, plotCanvas.height);
      paintGrid(plotCanvas, last.boundary.probability, probColour);
      const [lo, hi] = last.extent;
      const W = plotCanvas.width, H = plotCanvas.height;
      const px = (x) => ((x - lo) / (hi - lo)) * W;
      const py = (y) => H - ((y - lo) / (hi - lo)) * H;
      // axes through 0
      c2.strokeStyle = "rgba(40,50,70,.18)"; c2.lineWidth = 2;
      c2.beginPath(); c2.moveTo(px(0), 0); c2.lineTo(px(0), H); c2.moveTo(0, py(0)); c2.lineTo(W, py(0)); c2.stroke();
      const drawSet = (set, test) => {
        for (let k = 0; k < set.label.length; k++) {
          c2.beginPath();
          c2.arc(px(set.x1[k]), py(set.x2[k]), test ? 6 : 6.5, 0, 2 * Math.PI);
          c2.fillStyle = set.label[k] === 1 ? "#ff7f0e" : "#1f77b4";
          c2.fill();
          c2.lineWidth = test ? 2.2 : 1.8;
          c2.strokeStyle = test ? "#1c2331" : "#ffffff";
          c2.stroke();
        }
      };
      if (points) {
        drawSet(points.train, false);
        if (s.showTest) drawSet(points.test, true);
      }
    }

    function drawLoss(history) {
      ctx.plot(lossPlot, [
        { x: history.step, y: history.train_loss, name: "train", mode: "lines", line: { color: "#8a93a5", width: 2 } },
        { x: history.step, y: history.test_loss, name: "test", mode: "lines", line: { color: "#1c2331", width: 2 } },
      ], { margin: { l: 44, r: 10, t: 26, b: 34 }, showlegend: true, legend: { x: 0, y: 1.25 },
        xaxis: { title: { text: "steps" } }, yaxis: { title: { text: "loss" }, rangemode: "tozero" } });
    }

    function draw(r) {
      last = r;
      state = r.state;
      if (r.points) points = r.points;
      stepCount.textContent = fmt(r.step);
      testAcc.textContent = `${fmt(r.percent.test_accuracy, 1)} %`;
      trainAcc.textContent = `${fmt(r.percent.train_accuracy, 1)} %`;
      testLoss.textContent = fmt(r.metrics.test_loss, 3);
      trainLoss.textContent = fmt(r.metrics.train_loss, 3);
      plotCanvas.setAttribute("aria-label", `Decision boundary after ${r.step} steps: test accuracy ${fmt(r.percent.test_accuracy, 1)} percent`);
      drawPlot();
      drawNet(r);
      const now = performance.now();
      if (!playing || now - lossDrawn > 300) { drawLoss(r.state.history); lossDrawn = now; }
      if (r.diverged) {
        status.className = "pg-status bad";
        status.textContent = "The weights blew up: the learning rate is too large. Lower it and press Reset.";
        setPlaying(false);
      } else {
        status.className = "pg-status";
        status.textContent = "";
      }
      if (r.line) {
        lineBox.replaceChildren(
          el("strong", {}, "One neuron = logistic regression. "),
          "It predicts pneumonia where w₁x₁ + w₂x₂ + b > 0, so its boundary is the straight line ",
          ctx.math(`<mrow><mn>${fmt(r.line.w1, 2)}</mn><mo>·</mo><msub><mi>x</mi><mn>1</mn></msub><mo>+</mo>`
            + `<mo>(</mo><mn>${fmt(r.line.w2, 2)}</mn><mo>)</mo><mo>·</mo><msub><mi>x</mi><mn>2</mn></msub><mo>+</mo>`
            + `<mo>(</mo><mn>${fmt(r.line.b, 2)}</mn><mo>)</mo><mo>=</mo><mn>0</mn></mrow>`),
          ". No line separates XOR's four corners or a ring from its centre; whatever the weights, it stays near 50 % there.");
      } else {
        lineBox.replaceChildren(
          el("strong", {}, `${s.hidden.length} hidden layer${s.hidden.length > 1 ? "s" : ""} of ${s.hidden.join(", ")} neurons. `),
          s.act === "linear"
            ? "With a linear activation the layers collapse into one linear map: the boundary is still a straight line. Pick tanh or ReLU."
            : "Each hidden neuron computes its own straight edge and bends it with the activation; the output neuron adds them up, so the boundary can curve. "
              + "Fewer neurons → simpler shapes; more layers → more complex ones (and slower training).");
      }
    }

    // ------------------------------------------------------------ training loop
    function request(steps, fresh) {
      return ctx.api("playground/train", {
        settings: settings(), state: fresh ? null : state, steps: fresh ? 0 : steps,
        resolution: 48, include_points: fresh || !points,
      });
    }

    // One request at a time (single steps, resets); the play loop below has its own.
    async function advance(steps) {
      if (busy) return;
      busy = true;
      try {
        const fresh = resetPending;
        resetPending = false;
        const r = await request(steps, fresh);
        if (!alive) return;
        if (fresh) points = null;
        draw(r);
      } catch (e) {
        ctx.notify(e.message);
        setPlaying(false);
      } finally {
        busy = false;
        if (alive && playing) loop();
        else if (alive && resetPending) advance(0);  // a reset asked for while a request was in flight
      }
    }

    // While playing, the next request leaves as soon as the previous answer arrives (with its
    // state), and the page draws while the server computes: drawing and training overlap.
    async function loop() {
      if (busy) return;
      busy = true;
      let next = null;
      try {
        while (playing && alive) {
          const fresh = resetPending;
          resetPending = false;
          const r = await (next && !fresh ? next : request(STEPS_PER_UPDATE, fresh));
          next = null;
          if (!alive) return;
          if (resetPending) continue;  // settings changed meanwhile: this answer is stale
          if (fresh) points = null;
          state = r.state;
          if (playing && !r.diverged) next = request(STEPS_PER_UPDATE, false);
          draw(r);
          await new Promise((res) => setTimeout(res, 0));
        }
        if (next) { const r = await next; if (alive && !resetPending) draw(r); }  // paused: show the last answer
      } catch (e) {
        ctx.notify(e.message);
        setPlaying(false);
      } finally {
        busy = false;
        if (alive && resetPending && !playing) advance(0);
      }
    }

    function setPlaying(on) {
      if (on === playing) return;
      playing = on;
      playBtn.textContent = on ? "❚❚" : "▶";
      playBtn.setAttribute("aria-pressed", on ? "true" : "false");
      playBtn.setAttribute("aria-label", on ? "Pause" : "Play");
      if (on) loop();
    }

    function restart() {
      resetPending = true;
      netNodes = null;
      if (!playing) advance(0);
    }

    const onResize = () => { netNodes = null; if (last) drawNet(last); };
    window.addEventListener("resize", onResize);
    await advance(0);
    if (p.play === "1") setPlaying(true);

    return () => {
      alive = false;
      playing = false;
      window.removeEventListener("resize", onResize);
    };
  },
};
