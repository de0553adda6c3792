// clinic-train — train a CNN on chest images on this server, watch loss and AUC per epoch, keep the run.
// POST /api/clinic/train starts a job in the server's bounded pool (or reuses the finished run with the same
// settings); GET /api/clinic/progress streams its snapshot (server-sent events) until it ends; the runs
// folder is listed by GET /api/clinic/runs. This file only draws.

import { CLINIC_CSS, SHARED_PARAMS, currentRun, pageLink, remember, runLabel } from "./clinic/shared.js";

const CSS = `
.ct-bar { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; }
.ct-bar > div { height: 100%; background: var(--blue); width: 0; transition: width .3s; }
.ct-runs td .btn-small { margin-left: 4px; }
.ct-runs tr[aria-current="true"] td { font-weight: 700; }
.ct-runs { overflow-x: auto; }
.ct-runs table.data td, .ct-runs table.data th { white-space: nowrap; }
.ct-controls fieldset.group { display: grid; gap: 10px; }
.ct-recipe > summary { cursor: pointer; font-weight: 600; margin: 10px 0 6px; color: var(--ink-2); }
`;

const LRS = [0.0003, 0.001, 0.003, 0.01, 0.03];
const BATCHES = [16, 32, 64, 128];

function limit(o, name) { return o.request[name] || {}; }

export default {
  options: (api) => api("clinic/options"),
  params: (o) => ({
    ...SHARED_PARAMS,
    source: { type: "choice", default: "phantom", choices: o.sources.map((s) => ({ value: s.id, label: s.label })) },
    n_train: { type: "int", default: limit(o, "n_train").default, min: limit(o, "n_train").min,
      max: Math.max(...o.sources.map((s) => s.max_train)), step: 1 },
    architecture: { type: "choice", default: "strong", choices: Object.keys(o.architectures) },
    width: { type: "int", default: limit(o, "width").default, min: limit(o, "width").min, max: limit(o, "width").max },
    epochs: { type: "int", default: limit(o, "epochs").default, min: limit(o, "epochs").min, max: o.max_epochs },
    batch_size: { type: "choice", default: limit(o, "batch_size").default, choices: BATCHES },
    lr: { type: "choice", default: limit(o, "lr").default, choices: LRS },
    optimizer: { type: "choice", default: "adamw", choices: limit(o, "optimizer").choices },
    schedule: { type: "choice", default: "onecycle", choices: limit(o, "schedule").choices },
    class_weight: { type: "choice", default: "balanced", choices: limit(o, "class_weight").choices },
    augment: { type: "choice", default: "off", choices: ["off", "on"] },
    seed: { type: "int", default: 0, min: limit(o, "seed").min, max: limit(o, "seed").max },
  }),

  async mount(root, ctx) {
    ctx.injectStyle("clinic-style", CLINIC_CSS);
    ctx.injectStyle("clinic-train-style", CSS);
    const { el, fmt } = ctx;
    const o = ctx.options;
    let source = null;
    let alive = true;
    let following = null;  // the run whose job the chart follows
    // The run this tab started or joined (POST clinic/train counts this student among its followers).
    // A run found training when the page opened may be another student's: this tab only watches it,
    // and its Cancel stops the watching, never the run (kept per tab, so it survives a reload).
    const JOINED = "ml2dl.clinic.joined";
    const joined = {
      get: () => { try { return sessionStorage.getItem(JOINED); } catch { return null; } },
      set: (run) => { try { if (run) sessionStorage.setItem(JOINED, run); else sessionStorage.removeItem(JOINED); } catch { /* private mode */ } },
    };
    let runs = [];

    // ------------------------------------------------------------ controls
    const sourceOf = () => o.sources.find((s) => s.id === ctx.params.source) || o.sources[0];
    const set = (name) => (v) => { ctx.setParams({ [name]: v }); if (name === "source") showSource(); };
    const made = {};
    const c = (kind, name, label) => (made[name] = ctx[kind]({ name, label, onInput: set(name), onChange: set(name) })).node;
    const controls = [
      c("select", "source", "Images"),
      c("control", "n_train", "Training images"),
      c("choice", "architecture", "Network"),
      c("control", "width", "Filters in the first layer"),
      c("control", "epochs", "Epochs"),
      c("select", "batch_size", "Batch size"),
      c("select", "lr", "Learning rate"),
      c("select", "optimizer", "Optimizer"),
      c("select", "schedule", "Learning-rate schedule"),
      c("choice", "class_weight", "Class weights"),
      c("choice", "augment", "Augmentation"),
      c("control", "seed", "Seed"),
    ];
    const trainBtn = el("button", { type: "button", class: "btn btn-primary", "data-testid": "train", onclick: () => start() }, "Train");
    const cancelBtn = el("button", { type: "button", class: "btn", "data-testid": "cancel", hidden: true, onclick: () => cancel() }, "Cancel");
    const sourceNote = el("p", { class: "small muted", "data-testid": "source-note" });
    const bar = el("div", {});
    const progress = el("div", { class: "ct-bar", role: "progressbar", "aria-label": "training progress", "aria-valuemin": 0,
      "aria-valuemax": 100, "data-testid": "progress" }, bar);
    const status = el("p", { class: "small", "data-testid": "status", "aria-live": "polite" }, "Choose the settings and press Train.");

    // ------------------------------------------------------------ chart and readouts
    const chart = el("div", { class: "clinic-plot", "data-testid": "chart", role: "img",
      "aria-label": "training and validation loss and validation AUC per epoch" });
    const readouts = el("div", { class: "readouts", "data-testid": "readouts" });
    const next = el("p", { class: "small", "data-testid": "next" });
    const runsBox = el("div", { class: "ct-runs", "data-testid": "runs" });

    root.append(
      el("p", { class: "lede" }, "Train a convolutional network on chest images, here, on this server, with the same training loop as ",
        el("code", {}, "ml2dl train"), ". The loss should fall and the validation AUC rise, epoch by epoch. Every run is kept: ",
        "the next pages read its ROC curve and show its mistakes."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls ct-controls" }, el("h2", {}, "Settings"),
          el("div", { class: "btn-row" }, trainBtn, cancelBtn), progress, status,
          el("fieldset", { class: "group" }, el("legend", {}, "Data and network"), ...controls.slice(0, 4), sourceNote),
          el("details", { class: "ct-recipe", open: window.innerWidth > 900 ? "" : false },  // folded on a phone: the chart comes sooner
            el("summary", {}, "Recipe (epochs, batches, learning rate, …)"),
            el("fieldset", { class: "group" }, el("legend", {}, "Recipe"), ...controls.slice(4)))),
        el("div", { class: "stack" },
          el("div", { class: "panel" }, el("h2", {}, "Loss and AUC per epoch"), readouts, chart, next),
          el("div", { class: "panel" }, el("h2", {}, "Runs kept on this server"),
            el("p", { class: "small muted" }, `In ${o.runs_folder} (at most ${o.max_runs}); `,
              el("code", {}, `ml2dl train --out ${o.runs_folder}/NAME`), " adds runs here too."), runsBox))));

    function showSource() {
      const s = sourceOf();
      if (ctx.params.n_train > s.max_train) {  // a small folder: train on all it has, not a refused request
        made.n_train.set(s.max_train);
        ctx.setParams({ n_train: s.max_train });
      }
      sourceNote.textContent = `${s.synthetic ? "Synthetic films drawn by ml2dl. " : ""}Up to ${fmt(s.max_train)} training images; `
        + `judged on the validation split and a test split: ${s.test_from}.`;
    }

    // ------------------------------------------------------------ drawing
    function draw(history, epochs, title) {
      const x = history.map((r) => r.epoch);
      const line = (y, name, colour, axis, dash) => ({ x, y, name, type: "scatter", mode: "lines+markers", yaxis: axis,
        line: { color: ctx.cssVar(colour), width: 2, dash }, marker: { size: 7 } });
      ctx.plot(chart, [
        line(history.map((r) => r.train_loss), "training loss", "--series-5", "y"),
        line(history.map((r) => r.val_loss), "validation loss", "--series-1", "y", "dot"),
        line(history.map((r) => r.val_auc), "validation AUC", "--violet", "y2"),
      ], {
        showlegend: true, margin: { r: 50, b: 80 }, legend: { orientation: "h", x: 0, y: -0.28 },
        xaxis: { title: { text: "epoch" }, range: [0.5, Math.max(epochs || 1, x.length) + 0.5], dtick: 1 },
        yaxis: { title: { text: "loss" }, rangemode: "tozero" },
        yaxis2: { title: { text: "AUC" }, overlaying: "y", side: "right", range: [0.4, 1.0], dtick: 0.1, showgrid: false },
      });
      const last = history[history.length - 1];
      readouts.replaceChildren(
        el("div", { class: "readout" }, el("div", { class: "k" }, "Epoch"), el("div", { class: "v", "data-testid": "epoch" },
          `${history.length} / ${epochs}`), el("div", { class: "s" }, title)),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Training loss"),
          el("div", { class: "v", "data-testid": "train-loss" }, last ? fmt(last.train_loss, 3) : "—")),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Validation AUC"),
          el("div", { class: "v", "data-testid": "val-auc" }, last ? fmt(last.val_auc, 3) : "—")));
    }

    function showRun(summary) {
      draw(summary.history, summary.epochs, runLabel(summary, fmt));
      next.replaceChildren(summary.complete
        ? el("span", {}, `Run ${summary.name}: best validation AUC ${fmt(summary.best_val_auc, 3)} at epoch ${summary.best_epoch}. `,
          el("a", { href: pageLink("clinic-roc", { run: summary.name }), "data-testid": "to-roc" }, "Read its ROC curve →"))
        : `Run ${summary.name} ${summary.state}; train it again with the same settings to continue it.`);
    }

    function drawRuns() {
      if (!runs.length) { runsBox.replaceChildren(el("p", { class: "muted small" }, "None yet.")); return; }
      runsBox.replaceChildren(el("table", { class: "data" },
        el("thead", {}, el("tr", {}, ...["run", "data", "network", "epochs", "best val AUC", "", ""].map((h) => el("th", {}, h)))),
        el("tbody", {}, runs.map((r) => el("tr", { "data-testid": `run-${r.name}`, "aria-current": r.name === ctx.params.run ? "true" : false },
          el("td", { title: r.name }, r.origin === "clinic" ? r.name.slice(0, 14) + "…" : r.name),
          el("td", {}, `${r.source === "phantom" ? "phantoms" : r.data}${r.n_train ? ` (${fmt(r.n_train)})` : ""}`),
          el("td", {}, `${r.architecture}${r.width ? ` w${r.width}` : ""}`),
          el("td", {}, r.complete ? String(r.epochs_done) : `${r.epochs_done} of ${r.epochs}`),
          el("td", {}, r.best_val_auc === null ? "—" : fmt(r.best_val_auc, 3)),
          el("td", {}, el("button", { type: "button", class: "btn btn-small", "data-testid": `use-${r.name}`,
            onclick: () => { ctx.setParams({ run: r.name }); remember({ run: r.name }); showRun(r); drawRuns(); } }, "Show"),
          el("a", { class: "btn btn-small", href: pageLink("clinic-roc", { run: r.name }) }, "ROC")),
          el("td", {}, el("button", { type: "button", class: "btn btn-small btn-ghost", "data-testid": `delete-${r.name}`,
            "aria-label": `delete run ${r.name}`, onclick: () => remove(r.name) }, "Delete")))))));
    }

    async function refreshRuns() {
      const listed = await ctx.api("clinic/runs");
      runs = listed.runs;
      drawRuns();
      return listed;
    }

    // ------------------------------------------------------------ the job
    function showJob(run, job) {
      const pct = job.percent || 0;
      bar.style.width = `${pct}%`;
      progress.setAttribute("aria-valuenow", String(Math.round(pct)));
      const busy = job.status === "queued" || job.status === "running";
      trainBtn.disabled = busy;
      cancelBtn.hidden = !busy;
      const said = job.message && job.message !== job.status ? `${job.status}: ${job.message}` : job.status;
      status.textContent = job.status === "failed" ? `Failed: ${job.error}` : said
        + (job.elapsed_s ? ` (${fmt(job.elapsed_s, 1)} s)` : "");
      status.dataset.status = job.status;
      const history = (job.extra && job.extra.history) || (job.result && job.result.history) || [];
      const epochs = (job.extra && job.extra.epochs) || (job.result && job.result.epochs) || ctx.params.epochs;
      if (job.status === "done" && job.result) showRun(job.result);
      else {
        draw(history, epochs, run.slice(0, 14) + "…");
        next.textContent = busy ? `Training run ${run}; its ROC curve and mistakes can be read once it has finished.`
          : job.status === "cancelled" ? `Run ${run} was stopped: its finished epochs are kept; train the same settings again to continue it.`
            : "";
      }
    }

    // The job has ended, seen on its event stream or by asking again: a finished run goes into the URL
    // first (a reload or a shared link shows it), then its status is shown and the runs list refreshed.
    async function ended(run, job) {
      following = null;
      if (joined.get() === run) joined.set(null);
      if (job.status === "done") { ctx.setParams({ run }); remember({ run }); }
      showJob(run, job);
      await refreshRuns();
    }

    function follow(run) {
      if (source) source.close();
      following = run;
      source = new EventSource(`/api/clinic/progress?run=${encodeURIComponent(run)}`);
      source.onmessage = async (ev) => {
        const job = JSON.parse(ev.data);
        if (!alive || following !== run) return;
        if (["queued", "running"].includes(job.status)) showJob(run, job);
        else { source.close(); source = null; await ended(run, job); }
      };
      source.onerror = () => {  // the stream ended early (a long run outlives it, or the network blinked): look again
        if (source) { source.close(); source = null; }
        setTimeout(async () => {
          if (!alive || following !== run) return;
          try {
            const job = await ctx.api(`clinic/status?run=${encodeURIComponent(run)}`);
            if (["queued", "running"].includes(job.status)) { showJob(run, job); follow(run); } else await ended(run, job);
          } catch (e) { ctx.notify(e.message); }
        }, 1000);
      };
    }

    function body() {
      const p = ctx.params;
      return { source: p.source, n_train: p.n_train, architecture: p.architecture, width: p.width, epochs: p.epochs,
        batch_size: p.batch_size, lr: p.lr, optimizer: p.optimizer, schedule: p.schedule, class_weight: p.class_weight,
        augment: p.augment === "on", seed: p.seed };
    }

    async function start() {
      try {
        const r = await ctx.api("clinic/train", body());
        if (r.reused) {
          ctx.setParams({ run: r.run }); remember({ run: r.run });
          status.textContent = `These exact settings were trained before: run ${r.run} is reused, nothing is trained again.`;
          status.dataset.status = "reused";
          showRun(r.summary);
          drawRuns();
        } else {
          joined.set(r.run);
          showJob(r.run, r.snapshot);
          follow(r.run);
        }
      } catch (e) { ctx.notify(e.message); }
    }

    async function cancel() {
      if (!following) return;
      const run = following;
      if (joined.get() !== run) {  // only watched: stop watching, the run goes on for whoever started it
        if (source) { source.close(); source = null; }
        following = null;
        cancelBtn.hidden = true;
        trainBtn.disabled = false;
        status.dataset.status = "watching-stopped";
        status.textContent = `You stopped watching run ${run}. This page did not start it, so it keeps training `
          + "for whoever did; it appears in the list below when it has finished.";
        return;
      }
      try {
        const snap = await ctx.api("clinic/cancel", { run });
        joined.set(null);
        if (snap.detached) {  // other students follow the same run: it trains on for them
          if (source) { source.close(); source = null; }
          following = null;
          cancelBtn.hidden = true;
          trainBtn.disabled = false;
          status.dataset.status = "detached";
          status.textContent = `You left run ${run}: ${snap.message}.`;
        } else showJob(run, snap);
      } catch (e) { ctx.notify(e.message); }
    }

    async function remove(name) {
      try {
        await ctx.api("clinic/delete", { run: name });
        if (ctx.params.run === name) ctx.setParams({ run: null });
        await refreshRuns();
      } catch (e) { ctx.notify(e.message); }
    }

    // ------------------------------------------------------------ start
    showSource();
    const listed = await refreshRuns();
    if (listed.active.length) {
      const a = listed.active[0];
      showJob(a.run, a.snapshot);
      follow(a.run);
    } else {
      const name = currentRun(ctx, runs);
      const shown = runs.find((r) => r.name === name);
      if (shown) showRun(shown); else draw([], ctx.params.epochs, "no run yet");
      drawRuns();
    }
    return () => { alive = false; if (source) source.close(); };
  },
};
