// The computation graph of the 2 → 2 → 1 network as SVG: every node with its forward value; the
// nodes the backward pass has reached with their gradient ∂L/∂node; the current node's edges with
// their local derivatives. Positions are layout only; every number comes from POST /api/backprop.

const POS = {
  x1: [60, 130], x2: [60, 290],
  w11: [190, 62], w12: [265, 62], b1: [340, 62],
  w21: [190, 378], w22: [265, 378], b2: [340, 378],
  z1: [300, 130], z2: [300, 290], h1: [430, 130], h2: [430, 290],
  v1: [520, 378], v2: [595, 378], c: [670, 378],
  z3: [590, 210], yhat: [715, 210], L: [835, 210], y: [835, 80],
};
const W = 900, H = 450, R = 27;
const isBox = (kind) => kind === "weight" || kind === "label";

/**
 * drawGraph(ctx, node, r, at): r is the /api/backprop answer; `at` backward steps are shown
 * (0: the forward pass only). The step at index at − 1 is the current one.
 */
export function drawGraph(ctx, holder, r, at) {
  const { svg, fmt, cssVar } = ctx;
  const shown = r.backward.slice(0, at);
  const grads = Object.fromEntries(shown.map((s) => [s.node, s.grad]));
  const current = at > 0 ? r.backward[at - 1] : null;
  const hot = new Set(current ? current.terms.map((t) => `${current.node}>${t.from}`) : []);
  const violet = cssVar("--violet"), grey = cssVar("--line-3");
  const parts = [];

  for (const e of r.edges) {
    const [x1, y1] = POS[e.from], [x2, y2] = POS[e.to];
    const on = hot.has(`${e.from}>${e.to}`);
    parts.push(svg("line", { x1, y1, x2, y2, stroke: on ? violet : grey, "stroke-width": on ? 3.5 : 1.4,
      "stroke-dasharray": e.local === null ? "4 4" : null, class: on ? "bp-edge hot" : "bp-edge" }));
  }
  if (current) {  // the local derivative written on each edge the gradient flows back through
    for (const t of current.terms) {
      const [x1, y1] = POS[current.node], [x2, y2] = POS[t.from];
      parts.push(svg("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, class: "bp-local", "text-anchor": "middle" },
        `× ${fmt(t.local, 3)}`));
    }
  }
  for (const n of r.nodes) {
    const [x, y] = POS[n.id];
    const isCurrent = current && current.node === n.id;
    const cls = `bp-node bp-${n.kind}${isCurrent ? " current" : ""}${n.id in grads ? " reached" : ""}`;
    const g = svg("g", { class: cls, "data-node": n.id, "data-testid": `node-${n.id}` });
    if (isBox(n.kind)) g.append(svg("rect", { x: x - 31, y: y - 17, width: 62, height: 34, rx: 8 }));
    else g.append(svg("circle", { cx: x, cy: y, r: n.kind === "loss" ? R + 3 : R }));
    g.append(svg("text", { x, y: isBox(n.kind) ? y - 3 : y - 4, "text-anchor": "middle", class: "bp-name" }, n.label));
    g.append(svg("text", { x, y: isBox(n.kind) ? y + 12 : y + 13, "text-anchor": "middle", class: "bp-val",
      "data-testid": `value-${n.id}` }, fmt(n.value, 3)));
    if (n.id in grads) {  // the gradient beside the node; a weight's in two short lines (the boxes sit close)
      const text = (dy, t) => svg("text", { x, y: y + dy, "text-anchor": "middle", class: "bp-grad" }, t);
      const gl = svg("g", { "data-testid": `grad-${n.id}` });
      if (isBox(n.kind)) {
        const top = y < 100;  // the top row writes its gradient above, the bottom row below
        gl.append(text(top ? -44 : 32, `∂L/∂${n.label}`), text(top ? -28 : 47, `= ${fmt(grads[n.id], 3)}`));
      } else {
        gl.append(text(R + 17, `∂L/∂${n.label} = ${fmt(grads[n.id], 3)}`));
      }
      g.append(gl);
    }
    parts.push(g);
  }
  const figure = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "bp-svg",
    "aria-label": `Computation graph: loss ${fmt(r.forward.loss, 3)}; ${at} of ${r.backward.length} backward steps shown` },
  parts);
  holder.replaceChildren(figure);
  // on a narrow screen the graph scrolls sideways: bring the current node (or L, where the pass starts) into view
  if (holder.scrollWidth > holder.clientWidth) {
    const [x] = POS[current ? current.node : "L"];
    holder.scrollLeft = (x / W) * figure.getBoundingClientRect().width - holder.clientWidth / 2;
  }
}

export const GRAPH_STYLE = `
.bp-scroll { overflow-x: auto; }
.bp-svg { width: 100%; min-width: 620px; height: auto; display: block; }
.bp-node circle, .bp-node rect { fill: var(--white); stroke: var(--line-3); stroke-width: 2; }
.bp-input circle, .bp-label rect { fill: var(--input-bg); }
.bp-weight rect { fill: var(--pos-soft); stroke: var(--line-2); }
.bp-loss circle { stroke: var(--ink-2); stroke-width: 2.5; }
.bp-node.reached circle, .bp-node.reached rect { stroke: var(--violet); }
.bp-node.current circle, .bp-node.current rect { stroke: var(--violet); stroke-width: 4; fill: var(--purple-soft); }
.bp-name { font-family: var(--math); font-style: italic; font-weight: 700; font-size: 15px; fill: var(--ink); }
.bp-val { font-size: 12.5px; font-weight: 600; font-variant-numeric: tabular-nums; fill: var(--ink-2); }
.bp-grad { font-size: 12.5px; font-weight: 700; fill: var(--purple-ink); font-variant-numeric: tabular-nums; }
.bp-local { font-size: 12.5px; font-weight: 700; fill: var(--violet); paint-order: stroke; stroke: var(--white); stroke-width: 4px; }
`;
