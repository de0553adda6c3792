// Part "image" of the data step: a grey image as its grid of 0–255 values. The whole image (hover
// a pixel for its value; click or use the arrow keys to move the crop) and the crop as numbered
// cells: make the crop smaller to zoom in until the numbers show. Values from POST /api/data/pixels.

import { greyColours, greyCss, inkOn } from "../../lib/colour.js";
import { paintHeatmap } from "../../lib/heatmap.js";

export const SOURCES = [
  { value: "chest", label: "Chest X-ray" }, { value: "ct_small", label: "CT slice" },
  { value: "mr_small", label: "MR slice" }, { value: "shepp_logan_phantom", label: "Head phantom (synthetic)" },
];
const NUMBERS_FROM = 18;  // px per cell from which the numbers are written in the cells

export async function mountImage(body, ctx) {
  const { el, fmt } = ctx;
  const canvas = el("canvas", { "data-testid": "whole-image", "aria-hidden": "true" });
  const box = el("div", { class: "dt-box" });
  const whole = el("div", { class: "dt-whole", tabindex: "0", role: "application", "data-testid": "whole",
    "aria-label": "The whole image: arrow keys move the crop" }, canvas, box);
  const cells = el("div", { class: "dt-cells", "data-testid": "crop-cells" });
  const hover = el("div", { class: "dt-hover", "data-testid": "pixel-hover", "aria-live": "polite" }, "Hover a pixel for its value.");
  const title = el("h2", {});
  const shapeLine = el("p", { "data-testid": "image-shape" });
  const cropLine = el("p", { class: "small", "data-testid": "crop-line" });
  const zoomNote = el("p", { class: "muted small", "data-testid": "zoom-note" });
  const sourceLine = el("p", { class: "caption" });
  const tag = el("span", { class: "tag synthetic" }, "synthetic");
  let res = null;

  const src = ctx.select({ name: "src", label: "Image", onChange: (v) => { ctx.setParams({ src: v, r: null, c: null }); refresh(); } });
  const size = ctx.control({ name: "size", label: "Crop side (smaller = zoom in)", unit: "px",
    onInput: (v) => { ctx.setParams({ size: v }); refresh(); } });
  const lecture = ctx.hidden("lecture") ? null : el("button", { class: "btn btn-small", type: "button",
    "data-control": "lecture", "data-testid": "lecture-crop",
    onclick: () => { ctx.setParams({ size: 18, r: null, c: null }); if (size.set) size.set(18); refresh(); } }, "The lecture's 18 × 18 crop");
  const another = ctx.hidden("idx") ? null : el("button", { class: "btn btn-small", type: "button", "data-control": "idx",
    "data-testid": "next-image", onclick: () => { ctx.setParams({ idx: res && res.index + 1 < res.count ? res.index + 1 : 0 }); refresh(); } },
  "Another chest image");

  body.append(el("section", { class: "panel" }, title,
    el("div", { class: "row" }, src.node, size.node, lecture, another),
    shapeLine,
    el("div", { class: "dt-image-grid" },
      el("div", { class: "stack" }, whole, sourceLine),
      el("div", { class: "stack" }, cells, hover, cropLine, zoomNote))));

  const at = (r, c) => `row ${r}, column ${c}: ${res.image[r][c]}`;
  canvas.addEventListener("mousemove", (e) => {
    if (!res) return;
    const r = Math.min(res.height - 1, Math.floor((e.offsetY / canvas.clientHeight) * res.height));
    const c = Math.min(res.width - 1, Math.floor((e.offsetX / canvas.clientWidth) * res.width));
    hover.textContent = at(r, c);
  });
  canvas.addEventListener("click", (e) => {  // centre the crop on the clicked pixel (the server clamps)
    const half = Math.floor(res.crop.size / 2);
    const r = Math.floor((e.offsetY / canvas.clientHeight) * res.height) - half;
    const c = Math.floor((e.offsetX / canvas.clientWidth) * res.width) - half;
    ctx.setParams({ r: Math.max(0, r), c: Math.max(0, c) });
    refresh();
  });
  whole.addEventListener("keydown", (e) => {
    const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
    if (!d || !res) return;
    e.preventDefault();
    e.stopPropagation();  // the arrows move the crop here, not the step
    ctx.setParams({ r: Math.max(0, res.crop.row + d[0]), c: Math.max(0, res.crop.col + d[1]) });
    refresh();
  });

  function fitNumbers() {
    if (!res) return;
    const px = cells.clientWidth / res.crop.size;
    const show = px >= NUMBERS_FROM;
    cells.classList.toggle("numbers", show);
    cells.style.setProperty("--cell-font", `${Math.max(8, Math.min(14, Math.floor(px * 0.36)))}px`);
    zoomNote.textContent = show
      ? `Each cell is one pixel; the number is its grey level. ${res.crop.size} × ${res.crop.size} = ${fmt(res.crop.numbers)} numbers.`
      : "The cells are too small for their numbers here: make the crop smaller to zoom in.";
  }
  const observer = new ResizeObserver(fitNumbers);
  observer.observe(cells);

  function draw(r) {
    res = r;
    title.replaceChildren(r.title, " ", r.synthetic ? tag : "");
    shapeLine.replaceChildren("The whole image is ", el("strong", { "data-testid": "image-dims" }, `${r.height} × ${r.width}`),
      ` = ${fmt(r.numbers)} numbers, each a grey level from 0 (black) to 255 (white).`);
    sourceLine.textContent = `Source: ${r.source}. Hover for a value; click or use the arrow keys to move the crop (yellow).`;
    if (another) another.hidden = r.source_name !== "chest";
    paintHeatmap(canvas, r.image, greyColours({ signed: false, max: 255 }));
    const k = r.crop;
    Object.assign(box.style, { left: `${(k.col / r.width) * 100}%`, top: `${(k.row / r.height) * 100}%`,
      width: `${(k.size / r.width) * 100}%`, height: `${(k.size / r.height) * 100}%` });
    cells.style.gridTemplateColumns = `repeat(${k.size}, minmax(0, 1fr))`;
    cells.replaceChildren(...k.values.flatMap((line, i) => line.map((v, j) => {
      const cell = el("div", { class: "dt-cell", style: { background: greyCss(v), color: inkOn(v) } }, String(v));
      cell.addEventListener("mouseenter", () => { hover.textContent = at(k.row + i, k.col + j); });
      return cell;
    })));
    cropLine.textContent = `This crop: rows ${k.row}–${k.row + k.size - 1}, columns ${k.col}–${k.col + k.size - 1}; ` +
      `darkest ${k.min}, brightest ${k.max}, mean ${fmt(k.mean)}.`;
    fitNumbers();
  }

  const refresh = ctx.live(() => ctx.api("data/pixels", {
    source: ctx.params.src, index: ctx.params.idx, size: ctx.params.size,
    row: ctx.params.r < 0 ? null : ctx.params.r, col: ctx.params.c < 0 ? null : ctx.params.c }), draw);
  await refresh();
  return () => observer.disconnect();
}
