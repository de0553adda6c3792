// Step 2's network diagram: the input features, hidden neurons and the output as small squares, each
// showing what that input or neuron computes over the whole plane; edges drawn by sign and size of their weight.

import { paintHeatmap } from "../../lib/heatmap.js";
import { probabilityColours, signedColours } from "../../lib/colour.js";

/**
 * networkDiagram(ctx, box, {sizes, inputs, editable, onNeurons}) -> {draw(r, inputMaps), invalidate()}
 *   sizes()            current hidden layer sizes, e.g. [4, 4]
 *   inputs()           the input features' labels, e.g. ["x₁", "x₂", "sin 4x₁"]
 *   editable           draw −/+ buttons per hidden layer
 *   onNeurons(l, n)    the student asked for n neurons in hidden layer l (1-based)
 *   maxNeurons         the + button stops there
 * draw(r, inputMaps) takes a /api/playground/train response and the run's input maps (r.inputs of its
 * first answer); the layout is rebuilt when the sizes, the inputs or the width change.
 */
export function networkDiagram(ctx, box, { sizes, inputs, editable, onNeurons, maxNeurons }) {
  const { el, svg } = ctx;
  const signed = signedColours(), probability = probabilityColours();
  let nodes = null; // {edges: [{path, l, i, j}], maps: [[canvas]]}
  let key = "";
  const layoutKey = () => [inputs().join(","), ...sizes(), 1].join("-") + "@" + Math.max(320, box.clientWidth || 480);

  function build() {
    const names = inputs();
    const all = [names.length, ...sizes(), 1];
    const W = Math.max(320, box.clientWidth || 480);
    const maxN = Math.max(...all);
    const H = Math.max(360, 58 * maxN + 96);
    box.style.height = `${H}px`;
    const cols = all.length;
    const left = 86;  // room for the inputs' labels, left of their squares
    const xs = all.map((_, i) => left + (i * (W - left - 30)) / (cols - 1));
    // columns closer than a full heading ("Hidden 1", "8 neurons", − +) is wide (a phone, several layers):
    // short headings ("H1", "8", the buttons stacked) and squares that leave a gap between columns
    const gap = (W - left - 30) / (cols - 1);
    const compact = gap < 76;
    const half = Math.min(44, Math.floor(gap - 8)) / 2;  // half a node square
    box.classList.toggle("pg-compact", compact);
    box.style.setProperty("--pg-node", `${2 * half}px`);
    const ys = all.map((n) => Array.from({ length: n }, (_, j) => 84 + ((H - 96) * (j + 0.5)) / n));
    const edgeSvg = svg("svg", { class: "pg-edges", viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", "aria-hidden": "true" });
    const edges = [];
    for (let l = 0; l < cols - 1; l++) {
      for (let i = 0; i < all[l + 1]; i++) for (let j = 0; j < all[l]; j++) {
        const x1 = xs[l] + half, y1 = ys[l][j], x2 = xs[l + 1] - half, y2 = ys[l + 1][i];
        const mx = (x1 + x2) / 2;
        const path = svg("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: "pg-edge pos", "stroke-width": 1 });
        edgeSvg.append(path);
        edges.push({ path, l, i, j });
      }
    }
    const parts = [edgeSvg];
    const maps = [];
    const inputCanvases = [];
    all.forEach((n, l) => {
      const hiddenLayer = l > 0 && l < cols - 1;
      const head = l === 0 ? "Inputs" : l === cols - 1 ? "Output" : compact ? `H${l}` : `Hidden ${l}`;
      const count = `${n} neuron${n > 1 ? "s" : ""}`;
      const buttons = hiddenLayer && editable ? el("div", { class: "pg-pm", "data-control": "hidden" },
        el("button", { type: "button", class: "btn btn-icon", "aria-label": `Fewer neurons in hidden layer ${l}`, "data-testid": `fewer-${l}`,
          onclick: () => { if (n > 1) onNeurons(l, n - 1); } }, "−"),
        " ",
        el("button", { type: "button", class: "btn btn-icon", "aria-label": `More neurons in hidden layer ${l}`, "data-testid": `more-${l}`,
          onclick: () => { if (n < maxNeurons) onNeurons(l, n + 1); } }, "+")) : null;
      parts.push(el("div", { class: "pg-colhead", style: { left: `${(xs[l] / W) * 100}%` }, "data-testid": "layer-head",
        title: hiddenLayer ? `hidden layer ${l}: ${count}` : "" },
        el("div", {}, head), hiddenLayer ? el("div", { class: "num" }, compact ? String(n) : count) : null, buttons));
      const layerMaps = [];
      for (let j = 0; j < n; j++) {
        const pos = { left: `${(xs[l] / W) * 100}%`, top: `${ys[l][j]}px` };
        if (l === 0) {
          const c = el("canvas", { width: 32, height: 32 });
          parts.push(el("div", { class: "pg-node input", style: pos, title: `input ${names[j]}`, "data-testid": "input-node" }, c),
            el("div", { class: "pg-inlabel", style: { right: `${100 - ((xs[0] - half - 4) / W) * 100}%`, top: `${ys[0][j]}px` } }, names[j]));
          inputCanvases.push(c);
        } else {
          const c = el("canvas", { width: 32, height: 32 });
          const label = l === cols - 1 ? "the output neuron" : `neuron ${j + 1} of hidden layer ${l}`;
          parts.push(el("div", { class: `pg-node ${l === cols - 1 ? "output" : ""}`, style: pos, title: label }, c));
          layerMaps.push(c);
        }
      }
      if (l > 0) maps.push(layerMaps);
    });
    box.replaceChildren(...parts);
    nodes = { edges, maps, inputCanvases };
    key = layoutKey();
  }

  function draw(r, inputMaps) {
    if (!nodes || key !== layoutKey()) build();
    const prm = r.state.params;
    let maxW = 0;
    for (const e of nodes.edges) maxW = Math.max(maxW, Math.abs(prm[`${2 * e.l}.weight`][e.i][e.j]));
    for (const e of nodes.edges) {
      const w = prm[`${2 * e.l}.weight`][e.i][e.j];
      e.path.setAttribute("class", `pg-edge ${w >= 0 ? "pos" : "neg"}`);
      e.path.setAttribute("stroke-width", String(0.4 + 5 * Math.abs(w) / (maxW || 1)));
      e.path.setAttribute("opacity", String(0.35 + 0.65 * Math.abs(w) / (maxW || 1)));
    }
    // each map: the neuron's output over the plane, row i = x₂ from bottom to top, smoothed to the square
    const paint = (c, grid, colour) => paintHeatmap(c, grid, colour, { fit: "canvas", smooth: true, flipY: true });
    (inputMaps ?? []).forEach((m, j) => { const c = nodes.inputCanvases[j]; if (c) paint(c, m.values, signed); });
    r.neurons.forEach((layer, l) => layer.forEach((m, j) => {
      const c = nodes.maps[l]?.[j];
      if (c) paint(c, m.values, signed);
    }));
    const out = nodes.maps.at(-1)?.[0];
    if (out) paint(out, r.boundary.probability, probability);
  }

  return { draw, invalidate: () => { nodes = null; } };
}
