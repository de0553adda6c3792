// Part "two weights": the contours of a two-weight loss with the path of gradient descent on them.
// On the two-minima surface the start (clicked on the contours) decides which minimum is found.
// Numbers from POST /api/descent/surface.

import { drawContours, setStart, startControls, startOf, steps, surfaceChoice } from "./contour.js";

export async function mountSurface(area, ctx) {
  const { el, fmt } = ctx;
  const axesOf = (name) => ctx.options.surfaces[name].axes;

  const surface = surfaceChoice(ctx, () => { eta.set(ctx.params.eta); refresh(); });
  const eta = ctx.control({ name: "eta", label: "Learning rate η", onInput: (v) => { ctx.setParams({ eta: v }); refresh(); } });
  const n = ctx.control({ name: "n", label: "Steps", onInput: (v) => { ctx.setParams({ n: v }); refresh(); } });
  const start = startControls(ctx, axesOf(ctx.params.surface), (u, v) => { setStart(ctx, u, v); refresh(); });

  const contours = el("div", { class: "figure descent-contour", "data-testid": "contours" });
  const found = el("p", { class: "callout", "data-testid": "found", "aria-live": "polite" });
  const model = el("p", { class: "note small", "data-testid": "surface-model" });

  area.append(el("div", { class: "step-grid" },
    el("div", { class: "panel controls" },
      el("h2", {}, "Two weights"),
      surface.node, start.node, eta.node, n.node, model),
    el("div", { class: "stack" },
      found,
      el("div", { class: "panel" }, el("h2", {}, "Contours of the loss and the path of the steps"), contours,
        el("p", { class: "caption" }, "Each contour line joins weights with the same loss; the path starts at the ",
          "circle and ends at the square. Each step goes straight downhill from where it stands, ",
          "against the gradient (the steepest way up).")))));

  const MODELS = {
    tumour: "The tumour classifier with a weight and a bias: ŷ = w·size + b, squared error against t = ±1. "
      + "The sizes are not centred, so the valley is long and narrow.",
    two_minima: "f(u, v) = (u² − 1)² + 0.3·u + (v − 0.4·u)²: two valleys, a ridge between them. "
      + "Click the contours on either side of the ridge.",
  };

  function draw(r) {
    const p = r.path;
    const [u0, v0] = [p.x[0], p.y[0]];
    const [a, b] = r.axes;
    start.set([u0, v0], r.axes);
    model.textContent = MODELS[r.surface];
    drawContours(ctx, contours, r, [{ path: p, colour: "--slate", name: "gradient descent" }],
      { onPick: (u, v) => { setStart(ctx, u, v); refresh(); } });
    const from = `From (${a}, ${b}) = (${fmt(u0, 2)}, ${fmt(v0, 2)}), after ${steps(p.steps_taken)} with η = ${fmt(p.lr)},`;
    let text, orange = false;
    if (p.diverged) {
      orange = true;
      text = `${from} it diverged: the loss grew from ${fmt(p.loss[0], 4)} to ${fmt(p.final_loss, 4)}`
        + `${p.stopped ? " and the run was stopped" : ""}. Make η smaller.`;
    } else if (r.found) {
      const m = r.minima[p.nearest_minimum];
      text = `${from} the path has reached the ${r.found} minimum at (${fmt(m.point[0], 3)}, ${fmt(m.point[1], 3)}), loss ${fmt(m.loss, 4)}.`
        + (r.minima.length > 1 ? (r.found === "local"
          ? ` The other minimum is deeper (loss ${fmt(r.minima.find((q) => q.kind === "global").loss, 4)}), but the steps only go downhill: they cannot climb the ridge to it.`
          : " Start on the other side of the ridge and see where you end up.") : "");
    } else {
      text = `${from} the path ends at (${fmt(p.end[0], 3)}, ${fmt(p.end[1], 3)}), loss ${fmt(p.final_loss, 4)}: not at a minimum yet.`;
    }
    found.className = `callout${orange ? " orange" : ""}`;
    found.dataset.found = p.diverged ? "diverged" : (r.found || "none");
    found.textContent = text;
  }

  const refresh = ctx.live(() => ctx.api("descent/surface", {
    surface: ctx.params.surface, start: startOf(ctx), lr: ctx.params.eta, steps: ctx.params.n,
  }), draw);
  await refresh();
  return () => ctx.plotly.purge(contours);
}
