// Step 8 — pooling.
// The grid, both pooled outputs and the survivors come from POST /api/pooling
// (ml2dl.lessons.pooling: nn.MaxPool2d(2) and nn.AvgPool2d(2)); this file draws them.

import { mountCheck } from "../lib/check.js";

const PARAMS = {
  size: { type: "int", default: 8, min: 4, max: 16, step: 2 },   // grid side, even: 2 × 2 windows tile it
  seed: { type: "int", default: 0, min: 0, max: 99 },            // seed of the random values
};

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el, svg, fmt } = ctx;
    const state = { ...ctx.params };
    const save = () => ctx.setParams({ size: state.size, seed: state.seed });

    const sizeCtl = ctx.control({ name: "size", label: "Grid size",
      onInput: (v) => { state.size = Math.round(v / 2) * 2; save(); refresh(); } });
    const seedCtl = ctx.control({ name: "seed", label: "Random values (seed)",
      onInput: (v) => { state.seed = Math.round(v); save(); refresh(); } });
    const shuffle = ctx.hidden("seed") ? null : el("button", { type: "button", class: "btn btn-small", "data-testid": "new-grid",
      onclick: () => { state.seed = (state.seed + 1) % (PARAMS.seed.max + 1); seedCtl.set(state.seed); save(); refresh(); } }, "New random grid");

    const inputBox = el("div", { class: "pool-figure", "data-testid": "pool-input" });
    const maxBox = el("div", { class: "pool-figure", "data-testid": "pool-max" });
    const avgBox = el("div", { class: "pool-figure", "data-testid": "pool-avg" });
    const inputTitle = el("h2", {}, "Input");
    const maxTitle = el("h2", {}, "Max pooling");
    const avgTitle = el("h2", {}, "Average pooling");
    const detail = el("p", { class: "pool-detail", "data-testid": "pool-detail", "aria-live": "polite" });
    const stats = el("div", { class: "readouts" });
    const progression = el("div", { class: "figure", "data-testid": "progression" });

    root.append(
      el("p", { class: "lede" },
        "Pooling shrinks a feature map. ", el("strong", {}, "2 × 2 max pooling with stride 2"),
        " cuts the map into 2 × 2 windows and keeps only the largest value of each: the strongest response survives, ",
        "its exact position is forgotten, and each side halves. Hover a window to follow it."),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls" }, el("h2", {}, "The feature map"), sizeCtl.node, seedCtl.node,
          shuffle ? el("div", { class: "btn-row", "data-control": "seed" }, shuffle) : null,
          el("div", { class: "legend-list" },
            el("div", {}, el("span", { class: "swatch win" }), "kept by max pooling"),
            el("div", {}, el("span", { class: "swatch lose" }), "dropped"))),
        el("div", { class: "stack" },
          stats,
          detail,
          el("div", { class: "panel pool-row" },
            el("div", { class: "pool-col pool-in" }, inputTitle, inputBox),
            el("div", { class: "pool-arrow", "aria-hidden": "true" }, "→"),
            el("div", { class: "pool-col" }, maxTitle, maxBox, el("div", { class: "pool-gap" }), avgTitle, avgBox)))),
      el("div", { class: "panel", style: "margin-top: 18px" },
        el("h2", {}, "Pooling again and again: the sizes in a real CNN, drawn to scale"), progression,
        el("p", { class: "caption" }, "Each 2 × 2 pooling halves the side and keeps a quarter of the values. ",
          "Between poolings, convolutions add more feature maps, so the network trades where for what.")),
    );

    let current = null;

    function highlight(w) {
      root.querySelectorAll(".hl").forEach((n) => n.classList.remove("hl"));
      if (w === null || !current) { detail.textContent = "Hover (or focus) a window or an output cell to see where it comes from."; return; }
      const win = current.windows[w];
      root.querySelectorAll(`[data-win="${w}"]`).forEach((n) => n.classList.add("hl"));
      const vals = win.cells.map(([r, c]) => fmt(current.grid[r][c]));
      detail.replaceChildren("Window ", el("strong", {}, `(${win.out[0] + 1}, ${win.out[1] + 1})`), `: values ${vals.join(", ")} → max `,
        el("strong", {}, fmt(win.max)), " (kept), mean ", el("strong", {}, fmt(win.avg, 2)), ".");
    }

    function cellGrid(values, kind, n) {
      // One cell size for input and outputs, so the pooled map is drawn at half the size: to scale.
      // …and small enough that the whole input fits a phone's width
      const room = window.innerWidth < 700 ? Math.max(160, root.clientWidth - 48) : 430;
      const cell = Math.min(46, Math.floor(room / current.size));
      const grid = el("div", { class: `pool-grid pool-${kind}`, style: `grid-template-columns: repeat(${n}, 1fr); --n: ${n}; --cell: ${cell}px` });
      return grid;
    }

    function draw(r) {
      current = r;
      const n = r.size, m = n / 2;
      const winOf = (row, col) => Math.floor(row / 2) * m + Math.floor(col / 2);

      const input = cellGrid(r.grid, "in", n);
      for (let row = 0; row < n; row++) for (let col = 0; col < n; col++) {
        const w = winOf(row, col), kept = r.winners[row][col] === 1;
        const cls = ["cell", kept ? "win" : "lose", row % 2 === 0 ? "wt" : "wb", col % 2 === 0 ? "wl" : "wr",
          (Math.floor(row / 2) + Math.floor(col / 2)) % 2 ? "alt" : ""].join(" ");
        input.append(el("div", { class: cls, "data-win": w, "data-testid": `in-${row}-${col}`, "data-kept": kept ? "1" : "0",
          onmouseenter: () => highlight(w), onmouseleave: () => highlight(null) }, fmt(r.grid[row][col])));
      }
      const out = (vals, kind, digits) => {
        const g = cellGrid(vals, kind, m);
        for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
          const w = i * m + j;
          g.append(el("div", { class: "cell out", tabindex: 0, "data-win": w, "data-testid": `${kind}-${i}-${j}`,
            "aria-label": `${kind} output row ${i + 1} column ${j + 1}: ${fmt(vals[i][j], digits)}`,
            onmouseenter: () => highlight(w), onmouseleave: () => highlight(null),
            onfocus: () => highlight(w), onblur: () => highlight(null) }, fmt(vals[i][j], digits)));
        }
        return g;
      };
      inputBox.replaceChildren(input);
      maxBox.replaceChildren(out(r.max, "max"));
      avgBox.replaceChildren(out(r.avg, "avg", 1));
      inputTitle.textContent = `Input ${n} × ${n}`;
      maxTitle.textContent = `Max pooling → ${m} × ${m}`;
      avgTitle.textContent = `Average pooling → ${m} × ${m}`;
      stats.replaceChildren(
        el("div", { class: "readout" }, el("div", { class: "k" }, "Size"), el("div", { class: "v num", "data-testid": "pool-sizes" }, `${n} → ${m}`),
          el("div", { class: "s" }, "each side halves")),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Values kept"), el("div", { class: "v num", "data-testid": "kept" }, `${fmt(r.kept)} of ${fmt(n * n)}`),
          el("div", { class: "s" }, `${fmt(r.dropped)} dropped — one in four survives`)),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Window / stride"), el("div", { class: "v" }, `${r.kernel} × ${r.kernel} / ${r.stride}`),
          el("div", { class: "s" }, "windows do not overlap")));
      highlight(null);
      drawProgression(r.progression);
    }

    function drawProgression(sizes) {
      const scale = 200 / sizes[0], gap = 48, pad = 10;
      let x = pad;
      const parts = [];
      const H = sizes[0] * scale + 50;
      sizes.forEach((s, i) => {
        const side = Math.max(1.5, s * scale);
        const y = pad + (sizes[0] * scale - side) / 2;
        parts.push(svg("rect", { x, y, width: side, height: side, rx: Math.min(4, side / 6), class: "prog-box", "data-testid": `prog-${i}` }));
        parts.push(svg("text", { x: x + side / 2, y: pad + sizes[0] * scale + 22, "text-anchor": "middle", class: "prog-label" }, `${s}×${s}`));
        x += side;
        if (i < sizes.length - 1) {
          parts.push(svg("text", { x: x + gap / 2, y: pad + (sizes[0] * scale) / 2 + 5, "text-anchor": "middle", class: "prog-arrow" }, "→"));
          x += gap;
        }
      });
      progression.replaceChildren(svg("svg", { viewBox: `0 0 ${x + pad + 20} ${H}`, role: "img", class: "prog-svg",
        "aria-label": `Sizes ${sizes.join(", ")}` }, parts),
      el("p", { class: "prog-text num", "data-testid": "progression-text" }, sizes.join(" → ")));
    }

    mountCheck(root, ctx, ["pool_shape"]);  // the check at the end of the step (lib/check.js)
    const refresh = ctx.live(() => ctx.api("pooling", { size: state.size, seed: state.seed }), draw);
    await refresh();
  },
};
