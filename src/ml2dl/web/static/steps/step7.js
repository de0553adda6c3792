// Step 7 — the kernel explorer.
// The filtered image is computed by the engine's nn.Conv2d on the server (POST /api/kernels/apply,
// ml2dl.lessons.kernels) and arrives as a PNG; the 9 products behind a pixel come from
// POST /api/kernels/pixel. This file lays the page out and keeps the state (image, kernel, display) in the
// URL; step7/ holds the image choice (source.js), the kernel editor (kernel.js), the image pair with its
// one-pixel inspector (inspector.js) and the style (style.js).

import { mountCheck } from "../lib/check.js";
import { GAUSS, kernelEditor, presetNameOf } from "./step7/kernel.js";
import { inspector } from "./step7/inspector.js";
import { imageSource } from "./step7/source.js";
import { CSS } from "./step7/style.js";

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
    const { el, fmt } = ctx;
    const { presets, limit, samples, max_upload_bytes: maxBytes, max_upload_mb: maxMb } = ctx.options;
    const p = ctx.params;
    const rows = (k) => [k.slice(0, 3), k.slice(3, 6), k.slice(6, 9)];
    const s = {
      image: p.image,
      // a link with the σ blur carries no 3 × 3 kernel: the grid keeps the sharpen preset's for when it is left
      kernel: p.kernel ? rows(p.kernel) : presets.find((x) => x.name === (p.preset === GAUSS ? "sharpen" : p.preset ?? "sharpen")).kernel,
      display: p.display,
      gauss: p.preset === GAUSS,   // the σ blur instead of the 3×3 kernel
      sigma: p.sigma,
    };
    let current = null;       // last /apply result
    let originalFor = null;   // which image the original PNG shows
    let alive = true;

    const save = () => {
      const name = presetNameOf(s, presets);
      ctx.setParams({ image: s.image, preset: name, kernel: name ? null : s.kernel.flat(), display: s.display,
        sigma: s.gauss ? s.sigma : null });
    };
    const changed = () => { save(); refresh(); };

    const source = imageSource(ctx, s, { samples, maxBytes, maxMb, onChoose: () => { pixel.reset(); changed(); } });
    const kernel = kernelEditor(ctx, s, { presets, limit, onChange: changed });
    const displayChoice = ctx.choice({ name: "display", label: "Show values outside 0…255",
      onChange: (v) => { s.display = v; changed(); } });
    const pixel = inspector(ctx, { onMove: () => inspect() });

    root.append(
      el("p", { class: "lede" },
        "A kernel is ", el("strong", {}, "9 numbers"), ". Slide it over the image: at every pixel, multiply the 3 × 3 pixels under it ",
        "by the 9 weights and add the products up — that sum is the new pixel. Pick a preset or type your own weights. ",
        "These 9 numbers are exactly what a convolutional layer ", el("em", {}, "learns"), "."),
      el("div", { class: "kx-grid" },
        el("div", { class: "panel controls" },
          el("h2", {}, "Image"),
          ...source.nodes,
          el("h2", { style: "margin-top: 14px" }, "Kernel"),
          ...kernel.nodes,
          displayChoice.node),
        el("div", { class: "stack kx-stack" },
          pixel.imagesPanel,
          pixel.pixelPanel,
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

    function draw(r) {
      current = r;
      if (r.original_png) originalFor = r.image;
      const inspecting = pixel.show(r);
      kernel.show(r);
      const zeroSum = Math.abs(r.kernel_sum) < 1e-9;
      const scale = `mid-grey = 0, black = ${fmt(r.display.black, 0)}, white = +${fmt(r.display.white, 0)}`;
      pixel.caption.textContent = (r.display.mode === "clip"
        ? "Sums below 0 are shown black, above 255 white (what an 8-bit image can store)."
        : zeroSum ? `The weights sum to 0, so sums are signed: ${scale}.`
          : `Shown signed (the weights sum to ${fmt(r.kernel_sum)}): ${scale}.`)
        + ` ${r.padding.about}`;
      paintCode();
      if (inspecting) inspect();
    }

    const refresh = ctx.live(() => ctx.api("kernels/apply", {
      image: s.image, kernel: s.kernel, display: s.display, include_original: originalFor !== s.image,
      sigma: s.gauss ? s.sigma : null,
    }), draw, (e) => {
      if (e.status === 404 && s.image.startsWith("upload:")) { s.image = "sample:retina"; source.paint(); changed(); }
      ctx.notify(e.message);
    });
    const inspect = ctx.live(() => ctx.api("kernels/pixel", {
      image: s.image, kernel: s.kernel, display: s.display, row: pixel.cursor.row, col: pixel.cursor.col,
      sigma: s.gauss ? s.sigma : null,
    }), (px) => { if (alive) pixel.drawPixel(px); });

    // on a phone the images stick right under the site's header (style.css makes it sticky too)
    // …and a control reached by Tab scrolls into view below them, not behind them
    const stickUnder = () => {
      const top = document.querySelector(".site-header")?.offsetHeight ?? 0;
      root.style.setProperty("--kx-top", `${top}px`);
      const sticky = getComputedStyle(pixel.imagesPanel).position === "sticky";
      document.documentElement.style.scrollPaddingTop = sticky ? `${top + pixel.imagesPanel.offsetHeight + 8}px` : "";
    };
    pixel.filtImg.addEventListener("load", () => { stickUnder(); });  // the panel's height is known once the image is drawn
    stickUnder();
    const onResize = () => { stickUnder(); pixel.relayout(); };
    window.addEventListener("resize", onResize);

    source.paint();
    kernel.paint();
    await refresh();
    mountCheck(root, ctx, ["kernel_value"]);  // the check at the end of the step (lib/check.js)
    return () => { alive = false; window.removeEventListener("resize", onResize); document.documentElement.style.scrollPaddingTop = ""; };
  },
};
