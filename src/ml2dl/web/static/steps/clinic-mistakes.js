// clinic-mistakes — click a cell of the confusion matrix to see its images: false negatives first, each
// with the model's probability and the Grad-CAM of its call, and the caveat that belongs beside them.
// GET /api/clinic/mistakes answers the counts and the images; the threshold table (GET
// /api/clinic/roc/table) gives the slider its steps. This file only draws.

import { greyColours } from "../lib/colour.js";
import { paintHeatmap } from "../lib/heatmap.js";
import { CLINIC_CSS, SHARED_PARAMS, chosenThreshold, confusionMatrix, currentRun, heatColours, noRuns, pageLink, pct, rememberThreshold,
  runPicker, storedThreshold } from "./clinic/shared.js";

const CSS = `
.cm-gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(128px, 1fr)); gap: 10px; }
.cm-case { margin: 0; border: 1px solid var(--line); border-radius: 10px; padding: 6px; background: var(--white); display: grid; gap: 4px; }
.cm-pic { position: relative; width: 100%; aspect-ratio: 1; }
.cm-pic canvas { position: absolute; inset: 0; width: 100%; height: 100%; image-rendering: pixelated; border-radius: 6px; }
.cm-pic canvas.heat { mix-blend-mode: multiply; opacity: 1; image-rendering: auto; }
.cm-case figcaption { font-size: .78rem; display: flex; justify-content: space-between; gap: 4px; flex-wrap: wrap; }
.cm-case .normal { color: var(--blue); font-weight: 700; }
.cm-case .pneumonia { color: var(--orange-ink); font-weight: 700; }
.cm-ramp { display: inline-block; width: 90px; height: 10px; border-radius: 3px; vertical-align: middle;
  background: linear-gradient(to right, var(--white), var(--violet)); border: 1px solid var(--line-2); }
`;
const CELL_ORDER = ["fn", "fp", "tp", "tn"];  // the missed cases first: in screening they matter most

export default {
  params: {
    ...SHARED_PARAMS,
    split: { type: "choice", default: "test", choices: [{ value: "validation", label: "validation" }, { value: "test", label: "test" }] },
    threshold: { type: "string", default: "" },  // as on clinic-roc
    cell: { type: "choice", default: "fn", choices: CELL_ORDER.map((c) => ({ value: c, label: c.toUpperCase() })) },
    overlay: { type: "choice", default: "on", choices: [{ value: "on", label: "heatmap on" }, { value: "off", label: "image only" }] },
  },

  async mount(root, ctx) {
    ctx.injectStyle("clinic-style", CLINIC_CSS);
    ctx.injectStyle("clinic-mistakes-style", CSS);
    const { el, fmt } = ctx;
    const { runs } = await ctx.api("clinic/runs");
    const name = currentRun(ctx, runs);
    if (!name) { root.append(noRuns(ctx)); return undefined; }
    const table = await ctx.api(`clinic/roc/table?run=${encodeURIComponent(name)}`);
    const hasTest = Boolean(table.test);
    let split = hasTest ? ctx.params.split : "validation";
    let cell = ctx.params.cell;
    const nearestRow = (t) => {  // a lookup in the table the server sent
      let best = 0;
      table.threshold.forEach((x, i) => { if (Math.abs(x - t) < Math.abs(table.threshold[best] - t)) best = i; });
      return best;
    };
    // always a row of the table: the counts are those clinic-roc shows at the same threshold
    let threshold = table.threshold[nearestRow(chosenThreshold(ctx.params.threshold, storedThreshold(name)))];

    const slider = el("input", { type: "range", id: "cm-threshold", min: 0, max: table.rows - 1, step: 1, value: nearestRow(threshold),
      "data-testid": "threshold-slider", "aria-label": "threshold" });
    const thresholdText = el("div", { class: "cr-threshold", style: "font-size: 1.4rem; font-weight: 700", "data-testid": "threshold" });
    const paintTrack = () => slider.style.setProperty("--fill", `${(100 * Number(slider.value)) / Math.max(1, table.rows - 1)}%`);
    paintTrack();
    slider.addEventListener("input", () => { threshold = table.threshold[Number(slider.value)]; paintTrack(); refresh(); });
    slider.addEventListener("change", () => { ctx.setParams({ threshold: String(threshold) }); rememberThreshold(name, threshold); });
    const splitChoice = hasTest ? ctx.choice({ name: "split", label: "Images of", onChange: (v) => { split = v; ctx.setParams({ split: v }); refresh(); } }).node : null;
    const overlayChoice = ctx.choice({ name: "overlay", label: "Show", onChange: (v) => { ctx.setParams({ overlay: v }); if (last) drawCases(last); } }).node;
    const matrixBox = el("div", { "data-control": "cell" });
    const readouts = el("div", { class: "readouts" });
    const head = el("h2", { "data-testid": "cell-title" });
    const about = el("p", { class: "small" });
    const gallery = el("div", { class: "cm-gallery", "data-testid": "gallery" });
    const caveat = el("p", { class: "callout orange clinic-words", "data-testid": "caveat" });
    let last = null;

    root.append(
      el("p", { class: "lede" }, "Every number on the last page is a count of images. Click a cell of the confusion matrix to see them, ",
        "the missed pneumonias first, each with the model's probability and a heatmap of where its last convolution found ",
        "evidence for its call."),
      el("div", { class: "clinic-top" }, runPicker(ctx, runs, name, () => location.reload()),
        el("a", { href: pageLink("clinic-roc", { run: name }), "data-testid": "to-roc" }, "← Back to the ROC curve")),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls stack" }, el("h2", {}, "Threshold and cell"),
          el("div", { class: "cr-slider", "data-control": "threshold" },
            el("label", { for: "cm-threshold" }, "Score ≥ threshold is called pneumonia"), slider, thresholdText),
          splitChoice, matrixBox, readouts, overlayChoice),
        el("div", { class: "stack" }, el("div", { class: "panel" }, head, about, gallery), caveat)));

    const refresh = ctx.live(
      () => ctx.api(`clinic/mistakes?run=${encodeURIComponent(name)}&split=${split}&threshold=${threshold}&cell=${cell}&limit=12`),
      (r) => { last = r; draw(r); });

    function chooseCell(c) {
      cell = c;
      ctx.setParams({ cell: c });
      refresh();
    }

    function draw(r) {
      thresholdText.textContent = fmt(r.threshold, 4);
      matrixBox.replaceChildren(confusionMatrix(ctx, r.counts, { onCell: chooseCell, selected: r.cell,
        caption: `${r.split}, ${fmt(r.counts.tp + r.counts.fp + r.counts.tn + r.counts.fn)} images` }));
      readouts.replaceChildren(
        el("div", { class: "readout orange" }, el("div", { class: "k" }, "Sensitivity"),
          el("div", { class: "v", "data-testid": "sensitivity" }, pct(ctx, r.sensitivity)), el("div", { class: "s" }, "of pneumonia found")),
        el("div", { class: "readout blue" }, el("div", { class: "k" }, "Specificity"),
          el("div", { class: "v", "data-testid": "specificity" }, pct(ctx, r.specificity)), el("div", { class: "s" }, "of normal cleared")));
      head.textContent = `${r.cell.toUpperCase()} — ${r.cell_words}`;
      caveat.textContent = r.caveat;
      drawCases(r);
      root.dataset.cell = r.cell;
    }

    function drawCases(r) {
      const showHeat = ctx.params.overlay === "on";
      about.replaceChildren(r.total === 0 ? "No image falls in this cell at this threshold."
        : `Showing ${r.shown} of ${fmt(r.total)}, the surest calls first. `,
      r.total && showHeat ? el("span", {}, el("span", { class: "cm-ramp", "aria-hidden": "true" }), ` ${r.heatmap}.`) : null,
      r.synthetic ? el("span", { class: "tag synthetic", style: "margin-left: 6px" }, "synthetic") : null);
      const heat = heatColours(), grey = greyColours({ signed: false, max: 255 });
      gallery.replaceChildren(...r.cases.map((c) => {
        const img = el("canvas", { "aria-hidden": "true" });
        paintHeatmap(img, c.image, grey);
        const layers = [img];
        if (showHeat && c.heatmap) {
          const h = el("canvas", { class: "heat", width: 112, height: 112, "aria-hidden": "true" });
          paintHeatmap(h, c.heatmap, heat, { fit: "canvas", smooth: true });
          layers.push(h);
        }
        const truth = c.label === 1 ? "pneumonia" : "normal";
        return el("figure", { class: "cm-case", "data-testid": "case", "data-probability": String(c.probability) },
          el("div", { class: "cm-pic", role: "img", "aria-label": `image ${c.index}, truly ${truth}, probability ${fmt(100 * c.probability, 1)}%` }, layers),
          el("figcaption", {}, el("span", { class: truth }, truth), el("span", {}, `P = ${fmt(c.probability, 3)}`)));
      }));
    }

    last = await ctx.api(`clinic/mistakes?run=${encodeURIComponent(name)}&split=${split}&threshold=${threshold}&cell=${cell}&limit=12`);
    draw(last);
    return undefined;
  },
};
