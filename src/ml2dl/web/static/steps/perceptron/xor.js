// Part "xor" of the perceptron step: no line separates XOR (the best of a search over lines gets
// 3 of 4), two layers do (OR and NAND into AND). GET /api/perceptron/xor; drawing only.

import { cssVar } from "../../lib/colour.js";
import { bit, square } from "./plot.js";

export async function mountXor(body, ctx) {
  const { el, fmt } = ctx;
  const left = el("div", { class: "panel", "data-testid": "xor-search" }, el("p", { class: "loading" }, "Searching…"));
  const right = el("div", { class: "panel", "data-testid": "xor-two-layers" });
  body.append(el("div", { class: "cols-2" }, left, right));

  await ctx.api("perceptron/xor").then(({ search: s, two_layers: t, box }) => {
    const best = s.best;
    const none = s.count_by_correct[4] === 0;
    left.replaceChildren(
      el("h2", {}, "One perceptron: at best 3 of 4"),
      el("p", {}, "XOR outputs 1 for 01 and 10, 0 for 00 and 11. The server tried ",
        el("strong", { "data-testid": "lines-tried" }, fmt(s.lines_tried)), " lines: each of w₁, w₂ and b took the ",
        `${s.values.length} values from ${fmt(s.values[0])} to ${fmt(s.values.at(-1))}. The best gets `,
        el("strong", { "data-testid": "best-correct" }, `${s.best_correct} of 4`), " right",
        none ? "; not one line gets all 4." : `; ${fmt(s.count_by_correct[4])} lines get all 4.`),
      el("div", { class: "figure pc-figure" }, square({
        box, lines: [{ line: best.line }], testid: "xor-best",
        points: best.outputs.map((o, i) => ({ x: [[0, 0], [0, 1], [1, 0], [1, 1]][i], output: o, wrong: !best.right[i] })),
        label: `The best single line gets ${s.best_correct} of 4 XOR examples right` })),
      el("p", { class: "caption" }, `The best line: w₁ = ${fmt(best.w1)}, w₂ = ${fmt(best.w2)}, b = ${fmt(best.b)}. `,
        "Points show its outputs; the ringed one (✗) is wrong for XOR."),
      el("table", { class: "data", "data-testid": "xor-counts" },
        el("thead", {}, el("tr", {}, el("th", {}, "XOR examples right"), ...s.count_by_correct.map((_, k) => el("th", {}, String(k))))),
        el("tbody", {}, el("tr", {}, el("td", {}, "lines"), ...s.count_by_correct.map((n, k) => el("td", { "data-testid": `count-${k}` }, fmt(n)))))),
      el("p", { class: "caption" }, `These lines produce ${s.tables_realised} of the 16 possible truth tables of two inputs`,
        none ? "; XOR is not one of them: the points 01 and 10 sit on opposite corners, and a line cannot cut them off from 00 and 11."
          : "."));

    const [or, nand, and] = t.units;
    right.replaceChildren(
      el("h2", {}, "Two layers: OR and NAND into AND"),
      el("p", {}, "Two hidden perceptrons each draw a line: ", el("strong", {}, "OR"), " fires unless both inputs are 0, ",
        el("strong", {}, "NAND"), " fires unless both are 1. The output perceptron is an ", el("strong", {}, "AND"),
        " of the two: it fires only where both do, the band between the lines."),
      network(ctx, t.units),
      el("div", { class: "figure pc-figure" }, square({
        box, testid: "xor-two-lines",
        lines: [{ line: or.line, label: "OR", dashed: true }, { line: nand.line, label: "NAND", dashed: true }],
        points: t.rows.map((r) => ({ x: r.x, output: r.output, wrong: r.output !== r.target })),
        label: `OR and NAND lines; the network outputs ${t.outputs.join(", ")} for 00, 01, 10, 11` })),
      el("table", { class: "data", "data-testid": "xor-table" },
        el("thead", {}, el("tr", {}, el("th", {}, "x₁ x₂"), el("th", {}, "h₁ = OR"), el("th", {}, "h₂ = NAND"),
          el("th", {}, "ŷ = AND(h₁, h₂)"), el("th", {}, "XOR"))),
        el("tbody", {}, t.rows.map((r, i) => el("tr", {}, el("td", {}, r.x.join(" ")),
          el("td", {}, bit(el, r.hidden[0])), el("td", {}, bit(el, r.hidden[1])),
          el("td", {}, bit(el, r.output, `xor-out-${i}`)), el("td", {}, bit(el, r.target)))))),
      el("p", { class: "callout", "data-testid": "xor-verdict" }, t.matches_xor
        ? `The two-layer network outputs ${t.outputs.join(", ")}: exactly XOR. A second layer combines lines; that is what hidden layers are for.`
        : `The two-layer network outputs ${t.outputs.join(", ")}, not XOR.`));
  });
  return null;
}

/** x₁, x₂ → OR, NAND → AND → ŷ, with each unit's weights and bias on the diagram. */
function network(ctx, units) {
  const { svg, fmt } = ctx;
  const W = 420, H = 170;
  const INK = cssVar("--ink"), GREY = cssVar("--grey-ink"), PANEL = cssVar("--white");
  const inX = 40, hidX = 200, outX = 350;
  const ys = [50, 120];
  const nodes = [];
  const edge = (x1, y1, x2, y2, w, at) => {
    nodes.push(svg("line", { x1, y1, x2, y2, stroke: GREY, "stroke-width": 1.5 }));
    const t = at;
    nodes.push(svg("text", { x: x1 + (x2 - x1) * t, y: y1 + (y2 - y1) * t - 4, "text-anchor": "middle", class: "pc-name" }, fmt(w)));
  };
  const [or, nand, and] = units;
  [or, nand].forEach((u, j) => {
    edge(inX, ys[0], hidX, ys[j], u.w1, j === 0 ? 0.5 : 0.3);
    edge(inX, ys[1], hidX, ys[j], u.w2, j === 1 ? 0.5 : 0.3);
    edge(hidX, ys[j], outX, 85, j === 0 ? and.w1 : and.w2, 0.5);
  });
  ["x₁", "x₂"].forEach((name, i) => {
    nodes.push(svg("circle", { cx: inX, cy: ys[i], r: 18, fill: PANEL, stroke: INK, "stroke-width": 1.5 }));
    nodes.push(svg("text", { x: inX, y: ys[i] + 5, "text-anchor": "middle" }, name));
  });
  [or, nand].forEach((u, j) => {
    nodes.push(svg("circle", { cx: hidX, cy: ys[j], r: 24, fill: PANEL, stroke: INK, "stroke-width": 2 }));
    nodes.push(svg("text", { x: hidX, y: ys[j] + 5, "text-anchor": "middle", "font-weight": 700 }, u.name));
    nodes.push(svg("text", { x: hidX, y: ys[j] + (j === 0 ? -30 : 42), "text-anchor": "middle", class: "pc-tick" }, `b = ${fmt(u.b)}`));
  });
  nodes.push(svg("circle", { cx: outX, cy: 85, r: 24, fill: PANEL, stroke: INK, "stroke-width": 2 }));
  nodes.push(svg("text", { x: outX, y: 90, "text-anchor": "middle", "font-weight": 700 }, and.name));
  nodes.push(svg("text", { x: outX, y: 127, "text-anchor": "middle", class: "pc-tick" }, `b = ${fmt(and.b)}`));
  nodes.push(svg("text", { x: outX + 34, y: 90 }, "ŷ"));
  return ctx.el("div", { class: "figure pc-net" }, svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": "Network: x1 and x2 feed OR and NAND; both feed AND, the output", "data-testid": "xor-network" }, nodes));
}
