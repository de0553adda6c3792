// Part "optimizers": plain gradient descent, momentum and Adam from the same start, side by side,
// and their losses step by step. Numbers from POST /api/descent/compare.

import { PATH_COLOURS, drawContours, setStart, startControls, startOf, steps, surfaceChoice } from "./contour.js";

const RULES = {
  gd: "w ← w − η·g",
  momentum: "v ← 0.9·v + g,  w ← w − η·v",
  adam: "w ← w − η·m̂ / (√v̂ + ε)",
};

export async function mountOptimizers(area, ctx) {
  const { el, fmt, cssVar } = ctx;
  const surface = surfaceChoice(ctx, () => { eta.set(ctx.params.eta); adam.set(ctx.params.adam); refresh(); });
  const eta = ctx.control({ name: "eta", label: "η of descent and momentum", onInput: (v) => { ctx.setParams({ eta: v }); refresh(); } });
  const adam = ctx.control({ name: "adam", label: "Adam's η", onInput: (v) => { ctx.setParams({ adam: v }); refresh(); } });
  const cn = ctx.control({ name: "cn", label: "Steps", onInput: (v) => { ctx.setParams({ cn: v }); refresh(); } });
  const start = startControls(ctx, ctx.options.surfaces[ctx.params.surface].axes,
    (u, v) => { setStart(ctx, u, v); refresh(); });

  const panels = Object.keys(RULES).map((name) => {
    const plot = el("div", { class: "figure descent-contour-small", "data-testid": `contours-${name}` });
    const head = el("h2", {});
    const out = el("p", { class: "note small", "data-testid": `result-${name}` });
    return { name, plot, head, out, node: el("div", { class: "panel optimizer-panel", "data-optimizer": name },
      head, el("p", { class: "muted small rule" }, RULES[name]), plot, out) };
  });
  const lowest = el("p", { class: "callout", "data-testid": "lowest", "aria-live": "polite" });
  const losses = el("div", { class: "figure descent-plot small-plot", "data-testid": "compare-losses" });

  area.append(
    el("div", { class: "step-grid" },
      el("div", { class: "panel controls" },
        el("h2", {}, "Three optimizers, one start"),
        surface.node, start.node, eta.node, adam.node, cn.node,
        el("p", { class: "note small" }, "g is the gradient ∂L/∂w. Momentum keeps a running sum of past gradients, ",
          "so steps that agree add up and steps that zigzag cancel. Adam divides each weight's step by the size of ",
          "its recent gradients, so every weight moves about η per step.")),
      el("div", { class: "stack" },
        lowest,
        el("div", { class: "cols-3 optimizer-grid" }, panels.map((p) => p.node)),
        el("div", { class: "panel" }, el("h2", {}, "Loss after each step"), losses))));

  function draw(r) {
    start.set(r.start, r.axes);
    const pick = (u, v) => { setStart(ctx, u, v); refresh(); };
    for (const p of panels) {
      const path = r.paths.find((q) => q.optimizer === p.name);
      p.head.textContent = path.label;
      drawContours(ctx, p.plot, r, [{ path, colour: PATH_COLOURS[p.name], name: path.label }], { onPick: pick, height: 260 });
      const where = path.diverged ? `diverged (loss ${fmt(path.loss[0], 4)} → ${fmt(path.final_loss, 4)})`
        : path.at_minimum ? `at the ${r.minima[path.nearest_minimum].kind} minimum` : "not at a minimum yet";
      p.out.textContent = `η = ${fmt(path.lr)}, ${steps(path.steps_taken)}: loss ${fmt(path.final_loss, 4)}, ${where}.`;
      p.node.classList.toggle("best", path.optimizer === r.lowest);
    }
    const best = r.paths.find((q) => q.optimizer === r.lowest);
    const others = r.paths.filter((q) => q !== best).map((q) => `${q.label} ${fmt(q.final_loss, 4)}`).join(", ");
    lowest.dataset.lowest = r.lowest;
    lowest.textContent = `Lowest loss after ${steps(best.steps_taken)}: ${best.label}, ${fmt(best.final_loss, 4)} `
      + `(${others}).`;
    ctx.plot(losses, r.paths.map((q) => ({
      x: q.loss.map((_, i) => i), y: q.loss, mode: "lines", name: q.label,
      line: { color: cssVar(PATH_COLOURS[q.optimizer]), width: 2 },
      hovertemplate: `${q.label}: step %{x}, L = %{y:.4g}<extra></extra>`,
    })), { height: 220, showlegend: true, xaxis: { title: { text: "step" } },
      yaxis: { title: { text: "loss (log scale)" }, type: "log", tickformat: ".2~g" } });
  }

  const refresh = ctx.live(() => ctx.api("descent/compare", {
    surface: ctx.params.surface, start: startOf(ctx), lr: ctx.params.eta, adam_lr: ctx.params.adam,
    steps: ctx.params.cn, resolution: 31,
  }), draw);
  await refresh();
  return () => { for (const p of panels) ctx.plotly.purge(p.plot); ctx.plotly.purge(losses); };
}
