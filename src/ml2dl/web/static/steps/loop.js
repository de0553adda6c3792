// The training loop: a real run on the server's chest images, streamed as it trains, then a small
// hyperparameter search. Batches per epoch and the budget come from POST /api/loop/plan; runs and the
// search are jobs (POST /api/loop/run, /api/loop/search) followed over server-sent events. This file
// only draws what the server computed.

import { mountCheck } from "../lib/check.js";
import { drawHistory } from "./loop/chart.js";
import { DIAGRAM_CSS, TRAIN_STEPS, makeDiagram } from "./loop/diagram.js";
import { SEARCH_CSS, chips, searchTable } from "./loop/search.js";

const CSS = `
.lp-status { display: flex; justify-content: space-between; gap: 10px; flex-wrap: wrap; margin-top: 10px; font-size: .9rem; }
.lp-bar { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; margin-top: 6px; }
.lp-bar > div { height: 100%; width: 0; background: var(--blue); transition: width .25s; }
.lp-chart { min-height: 400px; }
.lp-formula { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; font-size: .9rem; }
.lp-formula math { font-size: 1.05rem; }
.lp-warn { color: var(--bad); font-size: .88rem; }
.lp-plan-line { font-size: .9rem; color: var(--ink-2); }
`;

const lrLabel = (v) => String(v);

export default {
  options: (api) => api("loop/options"),
  params: (o) => ({
    n: { type: "int", default: Math.min(o.run.n_train.default, o.pool.n_train), min: o.run.n_train.min, max: o.pool.n_train },
    batch: { type: "int", default: o.run.batch_size.default, min: o.run.batch_size.min, max: o.run.batch_size.max },
    epochs: { type: "int", default: o.run.epochs.default, min: o.run.epochs.min, max: o.run.epochs.max },
    patience: { type: "int", default: o.run.patience.default, min: o.run.patience.min, max: o.run.patience.max },
    lr: { type: "choice", default: o.run.lr.default, choices: o.lr_choices },
    width: { type: "choice", default: o.run.width.default, choices: o.width_choices },
    lrs: { type: "list", of: "float", default: o.search.lrs.default, min: o.run.lr.min, max: o.run.lr.max,
      minLength: 1, maxLength: o.search.lrs.max_items },
    widths: { type: "list", of: "int", default: o.search.widths.default, min: o.run.width.min, max: o.run.width.max,
      minLength: 1, maxLength: o.search.widths.max_items },
    autostart: { type: "bool", default: true, transient: true },
  }),

  async mount(root, ctx) {
    ctx.injectStyle("loop-style", CSS + DIAGRAM_CSS + SEARCH_CSS);
    const { el, fmt, params: p, options: o } = ctx;
    let alive = true;
    let plan = null;          // the plan of the settings on screen
    let runPlan = null;       // the plan of the run being shown
    let seenRows = 0;
    let flash = null;

    // ------------------------------------------------------------ controls
    const onSize = (name) => (v) => { ctx.setParams({ [name]: v }); refreshPlan(); };
    const controls = [
      ctx.control({ name: "n", label: "Training images N", onInput: onSize("n") }),
      ctx.control({ name: "batch", label: "Batch size b", onInput: onSize("batch") }),
      ctx.control({ name: "epochs", label: "Epochs (at most)", onInput: onSize("epochs") }),
      ctx.control({ name: "patience", label: "Patience (0 = never stop early)", onInput: onSize("patience") }),
      ctx.select({ name: "lr", label: "Learning rate η", onChange: (v) => ctx.setParams({ lr: v }) }),
      ctx.select({ name: "width", label: "Width (filters of the first convolution)", onChange: (v) => ctx.setParams({ width: v }) }),
    ];
    const formula = el("div", { class: "lp-formula", "data-testid": "plan" }, "…");
    const runWarn = el("p", { class: "lp-warn", "data-testid": "run-budget", hidden: true });
    const startBtn = el("button", { type: "button", class: "btn btn-primary", "data-testid": "run-start", onclick: () => startRun() }, "Start the run");
    const cancelBtn = el("button", { type: "button", class: "btn", "data-testid": "run-cancel", hidden: true, onclick: () => run.cancel() }, "Cancel");

    // ------------------------------------------------------------ the loop, live
    const diagram = makeDiagram(el);
    const status = el("span", { "data-testid": "run-status", "aria-live": "polite" }, "");
    const elapsed = el("span", { class: "muted" });
    const bar = el("div", {});
    const barBox = el("div", { class: "lp-bar", role: "progressbar", "aria-label": "run progress", "aria-valuemin": 0, "aria-valuemax": 100 }, bar);
    const readouts = el("div", { class: "readouts", "data-testid": "run-readouts" });
    const chart = el("div", { class: "plot lp-chart", "data-testid": "loop-chart" });
    const runText = el("div", { class: "callout", "data-testid": "run-text", hidden: true });
    const runCaption = el("p", { class: "caption", "data-testid": "run-caption" });

    // ------------------------------------------------------------ the search
    const searchPlan = el("p", { class: "lp-plan-line", "data-testid": "search-plan" });
    const searchWarn = el("p", { class: "lp-warn", "data-testid": "search-budget", hidden: true });
    const searchBtn = el("button", { type: "button", class: "btn btn-primary", "data-testid": "search-start", onclick: () => startSearch() }, "Start the search");
    const searchCancel = el("button", { type: "button", class: "btn", "data-testid": "search-cancel", hidden: true, onclick: () => search.cancel() }, "Cancel");
    const searchStatus = el("p", { class: "small muted", "data-testid": "search-status", "aria-live": "polite" });
    const searchBox = el("div", { "data-testid": "search-result" });
    const onList = (name) => (v) => { ctx.setParams({ [name]: v }); refreshPlan(); };

    root.append(
      el("p", { class: "lede" }, "Training is one loop. Take a mini-batch of images, let the network predict, measure how wrong it was ",
        "(the loss), nudge every weight downhill (the update) — and again, batch after batch. After each pass over the data (an epoch) ",
        "check the network on validation images it never trains on, and save it whenever it is the best so far. Here the loop runs ",
        "for real on chest images, on the server, while you watch."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls stack" },
          el("fieldset", { class: "group" }, el("legend", {}, "The data"), controls[0].node, controls[1].node, formula),
          el("fieldset", { class: "group" }, el("legend", {}, "The run"), controls.slice(2).map((c) => c.node)),
          el("div", { class: "btn-row" }, startBtn, cancelBtn), runWarn),
        el("div", { class: "stack" },
          el("div", { class: "panel" }, el("h2", {}, "The loop, live"), diagram.node,
            el("div", { class: "lp-status" }, status, elapsed), barBox),
          el("div", { class: "panel" }, el("h2", {}, "Every epoch: training and validation"), readouts, chart, runText, runCaption))),
      el("div", { class: "panel", style: "margin-top: 18px" },
        el("h2", {}, "Choosing the settings: a small search"),
        el("p", { class: "note" }, "The learning rate and the width are not learned: we choose them. Train once per combination — the same ",
          "images, batches, epochs and patience as above — and keep the setting whose best validation AUC is highest."),
        el("div", { class: "row" },
          chips(ctx, { name: "lrs", label: "Learning rates to try", values: o.lr_choices, current: p.lrs, format: lrLabel, onChange: onList("lrs") }),
          chips(ctx, { name: "widths", label: "Widths to try", values: o.width_choices, current: p.widths, format: String, onChange: onList("widths") })),
        searchPlan, searchWarn,
        el("div", { class: "btn-row" }, searchBtn, searchCancel), searchStatus, searchBox),
    );

    // ------------------------------------------------------------ the plan: batches per epoch, budget
    const body = () => ({ n_train: p.n, batch_size: p.batch, epochs: p.epochs, patience: p.patience, lr: p.lr, width: p.width });
    const searchBody = () => ({ n_train: p.n, batch_size: p.batch, epochs: p.epochs, patience: p.patience, lrs: p.lrs, widths: p.widths });

    function drawPlan(pl) {
      plan = pl;
      const r = pl.run, s = pl.search;
      formula.replaceChildren(
        el("div", {}, "batches per epoch"),
        ctx.math(`<mrow><mo>⌈</mo><mi>N</mi><mo>/</mo><mi>b</mi><mo>⌉</mo><mo>=</mo><mo>⌈</mo><mn>${r.n_train}</mn><mo>/</mo><mn>${r.batch_size}</mn><mo>⌉</mo><mo>=</mo><mn>${r.batches_per_epoch}</mn></mrow>`, { display: "block" }),
        el("div", { class: "small", "data-testid": "batches-per-epoch", "data-value": r.batches_per_epoch },
          `${fmt(r.full_batches)} batch${r.full_batches === 1 ? "" : "es"} of ${r.batch_size} images`
          + `${r.last_batch < r.batch_size ? ` and one of ${r.last_batch}` : ""}. At most ${fmt(r.updates_per_run)} updates (${r.epochs} epochs × ${r.batches_per_epoch}); `
          + `${fmt(r.images)} images trained on, of at most ${fmt(r.limit)}.`));
      runWarn.hidden = r.within_budget;
      runWarn.textContent = r.message || "";
      startBtn.disabled = !r.within_budget;
      searchPlan.textContent = `${s.runs} run${s.runs > 1 ? "s" : ""} (${p.lrs.length} learning rate${p.lrs.length > 1 ? "s" : ""} × `
        + `${p.widths.length} width${p.widths.length > 1 ? "s" : ""}) on ${fmt(s.n_train)} images for up to ${s.epochs} epochs: `
        + `${fmt(s.images)} images trained on, of at most ${fmt(s.limit)}.`;
      searchWarn.hidden = s.within_budget;
      searchWarn.textContent = s.message || "";
      searchBtn.disabled = !s.within_budget;
    }
    const refreshPlan = ctx.live(() => ctx.api("loop/plan", { n_train: p.n, batch_size: p.batch, epochs: p.epochs, lrs: p.lrs, widths: p.widths }),
      (pl) => alive && drawPlan(pl));

    // ------------------------------------------------------------ jobs, followed over server-sent events
    function job(kind, show) {
      let source = null, fp = null;
      const close = () => { if (source) { source.close(); source = null; } };
      const follow = () => {
        close();
        source = new EventSource(`/api/loop/${kind}/${fp}/progress`);
        source.onmessage = (ev) => {
          const snap = JSON.parse(ev.data);
          if (alive) show(snap);
          if (!["queued", "running"].includes(snap.status)) close();
        };
        source.onerror = () => { close(); ctx.api(`loop/${kind}/${fp}`).then((s) => alive && show(s)).catch(() => {}); };
      };
      return {
        async start(payload) {
          const snap = await ctx.api(`loop/${kind}`, payload);
          fp = snap.fp;
          show(snap, true);  // done at once: these settings were run before (the job's result is cached)
          if (snap.status === "queued" || snap.status === "running") follow();
        },
        async cancel() { if (fp) show(await ctx.api(`loop/${kind}/${fp}/cancel`, {})); },
        close,
      };
    }

    // ------------------------------------------------------------ showing a run
    const row = (rows, e) => rows.find((r) => r.epoch === e);
    function evaluated(r) {
      return `epoch ${r.epoch}: loss ${fmt(r.val_loss, 3)}, accuracy ${fmt(r.val_accuracy, 3)}, AUC ${fmt(r.val_auc, 4)}`;
    }

    function showRunning(x, rows) {
      if (x.phase === "train") {
        diagram.set({ sample: `batch ${x.batch} of ${x.batches}: ${x.batch_size} images (epoch ${x.epoch})`,
          predict: `P(pneumonia) for each of the ${x.batch_size}`, loss: `batch loss ${fmt(x.batch_loss, 3)}`,
          update: `update ${fmt(x.update)}${runPlan ? ` of at most ${fmt(runPlan.updates_per_run)}` : ""}` });
      }
      const fresh = rows.length > seenRows;
      if (rows.length) {
        const last = rows[rows.length - 1];
        diagram.set({ evaluate: evaluated(last) });
        const best = row(rows, x.best_epoch) || rows.filter((r) => r.saved).pop();
        if (best) diagram.set({ keep: `best so far: epoch ${best.epoch} saved (AUC ${fmt(best.val_auc, 4)})` });
        drawHistory(ctx, chart, rows, best ? best.epoch : null, runPlan ? runPlan.epochs : rows.length);
      }
      if (fresh) {
        seenRows = rows.length;
        // An epoch ended: its boxes light for 700 ms, then the batch boxes again. Epochs that end faster
        // than that do not restart the 700 ms (they would keep the batch boxes dark for the whole run).
        if (!flash) {
          diagram.light(rows[rows.length - 1].saved ? ["evaluate", "keep"] : ["evaluate"]);
          flash = setTimeout(() => { flash = null; if (alive) diagram.light(TRAIN_STEPS); }, 700);
        }
      } else if (x.phase === "train" && !flash) {
        diagram.light(TRAIN_STEPS);
      }
    }

    function showRunDone(res) {
      const rows = res.history, best = res.best, last = rows[rows.length - 1];
      clearTimeout(flash); flash = null;
      diagram.light([]);
      diagram.inner(`for every mini-batch: ${res.plan.batches_per_epoch} per epoch`);
      diagram.set({ sample: `${res.plan.batches_per_epoch} batches per epoch × ${res.epochs_run} epochs`,
        predict: `${fmt(res.data.n_train)} images per epoch`, loss: `last epoch's mean ${fmt(last.train_loss, 3)}`,
        update: `${fmt(res.updates)} updates in all`, evaluate: evaluated(last),
        keep: `epoch ${res.best_epoch} kept (AUC ${fmt(best.val_auc, 4)})` });
      drawHistory(ctx, chart, rows, res.best_epoch, res.settings.epochs);
      chart.dataset.bestEpoch = String(res.best_epoch);
      const stoppedEarly = res.stopped === "early_stopping";
      readouts.replaceChildren(
        el("div", { class: "readout" }, el("div", { class: "k" }, "Best epoch (saved)"),
          el("div", { class: "v", "data-testid": "best-epoch" }, String(res.best_epoch)), el("div", { class: "s" }, `of ${res.epochs_run} trained`)),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Its validation AUC"),
          el("div", { class: "v", "data-testid": "best-auc" }, fmt(best.val_auc, 4)), el("div", { class: "s" }, "1 = always ranks pneumonia above normal")),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Its validation accuracy"),
          el("div", { class: "v", "data-testid": "best-accuracy" }, fmt(best.val_accuracy, 3)),
          el("div", { class: "s" }, `train: ${fmt(best.train_accuracy, 3)} (share classified right)`)),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Stopped"),
          el("div", { class: "v", "data-testid": "stopped" }, stoppedEarly ? "early" : "at the end"),
          el("div", { class: "s" }, stoppedEarly ? `after epoch ${res.epochs_run} of ${res.settings.epochs}` : `all ${res.epochs_run} epochs`)));
      runText.hidden = false;
      runText.replaceChildren(el("p", {}, res.text.kept), el("p", {}, res.text.stop));
      const d = res.data, s = res.settings;
      runCaption.replaceChildren(d.synthetic ? el("span", { class: "tag synthetic" }, "synthetic") : null, " ",
        `This run: ${fmt(d.n_train)} training images (${fmt(d.train_counts.normal)} normal, ${fmt(d.train_counts.pneumonia)} pneumonia), `
        + `batches of ${s.batch_size}, learning rate ${s.lr}, patience ${s.patience}; validated on ${fmt(d.n_val)} other images `
        + `(${fmt(d.val_counts.normal)} normal, ${fmt(d.val_counts.pneumonia)} pneumonia). The network: ${res.model.layers}, `
        + `${fmt(res.model.parameters)} weights. Training loss and accuracy are averaged over each epoch's batches as the `
        + `network learned (each batch scored just before its update); validation is measured after the epoch. `
        + `${d.synthetic ? "Synthetic chest films, not patient data." : d.source}`);
    }

    function showRun(snap, first = false) {
      const running = snap.status === "queued" || snap.status === "running";
      cancelBtn.hidden = !running;
      startBtn.hidden = running;
      bar.style.width = `${snap.percent ?? 0}%`;
      barBox.setAttribute("aria-valuenow", String(snap.percent ?? 0));
      elapsed.textContent = snap.elapsed_s ? `${fmt(snap.elapsed_s, 1)} s` : "";
      root.dataset.run = snap.status;
      if (running) {
        status.textContent = snap.message || snap.status;
        showRunning(snap.extra || {}, (snap.extra && snap.extra.history) || []);
      } else if (snap.status === "done") {
        status.textContent = snap.cached || first ? "Done — from the cache: these settings were run before, and the same settings give the same run."
          : `Done: ${snap.result.epochs_run} epochs.`;
        showRunDone(snap.result);
      } else if (snap.status === "cancelled") {
        clearTimeout(flash); flash = null; diagram.light([]);
        status.textContent = `Cancelled${snap.extra && snap.extra.epoch ? ` during epoch ${snap.extra.epoch}` : ""}.`;
      } else if (snap.status === "failed") {
        diagram.light([]);
        status.textContent = `The run failed: ${snap.error}`;
      }
    }

    // ------------------------------------------------------------ showing the search
    function showSearch(snap, first = false) {
      const running = snap.status === "queued" || snap.status === "running";
      searchCancel.hidden = !running;
      searchBtn.hidden = running;
      root.dataset.search = snap.status;
      if (running) {
        searchStatus.textContent = `${snap.message || snap.status} (${fmt(snap.percent, 0)} %)`;
        const done = (snap.extra && snap.extra.runs) || [];
        searchBox.replaceChildren(done.length ? searchTable(ctx, { runs: done }, true) : "");
      } else if (snap.status === "done") {
        const res = snap.result;
        searchStatus.textContent = snap.cached || first ? "Done — from the cache (these settings were searched before)." : `Done in ${fmt(snap.elapsed_s, 0)} s.`;
        searchBox.replaceChildren(searchTable(ctx, res),
          el("p", { "data-testid": "search-chosen" }, res.text.chosen),
          el("div", { class: "callout orange", "data-testid": "search-why" }, res.text.why));
      } else if (snap.status === "cancelled") {
        searchStatus.textContent = "Cancelled.";
      } else if (snap.status === "failed") {
        searchStatus.textContent = `The search failed: ${snap.error}`;
      }
    }

    const run = job("run", showRun);
    const search = job("search", showSearch);

    async function startRun() {
      try {
        seenRows = 0;
        runPlan = plan ? plan.run : null;
        chart.removeAttribute("data-best-epoch");
        readouts.replaceChildren();
        runText.hidden = true;
        runCaption.textContent = "";
        diagram.inner("for every mini-batch");
        await run.start(body());
        if (matchMedia("(max-width: 900px)").matches) diagram.node.scrollIntoView({ block: "nearest" });
      } catch (e) { ctx.notify(e.message); }
    }

    async function startSearch() {
      try { await search.start(searchBody()); } catch (e) { ctx.notify(e.message); }
    }

    mountCheck(root, ctx, ["batches"]);  // the check at the end of the step (lib/check.js)
    drawPlan(await ctx.api("loop/plan", { n_train: p.n, batch_size: p.batch, epochs: p.epochs, lrs: p.lrs, widths: p.widths }));
    if (ctx.params.autostart && plan.run.within_budget) await startRun();
    else {
      status.textContent = "Press “Start the run”.";
      runCaption.textContent = "No run yet: the training and validation loss and AUC of every epoch appear here as it trains.";
    }

    return () => { alive = false; clearTimeout(flash); run.close(); search.close(); };
  },
};
