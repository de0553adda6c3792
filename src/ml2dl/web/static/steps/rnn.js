// Beyond images — a recurrent network reads a patient's vital signs, hour by hour.
// The server trains an RNN on 24 hourly values and a feed-forward network that sees only the last hour as one
// background job per setting (POST /api/rnn/train, progress as server-sent events from /api/rnn/progress,
// cached by settings): both accuracies and the gradient ‖∂L/∂hₜ‖ against the time lag. Then POST /api/rnn/patient
// reads the saved networks for one validation patient's series, hidden state and risk after every hour.
// This file draws; every number and verdict comes from the server.

import { jobWatcher } from "../lib/job.js";
import { mountCheck } from "../lib/check.js";
import { paintHeatmap } from "../lib/heatmap.js";
import { signedColours } from "../lib/colour.js";

const CSS = `
.rn-series { min-height: 330px; height: 330px; }
.rn-risk { min-height: 220px; height: 220px; }
.rn-grad { min-height: 260px; height: 260px; }
.rn-heat { display: grid; grid-template-columns: auto 1fr; gap: 2px 6px; align-items: stretch; }
.rn-heat canvas { width: 100%; height: 150px; image-rendering: pixelated; border: 1px solid var(--line); border-radius: 4px; }
.rn-heat .yl { writing-mode: vertical-rl; transform: rotate(180deg); font-size: .78rem; color: var(--ink-2); text-align: center; }
.rn-hours { position: relative; height: 1.1em; font-size: .75rem; color: var(--ink-2); grid-column: 2; }
.rn-hours span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.rn-scale { display: flex; align-items: center; gap: 6px; font-size: .78rem; color: var(--ink-2); margin-top: 4px; }
.rn-scale canvas { width: 120px; height: 10px; border: 1px solid var(--line); }
.rn-verdict { font-size: 1.02rem; }
.rn-progress { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; margin: 4px 0; }
.rn-progress > div { height: 100%; background: var(--slate); width: 0; transition: width .3s; }
`;

const SIGNAL_COLOURS = ["--series-1", "--series-2", "--series-3"];
const WORDS = { better: "more often right than", worse: "less often right than", same: "about as often right as" };

/** Display only: 2.3e-6 → "2.3 × 10⁻⁶" (numbers between 0.01 and 1000 as they are). */
const SUPER = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
function sci(x, fmt) {
  if (x === null || x === undefined) return "—";
  if (x === 0 || (Math.abs(x) >= 0.01 && Math.abs(x) < 1000)) return fmt(x, Math.abs(x) >= 10 ? 1 : 2);
  const [m, e] = x.toExponential(1).split("e");
  return `${m.replace("-", "−")} × 10${String(Number(e)).split("").map((c) => SUPER[c]).join("")}`;
}

export default {
  options: (api) => api("rnn/options"),
  params: (o) => ({
    hidden: { type: "choice", default: o.defaults.hidden, choices: o.hidden },
    epochs: { type: "choice", default: o.defaults.epochs, choices: o.epochs },
    patient: { type: "int", default: o.defaults.patient, min: o.patient.min, max: o.patient.max },
    seed: { type: "int", default: o.defaults.seed, min: o.seed.min, max: o.seed.max },
    autostart: { type: "bool", default: true, transient: true },   // autostart=0: do not train on arrival
  }),

  async mount(root, ctx) {
    ctx.injectStyle("rnn-style", CSS);
    const { el, fmt, cssVar } = ctx;
    const o = ctx.options;
    const s = { ...ctx.params };
    let alive = true;
    let trained = null;      // the finished training's result (accuracies, gradient) for the current settings

    const settings = () => ({ hidden: s.hidden, epochs: s.epochs, seed: s.seed });
    const query = (b = settings()) => new URLSearchParams(Object.entries(b).map(([k, v]) => [k, String(v)])).toString();

    const fetchPatient = ctx.live(() => ctx.api("rnn/patient", { ...settings(), patient: s.patient }),
      (r) => { if (alive && trained && query({ hidden: r.hidden, epochs: r.epochs, seed: r.seed }) === query()) drawPatient(r.patient); });
    const changePatient = (v) => { s.patient = v; ctx.setParams({ patient: v }); if (trained) fetchPatient(); };
    const change = (name) => (v) => { s[name] = v; ctx.setParams({ [name]: v }); settingsChanged(); };

    const hiddenSel = ctx.select({ name: "hidden", label: "Hidden units H", onChange: change("hidden") });
    const epochSel = ctx.select({ name: "epochs", label: "Training epochs", onChange: change("epochs") });
    const patientCtl = ctx.control({ name: "patient", label: "Patient (validation set)", onInput: changePatient });
    const seedBtn = ctx.hidden("seed") ? null : el("div", { class: "btn-row", "data-control": "seed" },
      el("button", { type: "button", class: "btn btn-small", "data-testid": "new-patients",
        onclick: () => change("seed")((s.seed + 1) % (o.seed.max + 1)) }, "New patients and start"));
    const bar = el("div", {});
    const progressBox = el("div", { class: "rn-progress", role: "progressbar", "aria-label": "training progress",
      "aria-valuemin": 0, "aria-valuemax": 100, "data-testid": "progress", hidden: true }, bar);
    const status = el("p", { class: "small muted", "data-testid": "status", "aria-live": "polite" });
    const startBtn = el("button", { type: "button", class: "btn btn-primary", "data-testid": "start", hidden: true, onclick: () => start() }, "Train");
    const cancelBtn = el("button", { type: "button", class: "btn", "data-testid": "cancel", hidden: true, onclick: () => cancel() }, "Cancel");
    const dataText = el("p", { class: "caption", "data-testid": "data" });

    const readout = (id, label) => {
      const v = el("div", { class: "v num", "data-testid": id }, "—");
      const sub = el("div", { class: "s" });
      return { node: el("div", { class: "readout" }, el("div", { class: "k" }, label), v, sub), v, sub };
    };
    const rRnn = readout("acc-rnn", "RNN, 24 hours");
    const rFf = readout("acc-last", "Last hour only");
    const rDiff = readout("acc-diff", "Difference");
    const verdictText = el("p", { class: "rn-verdict", "data-testid": "verdict" });
    const patientText = el("p", { "data-testid": "patient-text" });
    const seriesChart = el("div", { class: "plot rn-series", "data-testid": "series-chart", role: "img",
      "aria-label": "The patient's heart rate, respiratory rate and SpO2 per hour" });
    const heat = el("canvas", { "data-testid": "hidden-heatmap", role: "img", "aria-label": "The hidden state after every hour, one row per unit" });
    // each label under the middle of its hour's column
    const hoursAxis = el("div", { class: "rn-hours" }, ...[1, 6, 12, 18, 24].map((h) => el("span", { style: { left: `${((h - 0.5) / 24) * 100}%` } }, `${h === 1 ? "hour " : ""}${h}`)));
    const scale = el("canvas", { width: 60, height: 1 });
    const heatText = el("p", { class: "small", "data-testid": "hidden-text" });
    const riskChart = el("div", { class: "plot rn-risk", "data-testid": "risk-chart", role: "img", "aria-label": "Predicted risk after every hour" });
    const riskText = el("p", { "data-testid": "risk-text" });
    const gradChart = el("div", { class: "plot rn-grad", "data-testid": "gradient-chart", role: "img",
      "aria-label": "Gradient norm against the time lag, log scale" });
    const gradText = el("p", { "data-testid": "gradient-text" });

    root.append(
      el("p", { class: "lede" },
        "A recurrent network (RNN) reads a sequence one step at a time and carries a hidden state h from each step to the next: ",
        "hₜ = tanh(W_ih xₜ + W_hh hₜ₋₁ + b). The same weights at every hour; the hidden state is its memory. ",
        "Here it reads 24 hours of vital signs and says who will deteriorate, against a network that sees only the last hour."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls stack" },
          el("h2", {}, "Patients and networks"),
          patientCtl.node, hiddenSel.node, epochSel.node, seedBtn,
          el("div", { class: "btn-row" }, startBtn, cancelBtn), progressBox, status),
        el("div", { class: "stack" },
          el("div", { class: "panel" },
            el("h2", {}, "Does memory matter?"),
            el("div", { class: "readouts" }, rRnn.node, rFf.node, rDiff.node),
            verdictText, dataText),
          el("div", { class: "panel" },
            el("h2", {}, "One patient, hour by hour"),
            patientText, seriesChart,
            el("h3", {}, "The hidden state hₜ after every hour"),
            el("div", { class: "rn-heat" }, el("div", { class: "yl" }, "hidden unit"), heat, hoursAxis),
            el("div", { class: "rn-scale" }, "−1", scale, "+1 (tanh)"),
            heatText,
            el("h3", {}, "Predicted risk after every hour"),
            riskChart, riskText),
          el("div", { class: "panel" },
            el("h2", {}, "The gradient through time"),
            el("p", { class: "small muted" }, "‖∂L/∂hₜ‖: how much the validation loss L changes with the hidden state of hour t, against the time lag ",
              "24 − t (0: the last hour). Backpropagation through time multiplies it once per hour by W_hhᵀ and tanh′ ≤ 1, as a deep stack ",
              "does once per layer (", el("a", { href: "?step=vanishing", "data-testid": "vanishing-link" }, "vanishing gradients"), "). Log scale."),
            gradChart, gradText))),
    );

    function drawSeries(r) {
      const p = r.patient, d = r.data;
      const domains = [[0.69, 1], [0.36, 0.64], [0, 0.31]];
      const traces = p.signals.map((ys, k) => ({ type: "scatter", mode: "lines+markers", x: p.hours, y: ys, xaxis: "x", yaxis: k ? `y${k + 1}` : "y",
        name: d.signals[k], line: { color: cssVar(SIGNAL_COLOURS[k]), width: 2 }, marker: { size: 4 },
        hovertemplate: `hour %{x}: ${d.signals[k]} %{y} ${d.units[k]}<extra></extra>` }));
      const layout = { showlegend: false, margin: { l: 58, r: 10, t: 8, b: 36 }, xaxis: { title: { text: "hour" }, range: [0.5, 24.5], anchor: "y3" } };
      domains.forEach((dom, k) => { layout[k ? `yaxis${k + 1}` : "yaxis"] = { domain: dom, title: { text: `${["HR", "RR", "SpO₂"][k]} (${d.units[k]})` } }; });
      if (p.onset) layout.shapes = [{ type: "line", x0: p.onset - 0.5, x1: p.onset - 0.5, yref: "paper", y0: 0, y1: 1,
        line: { color: cssVar("--orange"), width: 1.5, dash: "dash" } }];
      ctx.plot(seriesChart, traces, layout);
    }

    function drawHidden(r) {
      const h = r.patient.hidden;
      paintHeatmap(heat, h, signedColours());
      paintHeatmap(scale, [Array.from({ length: 60 }, (_, i) => -1 + (2 * i) / 59)], signedColours());
      const first = h.map((row) => row[0]), last = h.map((row) => row[row.length - 1]);
      const moved = Math.sqrt(first.reduce((a, v, i) => a + (last[i] - v) ** 2, 0));
      const saturated = last.filter((v) => Math.abs(v) > 0.9).length;
      heatText.textContent = `${r.hidden} units (rows) × 24 hours (columns): orange positive, blue negative. Between hour 1 and hour 24 the hidden `
        + `state moved a distance of ${fmt(moved, 2)}; at hour 24, ${saturated} of ${r.hidden} units are near ±1. `
        + "The read-out turns the last column into the risk.";
    }

    function drawRisk(r) {
      const p = r.patient;
      ctx.plot(riskChart, [
        { type: "scatter", mode: "lines+markers", x: p.hours, y: p.risk, name: "RNN after hour t", line: { color: cssVar("--slate"), width: 2.5 },
          marker: { size: 5 }, hovertemplate: "after hour %{x}: risk %{y:.3f}<extra></extra>" },
        { type: "scatter", mode: "markers", x: [24], y: [p.risk_last_hour], name: "last-hour network",
          marker: { symbol: "diamond", size: 12, color: cssVar("--series-4") }, hovertemplate: "last-hour network: %{y:.3f}<extra></extra>" },
      ], {
        showlegend: true, legend: { orientation: "h", x: 0, y: 1.25 }, margin: { l: 50, r: 10, t: 30, b: 36 },
        xaxis: { title: { text: "hour" }, range: [0.5, 24.5] }, yaxis: { title: { text: "risk" }, range: [0, 1] },
        shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 0.5, y1: 0.5, line: { color: cssVar("--guide"), width: 1, dash: "dot" } }],
      });
      const crossed = p.risk.findIndex((v) => v >= 0.5);
      const stays = crossed >= 0 && p.risk.slice(crossed).every((v) => v >= 0.5);
      const truth = p.label ? `This patient deteriorates; the drift began at hour ${p.onset}.` : "This patient is stable (no drift).";
      const rnnSays = p.risk[23] >= 0.5 ? "deteriorates" : "stable";
      const ffSays = p.risk_last_hour >= 0.5 ? "deteriorates" : "stable";
      const right = (says) => ((says === "deteriorates") === (p.label === 1) ? "right" : "wrong");
      riskText.textContent = `${truth} After hour 24 the RNN gives a risk of ${fmt(p.risk[23], 2)} (“${rnnSays}”: ${right(rnnSays)}); the `
        + `last-hour network gives ${fmt(p.risk_last_hour, 2)} (“${ffSays}”: ${right(ffSays)}). `
        + (crossed < 0 ? "The RNN's risk never reached 0.5." : stays ? `The RNN's risk reached 0.5 after hour ${crossed + 1} and stayed above.`
          : `The RNN's risk first reached 0.5 after hour ${crossed + 1}.`);
    }

    function drawGradient(r) {
      const g = r.gradient;
      ctx.plot(gradChart, [
        { type: "scatter", mode: "lines+markers", x: g.lag, y: g.at_init.norm, name: "at initialisation", line: { color: cssVar("--series-4"), width: 2.5 },
          marker: { size: 5 }, hovertemplate: "lag %{x} h: %{y:.2e}<extra>at initialisation</extra>" },
        { type: "scatter", mode: "lines+markers", x: g.lag, y: g.trained.norm, name: "after training", line: { color: cssVar("--slate"), width: 2.5, dash: "dot" },
          marker: { size: 5 }, hovertemplate: "lag %{x} h: %{y:.2e}<extra>after training</extra>" },
      ], {
        showlegend: true, legend: { orientation: "h", x: 0, y: 1.2 }, margin: { l: 64, r: 10, t: 30, b: 40 },
        xaxis: { title: { text: "time lag 24 − t (hours back from the last hour)" } },
        yaxis: { type: "log", title: { text: "‖∂L/∂hₜ‖ (log)" }, exponentformat: "power", dtick: 1 },
      });
      const word = { vanishes: "it vanishes", keeps: "it keeps its order of magnitude", explodes: "it explodes" };
      const i = g.at_init, t = g.trained;
      gradText.textContent = `At initialisation the error reaching hour 1 is × ${sci(i.hour1_over_hour24, fmt)} of that at hour 24 `
        + `(about × ${sci(i.per_hour, fmt)} per hour back): ${word[i.trend]}, so what happened early is hardly learned from. `
        + `After training: × ${sci(t.hour1_over_hour24, fmt)} (× ${sci(t.per_hour, fmt)} per hour): ${word[t.trend]}.`;
    }

    // the training's figures: both accuracies, the verdict, the data, the gradient through time
    function showTrained(r) {
      const d = r.data, a = r.accuracy;
      dataText.textContent = `Synthetic patients made by ml2dl (no real data): ${d.n_train} for training, ${d.n_val} for validation, half of them `
        + `deteriorating. Each has a baseline (heart rate ${d.baseline[0]} ± ${d.spread[0]} bpm, respiratory rate ${d.baseline[1]} ± ${d.spread[1]} /min, `
        + `SpO₂ ${d.baseline[2]} ± ${d.spread[2]} %) plus hourly noise (± ${d.noise[0]}, ${d.noise[1]}, ${d.noise[2]}). In deteriorating patients, `
        + `from an hour between ${d.onset[0]} and ${d.onset[1]} on, heart rate rises ${d.drift[0]} bpm, respiratory rate ${d.drift[1]} /min and `
        + `SpO₂ falls ${Math.abs(d.drift[2])} % per hour. Both networks: ${r.hidden} hidden units (RNN ${fmt(r.parameters.rnn)} weights, `
        + `last-hour network ${fmt(r.parameters.last_hour)}), Adam η = ${r.lr}, batches of ${r.batch_size}, ${r.epochs} epochs, trained by ml2dl's training loop.`;
      rRnn.v.textContent = `${fmt(100 * a.rnn, 1)} %`;
      rRnn.sub.textContent = `of ${d.n_val} right`;
      rFf.v.textContent = `${fmt(100 * a.last_hour, 1)} %`;
      rFf.sub.textContent = "sees hour 24 only";
      rDiff.v.textContent = `${a.difference_points > 0 ? "+" : ""}${fmt(a.difference_points, 1)} points`;
      rDiff.sub.textContent = `within ±${fmt(a.same_within_points, 0)} counts as the same`;
      verdictText.textContent = `The RNN, which reads all 24 hours, is ${WORDS[a.verdict]} the network that sees only the last hour `
        + `(${fmt(100 * a.rnn, 1)} % against ${fmt(100 * a.last_hour, 1)} % of the ${d.n_val} validation patients). `
        + (a.verdict === "better" ? "The last hour alone cannot tell a patient whose normal heart rate is high from one whose rate has been climbing: the rise over hours can."
          : "With these settings memory did not help: try more epochs or hidden units.");
      drawGradient(r);
    }

    // one patient through the saved networks (POST /api/rnn/patient), with the training's data description
    function drawPatient(p) {
      const r = { ...trained, patient: p };
      patientText.textContent = `Validation patient ${p.index}: ${p.label ? `deteriorates (drift from hour ${p.onset}, dashed line)` : "stable"}.`;
      drawSeries(r);
      drawHidden(r);
      drawRisk(r);
    }

    // ------------------------------------------------------------ the training job
    function showJob(job) {
      if (!alive) return;
      const running = job.status === "queued" || job.status === "running";
      startBtn.hidden = running || job.status === "done";
      cancelBtn.hidden = !running;
      progressBox.hidden = !running;
      bar.style.width = `${job.percent ?? 0}%`;
      progressBox.setAttribute("aria-valuenow", String(job.percent ?? 0));
      if (job.status === "done") {
        status.textContent = job.cached ? "Trained earlier on this server: the networks come from the cache."
          : `Both networks trained in ${fmt(job.elapsed_s, 1)} s.`;
        trained = job.result;
        showTrained(trained);
        fetchPatient();
      } else if (running) {
        const loss = job.extra?.loss;
        status.textContent = `${job.message}${loss === undefined ? "" : `, training loss ${fmt(loss, 3)}`} (${fmt(job.elapsed_s, 1)} s)`;
      } else if (job.status === "failed") {
        status.textContent = `Training failed: ${job.error}`;
      } else if (job.status === "cancelled") {
        status.textContent = "Cancelled: these networks are not trained. Press Train to train them.";
      } else {
        status.textContent = "Not trained yet with these settings: press Train (a second or a few).";
      }
    }

    const watcher = jobWatcher(ctx, { start: "rnn/train", cancel: "rnn/train/cancel", progress: "/api/rnn/progress",
                                     query, show: showJob });
    const start = () => watcher.start(settings());
    const cancel = () => watcher.cancel(settings());
    const follow = (b) => watcher.follow(b);

    // New settings: stop watching (and stop the training this page started for the old ones), then show
    // the new settings' networks from the cache, or train them.
    async function settingsChanged() {
      trained = null;
      watcher.release();
      const b = settings();
      const job = await ctx.api(`rnn/train?${query(b)}`);
      if (!alive || query(b) !== query()) return;
      showJob(job);
      if (job.status === "none") await start();
      else if (job.status === "queued" || job.status === "running") follow(b);
    }

    const job = await ctx.api(`rnn/train?${query()}`);
    showJob(job);
    if (job.status === "none" && ctx.params.autostart) await start();
    else if (job.status === "queued" || job.status === "running") follow(settings());
    mountCheck(root, ctx, ["rnn_params"]);  // the check at the end of the step (lib/check.js)

    return () => { alive = false; watcher.close(); };
  },
};
