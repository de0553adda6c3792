// Step 4 — stack layers: deep learning.
// Parameter counts from POST /api/layers (ml2dl.lessons.layers); this file draws them.

import { mountCheck } from "../lib/check.js";

const PRESETS = [
  { id: "330", label: "Quiz: 10 → 10 → 10 → 10", sizes: [10, 10, 10, 10] },
  { id: "neuron", label: "One neuron: 2 → 1", sizes: [2, 1] },
  { id: "xray", label: "28×28 X-ray → 128 → 64 → 1", sizes: [784, 128, 64, 1] },
];
const MAX_LAYERS = 9;      // hidden + output layers the editor offers (the request allows 10 sizes)
const MAX_WIDTH = 100000;
const SHOW = 10; // nodes drawn per column before eliding
const PARAMS = {
  sizes: { type: "list", of: "int", default: [10, 10, 10, 10], min: 1, max: MAX_WIDTH, minLength: 2, maxLength: MAX_LAYERS + 1 },
};

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el, svg, fmt } = ctx;
    let sizes = [...ctx.params.sizes];

    const editor = el("div", { class: "layer-editor", "data-testid": "layer-editor", "data-control": "sizes" });
    const totalOut = el("div", { class: "v num", "data-testid": "total-params" }, "…");
    const totalSum = el("div", { class: "s num", "data-testid": "total-sum" });
    const depthOut = el("div", { class: "v num", "data-testid": "depth" });
    const diagram = el("div", { class: "figure net-figure", "data-testid": "network-diagram" });
    const table = el("table", { class: "data", "data-testid": "param-table" });

    const presets = ctx.hidden("presets") ? null : el("fieldset", { class: "group", "data-control": "presets" }, el("legend", {}, "Try"),
      el("div", { class: "btn-row" }, PRESETS.map((p) => el("button", {
        type: "button", class: "btn btn-small", "data-testid": `preset-${p.id}`,
        onclick: () => setSizes([...p.sizes]),
      }, p.label))));

    root.append(
      el("p", { class: "lede" },
        "Put neurons side by side and you have a ", el("strong", {}, "layer"),
        "; stack layers and you have a deep network. Every neuron is connected to every output of the layer ",
        "before, so each layer has inputs × neurons weights plus one bias per neuron. Build one and watch the count."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls" }, el("h2", {}, "Build your network"), editor, presets),
        el("div", { class: "stack" },
          el("div", { class: "readouts" },
            el("div", { class: "readout blue" }, el("div", { class: "k" }, "Total parameters"), totalOut, totalSum),
            el("div", { class: "readout", style: "flex: 0 1 200px" }, el("div", { class: "k" }, "Hidden layers"), depthOut,
              el("div", { class: "s" }, "“deep” = more than one"))),
          el("div", { class: "panel" }, el("h2", {}, "The network"), diagram,
            el("p", { class: "caption" }, "Every line is one weight. Large layers are drawn with ",
              `at most ${SHOW} neurons; the count is written under each column.`)),
          el("div", { class: "panel" }, el("h2", {}, "Parameters, layer by layer"), el("div", { class: "table-wrap" }, table)),
          el("div", { class: "panel" }, el("h2", {}, "What the layers learn"), hierarchyNode()))),
    );

    function hierarchyNode() {
      return el("div", { class: "hierarchy", "data-testid": "hierarchy" });
    }

    function setSizes(next) {
      sizes = next;
      ctx.setParams({ sizes });
      drawEditor();
      refresh();
    }

    function stepper(i) {
      const isInput = i === 0, isOutput = i === sizes.length - 1;
      const name = isInput ? "Inputs" : isOutput ? "Output layer" : `Hidden layer ${i}`;
      const id = `size-${i}`;
      const input = el("input", {
        type: "number", id, class: "input", min: 1, max: MAX_WIDTH, step: 1, value: sizes[i], "data-testid": id,
        oninput: (ev) => {
          const n = Number(ev.target.value);
          if (!Number.isInteger(n) || n < 1 || n > MAX_WIDTH) {  // say it, and keep counting with the last valid size
            note.hidden = ev.target.value === "";
            note.textContent = `“${ev.target.value}” is not a layer size (whole numbers 1 … ${fmt(MAX_WIDTH)}): still counting ${fmt(sizes[i])}.`;
            return;
          }
          note.hidden = true;
          sizes[i] = n;
          ctx.setParams({ sizes });
          refresh();
        },
      });
      const note = el("p", { class: "hint clamp-note", role: "status", "data-testid": `${id}-note`, hidden: true });
      const bump = (d) => () => {
        const next = sizes[i] + d;
        note.hidden = next >= 1 && next <= MAX_WIDTH;  // at a limit the button says why nothing changes
        note.textContent = next < 1 ? "A layer has at least 1 neuron." : `At most ${fmt(MAX_WIDTH)} neurons in a layer here.`;
        sizes[i] = Math.min(MAX_WIDTH, Math.max(1, next)); input.value = sizes[i];
        ctx.setParams({ sizes }); refresh(); };
      const remove = !isInput && sizes.length > 2 ? el("button", {
        type: "button", class: "btn btn-icon btn-ghost", "aria-label": `Remove ${name.toLowerCase()}`,
        "data-testid": `remove-layer-${i}`, title: "Remove this layer",
        onclick: () => { sizes.splice(i, 1); setSizes(sizes); },
      }, "×") : el("span", { class: "btn-icon-spacer" });
      return el("div", { class: `layer-row ${isInput ? "is-input" : isOutput ? "is-output" : ""}` },
        el("label", { for: id }, name),
        el("div", { class: "stepper" },
          el("button", { type: "button", class: "btn btn-icon", "aria-label": `Fewer in ${name.toLowerCase()}`, onclick: bump(-1) }, "−"),
          input,
          el("button", { type: "button", class: "btn btn-icon", "aria-label": `More in ${name.toLowerCase()}`, "data-testid": `more-${i}`, onclick: bump(1) }, "+"),
          remove), note);
    }

    function drawEditor() {
      const add = el("button", {
        type: "button", class: "btn btn-small", "data-testid": "add-layer", disabled: sizes.length > MAX_LAYERS,
        onclick: () => { sizes.splice(sizes.length - 1, 0, sizes[sizes.length - 2] || 4); setSizes(sizes); },
      }, "+ Add a hidden layer");
      const full = sizes.length > MAX_LAYERS
        ? el("span", { class: "hint", "data-testid": "add-layer-note" }, `At most ${MAX_LAYERS - 1} hidden layers here.`) : null;
      editor.replaceChildren(...sizes.map((_, i) => stepper(i)), el("div", { class: "btn-row", style: "margin: 6px 0 16px" }, add, full));
    }

    function drawDiagram(r) {
      const cols = r.sizes.length;
      const W = 700, H = 300, top = 34, bottom = 56;
      const xs = r.sizes.map((_, i) => 60 + (i * (W - 120)) / Math.max(1, cols - 1));
      const colNodes = r.sizes.map((n) => {
        if (n <= SHOW) return Array.from({ length: n }, (_, k) => ({ k, gap: false }));
        return [...Array.from({ length: SHOW - 2 }, (_, k) => ({ k, gap: false })), { k: -1, gap: true }, { k: n - 1, gap: false }];
      });
      const ys = colNodes.map((nodes) => {
        const n = nodes.length, span = H - top - bottom, step = Math.min(30, span / Math.max(1, n - 1));
        const y0 = top + (span - step * (n - 1)) / 2;
        return nodes.map((_, k) => y0 + k * step);
      });
      const edges = [], nodes = [], labels = [];
      for (let c = 0; c < cols - 1; c++) {
        colNodes[c].forEach((a, i) => colNodes[c + 1].forEach((b, j) => {
          if (a.gap || b.gap) return;
          edges.push(svg("line", { x1: xs[c], y1: ys[c][i], x2: xs[c + 1], y2: ys[c + 1][j], class: "net-edge" }));
        }));
        const row = r.layers[c];
        labels.push(svg("text", { x: (xs[c] + xs[c + 1]) / 2, y: H - 12, "text-anchor": "middle", class: "net-params" },
          cols > 6 ? fmt(row.params) : `${fmt(row.params)} params`));
      }
      colNodes.forEach((col, c) => {
        const kind = c === 0 ? "in" : c === cols - 1 ? "out" : "hid";
        col.forEach((node, k) => {
          if (node.gap) nodes.push(svg("text", { x: xs[c], y: ys[c][k] + 6, "text-anchor": "middle", class: "net-gap" }, "⋮"));
          else nodes.push(svg("circle", { cx: xs[c], cy: ys[c][k], r: 9, class: `net-node net-${kind}` }));
        });
        // many columns: short titles, so neighbours do not overlap (h1 … h8)
        const title = c === 0 ? "input" : c === cols - 1 ? "output" : cols > 6 ? `h${c}` : `hidden ${c}`;
        labels.push(svg("text", { x: xs[c], y: 16, "text-anchor": "middle", class: "net-title" }, title));
        labels.push(svg("text", { x: xs[c], y: H - bottom + 22, "text-anchor": "middle", class: "net-count" }, fmt(r.sizes[c])));
      });
      diagram.replaceChildren(svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
        "aria-label": `Network ${r.sizes.join(" → ")} with ${r.total} parameters` }, edges, nodes, labels));
    }

    function drawTable(r) {
      const rows = r.layers.map((l) => el("tr", { "data-testid": `layer-row-${l.index}` },
        el("td", {}, l.kind === "output" ? "Output layer" : `Hidden layer ${l.index}`),
        el("td", { class: "formula-cell" },
          `${fmt(l.inputs)} × ${fmt(l.neurons)} + ${fmt(l.neurons)}`),
        el("td", {}, fmt(l.weights)), el("td", {}, fmt(l.biases)),
        el("td", { class: "strong" }, fmt(l.params))));
      table.replaceChildren(
        el("thead", {}, el("tr", {}, el("th", {}, "Layer"), el("th", {}, "inputs × neurons + neurons"),
          el("th", {}, "weights"), el("th", {}, "biases"), el("th", {}, "parameters"))),
        el("tbody", {}, rows),
        el("tfoot", {}, el("tr", {}, el("td", {}, "Total"), el("td", {}), el("td", {}), el("td", {}),
          el("td", { "data-testid": "table-total" }, fmt(r.total)))));
    }

    function drawHierarchy(r) {
      const box = root.querySelector("[data-testid=hierarchy]");
      const items = [];
      r.hierarchy.forEach((h, i) => {
        if (i) items.push(el("div", { class: "h-arrow", "aria-hidden": "true" }, "→"));
        items.push(el("div", { class: "h-card" }, el("div", { class: "h-level" }, h.level), el("div", { class: "h-what" }, h.what)));
      });
      box.replaceChildren(el("div", { class: "h-flow" }, items),
        el("p", { class: "caption" }, "Nobody programs these levels: each layer builds on the one before, and training ",
          "finds what to look for. Steps 6–9 show this happening in a CNN."));
    }

    function draw(r) {
      totalOut.textContent = fmt(r.total);
      totalSum.textContent = r.layers.length > 1 ? `${r.layers.map((l) => fmt(l.params)).join(" + ")}` : "one layer";
      depthOut.textContent = fmt(r.hidden_layers);
      drawDiagram(r);
      drawTable(r);
      drawHierarchy(r);
    }

    mountCheck(root, ctx, ["dense_params"]);  // the check at the end of the step (lib/check.js)
    const refresh = ctx.live(() => ctx.api("layers", { sizes: [...sizes] }), draw);
    drawEditor();
    await refresh();
  },
};
