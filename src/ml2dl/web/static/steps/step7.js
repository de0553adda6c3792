// Step 7 — the kernel explorer.
// The filtered image is computed by the engine's nn.Conv2d on the server (POST /api/kernels/apply,
// ml2dl.lessons.kernels) and arrives as a PNG; the 9 products behind a pixel come from
// POST /api/kernels/pixel. This file draws them and keeps the kernel the student types.

import { mountCheck } from "../lib/check.js";
import { radioKeys } from "../lib/controls.js";
import { greyCss, inkOn } from "../lib/colour.js";

const CSS = `
.kx-grid .caption { overflow-wrap: anywhere; }
.kx-grid { display: grid; grid-template-columns: 330px minmax(0, 1fr); gap: 18px; align-items: start; }
@media (max-width: 980px) { .kx-grid { grid-template-columns: 1fr; } }
.kx-samples { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 6px; margin-bottom: 8px; }
.kx-sample { border: 2px solid var(--line); border-radius: 9px; background: var(--white); padding: 5px 4px; cursor: pointer;
  font-size: .76rem; font-weight: 650; color: var(--ink-2); line-height: 1.2; text-align: center; }
.kx-sample[aria-checked="true"] { border-color: var(--blue); color: var(--ink); box-shadow: 0 0 0 3px color-mix(in srgb, var(--blue) 15%, transparent); }
.kx-sample .mod { display: block; font-weight: 500; color: var(--muted); font-size: .7rem; }
.kx-upload { display: inline-flex; align-items: center; gap: 6px; cursor: pointer; }
.kx-upload input { position: absolute; width: 1px; height: 1px; opacity: 0; }
.kx-upload:focus-within { outline: 3px solid color-mix(in srgb, var(--blue) 45%, transparent); outline-offset: 2px; }
.kx-presets { display: grid; grid-template-columns: repeat(3, 1fr); gap: 5px; margin-bottom: 12px; }
.kx-preset { border: 1px solid var(--line-2); border-radius: 8px; background: var(--white); padding: 5px 4px; font-size: .8rem; font-weight: 600; cursor: pointer; }
.kx-preset[aria-pressed="true"] { background: var(--slate); border-color: var(--slate); color: var(--white); }
.kx-kernel { display: grid; grid-template-columns: repeat(3, 64px); gap: 5px; justify-content: center; margin: 6px 0 4px; }
.kx-kernel input { width: 64px; height: 48px; text-align: center; font-size: 1.05rem; font-weight: 650; border: 1px solid var(--line-2);
  border-radius: 8px; font-variant-numeric: tabular-nums; background: var(--white); }
.kx-kernel input.pos { background: var(--pos-soft); }
.kx-kernel input.neg { background: var(--purple-soft); color: var(--purple-ink); }
.kx-kernel input:focus { outline: none; border-color: var(--blue); box-shadow: 0 0 0 3px color-mix(in srgb, var(--blue) 18%, transparent); }
.kx-sum { text-align: center; font-size: .88rem; color: var(--ink-2); }
.kx-pair { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
@media (max-width: 640px) {
  /* a phone: the two images first, side by side, and kept in view (under the site's header) while the
     controls below them scroll: what a tap on a preset does is seen at once */
  .kx-stack { display: contents; }
  .kx-images { order: -1; position: sticky; top: var(--kx-top, 0px); z-index: 3; padding: 10px 12px;
    box-shadow: 0 4px 10px color-mix(in srgb, var(--shade) 14%, transparent); }
  .kx-pair { gap: 3px 10px; grid-template-areas: "oc fc" "oi fi" "t t"; }
  .kx-images .kx-fig { display: contents; }  /* the caption spans both images */
  .kx-images .kx-fig:first-child figcaption { grid-area: oc; }
  .kx-images .kx-fig:first-child .kx-imgbox { grid-area: oi; }
  .kx-images .kx-fig:last-child figcaption { grid-area: fc; }
  .kx-images .kx-fig:last-child .kx-imgbox { grid-area: fi; }
  .kx-images .caption { grid-area: t; font-size: .76rem; line-height: 1.35; margin: 4px 0 0; }
  .kx-images figcaption { font-size: .82rem; margin-bottom: 0; }
}
.kx-fig { margin: 0; min-width: 0; }
.kx-fig figcaption { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; font-weight: 650; font-size: .92rem; margin-bottom: 6px; }
.kx-fig figcaption .muted { font-weight: 500; font-size: .8rem; }
.kx-imgbox { position: relative; border-radius: 8px; overflow: hidden; background: var(--black); cursor: crosshair; line-height: 0; }
.kx-imgbox:focus-visible { outline: 3px solid color-mix(in srgb, var(--blue) 60%, transparent); outline-offset: 2px; }
.kx-imgbox img { width: 100%; height: auto; display: block; image-rendering: auto; }
.kx-cursor { position: absolute; border: 2px solid var(--highlight); box-shadow: 0 0 0 1px color-mix(in srgb, var(--black) 60%, transparent); pointer-events: none; display: none; }
.kx-inspect { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 14px; }
.kx-mat { display: grid; grid-template-columns: repeat(3, 48px); gap: 3px; }
.kx-mat div { height: 38px; display: grid; place-items: center; border-radius: 6px; font-variant-numeric: tabular-nums; font-size: .86rem; font-weight: 650; }
.kx-mat.w div { background: var(--pos-soft); color: var(--ink); }
.kx-mat.w div.neg { background: var(--purple-soft); color: var(--purple-ink); }
.kx-mat.p div { background: var(--highlight-soft); color: var(--ink); border: 1px solid var(--highlight-line); }
.kx-op { font-size: 1.6rem; color: var(--muted); }
.kx-matcap { font-size: .75rem; color: var(--muted); text-align: center; margin-top: 3px; }
.kx-result { font-size: 1.5rem; font-weight: 750; font-variant-numeric: tabular-nums; }
.kx-zooms { display: grid; gap: 6px; }
.kx-zoom { width: 88px; height: 88px; border-radius: 6px; image-rendering: pixelated; border: 1px solid var(--line); background: var(--black); }
.kx-code { font-family: var(--mono); font-size: .86rem; background: var(--input-bg); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; white-space: pre; overflow-x: auto; }
`;

const SHORT = { retina: "Fundus", microaneurysms: "Retina detail", ihc: "Histology", ct_small: "CT slice",
  mr_small: "MR slice", cell: "Cell", shepp_logan_phantom: "Head phantom", chest_xray: "Chest X-ray" };

const GAUSS = "gaussian_sigma";  // the Gaussian blur of a chosen σ: a (2r + 1)² kernel, not 9 numbers

function sameKernel(a, b) {
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (Math.abs(a[i][j] - b[i][j]) > 1e-6) return false;
  return true;
}

export default {

  // the presets, the kernel limit and the sample images, as the server offers them
  async options(api) {
    const [kernels, samples] = await Promise.all([api("kernels/presets"), api("kernels/samples")]);
    return { ...kernels, ...samples };
  },
  params: ({ presets, limit, sigma }) => ({
    image: { type: "string", default: "sample:retina" },           // "sample:<name>" or "upload:<id>"
    preset: { type: "choice", default: null, choices: [...presets.map((p) => p.name), GAUSS] },
    sigma: { type: "float", default: sigma.default, min: sigma.min, max: sigma.max, step: 0.1 },  // with preset=gaussian_sigma
    kernel: { type: "list", of: "float", default: null, min: -limit, max: limit, minLength: 9, maxLength: 9 },
    display: { type: "choice", default: "auto", choices: ["auto", "clip", "signed"] },
  }),

  async mount(root, ctx) {
    ctx.injectStyle("step7-style", CSS);
    const { el, fmt, cssVar } = ctx;
    const { presets, limit, samples, max_upload_bytes: maxBytes, max_upload_mb: maxMb } = ctx.options;
    const presetByName = Object.fromEntries(presets.map((p) => [p.name, p]));
    const p = ctx.params;
    const rows = (k) => [k.slice(0, 3), k.slice(3, 6), k.slice(6, 9)];
    const s = {
      image: p.image,
      kernel: p.kernel ? rows(p.kernel) : presetByName[p.preset ?? "sharpen"].kernel,
      display: p.display,
      gauss: p.preset === GAUSS,   // the σ blur instead of the 3×3 kernel
      sigma: p.sigma,
    };
    let uploadName = null;
    let cursor = null;        // {row, col} of the inspected pixel
    let current = null;       // last /apply result
    let originalFor = null;   // which image the original PNG shows
    let alive = true;

    const presetName = () => (s.gauss ? GAUSS : presets.find((p) => sameKernel(p.kernel, s.kernel))?.name ?? null);
    const save = () => {
      const name = presetName();
      ctx.setParams({ image: s.image, preset: name, kernel: name ? null : s.kernel.flat(), display: s.display,
        sigma: s.gauss ? s.sigma : null });
    };

    // ------------------------------------------------------------ image choice
    const refOf = (smp) => smp.image ?? `sample:${smp.name}`;  // the server's chest X-ray lives in the upload store
    const sampleButtons = samples.map((smp) => el("button", {
      type: "button", role: "radio", class: "kx-sample", "data-testid": `sample-${smp.name}`, "data-value": refOf(smp),
      title: `${smp.title} — ${smp.attribution}`, onclick: () => chooseImage(refOf(smp)),
    }, SHORT[smp.name] || smp.title, el("span", { class: "mod" }, smp.modality.split(" (")[0])));
    const sampleGroup = ctx.hidden("image") ? null : el("div", { class: "kx-samples", role: "radiogroup", "aria-label": "Image",
      "data-control": "image" }, sampleButtons);
    const fileInput = el("input", { type: "file", accept: ".png,.jpg,.jpeg,.dcm,.dicom,image/png,image/jpeg,application/dicom",
      "data-testid": "upload", "aria-label": "Upload your own image (PNG, JPEG or DICOM)" });
    const uploadLabel = ctx.hidden("upload") ? null : el("label", { class: "btn btn-small kx-upload", "data-control": "upload" }, fileInput, "⤒ Your own image…");
    const imageInfo = el("p", { class: "caption", "data-testid": "image-info" });

    function paintSamples() {
      for (const b of sampleButtons) {
        const on = b.dataset.value === s.image;
        b.setAttribute("aria-checked", on ? "true" : "false");
        b.tabIndex = on || (!s.image.startsWith("sample:") && b === sampleButtons[0]) ? 0 : -1;
      }
      const smp = samples.find((x) => refOf(x) === s.image);
      imageInfo.replaceChildren(...(smp
        ? [el("strong", {}, smp.title), ` — ${smp.modality}. `, smp.note ? `${smp.note[0].toUpperCase()}${smp.note.slice(1)}. ` : "",
          el("span", { class: "muted" }, `Source: ${smp.attribution}.`)]
        : [el("strong", {}, uploadName || "Your image"), " — uploaded, shown in grayscale (at most 512 px a side)."]));
    }
    if (sampleGroup) radioKeys(sampleGroup, sampleButtons, () => s.image, chooseImage);
    function chooseImage(ref) { s.image = ref; cursor = null; paintSamples(); save(); refresh(); }

    fileInput.addEventListener("change", async () => {
      const file = fileInput.files[0];
      if (!file) return;
      if (file.size > maxBytes) { ctx.notify(`${file.name}: files up to ${maxMb} MB, got ${fmt(file.size)} bytes`); return; }
      const form = new FormData();
      form.append("file", file);
      try {
        const response = await fetch("/api/kernels/upload", { method: "POST", body: form });
        const data = await response.json().catch(() => null);
        if (!response.ok) throw new Error((data && (data.message || data.detail)) || `upload failed (${response.status})`);
        uploadName = data.name;
        s.image = data.image;
        cursor = null;
        paintSamples(); save(); refresh();
      } catch (e) {
        ctx.notify(typeof e.message === "string" ? e.message : "upload failed");
      } finally {
        fileInput.value = "";
      }
    });

    // ------------------------------------------------------------ kernel
    const presetButtons = presets.map((p) => el("button", {
      type: "button", class: "kx-preset", "data-testid": `preset-${p.name}`, "data-name": p.name, title: p.about,
      "aria-pressed": "false", onclick: () => { s.gauss = false; s.kernel = p.kernel.map((r) => [...r]); paintKernel(); save(); refresh(); },
    }, p.label));
    presetButtons.push(el("button", {
      type: "button", class: "kx-preset", "data-testid": `preset-${GAUSS}`, "data-name": GAUSS, "aria-pressed": "false",
      title: "A Gaussian blur of any width σ: a larger kernel than 3 × 3", onclick: () => { s.gauss = true; paintKernel(); save(); refresh(); },
    }, "Blur σ"));
    const sigmaControl = ctx.control({ name: "sigma", label: "σ of the Gaussian (pixels)",
      onInput: (v) => { s.sigma = v; save(); refresh(); } });
    const gaussInfo = el("p", { class: "kx-sum", "data-testid": "gauss-info" });
    const cells = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const input = el("input", { type: "number", step: "0.1", min: -limit, max: limit, "data-testid": `k-${i}-${j}`,
        "aria-label": `kernel weight row ${i + 1}, column ${j + 1}`, inputmode: "decimal" });
      input.addEventListener("input", () => {
        const v = Number(input.value);
        if (input.value === "" || !Number.isFinite(v)) return;
        s.kernel[i][j] = Math.max(-limit, Math.min(limit, v));
        // typed beyond the limit: say which weight is used (the box shows it when left)
        clampNote.hidden = s.kernel[i][j] === v;
        clampNote.textContent = clampNote.hidden ? "" : `${input.value} is outside ${fmt(-limit)} … ${fmt(limit)}: using ${fmt(s.kernel[i][j])}.`;
        paintKernel(input); save(); refresh();
      });
      input.addEventListener("change", () => paintKernel());
      cells.push({ input, i, j });
    }
    const kernelSum = el("p", { class: "kx-sum", "data-testid": "kernel-sum" });
    const clampNote = el("p", { class: "hint clamp-note", role: "status", "data-testid": "kernel-clamped", hidden: true });
    const about = el("p", { class: "note", "data-testid": "kernel-about" });
    const kernelGrid = el("div", { class: "kx-kernel", role: "group", "aria-label": "3 by 3 kernel weights", "data-control": "kernel" }, cells.map((c) => c.input));
    function paintKernel(except) {
      for (const c of cells) {
        const v = s.kernel[c.i][c.j];
        if (c.input !== except) c.input.value = Number.isInteger(v) ? String(v) : String(Number(v.toFixed(3)));
        c.input.className = v < 0 ? "neg" : v > 0 ? "pos" : "";
      }
      const name = presetName();
      for (const b of presetButtons) b.setAttribute("aria-pressed", b.dataset.name === name ? "true" : "false");
      kernelGrid.hidden = s.gauss;
      gaussInfo.hidden = !s.gauss;
      if (sigmaControl.node) sigmaControl.node.hidden = !s.gauss;
      if (s.gauss) {
        about.replaceChildren(el("strong", {}, "Gaussian blur of width σ: "), "every neighbour weighted by exp(−d² / 2σ²), ",
          "the weights summing to 1. Wider σ, wider kernel, stronger blur — the blur of the notebook is σ = 2.");
        return;
      }
      about.replaceChildren(name ? el("strong", {}, `${presetByName[name].label}: `) : el("strong", {}, "Your own kernel: "),
        name ? presetByName[name].about : "any 9 numbers. Weights summing to 1 keep the brightness; summing to 0 keep only changes (edges).");
    }
    const displayChoice = ctx.choice({ name: "display", label: "Show values outside 0…255",
      onChange: (v) => { s.display = v; save(); refresh(); } });

    // ------------------------------------------------------------ images
    const origImg = el("img", { alt: "original image", "data-testid": "original" });
    const filtImg = el("img", { alt: "filtered image", "data-testid": "filtered" });
    const origCursor = el("div", { class: "kx-cursor" });
    const filtCursor = el("div", { class: "kx-cursor" });
    const origBox = el("div", { class: "kx-imgbox", tabindex: 0, "data-testid": "original-box",
      "aria-label": "Original image. Hover, or use the arrow keys, to inspect a pixel." }, origImg, origCursor);
    const filtBox = el("div", { class: "kx-imgbox", tabindex: 0, "data-testid": "filtered-box",
      "aria-label": "Filtered image. Hover, or use the arrow keys, to inspect a pixel." }, filtImg, filtCursor);
    const filtCaption = el("span", { "data-testid": "display-caption" });
    const stats = el("span", { class: "muted", "data-testid": "size" });

    // ------------------------------------------------------------ inspector
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

    root.append(
      el("p", { class: "lede" },
        "A kernel is ", el("strong", {}, "9 numbers"), ". Slide it over the image: at every pixel, multiply the 3 × 3 pixels under it ",
        "by the 9 weights and add the products up — that sum is the new pixel. Pick a preset or type your own weights. ",
        "These 9 numbers are exactly what a convolutional layer ", el("em", {}, "learns"), "."),
      el("div", { class: "kx-grid" },
        el("div", { class: "panel controls" },
          el("h2", {}, "Image"),
          sampleGroup, uploadLabel, imageInfo,
          el("h2", { style: "margin-top: 14px" }, "Kernel"),
          ctx.hidden("preset") ? null : el("div", { class: "kx-presets", "data-control": "preset" }, presetButtons),
          kernelGrid, sigmaControl.node, gaussInfo,
          kernelSum, clampNote,
          about,
          displayChoice.node),
        el("div", { class: "stack kx-stack" },
          el("div", { class: "panel kx-images", "data-testid": "images" },
            el("div", { class: "kx-pair" },
              el("figure", { class: "kx-fig" }, el("figcaption", {}, el("span", {}, "Original"), stats), origBox),
              el("figure", { class: "kx-fig" }, el("figcaption", {}, el("span", {}, "Filtered"), el("span", { class: "muted" }, "by the kernel")), filtBox,
                el("p", { class: "caption" }, filtCaption)))),
          el("div", { class: "panel" },
            el("h2", {}, "One pixel, step by step"),
            where,
            el("div", { class: "kx-inspect" },
              el("div", { class: "kx-zooms" },
                el("div", {}, zoomIn, el("div", { class: "kx-matcap" }, "original")),
                el("div", {}, zoomOut, el("div", { class: "kx-matcap" }, "filtered"))),
              inspectRow,
              el("span", { class: "kx-op" }, "→ Σ ="),
              el("div", {}, result, resultNote))),
          el("div", { class: "panel" },
            el("h2", {}, "The 9 numbers are what a CNN learns"),
            el("p", { class: "note" },
              "This filter is computed by the engine's own convolution layer with its weight set to your kernel: ",
              "nothing else. A CNN's first layer is a stack of such kernels (say 32 of them); it starts from random numbers ",
              "and gradient descent adjusts them until the feature maps help the diagnosis. It often ends up with blur-, ",
              "edge- and Sobel-like kernels — learned, not designed."),
            el("p", { class: "note", "data-testid": "cross-correlation" },
              "The kernel is laid on the image as written, the top-left weight on the top-left pixel: a ",
              el("strong", {}, "cross-correlation"), ", which is what every CNN library computes and calls convolution. ",
              "Textbook convolution first flips the kernel by 180°: blurs and the Laplacian do not change, Sobel kernels change ",
              "sign, and the emboss is lit from the other side."),
            el("div", { class: "kx-code", "data-testid": "code" })))),
    );

    const code = root.querySelector("[data-testid=code]");
    function paintCode() {
      if (s.gauss && current && current.sigma !== null) {
        const n = current.kernel_size;
        code.textContent = `conv = nn.Conv2d(1, 1, kernel_size=${n}, bias=False)   # ${fmt(n * n)} weights\n`
          + `conv.weight.data[0, 0] = gaussian_kernel(sigma=${fmt(current.sigma)})   # sums to 1\n`
          + `filtered = conv(pad(image, ${(n - 1) / 2}, "nearest")[None, None])[0, 0]`;
        return;
      }
      const rows = s.kernel.map((r) => `[${r.map((v) => fmt(v, Number.isInteger(v) ? 0 : 3).replace("−", "-")).join(", ")}]`).join(",\n                        ");
      code.textContent = `conv = nn.Conv2d(1, 1, kernel_size=3, bias=False)   # 9 weights\n`
        + `conv.weight.data[0, 0] = [${rows}]\n`
        + `filtered = conv(pad(image, 1, "reflect")[None, None])[0, 0]   # the border mirrored`;
    }

    // ------------------------------------------------------------ drawing
    function showCursor(box, cur, r) {
      if (!cursor || !r) { cur.style.display = "none"; return; }
      const w = box.clientWidth, h = box.clientHeight;
      cur.style.display = "block";
      cur.style.left = `${((cursor.col - 1) / r.width) * w}px`;
      cur.style.top = `${((cursor.row - 1) / r.height) * h}px`;
      cur.style.width = `${Math.max(6, (3 / r.width) * w)}px`;
      cur.style.height = `${Math.max(6, (3 / r.height) * h)}px`;
    }

    function drawZoom(canvas, img, r) {
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
      where.replaceChildren("Pixel ", el("strong", {}, `row ${px.row + 1}, column ${px.col + 1}`), small
        ? [": its 3 × 3 neighbourhood times the kernel, summed: ",
          el("strong", { class: "num" }, px.products.flat().map((v) => fmt(v, Number.isInteger(v) ? 0 : 1)).join(" + ").replace(/\+ −/g, "− "))]
        : `: its ${n} × ${n} neighbourhood times the Gaussian's ${fmt(n * n)} weights, summed`,
        ` = ${fmt(px.sum, Number.isInteger(px.sum) ? 0 : 1)}.${border}`);
      drawZoom(zoomIn, origImg, current);
      drawZoom(zoomOut, filtImg, current);
    }

    function draw(r) {
      current = r;
      if (r.original_png) { origImg.src = r.original_png; originalFor = r.image; }
      filtImg.src = r.filtered_png;
      stats.textContent = `${r.width} × ${r.height} px`;
      kernelSum.textContent = `sum of the weights: ${fmt(r.kernel_sum, 3)}`;
      gaussInfo.textContent = r.sigma === null ? "" : `σ = ${fmt(r.sigma)} px: a ${r.kernel_size} × ${r.kernel_size} kernel, ${fmt(r.parameters)} weights.`;
      const zeroSum = Math.abs(r.kernel_sum) < 1e-9;
      const scale = `mid-grey = 0, black = ${fmt(r.display.black, 0)}, white = +${fmt(r.display.white, 0)}`;
      filtCaption.textContent = (r.display.mode === "clip"
        ? "Sums below 0 are shown black, above 255 white (what an 8-bit image can store)."
        : zeroSum ? `The weights sum to 0, so sums are signed: ${scale}.`
          : `Shown signed (the weights sum to ${fmt(r.kernel_sum)}): ${scale}.`)
        + ` ${r.padding.about}`;
      filtBox.setAttribute("data-mode", r.display.mode);
      paintCode();
      if (!cursor) cursor = { row: Math.floor(r.height / 2), col: Math.floor(r.width / 2) };  // start the inspector at the centre
      showCursor(origBox, origCursor, r);
      showCursor(filtBox, filtCursor, r);
      if (cursor) inspect();
    }

    const refresh = ctx.live(() => ctx.api("kernels/apply", {
      image: s.image, kernel: s.kernel, display: s.display, include_original: originalFor !== s.image,
      sigma: s.gauss ? s.sigma : null,
    }), draw, (e) => {
      if (e.status === 404 && s.image.startsWith("upload:")) { s.image = "sample:retina"; paintSamples(); save(); refresh(); }
      ctx.notify(e.message);
    });
    const inspect = ctx.live(() => ctx.api("kernels/pixel", {
      image: s.image, kernel: s.kernel, display: s.display, row: cursor.row, col: cursor.col,
      sigma: s.gauss ? s.sigma : null,
    }), (px) => { if (alive) drawPixel(px); });

    function pointAt(box, ev) {
      if (!current) return;
      const rect = box.getBoundingClientRect();
      const col = Math.floor(((ev.clientX - rect.left) / rect.width) * current.width);
      const row = Math.floor(((ev.clientY - rect.top) / rect.height) * current.height);
      if (row < 0 || col < 0 || row >= current.height || col >= current.width) return;
      if (cursor && cursor.row === row && cursor.col === col) return;
      cursor = { row, col };
      showCursor(origBox, origCursor, current);
      showCursor(filtBox, filtCursor, current);
      inspect();
    }
    for (const box of [origBox, filtBox]) {
      box.addEventListener("mousemove", (ev) => pointAt(box, ev));
      box.addEventListener("keydown", (ev) => {
        const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[ev.key];
        if (!d || !current) return;
        ev.preventDefault(); ev.stopPropagation();
        const step = ev.shiftKey ? 10 : 1;
        const base = cursor || { row: Math.floor(current.height / 2), col: Math.floor(current.width / 2) };
        cursor = { row: Math.max(0, Math.min(current.height - 1, base.row + d[0] * step)),
                   col: Math.max(0, Math.min(current.width - 1, base.col + d[1] * step)) };
        showCursor(origBox, origCursor, current);
        showCursor(filtBox, filtCursor, current);
        inspect();
      });
      box.addEventListener("focus", () => {
        if (!cursor && current) { cursor = { row: Math.floor(current.height / 2), col: Math.floor(current.width / 2) }; showCursor(origBox, origCursor, current); showCursor(filtBox, filtCursor, current); inspect(); }
      });
    }
    // the square is placed from the drawn image's size, which is known once it has loaded
    filtImg.addEventListener("load", () => { stickUnder(); });  // the panel's height is known once the image is drawn
    filtImg.addEventListener("load", () => { if (cursor && current) { showCursor(filtBox, filtCursor, current); drawZoom(zoomOut, filtImg, current); } });
    origImg.addEventListener("load", () => { if (cursor && current) { showCursor(origBox, origCursor, current); drawZoom(zoomIn, origImg, current); } });
    // on a phone the images stick right under the site's header (style.css makes it sticky too)
    // …and a control reached by Tab scrolls into view below them, not behind them
    const imagesPanel = root.querySelector(".kx-images");
    const stickUnder = () => {
      const top = document.querySelector(".site-header")?.offsetHeight ?? 0;
      root.style.setProperty("--kx-top", `${top}px`);
      const sticky = getComputedStyle(imagesPanel).position === "sticky";
      document.documentElement.style.scrollPaddingTop = sticky ? `${top + imagesPanel.offsetHeight + 8}px` : "";
    };
    stickUnder();
    const onResize = () => { stickUnder(); if (current) { showCursor(origBox, origCursor, current); showCursor(filtBox, filtCursor, current); } };
    window.addEventListener("resize", onResize);

    paintSamples();
    paintKernel();
    await refresh();
    mountCheck(root, ctx, ["kernel_value"]);  // the check at the end of the step (lib/check.js)
    return () => { alive = false; window.removeEventListener("resize", onResize); document.documentElement.style.scrollPaddingTop = ""; };
  },
};
