// Step 7's kernel editor: the preset buttons, the 3 × 3 weights the student types (clamped to the server's
// limit, saying so), the Gaussian blur of a chosen σ and the sentence about the chosen kernel. It edits the
// page's state `s` ({kernel: 3 × 3 numbers, gauss: bool, sigma}) and calls onChange after every edit.

export const GAUSS = "gaussian_sigma";  // the Gaussian blur of a chosen σ: a (2r + 1)² kernel, not 9 numbers

function sameKernel(a, b) {
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (Math.abs(a[i][j] - b[i][j]) > 1e-6) return false;
  return true;
}

/** The preset the state shows (GAUSS for the σ blur), or null for the student's own 9 numbers. */
export const presetNameOf = (s, presets) => (s.gauss ? GAUSS : presets.find((p) => sameKernel(p.kernel, s.kernel))?.name ?? null);

export function kernelEditor(ctx, s, { presets, limit, onChange }) {
  const { el, fmt } = ctx;
  const presetByName = Object.fromEntries(presets.map((p) => [p.name, p]));
  const presetButtons = presets.map((p) => el("button", {
    type: "button", class: "kx-preset", "data-testid": `preset-${p.name}`, "data-name": p.name, title: p.about,
    "aria-pressed": "false", onclick: () => { s.gauss = false; s.kernel = p.kernel.map((r) => [...r]); paint(); onChange(); },
  }, p.label));
  presetButtons.push(el("button", {
    type: "button", class: "kx-preset", "data-testid": `preset-${GAUSS}`, "data-name": GAUSS, "aria-pressed": "false",
    title: "A Gaussian blur of any width σ: a larger kernel than 3 × 3", onclick: () => { s.gauss = true; paint(); onChange(); },
  }, "Blur σ"));
  const sigmaControl = ctx.control({ name: "sigma", label: "σ of the Gaussian (pixels)",
    onInput: (v) => { s.sigma = v; onChange(); } });
  const gaussInfo = el("p", { class: "kx-sum", "data-testid": "gauss-info" });
  const kernelSum = el("p", { class: "kx-sum", "data-testid": "kernel-sum" });
  const clampNote = el("p", { class: "hint clamp-note", role: "status", "data-testid": "kernel-clamped", hidden: true });
  const about = el("p", { class: "note", "data-testid": "kernel-about" });
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
      paint(input); onChange();
    });
    input.addEventListener("change", () => paint());
    cells.push({ input, i, j });
  }
  const grid = el("div", { class: "kx-kernel", role: "group", "aria-label": "3 by 3 kernel weights", "data-control": "kernel" }, cells.map((c) => c.input));

  // the boxes, the pressed preset and the sentence, from the state (`except`: the box being typed in keeps its text)
  function paint(except) {
    for (const c of cells) {
      const v = s.kernel[c.i][c.j];
      if (c.input !== except) c.input.value = Number.isInteger(v) ? String(v) : String(Number(v.toFixed(3)));
      c.input.className = v < 0 ? "neg" : v > 0 ? "pos" : "";
    }
    const name = presetNameOf(s, presets);
    for (const b of presetButtons) b.setAttribute("aria-pressed", b.dataset.name === name ? "true" : "false");
    grid.hidden = s.gauss;
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

  // what the server answered about the kernel: the sum of its weights, the σ blur's size
  function show(r) {
    kernelSum.textContent = `sum of the weights: ${fmt(r.kernel_sum, 3)}`;
    gaussInfo.textContent = r.sigma === null ? "" : `σ = ${fmt(r.sigma)} px: a ${r.kernel_size} × ${r.kernel_size} kernel, ${fmt(r.parameters)} weights.`;
  }

  const presetsNode = ctx.hidden("preset") ? null : el("div", { class: "kx-presets", "data-control": "preset" }, presetButtons);
  return { nodes: [presetsNode, grid, sigmaControl.node, gaussInfo, kernelSum, clampNote, about], paint, show };
}
