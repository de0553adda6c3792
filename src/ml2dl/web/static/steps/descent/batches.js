// Part "mini-batches": full-batch descent (one step per epoch, the gradient of all 24 tumours) against
// mini-batches (a step per batch of m, the batch's mean gradient: a noisy path), and batches per
// epoch for any data set. Numbers from POST /api/descent/minibatch and /api/descent/batches.

import { PATH_COLOURS, drawContours, steps } from "./contour.js";

export async function mountBatches(area, ctx) {
  const { el, fmt, cssVar } = ctx;
  const again = () => refresh();
  const m = ctx.control({ name: "m", label: "Batch size m", onInput: (v) => { ctx.setParams({ m: v }); again(); } });
  const mlr = ctx.control({ name: "mlr", label: "Learning rate η", onInput: (v) => { ctx.setParams({ mlr: v }); again(); } });
  const epochs = ctx.control({ name: "epochs", label: "Epochs", onInput: (v) => { ctx.setParams({ epochs: v }); again(); } });
  const reshuffle = ctx.hidden("seed") ? null : el("div", { class: "btn-row", "data-control": "seed" },
    el("button", { type: "button", class: "btn btn-small", "data-testid": "reshuffle",
      onclick: () => { ctx.setParams({ seed: (ctx.params.seed + 1) % 10000 }); again(); } }, "Shuffle again"),
    el("span", { class: "muted small", "data-testid": "seed" }));
  const N = ctx.control({ name: "N", label: "Data set size N", onInput: (v) => { ctx.setParams({ N: v }); count(); } });
  const bm = ctx.control({ name: "bm", label: "Batch size m", onInput: (v) => { ctx.setParams({ bm: v }); count(); } });

  const formula = el("div", { class: "formula descent-update", "data-testid": "minibatch-formula" });
  const summary = el("p", { class: "callout", "data-testid": "minibatch-summary", "aria-live": "polite" });
  const contours = el("div", { class: "figure descent-contour", "data-testid": "contours" });
  const perEpoch = el("div", { class: "figure descent-plot small-plot", "data-testid": "epoch-losses" });
  const countOut = el("p", { class: "descent-numbers", "data-testid": "batches-text", "aria-live": "polite" });

  area.append(el("div", { class: "step-grid" },
    el("div", { class: "panel controls" },
      el("h2", {}, "Full batch or mini-batches"),
      m.node, mlr.node, epochs.node, reshuffle,
      el("p", { class: "note small" }, "Both start at the same point of the tumour classifier's loss (weight and ",
        "bias). An epoch is one pass over all 24 tumours.")),
    el("div", { class: "stack" },
      formula, summary,
      el("div", { class: "cols-2" },
        el("div", { class: "panel" }, el("h2", {}, "Paths on the loss contours"), contours),
        el("div", { class: "panel" }, el("h2", {}, "Loss on all 24 tumours, after each epoch"), perEpoch)),
      el("div", { class: "panel" }, el("h2", {}, "Batches per epoch, for any data set"),
        el("div", { class: "row" }, N.node, bm.node), countOut,
        el("p", { class: "caption" }, "PneumoniaMNIST has 4,708 training images.")))));

  function draw(r) {
    const b = r.batches;
    formula.replaceChildren(
      ctx.math("<mi>w</mi><mo>′</mo><mo>=</mo><mi>w</mi><mo>−</mo><mfrac><mi>η</mi><mi>m</mi></mfrac>"
        + "<munderover><mo>∑</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>m</mi></munderover>"
        + "<mfrac><mrow><mo>∂</mo><msub><mi>L</mi><msub><mi>X</mi><mi>j</mi></msub></msub></mrow><mrow><mo>∂</mo><mi>w</mi></mrow></mfrac>"),
      el("span", { class: "descent-numbers" },
        `η = ${fmt(r.mini.lr)}, m = ${b.batch_size}: each step averages the gradients of ${b.batch_size} `
        + `tumour${b.batch_size > 1 ? "s" : ""}. Batches per epoch: ${b.text}.`));
    if (reshuffle) reshuffle.lastChild.textContent = `shuffle seed ${r.seed}`;
    const full = r.loss_per_epoch.full, mini = r.loss_per_epoch.mini;
    summary.textContent = `After ${r.epochs} epoch${r.epochs > 1 ? "s" : ""}: full batch took ${steps(r.updates.full)} `
      + `and reached loss ${fmt(full[full.length - 1], 4)}; mini-batches took ${r.updates.mini} smaller, noisier steps `
      + `and reached ${fmt(mini[mini.length - 1], 4)}.`
      + (r.mini.diverged || r.full.diverged ? " A run diverged: make η smaller." : "");
    summary.className = `callout${r.mini.diverged || r.full.diverged ? " orange" : ""}`;
    drawContours(ctx, contours, r, [
      { path: r.full, colour: PATH_COLOURS.full, name: "full batch", width: 3 },
      { path: r.mini, colour: PATH_COLOURS.mini, name: `mini-batches of ${b.batch_size}`, width: 1.5 },
    ], { height: 300, showLegend: true });
    const epochsAxis = full.map((_, i) => i);
    ctx.plot(perEpoch, [
      { x: epochsAxis, y: full, mode: "lines+markers", name: "full batch", line: { color: cssVar(PATH_COLOURS.full), width: 2 } },
      { x: epochsAxis, y: mini, mode: "lines+markers", name: `mini-batches of ${b.batch_size}`,
        line: { color: cssVar(PATH_COLOURS.mini), width: 2 } },
    ], { height: 300, showlegend: true, xaxis: { title: { text: "epoch" }, dtick: 1 },
      yaxis: { title: { text: "loss (log scale)" }, type: "log", tickformat: ".2~g" } });
  }

  const refresh = ctx.live(() => ctx.api("descent/minibatch", {
    batch_size: ctx.params.m, lr: ctx.params.mlr, epochs: ctx.params.epochs, seed: ctx.params.seed, resolution: 31,
  }), draw);
  const count = ctx.live(() => ctx.api("descent/batches", { dataset_size: ctx.params.N, batch_size: ctx.params.bm }),
    (r) => { countOut.textContent = `Batches per epoch: ${r.text}.`; },
    (e) => { countOut.textContent = e.message; });
  await Promise.all([refresh(), count()]);
  return () => { ctx.plotly.purge(contours); ctx.plotly.purge(perEpoch); };
}
