// clinic-roc's lower panels: the operating points (validation → test, beside Gulshan's), the
// precision–recall curve, calibration and the decision curve. Numbers and sentences come from
// GET /api/clinic/roc; this file only draws them.

import { pct } from "./shared.js";

const RATE = (ctx, p) => (p ? `${pct(ctx, p.sensitivity)} / ${pct(ctx, p.specificity)}` : "—");

/** The operating points: how far each moved from validation to test, why, and Gulshan's two points. */
export function drawPoints(ctx, parent, data, splits, jump) {
  const { el, fmt } = ctx;
  const rows = data.points.map((p) => el("tr", { "data-testid": `op-${p.name}` },
    el("td", {}, el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => jump(p.row) }, p.label)),
    el("td", {}, fmt(p.threshold, 4)),
    ...splits.map((s) => el("td", { "data-testid": `op-${p.name}-${s}` }, RATE(ctx, p[s]))),
    data.has_test ? el("td", {}, p.shift ? `${fmt(p.shift.sensitivity, 1)} / ${fmt(p.shift.specificity, 1)}` : "—") : null));
  const gulshan = data.gulshan.points.map((g) => el("tr", {}, el("td", {}, `Gulshan ${g.name}`), el("td", {}, "—"),
    el("td", { colspan: splits.length }, RATE(ctx, g)), data.has_test ? el("td", {}, "") : null));
  const words = data.points.filter((p) => p.words).map((p) => el("li", { "data-testid": `words-${p.name}` },
    el("strong", {}, `${p.label}: `), p.words));
  parent.append(el("div", { class: "panel", "data-testid": "points" }, el("h2", {}, "Operating points: chosen on validation, used on test"),
    el("div", { style: "overflow-x: auto" }, el("table", { class: "data" },
      el("thead", {}, el("tr", {}, el("th", {}, "point"), el("th", {}, "threshold"),
        ...splits.map((s) => el("th", {}, `${s}: sens. / spec.`)), data.has_test ? el("th", {}, "moved (points)") : null)),
      el("tbody", {}, rows, gulshan))),
    el("p", { class: "caption" }, `Gulshan's two points are from another task and data set (${data.gulshan.source}): beside ours to `
      + "show what each point is for, not to compare the models."),
    words.length ? el("ul", { class: "clinic-words" }, words) : null,
    data.why_points_move ? el("p", { class: "callout clinic-words", "data-testid": "why-move" }, data.why_points_move) : null,
    el("div", { class: "cols-2" },
      el("p", { class: "callout clinic-words" }, data.why.screening),
      el("p", { class: "callout orange clinic-words" }, data.why.high_specificity))));
}

function figure(ctx, title, testid, words) {
  const { el } = ctx;
  const node = el("div", { class: "clinic-plot small", "data-testid": testid, role: "img", "aria-label": title });
  const panel = el("div", { class: "panel" }, el("h2", {}, title), node, el("div", { class: "clinic-words small" }, words));
  return { node, panel };
}

/** PR curve, calibration and decision curve side by side (one column on a phone). */
export function drawCurves(ctx, parent, data, splits, colour) {
  const figures = [prCurve(ctx, data, splits, colour), calibration(ctx, data, splits, colour), decision(ctx, data, splits, colour)];
  parent.append(ctx.el("div", { class: "cols-3" }, figures.map((f) => f.panel)));
  for (const f of figures) f.draw();
}

function prCurve(ctx, data, splits, colour) {
  const { el, fmt } = ctx;
  const words = splits.map((s) => el("p", {}, `${s}: average precision ${fmt(data.splits[s].pr.average_precision, 3)}; `
    + `a model that ranks at random scores the share of pneumonia, ${pct(ctx, data.splits[s].pr.baseline)}.`));
  const f = figure(ctx, "Precision–recall", "pr", words);
  const traces = splits.map((s) => ({ x: data.splits[s].pr.recall, y: data.splits[s].pr.precision, mode: "lines", name: s,
    line: { color: colour(s), width: 2, dash: s === "test" ? "solid" : "dot", shape: "hv" } }));
  return { panel: f.panel, draw: () => ctx.plot(f.node, traces, { showlegend: true, xaxis: { title: { text: "recall (sensitivity)" }, range: [0, 1.02] },
    yaxis: { title: { text: "precision (PPV)" }, range: [0, 1.02] } }) };
}

function calibration(ctx, data, splits, colour) {
  const { el, fmt } = ctx;
  const words = splits.map((s) => { const c = data.splits[s].calibration;
    return el("p", { "data-testid": `calibration-${s}` }, el("strong", {}, `${s}: `), `slope ${fmt(c.slope, 2)}, intercept ${fmt(c.intercept, 2)}, `
      + `ECE ${fmt(c.ece, 3)}. ${c.words}`); });
  const f = figure(ctx, "Calibration", "calibration", words);
  const traces = [{ x: [0, 1], y: [0, 1], mode: "lines", name: "perfect", line: { color: ctx.cssVar("--guide"), dash: "dash", width: 1 } },
    ...splits.map((s) => { const c = data.splits[s].calibration;
      return { x: c.centres, y: c.observed, mode: "lines+markers", name: s, text: c.counts, connectgaps: false,
        hovertemplate: "predicted %{x}: observed %{y} (%{text} images)<extra></extra>",
        line: { color: colour(s), width: 2, dash: s === "test" ? "solid" : "dot" } }; })];
  return { panel: f.panel, draw: () => ctx.plot(f.node, traces, { showlegend: true, xaxis: { title: { text: "predicted probability (bin centre)" }, range: [0, 1] },
    yaxis: { title: { text: "observed share with pneumonia" }, range: [0, 1.02] } }) };
}

function decision(ctx, data, splits, colour) {
  const { el } = ctx;
  const s = splits[splits.length - 1];  // the split evaluated: test when there is one
  const d = data.splits[s].decision;
  const f = figure(ctx, `Decision curve (${s})`, "decision", [el("p", { "data-testid": "decision-words" }, d.words)]);
  const traces = [
    { x: d.thresholds, y: d.model, mode: "lines", name: "act on the model", line: { color: colour(s), width: 2 } },
    { x: d.thresholds, y: d.treat_all, mode: "lines", name: "treat all", line: { color: ctx.cssVar("--orange"), width: 2, dash: "dot" } },
    { x: d.thresholds, y: d.treat_none, mode: "lines", name: "treat none", line: { color: ctx.cssVar("--blue"), width: 2, dash: "dash" } },
  ];
  const top = Math.max(...d.model.filter((v) => v !== null), ...d.treat_all.filter((v) => v !== null));
  return { panel: f.panel, draw: () => ctx.plot(f.node, traces, { showlegend: true, xaxis: { title: { text: "threshold probability" }, range: [0, 1] },
    yaxis: { title: { text: "net benefit" }, range: [-0.05, top + 0.05] } }) };
}
