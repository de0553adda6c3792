// Step 2's output: the decision boundary (P(pneumonia) over the plane) with the data points on top,
// the loss curves, and the decorative icons of the four problems.

import { cssVar, probabilityColours } from "../../lib/colour.js";
import { paintHeatmap } from "../../lib/heatmap.js";

/**
 * drawBoundary(canvas, r, points, showTest): the background is r.boundary.probability (row i = x₂
 * from bottom to top, over r.extent on both axes); train points with a white ring, test points
 * (when shown) with a dark ring; axes through 0.
 */
export function drawBoundary(canvas, r, points, showTest) {
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  paintHeatmap(canvas, r.boundary.probability, probabilityColours(), { fit: "canvas", smooth: true, flipY: true });
  const [lo, hi] = r.extent;
  const W = canvas.width, H = canvas.height;
  const px = (x) => ((x - lo) / (hi - lo)) * W;
  const py = (y) => H - ((y - lo) / (hi - lo)) * H;
  g.strokeStyle = cssVar("--axis-line"); g.lineWidth = 2;
  g.beginPath(); g.moveTo(px(0), 0); g.lineTo(px(0), H); g.moveTo(0, py(0)); g.lineTo(W, py(0)); g.stroke();
  const colour = { 0: cssVar("--blue"), 1: cssVar("--orange") };
  const ring = { train: cssVar("--white"), test: cssVar("--ink") };
  const drawSet = (set, test) => {
    for (let k = 0; k < set.label.length; k++) {
      g.beginPath();
      g.arc(px(set.x1[k]), py(set.x2[k]), test ? 6 : 6.5, 0, 2 * Math.PI);
      g.fillStyle = colour[set.label[k] === 1 ? 1 : 0];
      g.fill();
      g.lineWidth = test ? 2.2 : 1.8;
      g.strokeStyle = test ? ring.test : ring.train;
      g.stroke();
    }
  };
  if (points) {
    drawSet(points.train, false);
    if (showTest) drawSet(points.test, true);
  }
}

/** drawLoss(ctx, node, history): train and test loss against the step, from the state's history. */
export function drawLoss(ctx, node, history) {
  node.hidden = history.step.length < 2;  // one point is no curve: no empty −1…1 axes at step 0
  if (node.hidden) return;
  ctx.plot(node, [
    { x: history.step, y: history.train_loss, name: "train", mode: "lines", line: { color: cssVar("--grey-ink"), width: 2 } },
    { x: history.step, y: history.test_loss, name: "test", mode: "lines", line: { color: cssVar("--ink"), width: 2 } },
  ], { margin: { l: 44, r: 10, t: 26, b: 34 }, showlegend: true, legend: { x: 0, y: 1.25 },
    xaxis: { title: { text: "steps" } }, yaxis: { title: { text: "loss" }, rangemode: "tozero" } });
}

// Decorative icons of the four problems (not data: the real points are drawn from the API).
export function problemIcon(svg, name) {
  const dots = [];
  const fill = { 0: cssVar("--blue"), 1: cssVar("--orange") };
  const add = (x, y, c) => dots.push(svg("circle", { cx: x, cy: y, r: 2.6, fill: fill[c] }));
  const B = 0, O = 1;
  if (name === "linear") {
    [[12, 14], [20, 24], [10, 34], [26, 12], [18, 40], [8, 22]].forEach(([x, y]) => add(x, y, B));
    [[50, 52], [40, 44], [54, 30], [36, 54], [46, 38], [56, 44]].forEach(([x, y]) => add(x, y, O));
  } else if (name === "xor") {
    [[14, 14], [22, 20], [12, 24], [44, 44], [52, 50], [42, 54]].forEach(([x, y]) => add(x, y, O));
    [[44, 14], [52, 22], [42, 24], [14, 44], [22, 52], [12, 52]].forEach(([x, y]) => add(x, y, B));
  } else if (name === "circle") {
    for (let k = 0; k < 10; k++) { const t = (k / 10) * 2 * Math.PI; add(32 + 24 * Math.cos(t), 32 + 24 * Math.sin(t), B); }
    [[32, 32], [26, 28], [37, 36], [30, 38], [38, 27]].forEach(([x, y]) => add(x, y, O));
  } else if (name === "csv") {  // a little table: your rows
    for (let r = 0; r < 4; r++) for (let c = 0; c < 3; c++) {
      dots.push(svg("rect", { x: 10 + 15 * c, y: 12 + 11 * r, width: 13, height: 8, rx: 1.5,
        fill: c === 2 ? fill[r % 2] : cssVar("--line-3") }));
    }
  } else {
    for (let k = 0; k < 12; k++) {
      const s = k / 12, t = 1.75 * 2 * Math.PI * s;
      add(32 + 26 * s * Math.sin(t), 32 + 26 * s * Math.cos(t), B);
      add(32 + 26 * s * Math.sin(t + Math.PI), 32 + 26 * s * Math.cos(t + Math.PI), O);
    }
  }
  return svg("svg", { viewBox: "0 0 64 64", "aria-hidden": "true" }, dots);
}
