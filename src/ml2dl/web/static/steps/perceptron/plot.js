// The perceptron's picture: the square [lo, hi]² with the four inputs 00, 01, 10, 11, the line
// w₁x₁ + w₂x₂ + b = 0 and, shaded, the side where it outputs 1 (all computed by the server:
// line.points and line.region). Orange = output 1, blue = output 0. Drawing only.

import { cssVar } from "../../lib/colour.js";
import { svg } from "../../lib/dom.js";

const S = 300, PAD = 34;

/**
 * square({box, lines: [{line, label?, dashed?}], points: [{x: [x1, x2], output, wrong?, current?}], testid})
 * -> <svg>. `wrong` rings a point whose output misses its target; `current` marks the example in use.
 */
export function square({ box, lines, points, testid, label }) {
  const [lo, hi] = box;
  const px = (v) => PAD + ((v - lo) / (hi - lo)) * (S - 2 * PAD);
  const py = (v) => S - PAD - ((v - lo) / (hi - lo)) * (S - 2 * PAD);
  const ORANGE = cssVar("--orange"), BLUE = cssVar("--blue"), INK = cssVar("--ink"), BAD = cssVar("--bad");
  const GUIDE = cssVar("--guide"), MUTED = cssVar("--muted");
  const nodes = [svg("rect", { x: px(lo), y: py(hi), width: px(hi) - px(lo), height: py(lo) - py(hi),
    fill: cssVar("--plot-bg"), stroke: cssVar("--line-2") })];
  for (const { line } of lines) {
    if (line.region.length >= 3) {
      nodes.push(svg("polygon", { points: line.region.map(([a, b]) => `${px(a)},${py(b)}`).join(" "),
        fill: ORANGE, "fill-opacity": 0.13, "data-testid": "region" }));
    }
  }
  for (const v of [0, 1]) {  // guides through the inputs' coordinates
    nodes.push(svg("line", { x1: px(v), x2: px(v), y1: py(lo), y2: py(hi), stroke: GUIDE, "stroke-dasharray": "3 4" }));
    nodes.push(svg("line", { x1: px(lo), x2: px(hi), y1: py(v), y2: py(v), stroke: GUIDE, "stroke-dasharray": "3 4" }));
    nodes.push(svg("text", { x: px(v), y: S - PAD + 18, "text-anchor": "middle", class: "pc-tick" }, String(v)));
    nodes.push(svg("text", { x: PAD - 10, y: py(v) + 4, "text-anchor": "end", class: "pc-tick" }, String(v)));
  }
  nodes.push(svg("text", { x: px(hi) - 2, y: S - PAD + 18, "text-anchor": "end", class: "pc-axis" }, "x₁"));
  nodes.push(svg("text", { x: PAD - 10, y: py(hi) + 12, "text-anchor": "end", class: "pc-axis" }, "x₂"));
  for (const { line, dashed, label: name } of lines) {
    if (!line.visible) continue;
    const [[a1, a2], [b1, b2]] = line.points;
    nodes.push(svg("line", { x1: px(a1), y1: py(a2), x2: px(b1), y2: py(b2), stroke: INK, "stroke-width": 2.5,
      "stroke-dasharray": dashed ? "7 5" : null, "data-testid": "line" }));
    if (name) nodes.push(svg("text", { x: px(b1) + (b1 >= hi ? -4 : 4), y: py(b2) + (b2 <= lo ? -6 : 14),
      "text-anchor": b1 >= hi ? "end" : "start", class: "pc-name" }, name));
  }
  for (const p of points) {
    const [a, b] = p.x;
    const cx = px(a), cy = py(b);
    if (p.current) nodes.push(svg("circle", { cx, cy, r: 22, fill: "none", stroke: INK, "stroke-width": 2, "stroke-dasharray": "4 3" }));
    nodes.push(svg("circle", { cx, cy, r: 13, fill: p.output ? ORANGE : BLUE, stroke: p.wrong ? BAD : cssVar("--white"),
      "stroke-width": p.wrong ? 4 : 2, "data-testid": `point-${a}${b}`, "data-output": p.output }));
    nodes.push(svg("text", { x: cx, y: cy + 4.5, "text-anchor": "middle", class: "pc-out" }, String(p.output)));
    nodes.push(svg("text", { x: cx + 17, y: cy - 13, class: "pc-label", fill: p.wrong ? BAD : MUTED },
      `${a}${b}${p.wrong ? " ✗" : ""}`));
  }
  return svg("svg", { viewBox: `0 0 ${S} ${S}`, role: "img", "aria-label": label, "data-testid": testid }, nodes);
}

export const PLOT_CSS = `
.pc-parts { margin-bottom: 14px; max-width: 760px; }
.pc-mini { display: none; font-weight: 700; color: var(--ink); }
@media (max-width: 900px) { .pc-mini { display: block; } }
.pc-tick { font-size: 12px; fill: var(--muted); }
.pc-axis { font-size: 14px; fill: var(--ink-2); font-style: italic; }
.pc-out { font-size: 13px; font-weight: 700; fill: var(--white); pointer-events: none; }
.pc-label { font-size: 12px; font-weight: 600; }
.pc-name { font-size: 12px; font-weight: 700; fill: var(--ink); }
.pc-figure svg { max-width: 340px; margin: 0 auto; }
.pc-bits { display: flex; gap: 6px; justify-content: flex-end; }
.pc-bit { display: inline-grid; place-items: center; width: 26px; height: 26px; border-radius: 6px; font-weight: 700; color: var(--white); }
.pc-bit.one { background: var(--orange); }
.pc-bit.zero { background: var(--blue); }
.pc-presets { display: flex; gap: 6px; flex-wrap: wrap; }
table.data tr.current td { background: var(--highlight-soft); }
table.data td.ok { color: var(--good); font-weight: 700; }
table.data td.no { color: var(--bad); font-weight: 700; }
.pc-answer { min-width: 44px; }
.pc-answer[aria-pressed="true"] { background: var(--orange); color: var(--white); border-color: var(--orange); }
.pc-answer[aria-pressed="false"] { background: var(--blue); color: var(--white); border-color: var(--blue); }
.pc-learn math[display="block"] { margin: .45em 0; }
.pc-update { margin-top: 12px; }
.pc-net text { font-size: 13px; }
`;

/** A small 0/1 chip, coloured like the points. */
export function bit(el, v, testid) {
  return el("span", { class: `pc-bit ${v ? "one" : "zero"}`, "data-testid": testid }, String(v));
}
