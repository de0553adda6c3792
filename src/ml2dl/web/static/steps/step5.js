// Step 5 — images are special.
// The image, its shuffled twin, the permutation and every 3×3 neighbourhood come from
// GET /api/images/view; the experiment (four small networks trained on the server in the background)
// from /api/images/experiment and its server-sent progress events. This file only draws.

import { mountCheck } from "../lib/check.js";
import { greyColours, greyCss, inkOn } from "../lib/colour.js";
import { paintHeatmap } from "../lib/heatmap.js";

const CSS = `
.im-pair { display: grid; grid-template-columns: minmax(0, 320px) minmax(0, 320px) minmax(0, 1fr); gap: 22px; align-items: start; }
@media (max-width: 1100px) { .im-pair { grid-template-columns: repeat(2, minmax(0, 1fr)); } .im-side { grid-column: 1 / -1; } }
@media (max-width: 700px) { .im-pair { grid-template-columns: 1fr; } }
.im-fig { margin: 0; min-width: 0; }
.im-fig figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; margin-bottom: 6px; font-weight: 650; }
.im-canvas { width: 100%; max-width: 320px; aspect-ratio: 1; display: block; border-radius: 8px; cursor: crosshair; background: var(--black); }
.im-canvas:focus-visible { outline: 3px solid color-mix(in srgb, var(--blue) 60%, transparent); outline-offset: 3px; }
.im-nb { display: grid; grid-template-columns: repeat(3, 46px); gap: 3px; }
.im-nb div { height: 36px; display: grid; place-items: center; border-radius: 6px; font-size: .85rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.im-nbrow { display: flex; gap: 26px; flex-wrap: wrap; align-items: flex-start; margin-top: 10px; }
.im-nbcap { font-size: .8rem; color: var(--muted); margin-top: 4px; max-width: 160px; }
.im-nav { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.im-label { font-weight: 700; }
.im-label.normal { color: var(--blue); }
.im-label.pneumonia { color: var(--orange-ink); }
.im-progress { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; margin: 8px 0 4px; }
.im-progress > div { height: 100%; background: var(--blue); width: 0; transition: width .3s; }
.im-result { min-height: 300px; }
.im-verdicts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; }
@media (max-width: 700px) { .im-verdicts { grid-template-columns: 1fr; } }
.im-verdict { border-radius: 10px; padding: 10px 14px; background: var(--bg); border: 1px solid var(--line); }
.im-verdict .big { font-size: 1.45rem; font-weight: 750; font-variant-numeric: tabular-nums; }
.im-verdict .k { font-weight: 650; color: var(--ink-2); font-size: .9rem; }
.im-fail { border-top: 4px solid var(--muted); }
.im-fail h3 { font-size: 1rem; margin-bottom: 6px; }
.im-shiftbox { margin-top: 14px; }
.im-h3 { font-size: .95rem; margin: 0 0 4px; }
.im-shift { min-height: 260px; }
@media (max-width: 560px) { .im-result, .im-shift { min-height: 320px; } }  /* room for a legend of one entry a row */
.im-count { font-size: 1.9rem; font-weight: 760; letter-spacing: -.02em; font-variant-numeric: tabular-nums; }
`;

const SCALE = 12; // canvas pixels per image pixel
const PARAMS = {
  image: { type: "int", default: 0, min: 0, max: 9999 },                 // which held-out image
  autostart: { type: "bool", default: true, transient: true },          // autostart=0: do not train on arrival
};

export default {
  params: PARAMS,

  async mount(root, ctx) {
    ctx.injectStyle("step5-style", CSS);
    const { el, fmt, cssVar } = ctx;
    const GREYS = greyColours({ signed: false, max: 255 });
    let index = ctx.params.image;
    let view = null;
    let cursor = null;          // {img: "original" | "shuffled", p: flat index}
    let source = null;          // EventSource of the experiment
    let alive = true;

    // ------------------------------------------------------------ the pair of images
    const canvases = {
      original: el("canvas", { class: "im-canvas", width: 28 * SCALE, height: 28 * SCALE, tabindex: 0, "data-testid": "original",
        role: "img", "aria-label": "Original image. Hover or use the arrow keys to pick a pixel." }),
      shuffled: el("canvas", { class: "im-canvas", width: 28 * SCALE, height: 28 * SCALE, tabindex: 0, "data-testid": "shuffled",
        role: "img", "aria-label": "Shuffled image. Hover or use the arrow keys to pick a pixel." }),
    };
    const nbOriginal = el("div", { class: "im-nb", "data-testid": "nb-original" });
    const nbShuffled = el("div", { class: "im-nb", "data-testid": "nb-shuffled" });
    const nbText = el("p", { class: "note", "data-testid": "nb-text" });
    const labelText = el("span", { class: "im-label", "data-testid": "label" });
    const sourceText = el("p", { class: "caption", "data-testid": "source" });
    const diffs = el("div", { class: "readouts" });
    const prev = el("button", { type: "button", class: "btn btn-small", "data-testid": "prev-image", "aria-label": "Previous image",
      onclick: () => choose(index - 1) }, "←");
    const next = el("button", { type: "button", class: "btn btn-small", "data-testid": "next-image", "aria-label": "Next image",
      onclick: () => choose(index + 1) }, "→");
    const counter = el("span", { class: "small muted", "data-testid": "image-counter" });

    // ------------------------------------------------------------ the experiment
    const progressBar = el("div", {});
    const progressBox = el("div", { class: "im-progress", role: "progressbar", "aria-label": "training progress",
      "aria-valuemin": 0, "aria-valuemax": 100, "data-testid": "progress" }, progressBar);
    const progressText = el("p", { class: "small muted", "data-testid": "progress-text", "aria-live": "polite" });
    const startBtn = el("button", { type: "button", class: "btn btn-primary", "data-testid": "start", onclick: () => start() }, "Train the four networks");
    const cancelBtn = el("button", { type: "button", class: "btn", "data-testid": "cancel", hidden: true,
      onclick: () => ctx.api("images/experiment/cancel", {}).then(detach).catch((e) => ctx.notify(e.message)) }, "Stop watching");
    const chart = el("div", { class: "plot im-result", "data-testid": "chart", hidden: true });
    const verdicts = el("div", { class: "im-verdicts", "data-testid": "verdicts" });
    const setup = el("p", { class: "caption", "data-testid": "setup" });
    const shiftChart = el("div", { class: "plot im-shift", "data-testid": "shift-chart" });
    const shiftText = el("div", { class: "note", "data-testid": "shift-findings" });
    const shiftBox = el("div", { class: "im-shiftbox", hidden: true },
      el("h3", { class: "im-h3" }, "(c) The same held-out images, moved"), shiftChart, shiftText);

    // ------------------------------------------------------------ three failures
    const fcCount = el("div", { class: "im-count", "data-testid": "fc-weights" }, "—");
    const fcSmall = el("p", { class: "small muted", "data-testid": "fc-weights-28" });

    root.append(
      el("p", { class: "lede" },
        "To a fully-connected layer an image is a list of numbers: every pixel has its own weight, and nothing says which ",
        "pixels are neighbours. Shuffle the pixels — the same way for every image — and the list is the same information in a ",
        "different order: a fully-connected network cannot tell the difference. A CNN reads 3 × 3 neighbourhoods; the experiment ",
        "below measures what the shuffle, and moving the image, cost each of them."),
      el("div", { class: "panel" },
        el("div", { class: "im-nav", style: "justify-content: space-between; margin-bottom: 10px" },
          el("h2", { style: "margin: 0; font-size: 1rem" }, "(a) One image, and the same pixels shuffled"),
          ctx.hidden("image") ? null : el("div", { class: "im-nav", "data-control": "image" }, prev, counter, next)),
        el("div", { class: "im-pair" },
          el("figure", { class: "im-fig" }, el("figcaption", {}, el("span", {}, "Original ", labelText), el("span", { class: "tag", "data-testid": "synthetic-tag", hidden: true }, "synthetic")), canvases.original),
          el("figure", { class: "im-fig" }, el("figcaption", {}, el("span", {}, "Shuffled (one fixed permutation)")), canvases.shuffled),
          el("div", { class: "im-side" },
            nbText,
            el("div", { class: "im-nbrow" },
              el("div", {}, nbOriginal, el("div", { class: "im-nbcap" }, "3 × 3 neighbourhood in the original")),
              el("div", {}, nbShuffled, el("div", { class: "im-nbcap" }, "the same place in the shuffled image"))),
            el("div", { style: "margin-top: 12px" }, diffs))),
        sourceText),
      el("div", { class: "panel", style: "margin-top: 18px" },
        el("h2", {}, "(b) The experiment: train on original and on shuffled images"),
        el("p", { class: "note" }, "Four small networks, trained for a few epochs on the same images with the same random start and ",
          "tested on held-out images they never saw: a fully-connected network (784 → 64 → 1) and a small CNN ",
          "(two 3 × 3 convolutions with pooling, as in step 9), each on the original and on the shuffled pixels. ",
          "Then the two trained on original images are tested on the same held-out images moved by 1 to 4 pixels."),
        el("div", { class: "btn-row" }, startBtn, cancelBtn),
        progressBox, progressText,
        chart,
        verdicts,
        shiftBox,
        setup),
      el("div", { class: "panel", style: "margin-top: 18px" },
        el("h2", {}, "Three failures of fully-connected layers on images"),
        el("div", { class: "cols-3" },
          el("div", { class: "panel im-fail" }, el("h3", {}, "1. Too many weights"),
            el("p", { class: "note" }, "Every pixel connects to every neuron. A 224 × 224 image into a layer of 128 neurons:"),
            ctx.math("<mrow><mn>224</mn><mo>×</mo><mn>224</mn><mo>×</mo><mn>128</mn><mo>=</mo></mrow>", { display: "block" }),
            fcCount, fcSmall),
          el("div", { class: "panel im-fail" }, el("h3", {}, "2. No notion of “near”"),
            el("p", { class: "note" }, "The layer would learn exactly as well from shuffled pixels (above): it cannot use the fact that ",
              "neighbouring pixels belong together — edges, textures, shapes are all made of neighbours.")),
          el("div", { class: "panel im-fail" }, el("h3", {}, "3. Every position learned apart"),
            el("p", { class: "note" }, "An opacity in the upper-left lung and the same opacity lower right hit different weights: ",
              "the network must learn the pattern again at every position. A convolution slides one small filter everywhere ",
              "(step 6): it is translation-", el("em", {}, "equivariant"), " — move the image and its feature map moves with it. ",
              "2 × 2 max pooling adds a little ", el("em", {}, "invariance"), ": a feature moving within its window gives the same maximum. ",
              "A dense layer at the end has one weight per position again, so the whole CNN is not translation-invariant: (c) measures it.")))),
    );

    // ------------------------------------------------------------ drawing the images
    function drawImage(which) {
      paintHeatmap(canvases[which], view[which], GREYS, { fit: "canvas" });
    }

    function outline(which, flatIndices, colour, width) {
      const g = canvases[which].getContext("2d");
      g.lineWidth = width;
      g.strokeStyle = cssVar(colour);
      for (const p of flatIndices) {
        if (p < 0) continue;
        const r = Math.floor(p / view.width), col = p % view.width;
        g.strokeRect(col * SCALE + width / 2, r * SCALE + width / 2, SCALE - width, SCALE - width);
      }
    }

    function nbGrid(node, values) {
      node.replaceChildren(...values.map((v) => v === null
        ? el("div", { style: { border: "1px dashed var(--line-2)", color: "var(--line-3)" } }, "·")
        : el("div", { style: { background: greyCss(v), color: inkOn(v) } }, String(v))));
    }

    function drawCursor() {
      drawImage("original");
      drawImage("shuffled");
      if (!cursor) return;
      const here = cursor.img, other = here === "original" ? "shuffled" : "original";
      const box = view.neighbour_index[cursor.p];
      // where the 9 pixels of this neighbourhood are in the other image
      const elsewhere = box.map((q) => (q < 0 ? -1 : here === "original" ? view.moved_to[q] : view.perm[q]));
      outline(here, box, "--highlight", 3);
      outline(other, elsewhere, "--highlight", 3);
      outline(here, [cursor.p], "--highlight-centre", 3);
      outline(other, [elsewhere[4]], "--highlight-centre", 3);
      const r = Math.floor(cursor.p / view.width) + 1, col = (cursor.p % view.width) + 1;
      nbGrid(nbOriginal, view.neighbourhoods.original[cursor.p]);
      nbGrid(nbShuffled, view.neighbourhoods.shuffled[cursor.p]);
      nbText.replaceChildren("Pixel at ", el("strong", {}, `row ${r}, column ${col}`), " of the ", here, " image. ",
        "In the original its neighbours have similar grey values; at the same place in the shuffled image they are unrelated. ",
        "The yellow squares in the ", other, " image show where those 9 pixels ended up", here === "original" ? " — scattered." : " came from.");
    }

    function pick(which, ev) {
      const rect = canvases[which].getBoundingClientRect();
      const col = Math.floor(((ev.clientX - rect.left) / rect.width) * view.width);
      const r = Math.floor(((ev.clientY - rect.top) / rect.height) * view.height);
      if (r < 0 || col < 0 || r >= view.height || col >= view.width) return;
      const p = r * view.width + col;
      if (cursor && cursor.p === p && cursor.img === which) return;
      cursor = { img: which, p };
      drawCursor();
    }
    for (const which of ["original", "shuffled"]) {
      const c = canvases[which];
      c.addEventListener("mousemove", (ev) => view && pick(which, ev));
      c.addEventListener("focus", () => { if (view && (!cursor || cursor.img !== which)) { cursor = { img: which, p: cursor ? cursor.p : 14 * 28 + 10 }; drawCursor(); } });
      c.addEventListener("keydown", (ev) => {
        const d = { ArrowUp: -view.width, ArrowDown: view.width, ArrowLeft: -1, ArrowRight: 1 }[ev.key];
        if (!d || !view) return;
        ev.preventDefault(); ev.stopPropagation();
        const p = (cursor ? cursor.p : 0) + d;
        const sameRow = Math.abs(d) !== 1 || Math.floor(p / view.width) === Math.floor((cursor ? cursor.p : 0) / view.width);
        if (p >= 0 && p < view.width * view.height && sameRow) { cursor = { img: which, p }; drawCursor(); }
      });
    }

    async function choose(i) {
      if (!view) return;
      index = (i + view.count) % view.count;
      ctx.setParams({ image: index });
      await load();
    }

    async function load() {
      view = await ctx.api(`images/view?index=${index}`);
      if (!alive) return;
      labelText.textContent = `(${view.label_name})`;
      labelText.className = `im-label ${view.label_name}`;
      counter.textContent = `held-out image ${view.index + 1} of ${view.count}`;
      root.querySelector("[data-testid=synthetic-tag]").hidden = !view.synthetic;
      sourceText.textContent = view.synthetic
        ? `Synthetic chest films drawn by ml2dl — generated, not patient data. Start the module with --data pneumoniamnist.npz for real X-rays.`
        : `Real chest X-ray, 28 × 28 pixels. ${view.source}.`;
      diffs.replaceChildren(
        el("div", { class: "readout" }, el("div", { class: "k" }, "Neighbours differ by, on average"),
          el("div", { class: "v num", "data-testid": "diff-original" }, `${fmt(view.neighbour_difference.original, 1)}`),
          el("div", { class: "s" }, "grey levels in the original")),
        el("div", { class: "readout" }, el("div", { class: "k" }, "…after shuffling"),
          el("div", { class: "v num", "data-testid": "diff-shuffled" }, `${fmt(view.neighbour_difference.shuffled, 1)}`),
          el("div", { class: "s" }, "grey levels: neighbours unrelated")));
      fcCount.textContent = fmt(view.fc_parameters.weights);
      fcSmall.textContent = `weights in one layer (${fmt(view.fc_parameters.parameters)} with the biases). Even our 28 × 28 images: `
        + `${fmt(view.fc_parameters_here.weights)} weights for 128 neurons.`;
      if (!cursor) cursor = { img: "original", p: 14 * 28 + 10 };
      drawCursor();
    }

    // ------------------------------------------------------------ the experiment
    // A chart's legend sits in the top margin, one entry a row on a phone (side by side they crowd the
    // plot or the axis title there): the margin grows with the rows it needs.
    const narrow = (node) => (node.clientWidth || 600) < 560;
    const legendAbove = (node) => ({ orientation: narrow(node) ? "v" : "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom" });
    const legendRoom = (node, entries) => 16 + 19 * (narrow(node) ? entries : 1);
    // the accuracy axis starts at 40 % unless a figure is lower: then at a multiple of 10 at least 10 points
    // below it, so every bar is tall enough for the label inside it, and every point stays in the plot
    const axisFloor = (values) => {
      const low = Math.min(100, ...values.filter(Number.isFinite));
      return Math.max(0, Math.min(40, Math.floor((low - 10) / 10) * 10));
    };

    function drawChart(arms, baseline) {
      chart.hidden = false;
      const get = (m, px) => arms.find((a) => a.model === m && a.pixels === px);
      const models = [["fc", "fully-connected"], ["cnn", "CNN"]];
      const traces = [["original", cssVar("--slate"), "original pixels"], ["shuffled", cssVar("--purple"), "shuffled pixels"]].map(([px, colour, name]) => ({
        type: "bar", name, x: models.map((m) => m[1]),
        y: models.map(([m]) => (get(m, px) ? get(m, px).percent : null)),
        // on a phone a bar is narrower than "95.0 %": the number alone (the axis says %), never turned on its side
        text: models.map(([m]) => (get(m, px) ? `${fmt(get(m, px).percent, 1)}${narrow(chart) ? "" : " %"}` : "training…")),
        textposition: "inside", insidetextanchor: "end", textangle: 0, textfont: { color: cssVar("--white"), size: 13 }, marker: { color: colour },
        hovertemplate: `%{x} on ${name}: %{y:.1f} % correct<extra></extra>`,
      }));
      // the baseline: a full-width dashed line, named in the legend by an empty trace of the same style
      if (baseline) traces.push({ type: "scatter", mode: "lines", x: [null], y: [null],
        name: `${baseline.label}: ${fmt(baseline.percent, 1)} %`, line: { color: cssVar("--bad"), width: 2, dash: "dash" } });
      const shapes = baseline ? [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: baseline.percent, y1: baseline.percent,
        line: { color: cssVar("--bad"), width: 2, dash: "dash" } }] : [];
      const annotations = [];
      ctx.plot(chart, traces, {
        barmode: "group", bargap: 0.35, showlegend: true, legend: legendAbove(chart),
        margin: { l: 56, r: 14, t: legendRoom(chart, traces.length), b: 36 },
        yaxis: { title: { text: "accuracy on held-out images (%)" },
          range: [axisFloor([...arms.map((a) => a.percent), baseline?.percent]), 102] },
        shapes, annotations,
      });
    }

    function drawShift(res) {
      shiftBox.hidden = false;
      const names = { fc: ["fully-connected", "--slate"], cnn: ["CNN", "--blue"] };
      const traces = Object.entries(res.translation.curves).map(([m, curve]) => ({
        type: "scatter", mode: "lines+markers", name: names[m][0], x: curve.map((p) => p.shift), y: curve.map((p) => p.percent),
        line: { color: cssVar(names[m][1]), width: 3 }, marker: { size: 8 },
        hovertemplate: `${names[m][0]}, moved %{x} px: %{y:.1f} % correct<extra></extra>`,
      }));
      traces.push({ type: "scatter", mode: "lines", name: `${res.baseline.label}: ${fmt(res.baseline.percent, 1)} %`,
        x: [res.translation.shifts[0], res.translation.shifts.at(-1)], y: [res.baseline.percent, res.baseline.percent],
        line: { color: cssVar("--bad"), width: 2, dash: "dash" }, hoverinfo: "skip" });
      ctx.plot(shiftChart, traces, {
        showlegend: true, legend: legendAbove(shiftChart), margin: { l: 56, r: 14, t: legendRoom(shiftChart, traces.length), b: 48 },
        xaxis: { title: { text: "every held-out image moved by (pixels)" }, tickvals: res.translation.shifts, fixedrange: true },
        yaxis: { title: { text: "accuracy (%)" }, fixedrange: true,
          range: [axisFloor([...Object.values(res.translation.curves).flat().map((p) => p.percent), res.baseline.percent]), 102] },
      });
      const f = res.findings.shift;
      shiftText.replaceChildren(el("p", { "data-testid": "shift-fc" }, f.fc), el("p", { "data-testid": "shift-cnn" }, f.cnn),
        f.comparison ? el("p", { "data-testid": "shift-comparison" }, f.comparison) : null);
    }

    function showResult(res) {
      drawChart(res.arms, res.baseline);
      const v = (kind, title, note) => {
        const sm = res.summary[kind];
        const change = sm.change_points;
        return el("div", { class: "im-verdict", "data-testid": `verdict-${kind}` },
          el("div", { class: "k" }, title),
          el("div", { class: "big" }, `${fmt(sm.original, 1)} % → ${fmt(sm.shuffled, 1)} %`),
          el("div", { class: "note" }, `${change > 0 ? "+" : ""}${fmt(change, 1)} points when shuffled. `, note));
      };
      verdicts.replaceChildren(
        v("fc", "Fully-connected network", res.findings.shuffle.fc),
        v("cnn", "CNN", res.findings.shuffle.cnn));
      drawShift(res);
      setup.textContent = `Trained on ${fmt(res.n_train)} images for ${res.budget.epochs} epoch${res.budget.epochs > 1 ? "s" : ""}, tested on ${fmt(res.n_val)} held-out images `
        + `(${fmt(res.val_counts.normal)} normal, ${fmt(res.val_counts.pneumonia)} pneumonia)`
        + `${res.synthetic ? " — synthetic chest films" : ""}. The dashed line: ${res.baseline.label}, which needs no network at all.`;
    }

    function showJob(job) {
      if (!alive) return;
      const running = job.status === "queued" || job.status === "running";
      startBtn.hidden = running || job.status === "done";
      cancelBtn.hidden = !running;
      progressBox.hidden = job.status === "done" || job.status === "none";
      progressBar.style.width = `${job.percent ?? 0}%`;
      progressBox.setAttribute("aria-valuenow", String(job.percent ?? 0));
      if (job.status === "done") {
        progressText.textContent = job.cached ? "Trained earlier on this server: results from the cache." : `Done in ${fmt(job.elapsed_s, 0)} s.`;
        showResult(job.result);
      } else if (running) {
        progressText.textContent = job.status === "queued"
          ? `Queued — ${job.message} (waiting ${fmt(job.waited_s ?? 0, 0)} s).`
          : `${job.message} (${fmt(job.elapsed_s, 0)} s)`;
        drawChart(job.extra?.arms || [], null);
      } else if (job.status === "failed") {
        progressText.textContent = `Training failed: ${job.error}`;
        startBtn.textContent = "Try again";
      } else if (job.status === "cancelled") {
        progressText.textContent = "Cancelled.";
        chart.hidden = true;  // no half-drawn chart is left behind
        shiftBox.hidden = true;
        startBtn.textContent = "Train the four networks";
      } else {
        progressText.textContent = "Not trained yet on this server (about half a minute).";
      }
    }

    // The experiment is shared by the class: "Stop watching" only stops this page following it.
    function detach(job) {
      if (source) { source.close(); source = null; }
      if (!job.detached) return showJob(job);
      cancelBtn.hidden = true;
      chart.hidden = true;  // a chart no longer followed is not left behind, half drawn
      progressBox.hidden = true;
      startBtn.hidden = false;
      startBtn.textContent = "Watch the training again";
      progressText.textContent = `Stopped watching: ${job.message}.`;
    }

    function follow() {
      if (source) source.close();
      source = new EventSource("/api/images/progress");
      source.onmessage = (ev) => {
        const job = JSON.parse(ev.data);
        showJob(job);
        if (!["queued", "running"].includes(job.status)) { source.close(); source = null; }
      };
      source.onerror = () => { if (source) { source.close(); source = null; } };
    }

    async function start() {
      try {
        const job = await ctx.api("images/experiment", {});
        showJob(job);
        if (job.status === "queued" || job.status === "running") follow();
      } catch (e) {
        ctx.notify(e.message);
      }
    }

    await load();
    const job = await ctx.api("images/experiment");
    showJob(job);
    if (job.status === "none" && ctx.params.autostart) await start();
    else if (job.status === "queued" || job.status === "running") follow();

    mountCheck(root, ctx, ["fc_vs_conv"]);  // the check at the end of the step (lib/check.js)
    return () => { alive = false; if (source) source.close(); };
  },
};
