// When learning goes wrong — overfitting and its cures.
// The trainings run on the server as one background job per setting (ml2dl.lessons.overfitting through
// /api/overfitting/experiment, progress as server-sent events from /api/overfitting/progress, cached by
// settings). This file draws the curves and says what they show; every number and every verdict
// ("lower", "same", "overfits") comes from the server.

import { jobWatcher } from "../lib/job.js";

const CSS = `
.of-progress { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; margin: 8px 0 4px; }
.of-progress > div { height: 100%; background: var(--slate); width: 0; transition: width .3s; }
.of-chart { min-height: 300px; height: 300px; }
.of-check { display: flex; gap: 8px; align-items: center; font-size: .95rem; }
.of-table-wrap { overflow-x: auto; }
.of-table td.good { color: var(--good); font-weight: 650; }
.of-table td.bad { color: var(--bad); font-weight: 650; }
.of-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
.of-legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: .82rem; color: var(--ink-2); margin: 4px 0 2px; }
.of-verdicts { margin: 8px 0 0; padding-left: 1.2em; }
.of-verdicts li { margin: 4px 0; }
`;

const COLOURS = { none: "--series-4", dropout: "--series-2", l2: "--series-3", augment: "--series-1", all: "--series-5" };
const WORDS = { lower: "lower", higher: "higher", same: "about the same" };

const offOr = (unit) => (v) => ({ value: v, label: v === 0 ? "off" : `${unit} = ${v}` });

export default {
  options: (api) => api("overfitting/options"),
  params: (o) => ({
    n: { type: "choice", default: o.defaults.n_train, choices: o.n_train },
    epochs: { type: "choice", default: o.defaults.epochs, choices: o.epochs },
    dropout: { type: "choice", default: o.defaults.dropout, choices: o.dropout.map(offOr("p")) },
    l2: { type: "choice", default: o.defaults.l2, choices: o.l2.map(offOr("λ")) },
    augment: { type: "bool", default: o.defaults.augment },
    metric: { type: "choice", default: "loss", choices: [{ value: "loss", label: "validation loss" }, { value: "accuracy", label: "validation accuracy" }] },
    autostart: { type: "bool", default: true, transient: true },   // autostart=0: do not train on arrival
  }),

  async mount(root, ctx) {
    ctx.injectStyle("overfitting-style", CSS);
    const { el, fmt, cssVar } = ctx;
    const s = { ...ctx.params };
    let alive = true;
    let result = null;

    const body = () => ({ n_train: s.n, epochs: s.epochs, dropout: s.dropout, l2: s.l2, augment: s.augment });
    const query = (b = body()) => new URLSearchParams(Object.entries(b).map(([k, v]) => [k, String(v)])).toString();

    // ------------------------------------------------------------ controls
    const change = (name) => (v) => { s[name] = v; ctx.setParams({ [name]: v }); settingsChanged(); };
    const nSel = ctx.select({ name: "n", label: "Training images", onChange: change("n") });
    const epochSel = ctx.select({ name: "epochs", label: "Epochs", onChange: change("epochs") });
    const dropSel = ctx.select({ name: "dropout", label: "Dropout", onChange: change("dropout") });
    const l2Sel = ctx.select({ name: "l2", label: "L2 (weight decay)", onChange: change("l2") });
    const augBox = el("input", { type: "checkbox", id: "of-augment", "data-testid": "augment", checked: s.augment,
      onchange: () => change("augment")(augBox.checked) });
    const augNode = ctx.hidden("augment") ? null : el("label", { class: "of-check", for: "of-augment", "data-control": "augment" },
      augBox, "Data augmentation");
    const metricCtl = ctx.choice({ name: "metric", label: "Compare", onChange: (v) => { s.metric = v; ctx.setParams({ metric: v }); if (result) drawCures(result); } });

    const bar = el("div", {});
    const progressBox = el("div", { class: "of-progress", role: "progressbar", "aria-label": "training progress",
      "aria-valuemin": 0, "aria-valuemax": 100, "data-testid": "progress" }, bar);
    const progressText = el("p", { class: "small muted", "data-testid": "progress-text", "aria-live": "polite" });
    const startBtn = el("button", { type: "button", class: "btn btn-primary", "data-testid": "start", onclick: () => start() }, "Train");
    const cancelBtn = el("button", { type: "button", class: "btn", "data-testid": "cancel", hidden: true, onclick: () => cancel() }, "Cancel");
    const dataText = el("p", { class: "caption", "data-testid": "data" });

    // ------------------------------------------------------------ outputs
    const readout = (id, label) => {
      const v = el("div", { class: "v num", "data-testid": id }, "—");
      const sub = el("div", { class: "s" });
      return { node: el("div", { class: "readout" }, el("div", { class: "k" }, label), v, sub), v, sub };
    };
    const rBest = readout("best-epoch", "Best epoch");
    const rLow = readout("best-val-loss", "Lowest validation loss");
    const rEnd = readout("final-val-loss", "Validation loss at the end");
    const rGap = readout("gap", "Gap at the end");
    const gapChart = el("div", { class: "plot of-chart", "data-testid": "overfit-chart", role: "img",
      "aria-label": "Training and validation loss per epoch, without a cure" });
    const story = el("p", { "data-testid": "story" });
    const legendItem = (variable, label) => el("span", {}, el("span", { class: "of-swatch", style: { background: `var(${variable})` } }), label);
    const gapLegend = el("div", { class: "of-legend" }, legendItem("--slate", "training images"),
      legendItem(COLOURS.none, "held-out images (validation)"), el("span", {}, "★ best epoch"));
    const cureLegend = el("div", { class: "of-legend", "data-testid": "cures-legend" });
    const cureChart = el("div", { class: "plot of-chart", "data-testid": "cures-chart", role: "img",
      "aria-label": "Validation loss or accuracy per epoch of every network" });
    const table = el("div", { class: "of-table-wrap", "data-testid": "cures-table" });
    const verdicts = el("ul", { class: "of-verdicts", "data-testid": "verdicts" });
    const summary = el("p", { "data-testid": "summary" });

    root.append(
      el("p", { class: "lede" },
        "Give a network far more weights than training images and train it long enough, and it learns the images by heart: ",
        "its loss on them falls towards zero while its loss on images it has never seen, after falling at first, turns up. ",
        "Three cures make memorising harder — dropout, L2 weight decay and data augmentation. Train them side by side."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls stack" },
          el("h2", {}, "The experiment"),
          nSel.node, epochSel.node,
          el("fieldset", { class: "group" }, el("legend", {}, "Cures (each is trained on its own, then all together)"),
            el("div", { class: "stack" }, dropSel.node, l2Sel.node, augNode)),
          el("div", { class: "btn-row" }, startBtn, cancelBtn),
          progressBox, progressText, dataText),
        el("div", { class: "stack" },
          el("div", { class: "panel" },
            el("h2", {}, "(a) Overfitting: no cure"),
            gapLegend, gapChart,
            el("div", { class: "readouts" }, rBest.node, rLow.node, rEnd.node, rGap.node),
            story),
          el("div", { class: "panel" },
            el("h2", {}, "(b) The cures side by side"),
            metricCtl.node,
            cureLegend, cureChart,
            el("p", { class: "small muted" }, "★ marks each network's best epoch: the one with the lowest validation loss."),
            verdicts, summary, table))),
    );

    // ------------------------------------------------------------ drawing
    const colour = (a) => cssVar(COLOURS[a.key]);
    const epochsOf = (a) => a.val_loss.map((_, i) => i + 1);

    // `partial`: while training, the curves and readouts only (the words wait for the whole result)
    function drawOverfit(r, partial = false) {
      const n = r.arms.find((a) => a.key === "none");
      if (!n) return;
      const x = epochsOf(n);
      ctx.plot(gapChart, [
        { type: "scatter", mode: "lines", x, y: n.train_loss, name: "training images", line: { color: cssVar("--slate"), width: 2.5 },
          hovertemplate: "epoch %{x}: training loss %{y:.3f}<extra></extra>" },
        { type: "scatter", mode: "lines", x, y: n.val_loss, name: "held-out images (validation)", line: { color: colour(n), width: 2.5 },
          hovertemplate: "epoch %{x}: validation loss %{y:.3f}<extra></extra>" },
        { type: "scatter", mode: "markers", x: [n.best_epoch], y: [n.best_val_loss], name: "best epoch", showlegend: false,
          marker: { symbol: "star", size: 16, color: colour(n), line: { color: cssVar("--white"), width: 1 } },
          hovertemplate: "best epoch %{x}: validation loss %{y:.3f}<extra></extra>" },
      ], {
        margin: { t: 10 },  // the legend is the HTML line above the chart (it wraps on a phone)
        xaxis: { title: { text: "epoch" } }, yaxis: { title: { text: "loss (cross-entropy)" }, rangemode: "tozero" },
        shapes: [{ type: "line", x0: n.best_epoch, x1: n.best_epoch, yref: "paper", y0: 0, y1: 1,
          line: { color: cssVar("--guide"), width: 1.5, dash: "dash" } }],
      });
      rBest.v.textContent = String(n.best_epoch);
      rBest.sub.textContent = `of ${x.length}`;
      rLow.v.textContent = fmt(n.best_val_loss, 3);
      rLow.sub.textContent = `${fmt(100 * n.best_val_accuracy, 1)} % right`;
      rEnd.v.textContent = fmt(n.final_val_loss, 3);
      rEnd.sub.textContent = `${fmt(100 * n.final_val_accuracy, 1)} % right`;
      rGap.v.textContent = fmt(n.gap, 3);
      rGap.sub.textContent = `validation − training (${fmt(n.gap_at_best, 3)} at the best epoch)`;
      if (partial) {
        story.textContent = "";
      } else if (n.overfits) {
        story.textContent = `The training loss fell to ${fmt(n.final_train_loss, 3)}, while the validation loss was lowest at epoch `
          + `${n.best_epoch} (${fmt(n.best_val_loss, 3)}) and rose to ${fmt(n.final_val_loss, 3)} by epoch ${x.length}. `
          + `After epoch ${n.best_epoch}, what the network learned from the ${r.n_train} training images no longer carried over `
          + `to new images: it overfits. The gap between the two curves grew from ${fmt(n.gap_at_best, 3)} to ${fmt(n.gap, 3)}.`;
      } else if (n.rise > r.loss_tolerance) {
        story.textContent = `The validation loss rose from ${fmt(n.best_val_loss, 3)} (epoch ${n.best_epoch}) to ${fmt(n.final_val_loss, 3)}, `
          + `but the training loss did not keep falling meanwhile (${fmt(n.train_loss_at_best, 3)} → ${fmt(n.final_train_loss, 3)}): `
          + "not the clear pattern of overfitting. The gap at the end is " + fmt(n.gap, 3) + ".";
      } else {
        story.textContent = `Within ${x.length} epochs the validation loss did not turn up (lowest at epoch ${n.best_epoch}: `
          + `${fmt(n.best_val_loss, 3)}; at the end ${fmt(n.final_val_loss, 3)}): no overfitting shows with these settings. `
          + "Try fewer training images or more epochs.";
      }
    }

    function drawCures(r) {
      const acc = s.metric === "accuracy";
      const y = (a) => (acc ? a.val_accuracy.map((v) => 100 * v) : a.val_loss);
      const best = (a) => (acc ? 100 * a.best_val_accuracy : a.best_val_loss);
      const traces = r.arms.flatMap((a) => [
        { type: "scatter", mode: "lines", x: epochsOf(a), y: y(a), name: a.label, legendgroup: a.key, line: { color: colour(a), width: 2.2 },
          hovertemplate: `${a.label}<br>epoch %{x}: %{y:.${acc ? 1 : 3}f}${acc ? " %" : ""}<extra></extra>` },
        { type: "scatter", mode: "markers", x: [a.best_epoch], y: [best(a)], legendgroup: a.key, showlegend: false,
          marker: { symbol: "star", size: 15, color: colour(a), line: { color: cssVar("--white"), width: 1 } },
          hovertemplate: `${a.label}: best epoch %{x}<extra></extra>` },
      ]);
      cureLegend.replaceChildren(...r.arms.map((a) => legendItem(COLOURS[a.key], a.label)));
      ctx.plot(cureChart, traces, {
        margin: { t: 10 },
        xaxis: { title: { text: "epoch" } },
        yaxis: { title: { text: acc ? "validation accuracy (%)" : "validation loss" }, ...(acc ? {} : { rangemode: "tozero" }) },
      });
    }

    function drawVerdicts(r) {
      const base = r.arms.find((a) => a.key === "none");
      const cures = r.arms.filter((a) => a.versus_none);
      verdicts.replaceChildren(...cures.map((a) => {
        const v = a.versus_none;
        return el("li", { "data-testid": `verdict-${a.key}` }, el("span", { class: "of-swatch", style: { background: `var(${COLOURS[a.key]})` } }),
          el("strong", {}, `${a.label}: `),
          `validation loss at the end ${fmt(a.final_val_loss, 3)} against ${fmt(base.final_val_loss, 3)} without a cure — ${WORDS[v.final_val_loss_verdict]}; `,
          `at its best epoch (${a.best_epoch}) ${fmt(a.best_val_loss, 3)} against ${fmt(base.best_val_loss, 3)} — ${WORDS[v.best_val_loss_verdict]}. `,
          `Gap at the end ${fmt(a.gap, 3)} (${WORDS[v.gap_verdict]}).`);
      }));
      const helped = cures.filter((a) => a.versus_none.helped).map((a) => a.label);
      const notHelped = cures.filter((a) => !a.versus_none.helped).map((a) => a.label);
      const sameAtBest = cures.length > 0 && cures.every((a) => a.versus_none.best_val_loss_verdict === "same");
      const parts = [];
      if (!cures.length) parts.push("Switch on a cure to compare it with the network without one.");
      if (helped.length) parts.push(`Lower validation loss at the end than without a cure: ${helped.join(", ")}.`);
      if (notHelped.length) parts.push(`On these images ${notHelped.join(", ")} did not lower it (within ±${fmt(r.loss_tolerance)}, counted as the same).`);
      if (sameAtBest) parts.push("At their best epochs all networks reach about the same validation loss: here the cures mainly stop it "
        + "from rising afterwards — which stopping at the best epoch (early stopping) also does.");
      const bestKey = r.best.at_last_epoch;
      if (cures.length) parts.push(`Lowest validation loss at the end: ${r.arms.find((a) => a.key === bestKey).label}.`);
      summary.textContent = parts.join(" ");
      const head = el("tr", {}, ...["network", "best epoch", "val. loss at best", "accuracy at best", "val. loss at end", "accuracy at end",
        "gap at end"].map((h, i) => el("th", { class: i ? "num" : "" }, h)));
      const rows = r.arms.map((a) => el("tr", { "data-testid": `row-${a.key}` },
        el("td", {}, el("span", { class: "of-swatch", style: { background: `var(${COLOURS[a.key]})` } }), a.label),
        el("td", { class: "num" }, String(a.best_epoch)),
        el("td", { class: "num" }, fmt(a.best_val_loss, 3)),
        el("td", { class: "num" }, `${fmt(100 * a.best_val_accuracy, 1)} %`),
        el("td", { class: `num ${a.versus_none ? (a.versus_none.final_val_loss_verdict === "lower" ? "good" : a.versus_none.final_val_loss_verdict === "higher" ? "bad" : "") : ""}` },
          fmt(a.final_val_loss, 3)),
        el("td", { class: "num" }, `${fmt(100 * a.final_val_accuracy, 1)} %`),
        el("td", { class: "num" }, fmt(a.gap, 3))));
      table.replaceChildren(el("table", { class: "data small of-table" }, el("thead", {}, head), el("tbody", {}, rows)));
    }

    function drawData(r) {
      dataText.textContent = `${r.n_train} training images (${r.train_counts.normal} normal, ${r.train_counts.pneumonia} pneumonia) and `
        + `${r.n_val} held-out images, ${r.synthetic ? "synthetic chest films (generated, not patient data)" : `real chest X-rays (${r.source})`}. `
        + `Network ${r.architecture}: ${fmt(r.parameters)} weights, ${fmt(r.parameters_per_image, 0)} per training image. `
        + `Adam, η = ${fmt(r.lr)}, batches of ${r.batch_size}. Augmentation: rotation up to ±${fmt(r.augment.rotation)}°, zoom `
        + `${fmt(r.augment.scale[0])}–${fmt(r.augment.scale[1])}×, shift up to ${fmt(100 * r.augment.translate)} %, new every epoch. `
        + `The baseline, ${r.baseline.label}, is right on ${fmt(100 * r.baseline.accuracy, 1)} % of the held-out images.`;
    }

    function show(r) {
      result = r;
      drawData(r);
      drawOverfit(r);
      drawCures(r);
      drawVerdicts(r);
    }

    // ------------------------------------------------------------ the job
    function showJob(job) {
      if (!alive) return;
      const running = job.status === "queued" || job.status === "running";
      startBtn.hidden = running || job.status === "done";
      cancelBtn.hidden = !running;
      progressBox.hidden = !running;
      bar.style.width = `${job.percent ?? 0}%`;
      progressBox.setAttribute("aria-valuenow", String(job.percent ?? 0));
      if (job.status === "done") {
        progressText.textContent = job.cached ? "Trained earlier on this server: results from the cache." : `Done in ${fmt(job.elapsed_s, 0)} s.`;
        show(job.result);
      } else if (running) {
        progressText.textContent = `${job.message} (${fmt(job.elapsed_s, 0)} s)`;
        const arms = job.extra?.arms || [];
        if (arms.length) { drawOverfit({ arms }, true); drawCures({ arms }); }
      } else if (job.status === "failed") {
        progressText.textContent = `Training failed: ${job.error}`;
      } else if (job.status === "cancelled") {
        progressText.textContent = "Cancelled.";
      } else {
        progressText.textContent = "Not trained yet with these settings: press Train (a few seconds per network). "
          + `Data: ${ctx.options.data.source}.`;
      }
    }

    const watcher = jobWatcher(ctx, { start: "overfitting/experiment", cancel: "overfitting/experiment/cancel", progress: "/api/overfitting/progress",
                                     query, show: showJob });
    const start = () => watcher.start(body());
    const cancel = () => watcher.cancel(body());
    const follow = (b) => watcher.follow(b);

    // A new setting: stop watching (and stop the run this page started for the old one), then show
    // the new setting's result from the cache, or train it.
    async function settingsChanged() {
      watcher.release();
      const job = await ctx.api(`overfitting/experiment?${query()}`);
      if (!alive) return;
      showJob(job);
      if (job.status === "none") await start();
      else if (job.status === "queued" || job.status === "running") follow(body());
    }

    const job = await ctx.api(`overfitting/experiment?${query()}`);
    showJob(job);
    if (job.status === "none" && ctx.params.autostart) await start();
    else if (job.status === "queued" || job.status === "running") follow(body());

    return () => { alive = false; watcher.close(); };
  },
};
