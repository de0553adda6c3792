// When learning goes wrong — vanishing gradients.
// The server (ml2dl.lessons.vanishing) trains three deep stacks (sigmoid + Xavier, tanh + Xavier, ReLU + He)
// with plain SGD as one background job per setting (POST /api/vanishing/train, progress as server-sent events
// from /api/vanishing/progress with the networks finished so far, cached by settings) and measures, at
// initialisation and after training, the gradient norm at every layer, the error δ at every layer, their
// per-layer ratio and the mean f′(z) of every hidden layer.
// This file draws; every number and every verdict ("vanishes", "keeps") comes from the server.

import { jobWatcher } from "../lib/job.js";
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
.va-arm.pending { border-top-color: var(--line); }
.va-arm.pending .big { color: var(--ink-2); }
.va-progress { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; margin: 4px 0; }
.va-progress > div { height: 100%; background: var(--slate); width: 0; transition: width .3s; }
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
    autostart: { type: "bool", default: true, transient: true },   // autostart=0: do not train on arrival
  }),

  async mount(root, ctx) {
    ctx.injectStyle("vanishing-style", CSS);
    const { el, fmt, cssVar } = ctx;
    const o = ctx.options;
    const s = { ...ctx.params };
    let alive = true;

    const settings = () => ({ depth: s.depth, epochs: s.epochs, lr: s.lr, seed: s.seed });
    const query = (b = settings()) => new URLSearchParams(Object.entries(b).map(([k, v]) => [k, String(v)])).toString();
    const change = (name) => (v) => { s[name] = v; ctx.setParams({ [name]: v }); settingsChanged(); };

    const depthCtl = ctx.control({ name: "depth", label: "Hidden layers", onInput: change("depth"), hint: `each of ${o.width} units` });
    const epochSel = ctx.select({ name: "epochs", label: "Training epochs", onChange: change("epochs") });
    const lrSel = ctx.select({ name: "lr", label: "Learning rate η (SGD)", onChange: change("lr") });
    const seedBtn = ctx.hidden("seed") ? null : el("div", { class: "btn-row", "data-control": "seed" },
      el("button", { type: "button", class: "btn btn-small", "data-testid": "new-start",
        onclick: () => change("seed")((s.seed + 1) % (o.seed.max + 1)) }, "New random start"));

    const bar = el("div", {});
    const progressBox = el("div", { class: "va-progress", role: "progressbar", "aria-label": "training progress",
      "aria-valuemin": 0, "aria-valuemax": 100, "data-testid": "progress", hidden: true }, bar);
    const status = el("p", { class: "small muted", "data-testid": "status", "aria-live": "polite" });
    const startBtn = el("button", { type: "button", class: "btn btn-primary", "data-testid": "start", hidden: true, onclick: () => start() }, "Train");
    const cancelBtn = el("button", { type: "button", class: "btn", "data-testid": "cancel", hidden: true, onclick: () => cancel() }, "Cancel");
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
          depthCtl.node, epochSel.node, lrSel.node, seedBtn,
          el("div", { class: "btn-row" }, startBtn, cancelBtn), progressBox, status, setup),
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

    // `where`: while the job runs, the network in training and its epoch (the cards of unfinished networks say so)
    function drawArms(r, where = null) {
      arms.replaceChildren(...o.networks.map((n) => {
        const a = r.arms.find((x) => x.activation === n.activation);
        if (!a) {
          const now = where && where.network === n.activation;
          return el("div", { class: "va-arm pending", "data-testid": `arm-${n.activation}` },
            el("div", { class: "k" }, n.label),
            el("div", { class: "big", "data-testid": `reach-${n.activation}` }, "…"),
            el("div", { class: "s" }, now ? `training: epoch ${where.epoch} of ${r.epochs}` : where ? "waits its turn" : "not trained"));
        }
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
      const sigmoid = r.arms.find((a) => a.activation === "sigmoid");
      const others = r.arms.filter((a) => a.activation !== "sigmoid");
      if (!sigmoid || others.length < o.networks.length - 1) {   // the words wait for all three networks
        whyText.textContent = "This explanation is written from the three networks' measurements when all of them are trained.";
      } else {
        const sig = sigmoid.at_init;
        const maxSlope = Math.max(...sig.slope_mean);
        whyText.replaceChildren(
          `Measured at initialisation: the sigmoid layers' mean slope σ′ is at most ${fmt(maxSlope, 3)} (never above 0.25), `,
          `and the error changes by about × ${sci(sig.ratio_typical, fmt)} per layer. Over the ${r.depth - 1} steps from hidden layer ${r.depth} `,
          `down to hidden layer 1 these factors multiply to × ${sci(sig.delta_first_over_last, fmt)}; `,
          `0.25 multiplied ${r.depth - 1} times is ${sci(r.quarter_power, fmt)}. tanh′ and ReLU′ are 1 where the unit is active, `,
          "and Xavier and He initialisation keep the weights from shrinking the signal: their factors per layer are ",
          ...others.map((a, i) => `${i ? " and " : ""}× ${sci(a.at_init.ratio_typical, fmt)} (${armLabel(a)})`), ".");
      }
      if (!r.arms.length) { table.replaceChildren(); return; }
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
      const x = Array.from({ length: r.epochs + 1 }, (_, i) => i);
      ctx.plot(lossChart, r.arms.map((a) => ({ type: "scatter", mode: "lines", x, y: a.loss, name: armLabel(a),
        line: { color: colour(a), width: 2.5 }, hovertemplate: `${armLabel(a)}<br>epoch %{x}: loss %{y:.3f}<extra></extra>` })), {
        showlegend: true, legend: { orientation: "h", x: 0, y: 1.2 }, margin: { t: 30 },
        xaxis: { title: { text: "epoch (0 = at initialisation)" }, range: [0, r.epochs] }, yaxis: { title: { text: "training loss" }, rangemode: "tozero" },
      });
      lossText.replaceChildren(...r.arms.map((a) => el("span", { "data-testid": `loss-${a.activation}` },
        `${armLabel(a)}: loss ${fmt(a.loss[0], 3)} → ${fmt(a.final_loss, 3)}, ${fmt(100 * a.accuracy, 1)} % of the points right. `)),
        "A loss that stays near ln 2 ≈ 0.693 is a network still guessing.");
    }

    // the whole result, or (while the job runs) the networks finished so far and where training is
    function draw(r, where = null) {
      setup.textContent = `${r.depth} hidden layers of ${r.width} units each, on ${r.points} points of the circle problem (2 inputs, `
        + `one logit out). Each network is trained by ml2dl's training loop with plain gradient descent (no momentum; Adam would `
        + `rescale every weight's step and hide the effect), η = ${fmt(r.lr)}, batches of ${r.batch_size}: ${fmt(r.steps)} steps. `
        + `The three start from the same seed (${r.seed}).`;
      drawGradients(r);
      drawArms(r, where);
      drawWhy(r);
      drawLoss(r);
    }

    // Nothing of these settings is trained yet: no figures of other settings stay on screen.
    function clear() {
      drawn = `${query()}:none`;
      setup.textContent = "";
      drawGradients({ arms: [], layers: [] });
      drawArms({ arms: [], depth: s.depth, epochs: s.epochs });
      drawWhy({ arms: [] });
      drawLoss({ arms: [], epochs: s.epochs });
    }

    // ------------------------------------------------------------ the training job
    let drawn = "";   // what the charts show: "<query>:<networks finished>" (a progress event redraws only when it changes)
    function showJob(job) {
      if (!alive) return;
      if (job.detached) return detach(job);
      const running = job.status === "queued" || job.status === "running";
      startBtn.textContent = "Train";
      startBtn.hidden = running || job.status === "done";
      cancelBtn.hidden = !running;
      progressBox.hidden = !running;
      bar.style.width = `${job.percent ?? 0}%`;
      progressBox.setAttribute("aria-valuenow", String(job.percent ?? 0));
      const e = job.extra || {};
      if (job.status === "done") {
        drawn = `${query()}:done`;
        draw(job.result);
      } else if (e.partial) {   // running, or stopped: the networks finished so far
        const key = `${query()}:${e.partial.arms.length}`;
        const where = running ? e : null;
        if (key !== drawn) { drawn = key; draw(e.partial, where); } else drawArms(e.partial, where);   // cards follow every epoch
      } else if (!drawn.startsWith(`${query()}:`)) {
        clear();
      }
      if (job.status === "done") {
        status.textContent = job.cached ? "Trained earlier on this server: the result comes from the cache."
          : `The three networks trained in ${fmt(job.elapsed_s, 1)} s.`;
      } else if (running) {
        status.textContent = `${job.message}${e.loss === undefined ? "" : `, training loss ${fmt(e.loss, 3)}`} (${fmt(job.elapsed_s, 1)} s)`;
      } else if (job.status === "failed") {
        status.textContent = `Training failed: ${job.error}`;
      } else if (job.status === "cancelled") {
        const n = e.partial ? e.partial.arms.length : 0;
        status.textContent = n ? `Cancelled after ${n} of ${o.networks.length} networks (shown). Press Train to train all ${o.networks.length}.`
          : "Cancelled: these networks are not trained. Press Train to train them.";
      } else {
        status.textContent = "Not trained yet with these settings: press Train (a second or a few).";
      }
    }

    // A cancel while others follow the training (the class's default one, or another student's): it runs
    // on for them, and this page stops following it.
    function detach(job) {
      watcher.close();
      cancelBtn.hidden = true;
      progressBox.hidden = true;
      startBtn.hidden = false;
      startBtn.textContent = "Follow the training again";
      status.textContent = `Stopped following: ${job.message}.`;
    }

    const watcher = jobWatcher(ctx, { start: "vanishing/train", cancel: "vanishing/train/cancel", progress: "/api/vanishing/progress",
                                     query, show: showJob });
    const start = () => watcher.start(settings());
    const cancel = () => watcher.cancel(settings());
    const follow = (b) => watcher.follow(b);

    // New settings: stop watching (and stop the training this page started for the old ones), then show
    // the new settings' result from the cache, or train it.
    async function settingsChanged() {
      watcher.release();
      const b = settings();
      const job = await ctx.api(`vanishing/train?${query(b)}`);
      if (!alive || query(b) !== query()) return;
      showJob(job);
      if (job.status === "none") await start();
      else if (job.status === "queued" || job.status === "running") follow(b);
    }

    const job = await ctx.api(`vanishing/train?${query()}`);
    showJob(job);
    if (job.status === "none" && ctx.params.autostart) await start();
    else if (job.status === "queued" || job.status === "running") follow(settings());
    mountCheck(root, ctx, ["vanishing"]);  // the check at the end of the step (lib/check.js)
    return () => { alive = false; watcher.close(); };
  },
};
