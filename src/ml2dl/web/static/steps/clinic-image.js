// clinic-image — the student's own image (PNG, JPEG or DICOM) read by the chosen run: a window control
// with presets for DICOM, the few header fields a student needs (nothing that identifies the patient),
// the model's probability, the label at an operating point chosen on validation, and the Grad-CAM.
// POST /api/clinic/image/{upload,example,read,forget} compute everything; this file only draws.
// The URL holds the upload's key (?image=, 24 hex digits of a hash of its pixel values: nothing of the
// patient), so a reload shows the same image again (POST /api/clinic/image/kept) for as long as the server
// keeps it; once it is gone (an hour, or replaced, or the student went to another step) the page says so.

import { greyColours } from "../lib/colour.js";
import { paintHeatmap } from "../lib/heatmap.js";
import { CLINIC_CSS, SHARED_PARAMS, currentRun, heatColours, noRuns, pageLink, runPicker } from "./clinic/shared.js";

const CSS = `
.ci-pic { position: relative; width: 100%; max-width: 420px; aspect-ratio: var(--ci-aspect, 1); }
.ci-pic canvas { position: absolute; inset: 0; width: 100%; height: 100%; border-radius: 8px; }
.ci-pic canvas.heat { mix-blend-mode: multiply; }
.ci-seen { display: flex; gap: 10px; align-items: center; }
.ci-seen canvas { width: 84px; height: 84px; image-rendering: pixelated; border-radius: 6px; border: 1px solid var(--line); }
.ci-win { display: grid; gap: 4px; }
.ci-win input[type=range] { width: 100%; }
.ci-win output { font-variant-numeric: tabular-nums; font-weight: 700; }
.ci-head dt { font-size: .78rem; color: var(--muted); }
.ci-head dd { margin: 0 0 6px; font-weight: 600; }
.ci-upload { display: inline-flex; align-items: center; cursor: pointer; }
.ci-upload input { position: absolute; width: 1px; height: 1px; opacity: 0; }
.ci-upload:focus-within { outline: 3px solid var(--slate); outline-offset: 2px; }
.ci-label.pneumonia { color: var(--orange-ink); }
.ci-label.normal { color: var(--blue); }
.ci-result .readouts { scroll-margin-top: 100px; }
@media (max-width: 899px) { .ci-result { order: -1; } }
`;
const POINTS = [{ value: "screening", label: "screening" }, { value: "high_specificity", label: "high specificity" },
  { value: "balanced", label: "balanced" }];

export default {
  params: {
    ...SHARED_PARAMS,
    point: { type: "choice", default: "screening", choices: POINTS },
    centre: { type: "string", default: "" },  // the first image's window, in its units; empty: the file's own
    width: { type: "string", default: "" },
    image: { type: "string", default: "" },  // the key of the kept upload (never a file name)
    overlay: { type: "choice", default: "on", choices: [{ value: "on", label: "heatmap on" }, { value: "off", label: "image only" }] },
  },

  async mount(root, ctx) {
    ctx.injectStyle("clinic-style", CLINIC_CSS);
    ctx.injectStyle("clinic-image-style", CSS);
    const { el, fmt } = ctx;
    const { runs } = await ctx.api("clinic/runs");
    const name = currentRun(ctx, runs);
    if (!name) { root.append(noRuns(ctx)); return undefined; }
    let scan = null;  // the upload's answer: key, header, window, range, presets
    let last = null;

    const fileInput = el("input", { type: "file", accept: ".png,.jpg,.jpeg,.dcm,.dicom,image/png,image/jpeg,application/dicom",
      "data-testid": "upload", "aria-label": "Upload a PNG, JPEG or DICOM image" });
    const uploadBtn = ctx.hidden("upload") ? null
      : el("label", { class: "btn btn-small btn-primary ci-upload", "data-control": "upload" }, fileInput, "⤒ Your image (PNG, JPEG, DICOM)…");
    const exampleBtn = ctx.hidden("example") ? null
      : el("button", { type: "button", class: "btn btn-small", "data-control": "example", "data-testid": "example",
        onclick: () => adopt(ctx.api("clinic/image/example", { name: "ct_small" })) }, "Example: a CT slice (DICOM)");
    const header = el("dl", { class: "ci-head", "data-testid": "header" });
    const centreIn = el("input", { type: "range", id: "ci-centre", "data-testid": "centre-slider" });
    const widthIn = el("input", { type: "range", id: "ci-width", "data-testid": "width-slider" });
    const centreOut = el("output", { for: "ci-centre", "data-testid": "centre" });
    const widthOut = el("output", { for: "ci-width", "data-testid": "width" });
    const windowBox = ctx.hidden("window") ? null : el("div", { class: "ci-win", "data-control": "window" },
      el("label", { for: "ci-centre" }, "Window centre c ", centreOut), centreIn,
      el("label", { for: "ci-width" }, "Window width w ", widthOut), widthIn,
      el("p", { class: "small muted" }, "Values from c − w/2 (black) to c + w/2 (white); outside, black or white."));
    const presetRow = el("div", { class: "btn-row", "data-control": "presets" });
    const unitNote = el("p", { class: "small muted", "data-testid": "unit-note" });
    const pointChoice = ctx.choice({ name: "point", label: "Operating point (chosen on validation)", onChange: (v) => { ctx.setParams({ point: v }); refresh(); } }).node;
    const overlayChoice = ctx.choice({ name: "overlay", label: "Show", onChange: (v) => { ctx.setParams({ overlay: v }); if (last) drawPicture(last); } }).node;
    const pic = el("div", { class: "ci-pic", role: "img", "data-testid": "picture" });
    const seen = el("canvas", { "aria-hidden": "true", "data-testid": "model-input" });
    const readouts = el("div", { class: "readouts" });
    const words = el("div", { class: "clinic-words", "data-testid": "words" });
    const empty = el("p", { class: "callout", "data-testid": "empty" },
      "Upload a chest X-ray (PNG or JPEG) or a DICOM file, or open the example CT slice. Patient-identifying ",
      "fields of a DICOM are removed as it is read; only its pixel values and the fields shown here are kept, for an hour at most.");
    const expiredNote = el("p", { class: "callout", role: "status", "data-testid": "expired", hidden: true });
    const resultBox = el("div", { class: "stack ci-result" });

    root.append(
      el("p", { class: "lede" }, "Give the run an image of your own. A DICOM stores numbers, not greys: the window decides which ",
        "numbers become black and white, and the model sees the image as windowed."),
      el("div", { class: "clinic-top" }, runPicker(ctx, runs, name, () => location.reload()), uploadBtn, exampleBtn,
        el("a", { href: pageLink("clinic-roc", { run: name }) }, "The run's ROC and operating points →")),
      expiredNote,  // beside the upload button: on a phone too, in view where the student uploads again
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls stack" }, el("h2", {}, "The image"), header, windowBox, presetRow, unitNote,
          pointChoice, overlayChoice),
        el("div", { class: "stack" }, empty, resultBox)));

    const read = () => ctx.api("clinic/image/read", { image: scan.image, run: name, point: ctx.params.point,
      centre: Number(centreIn.value), width: Number(widthIn.value) });
    const refresh = ctx.live(read, draw, (e) => gone(e));

    function gone(e) {
      if (e.status === 404) expired(e.message);
      else ctx.notify(e.message);
    }

    // the server no longer has the image (kept an hour at most): say so where the answer was
    function expired(message) {
      scan = null;
      last = null;
      ctx.setParams({ image: null });
      showEmpty();
      expiredNote.textContent = `The image this page showed is gone from the server: ${message}.`;
      expiredNote.hidden = false;
    }

    function showEmpty() {
      empty.hidden = false;
      delete root.dataset.probability;
      resultBox.replaceChildren();
      header.replaceChildren();
      presetRow.replaceChildren();
      if (windowBox) windowBox.hidden = true;
      for (const part of [header, presetRow, unitNote]) part.hidden = true;  // no blank space before an image
    }

    async function forget(key) {
      if (key) try { await fetch("/api/clinic/image/forget", { method: "POST", keepalive: true,
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ image: key }) }); } catch { /* gone anyway after an hour */ }
    }

    async function adopt(promise) {
      let s;
      try { s = await promise; } catch (e) { gone(e); return; }
      const old = scan && scan.image;
      scan = s;
      expiredNote.hidden = true;
      ctx.setParams({ image: s.image });
      if (old && old !== s.image) forget(old);
      setupWindow(!old);  // a link's window (?centre=&width=) applies to the first image
      try { draw(await read()); } catch (e) { gone(e); return; }
      const box = readouts.getBoundingClientRect();  // the answer in view (on a phone it is below the buttons)
      if (box.top < 0 || box.bottom > window.innerHeight) readouts.scrollIntoView({ block: "start" });
    }

    function setupWindow(keepWindow) {
      const hu = scan.header.unit === "HU";
      const presets = hu ? scan.presets : [];
      const lows = [scan.low, ...presets.map((p) => p.centre)], highs = [scan.high, ...presets.map((p) => p.centre)];
      const lo = Math.min(...lows), hi = Math.max(...highs);
      const span = Math.max(hi - lo, 1);
      step = 10 ** Math.floor(Math.log10(span / 500));  // a round step: ~500 positions, numbers read cleanly
      digits = Math.max(0, -Math.floor(Math.log10(step)));
      Object.assign(centreIn, { min: lo, max: hi, step });
      Object.assign(widthIn, { min: step, max: Math.max(2 * span, ...presets.map((p) => p.width)), step });
      const c = Number(ctx.params.centre), w = Number(ctx.params.width);
      const useUrl = keepWindow && ctx.params.centre !== "" && Number.isFinite(c) && Number.isFinite(w) && w > 0;
      setWindow(useUrl ? c : scan.centre, useUrl ? w : scan.width, false);
      const button = (label, c2, w2, id) => el("button", { type: "button", class: "btn btn-small", "data-testid": `preset-${id}`,
        onclick: () => setWindow(c2, w2) }, label);
      presetRow.replaceChildren(
        button(scan.kind === "dicom" ? "the file's window" : "full range", scan.centre, scan.width, "file"),
        ...presets.map((p) => button(`${p.name} (${fmt(p.centre)} / ${fmt(p.width)})`, p.centre, p.width, p.name.replace(" ", "-"))));
      unitNote.textContent = hu ? "The presets are windows in Hounsfield units (c / w): air −1000, water 0, bone several hundred."
        : scan.kind === "dicom" ? `This ${scan.header.modality} file's values are not Hounsfield units (${scan.header.unit}): CT presets would mean nothing, so only its own window is offered.`
          : "A PNG or JPEG already holds greys 0–255: the full range shows it as it is.";
      if (windowBox) windowBox.hidden = false;
      for (const part of [header, presetRow, unitNote]) part.hidden = false;
      header.replaceChildren(
        el("dt", {}, "Modality"), el("dd", { "data-testid": "modality" }, scan.header.modality),
        el("dt", {}, "Rows × columns"), el("dd", { "data-testid": "size" }, `${fmt(scan.header.rows)} × ${fmt(scan.header.columns)}`),
        el("dt", {}, "Pixel spacing"), el("dd", { "data-testid": "spacing" }, scan.header.pixel_spacing_mm
          ? `${fmt(scan.header.pixel_spacing_mm[0], 3)} × ${fmt(scan.header.pixel_spacing_mm[1], 3)} mm` : "not given"),
        el("dt", {}, "Values"), el("dd", {}, `${fmt(scan.low)} to ${fmt(scan.high)} ${scan.header.unit === "HU" ? "HU" : ""}`));
      empty.hidden = true;
    }

    function setWindow(c, w, ask = true) {
      centreIn.value = c; widthIn.value = w;
      showWindow(c, w);
      if (ask) { ctx.setParams({ centre: String(c), width: String(w) }); refresh(); }
    }
    let step = 1, digits = 0;
    function showWindow(c, w) { centreOut.textContent = fmt(c, digits); widthOut.textContent = fmt(w, digits); }
    for (const input of [centreIn, widthIn]) {
      input.addEventListener("input", () => { showWindow(Number(centreIn.value), Number(widthIn.value)); refresh(); });
      input.addEventListener("change", () => ctx.setParams({ centre: centreIn.value, width: widthIn.value }));
    }

    fileInput.addEventListener("change", () => {
      const file = fileInput.files[0];
      if (!file) return;
      const form = new FormData();
      form.append("file", file, "upload");  // the file's own name may be a patient's: never sent
      adopt(fetch("/api/clinic/image/upload", { method: "POST", body: form }).then(async (response) => {
        const data = await response.json().catch(() => null);
        if (!response.ok) throw new Error((data && data.message) || `upload failed (${response.status})`);
        return data;
      }).finally(() => { fileInput.value = ""; }));
    });

    function draw(r) {
      last = r;
      const pct = fmt(100 * r.probability, 1);
      readouts.replaceChildren(
        el("div", { class: `readout ${r.label === "pneumonia" ? "orange" : "blue"}` }, el("div", { class: "k" }, "P(pneumonia)"),
          el("div", { class: "v", "data-testid": "probability" }, fmt(r.probability, 3)), el("div", { class: "s" }, `${pct}% by this run`)),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Called"),
          el("div", { class: `v ci-label ${r.label}`, "data-testid": "label" }, r.label),
          el("div", { class: "s", "data-testid": "threshold" }, r.point ? `${r.point.replace("_", " ")}: P ${r.label === "pneumonia" ? "≥" : "<"} ${fmt(r.threshold, 3)}` : r.rule)));
      words.replaceChildren(...r.words.map((w) => el("p", {}, w)));
      const h = r.model_input.length, w = r.model_input[0].length;
      paintHeatmap(seen, r.model_input, greyColours({ signed: false, max: 255 }));
      resultBox.replaceChildren(
        el("div", { class: "panel stack" }, readouts, pic,
          el("div", { class: "ci-seen" }, seen, el("span", { class: "small" }, `What the model saw: ${h} × ${w} pixels. `, r.heatmap_words, "."))),
        el("div", { class: "panel" }, words));
      drawPicture(r);
      root.dataset.probability = String(r.probability);
    }

    function drawPicture(r) {
      const rows = r.display.length, cols = r.display[0].length;
      pic.style.setProperty("--ci-aspect", `${cols} / ${rows}`);
      pic.setAttribute("aria-label", `your image as windowed; the model called it ${r.label} with probability ${fmt(r.probability, 3)}`);
      const img = el("canvas", { "aria-hidden": "true" });
      paintHeatmap(img, r.display, greyColours({ signed: false, max: 255 }));
      const layers = [img];
      if (ctx.params.overlay === "on" && r.heatmap) {
        const heat = el("canvas", { class: "heat", width: 4 * cols > 600 ? cols : 4 * cols, height: 4 * cols > 600 ? rows : 4 * rows, "aria-hidden": "true" });
        paintHeatmap(heat, r.heatmap, heatColours(), { fit: "canvas", smooth: true });
        layers.push(heat);
      }
      pic.replaceChildren(...layers);
    }

    showEmpty();
    // a reload (or a link with ?image=) finds the upload again while the server keeps it
    if (/^[0-9a-f]{24}$/.test(ctx.params.image)) await adopt(ctx.api("clinic/image/kept", { image: ctx.params.image }));
    else if (ctx.params.image) ctx.setParams({ image: null });  // not a key: nothing to find
    // Leaving for another step forgets the upload; a reload or a closed tab does not (the page cannot
    // tell them apart), and the server removes it after an hour.
    return () => forget(scan && scan.image);
  },
};
