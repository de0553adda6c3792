// Step 7's image choice: the sample images the server offers (a radio group), the student's own upload
// (PNG, JPEG or DICOM, size-checked here before sending) and the line that names the image and its source.
// It sets the page's state `s.image` ("sample:<name>" or "upload:<id>") and calls onChoose.

import { radioKeys } from "../../lib/controls.js";

const SHORT = { retina: "Fundus", microaneurysms: "Retina detail", ihc: "Histology", ct_small: "CT slice",
  mr_small: "MR slice", cell: "Cell", shepp_logan_phantom: "Head phantom", chest_xray: "Chest X-ray" };

export function imageSource(ctx, s, { samples, maxBytes, maxMb, onChoose }) {
  const { el, fmt } = ctx;
  let uploadName = null;
  const refOf = (smp) => smp.image ?? `sample:${smp.name}`;  // the server's chest X-ray lives in the upload store
  const sampleButtons = samples.map((smp) => el("button", {
    type: "button", role: "radio", class: "kx-sample", "data-testid": `sample-${smp.name}`, "data-value": refOf(smp),
    title: `${smp.title} — ${smp.attribution}`, onclick: () => choose(refOf(smp)),
  }, SHORT[smp.name] || smp.title, el("span", { class: "mod" }, smp.modality.split(" (")[0])));
  const sampleGroup = ctx.hidden("image") ? null : el("div", { class: "kx-samples", role: "radiogroup", "aria-label": "Image",
    "data-control": "image" }, sampleButtons);
  const fileInput = el("input", { type: "file", accept: ".png,.jpg,.jpeg,.dcm,.dicom,image/png,image/jpeg,application/dicom",
    "data-testid": "upload", "aria-label": "Upload your own image (PNG, JPEG or DICOM)" });
  const uploadLabel = ctx.hidden("upload") ? null : el("label", { class: "btn btn-small kx-upload", "data-control": "upload" }, fileInput, "⤒ Your own image…");
  const imageInfo = el("p", { class: "caption", "data-testid": "image-info" });

  function paint() {
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
  function choose(ref) { s.image = ref; paint(); onChoose(); }
  if (sampleGroup) radioKeys(sampleGroup, sampleButtons, () => s.image, choose);

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
      choose(data.image);
    } catch (e) {
      ctx.notify(typeof e.message === "string" ? e.message : "upload failed");
    } finally {
      fileInput.value = "";
    }
  });

  return { nodes: [sampleGroup, uploadLabel, imageInfo], paint };
}
