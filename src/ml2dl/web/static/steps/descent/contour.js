// Contours of a two-weight loss with paths on them (Plotly), shared by the two-weight parts.
// The grid, the minima and every path come from the API; this file only draws them.

/** steps(1) → "1 step", steps(50) → "50 steps" (display words). */
export const steps = (n) => `${n} step${n === 1 ? "" : "s"}`;

/** The colours of the optimizers' paths (CSS variables; blue and orange mean classes, so not those). */
export const PATH_COLOURS = { gd: "--slate", momentum: "--series-3", adam: "--series-2", full: "--slate", mini: "--series-2" };

/**
 * drawContours(ctx, node, grid, paths, {onPick, height}): the loss as filled contours, the minima as
 * stars, each path as a line from its start (circle) to its end (square). `paths`: [{path, colour, name}].
 * onPick(u, v) is called with the grid point the student clicked.
 */
export function drawContours(ctx, node, g, paths, { onPick, height = 340, showLegend = false } = {}) {
  const { cssVar, fmt } = ctx;
  // colour stops crowd towards the bottom of the bowl, so the valley floor stays visible next to
  // the steep walls (the contour lines themselves are evenly spaced in L)
  const colorscale = [[0, cssVar("--white")], [0.03, cssVar("--blue-soft")], [0.12, cssVar("--line")],
    [0.35, cssVar("--line-2")], [1, cssVar("--line-3")]];
  const traces = [
    { type: "contour", x: g.x, y: g.y, z: g.loss, colorscale, showscale: false, ncontours: 28,
      contours: { coloring: "heatmap" }, line: { color: cssVar("--fc-soft"), width: 0.6 },
      hovertemplate: `${g.axes[0]} = %{x:.2f}, ${g.axes[1]} = %{y:.2f}<br>L = %{z:.3f}<extra></extra>` },
    { x: g.minima.map((m) => m.point[0]), y: g.minima.map((m) => m.point[1]), mode: "markers+text",
      text: g.minima.map((m) => `${m.kind} minimum`), textposition: "bottom center",
      textfont: { color: cssVar("--good"), size: 11 }, name: "minima", showlegend: false,
      marker: { symbol: "star", size: 15, color: cssVar("--good"), line: { color: cssVar("--white"), width: 1 } },
      hovertemplate: g.minima.map((m) => `${m.kind} minimum, L = ${fmt(m.loss, 4)}<extra></extra>`) },
  ];
  for (const { path, colour, name, width = 2 } of paths) {
    const c = cssVar(colour);
    traces.push({ x: path.x, y: path.y, mode: "lines+markers", name, line: { color: c, width },
      marker: { size: 3, color: c }, hovertemplate: `${name}: %{x:.3f}, %{y:.3f}<extra></extra>` });
    traces.push({ x: [path.x[0]], y: [path.y[0]], mode: "markers", showlegend: false, hoverinfo: "skip",
      marker: { symbol: "circle", size: 11, color: cssVar("--white"), line: { color: c, width: 3 } } });
    const last = path.x.length - 1;
    traces.push({ x: [path.x[last]], y: [path.y[last]], mode: "markers", showlegend: false, hoverinfo: "skip",
      marker: { symbol: "square", size: 9, color: c } });
  }
  ctx.plot(node, traces, {
    height, margin: { l: 46, r: 10, t: 10, b: 40 }, showlegend: showLegend,
    xaxis: { title: { text: g.axes[0] }, range: [g.x[0], g.x[g.x.length - 1]] },
    yaxis: { title: { text: g.axes[1] }, range: [g.y[0], g.y[g.y.length - 1]] },
  });
  if (onPick && !node.dataset.pickBound) {
    node.dataset.pickBound = "true";
    node.on("plotly_click", (ev) => {
      const p = ev.points && ev.points.find((q) => q.data.type === "contour");
      if (p) onPick(p.x, p.y);
    });
  }
}

/** startControls(ctx, onStart): number boxes for the start (u, v) — the keyboard's way to pick it. */
export function startControls(ctx, axes, onStart) {
  const { el } = ctx;
  if (ctx.hidden("start")) return { node: null, set() {} };
  const box = (i) => el("input", { type: "number", step: 0.05, min: -10, max: 10, class: "input start-box",
    id: `start-${i}`, "data-testid": `start-${i}`, "aria-label": `start ${axes[i]}` });
  const u = box(0), v = box(1);
  const go = () => {
    const a = Number(u.value), b = Number(v.value);
    if (u.value !== "" && v.value !== "" && Number.isFinite(a) && Number.isFinite(b)) onStart(a, b);
  };
  u.addEventListener("change", go);
  v.addEventListener("change", go);
  const labelU = el("label", { for: "start-0" }, axes[0]), labelV = el("label", { for: "start-1" }, axes[1]);
  const node = el("div", { class: "control", "data-control": "start" },
    el("div", { class: "control-top" }, el("span", { class: "label" }, "Start — or click the contours")),
    el("div", { class: "row start-row" }, labelU, u, labelV, v,
      el("button", { type: "button", class: "btn btn-small", "data-testid": "start-default",
        onclick: () => onStart(null, null) }, "default")));
  return {
    node,
    set(point, names) {  // a box the student is typing in is left alone
      if (document.activeElement !== u) u.value = String(Number(point[0].toFixed(3)));
      if (document.activeElement !== v) v.value = String(Number(point[1].toFixed(3)));
      if (names) { labelU.textContent = names[0]; labelV.textContent = names[1]; }
    },
  };
}

/** The start to send: the URL's pair, or null for the surface's default. */
export function startOf(ctx) {
  return ctx.params.start.length === 2 ? ctx.params.start : null;
}

/** setStart(ctx, u, v): store a clicked or typed start (rounded for the URL); null: the default. */
export function setStart(ctx, u, v) {
  ctx.setParams({ start: u === null ? null : [Number(u.toFixed(3)), Number(v.toFixed(3))] });
}

/** surfaceChoice(ctx, onChange): the surface radio; switching resets η, Adam's η and the start. */
export function surfaceChoice(ctx, onChange) {
  return ctx.choice({ name: "surface", label: "Loss surface", onChange: (name) => {
    const s = ctx.options.surfaces[name];
    ctx.setParams({ surface: name, start: null, eta: s.lr, adam: s.adam_lr });
    onChange(name);
  } });
}
