// Step 7's image pair and its one-pixel inspector: the original and the filtered image, each with a square
// on the inspected pixel (moved by the mouse, or by the arrow keys on a focused image, Shift for 10 px),
// the two 11 × 11 zooms around it, and the 3 × 3 pixels × the kernel → Σ that POST /api/kernels/pixel
// returned. It keeps the cursor ({row, col}, null until placed) and asks onMove for the new pixel's sum.

import { greyCss, inkOn } from "../../lib/colour.js";

export function inspector(ctx, { onMove }) {
  const { el, fmt, cssVar } = ctx;
  let cursor = null;   // {row, col} of the inspected pixel
  let current = null;  // the last /apply result: the image's size

  // ------------------------------------------------------------ the image pair
  const origImg = el("img", { alt: "original image", "data-testid": "original" });
  const filtImg = el("img", { alt: "filtered image", "data-testid": "filtered" });
  const origCursor = el("div", { class: "kx-cursor" });
  const filtCursor = el("div", { class: "kx-cursor" });
  const origBox = el("div", { class: "kx-imgbox", tabindex: 0, "data-testid": "original-box",
    "aria-label": "Original image. Hover, or use the arrow keys, to inspect a pixel." }, origImg, origCursor);
  const filtBox = el("div", { class: "kx-imgbox", tabindex: 0, "data-testid": "filtered-box",
    "aria-label": "Filtered image. Hover, or use the arrow keys, to inspect a pixel." }, filtImg, filtCursor);
  const caption = el("span", { "data-testid": "display-caption" });
  const stats = el("span", { class: "muted", "data-testid": "size" });
  const imagesPanel = el("div", { class: "panel kx-images", "data-testid": "images" },
    el("div", { class: "kx-pair" },
      el("figure", { class: "kx-fig" }, el("figcaption", {}, el("span", {}, "Original"), stats), origBox),
      el("figure", { class: "kx-fig" }, el("figcaption", {}, el("span", {}, "Filtered"), el("span", { class: "muted" }, "by the kernel")), filtBox,
        el("p", { class: "caption" }, caption))));

  // ------------------------------------------------------------ the pixel panel
  const zoomIn = el("canvas", { class: "kx-zoom", width: 132, height: 132, "aria-hidden": "true" });
  const zoomOut = el("canvas", { class: "kx-zoom", width: 132, height: 132, "aria-hidden": "true" });
  const patchMat = el("div", { class: "kx-mat p", "data-testid": "patch" });
  const weightMat = el("div", { class: "kx-mat w", "data-testid": "weights" });
  const result = el("div", { class: "kx-result", "data-testid": "pixel-sum" }, "—");
  const inspectRow = el("div", { class: "kx-inspect" },
    el("div", {}, patchMat, el("div", { class: "kx-matcap" }, "the 3 × 3 pixels")),
    el("span", { class: "kx-op" }, "×"),
    el("div", {}, weightMat, el("div", { class: "kx-matcap" }, "the kernel")));
  const resultNote = el("div", { class: "small muted", "data-testid": "pixel-note" });
  const where = el("p", { class: "note", "data-testid": "pixel-where" },
    "Hover over either image (or focus it and use the arrow keys) to see the sum behind one pixel.");
  const pixelPanel = el("div", { class: "panel" },
    el("h2", {}, "One pixel, step by step"),
    where,
    el("div", { class: "kx-inspect" },
      el("div", { class: "kx-zooms" },
        el("div", {}, zoomIn, el("div", { class: "kx-matcap" }, "original")),
        el("div", {}, zoomOut, el("div", { class: "kx-matcap" }, "filtered"))),
      inspectRow,
      el("span", { class: "kx-op" }, "→ Σ ="),
      el("div", {}, result, resultNote)));

  // ------------------------------------------------------------ drawing
  function showCursor(box, cur) {
    const r = current;
    if (!cursor || !r) { cur.style.display = "none"; return; }
    const w = box.clientWidth, h = box.clientHeight;
    cur.style.display = "block";
    cur.style.left = `${((cursor.col - 1) / r.width) * w}px`;
    cur.style.top = `${((cursor.row - 1) / r.height) * h}px`;
    cur.style.width = `${Math.max(6, (3 / r.width) * w)}px`;
    cur.style.height = `${Math.max(6, (3 / r.height) * h)}px`;
  }
  const showCursors = () => { showCursor(origBox, origCursor); showCursor(filtBox, filtCursor); };

  function drawZoom(canvas, img) {
    const c2 = canvas.getContext("2d");
    c2.imageSmoothingEnabled = false;
    c2.fillStyle = cssVar("--black");
    c2.fillRect(0, 0, canvas.width, canvas.height);
    if (!cursor || !img.complete || !img.naturalWidth) return;
    const n = 11, cell = canvas.width / n;  // an 11 × 11 window around the pixel
    c2.drawImage(img, cursor.col - 5, cursor.row - 5, n, n, 0, 0, canvas.width, canvas.height);
    c2.strokeStyle = cssVar("--highlight"); c2.lineWidth = 2;
    if (canvas === zoomIn) c2.strokeRect(4 * cell, 4 * cell, 3 * cell, 3 * cell);
    else c2.strokeRect(5 * cell, 5 * cell, cell, cell);
  }

  /** Draws /api/kernels/pixel's answer: the patch, the weights, their products and the sum. */
  function drawPixel(px) {
    const fmtw = (v) => fmt(v, Number.isInteger(v) ? 0 : 2);
    const small = px.kernel.length === 3;  // a σ blur's 17 × 17 products are summed, not drawn one by one
    inspectRow.hidden = !small;
    patchMat.replaceChildren(...px.patch.flat().map((v, k) => {
      const inside = px.inside.flat()[k];
      const grey = Math.round(Math.max(0, Math.min(255, v)));
      return el("div", { style: { background: greyCss(grey), color: inkOn(grey),
        outline: inside ? "0" : "2px dashed var(--line-3)", "outline-offset": "-3px" },
        title: inside ? "" : `outside the image. ${px.padding.about}` }, fmt(v, 0));
    }));
    weightMat.replaceChildren(...px.kernel.flat().map((v) => el("div", { class: v < 0 ? "neg" : "" }, fmtw(v))));
    result.textContent = fmt(px.sum, Number.isInteger(px.sum) ? 0 : 1);
    const d = px.display;
    resultNote.textContent = d.mode === "clip"
      ? (px.sum < 0 ? "below 0: shown black" : px.sum > 255 ? "above 255: shown white" : `shown as grey level ${px.shown_grey}`)
      : `grey level ${px.shown_grey} (mid-grey = 0)`;
    const n = px.kernel.length;
    const border = px.inside.flat().every(Boolean) ? "" : ` Dashed cells lie outside the image. ${px.padding.about}`;
    where.replaceChildren("Pixel ", el("strong", {}, `row ${px.row + 1}, column ${px.col + 1}`), ...(small
      ? [": its 3 × 3 neighbourhood times the kernel, summed: ",
        el("strong", { class: "num" }, px.products.flat().map((v) => fmt(v, Number.isInteger(v) ? 0 : 1)).join(" + ").replace(/\+ −/g, "− "))]
      : [`: its ${n} × ${n} neighbourhood times the Gaussian's ${fmt(n * n)} weights, summed`]),
      ` = ${fmt(px.sum, Number.isInteger(px.sum) ? 0 : 1)}.${border}`);
    drawZoom(zoomIn, origImg);
    drawZoom(zoomOut, filtImg);
  }

  /** Shows an /apply result's images; the cursor starts at the centre. True when a pixel is to be inspected. */
  function show(r) {
    current = r;
    if (r.original_png) origImg.src = r.original_png;
    filtImg.src = r.filtered_png;
    stats.textContent = `${r.width} × ${r.height} px`;
    filtBox.setAttribute("data-mode", r.display.mode);
    if (!cursor) cursor = { row: Math.floor(r.height / 2), col: Math.floor(r.width / 2) };  // start the inspector at the centre
    showCursors();
    return Boolean(cursor);
  }

  // ------------------------------------------------------------ moving the cursor
  function moveTo(row, col) {
    cursor = { row, col };
    showCursors();
    onMove();
  }
  function pointAt(box, ev) {
    if (!current) return;
    const rect = box.getBoundingClientRect();
    const col = Math.floor(((ev.clientX - rect.left) / rect.width) * current.width);
    const row = Math.floor(((ev.clientY - rect.top) / rect.height) * current.height);
    if (row < 0 || col < 0 || row >= current.height || col >= current.width) return;
    if (cursor && cursor.row === row && cursor.col === col) return;
    moveTo(row, col);
  }
  for (const box of [origBox, filtBox]) {
    box.addEventListener("mousemove", (ev) => pointAt(box, ev));
    box.addEventListener("keydown", (ev) => {
      const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[ev.key];
      if (!d || !current) return;
      ev.preventDefault(); ev.stopPropagation();
      const step = ev.shiftKey ? 10 : 1;
      const base = cursor || { row: Math.floor(current.height / 2), col: Math.floor(current.width / 2) };
      moveTo(Math.max(0, Math.min(current.height - 1, base.row + d[0] * step)),
        Math.max(0, Math.min(current.width - 1, base.col + d[1] * step)));
    });
    box.addEventListener("focus", () => {
      if (!cursor && current) moveTo(Math.floor(current.height / 2), Math.floor(current.width / 2));
    });
  }
  // the square is placed from the drawn image's size, which is known once it has loaded
  filtImg.addEventListener("load", () => { if (cursor && current) { showCursor(filtBox, filtCursor); drawZoom(zoomOut, filtImg); } });
  origImg.addEventListener("load", () => { if (cursor && current) { showCursor(origBox, origCursor); drawZoom(zoomIn, origImg); } });

  return {
    imagesPanel, pixelPanel, caption, filtImg,
    get cursor() { return cursor; },
    reset() { cursor = null; },
    show, drawPixel,
    relayout() { if (current) showCursors(); },
  };
}
