// The six steps of the training loop as boxes that light up from a real run's progress events.
// Lighting follows what the server reported: "train" (a batch went through sample → predict → loss →
// update), a new history row (the epoch was evaluated on validation) and a saved row (the best was kept).
// Numbers in the boxes are the server's; this file only places them.

export const DIAGRAM_CSS = `
.lp-loop { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 8px; counter-reset: lp; }
@media (max-width: 1100px) { .lp-loop { grid-template-columns: repeat(3, minmax(0, 1fr)); } }
.lp-box { position: relative; border: 2px solid var(--line); border-radius: 10px; padding: 8px 10px; background: var(--panel); min-height: 92px;
  transition: background .25s, border-color .25s, box-shadow .25s; }
.lp-box .lp-n { font-size: .72rem; font-weight: 700; color: var(--muted); letter-spacing: .04em; text-transform: uppercase; }
.lp-box .lp-t { font-weight: 700; font-size: .95rem; margin: 1px 0 4px; }
.lp-box .lp-v { font-size: .82rem; color: var(--ink-2); font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.lp-box[data-lit="true"] { border-color: var(--blue); background: var(--blue-soft); box-shadow: 0 0 0 3px color-mix(in srgb, var(--blue) 18%, transparent); }
.lp-box.lp-epoch[data-lit="true"] { border-color: var(--purple); background: var(--purple-soft); box-shadow: 0 0 0 3px color-mix(in srgb, var(--purple) 18%, transparent); }
.lp-box[data-lit="true"]::after { content: ""; position: absolute; top: 8px; right: 8px; width: 8px; height: 8px; border-radius: 50%; background: currentColor;
  color: var(--blue); animation: lp-pulse 0.9s ease-in-out infinite; animation-delay: calc(var(--i) * 0.15s); }
.lp-box.lp-epoch[data-lit="true"]::after { color: var(--purple); }
@keyframes lp-pulse { 0%, 100% { opacity: .25; } 50% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .lp-box[data-lit="true"]::after { animation: none; } }
.lp-brackets { display: grid; grid-template-columns: 4fr 2fr; gap: 8px; margin-top: 6px; font-size: .8rem; color: var(--ink-2); }
.lp-brackets > div { border-top: 2px solid var(--blue-line); padding-top: 3px; }
.lp-brackets > div + div { border-top-color: var(--purple); }
.lp-box .lp-when { display: none; }
@media (max-width: 1100px) { .lp-brackets { display: none; } .lp-box .lp-when { display: inline; } }
`;

const BOXES = [
  { id: "sample", title: "Sample", epoch: false },
  { id: "predict", title: "Predict", epoch: false },
  { id: "loss", title: "Loss", epoch: false },
  { id: "update", title: "Update", epoch: false },
  { id: "evaluate", title: "Evaluate on validation", epoch: true },
  { id: "keep", title: "Keep the best", epoch: true },
];

/** makeDiagram(el) -> {node, set(texts), light(ids)}: texts maps a box id to its line of numbers. */
export function makeDiagram(el) {
  const values = {};
  const boxes = {};
  const items = BOXES.map((b, i) => {
    values[b.id] = el("div", { class: "lp-v", "data-testid": `loop-${b.id}-value` }, "—");
    boxes[b.id] = el("li", { class: `lp-box${b.epoch ? " lp-epoch" : ""}`, style: `--i: ${i % 4}`, "data-testid": `loop-${b.id}`,
      "data-lit": "false" }, el("div", { class: "lp-n" }, `${i + 1}`, el("span", { class: "lp-when" }, b.epoch ? " · every epoch" : " · every batch")), el("div", { class: "lp-t" }, b.title), values[b.id]);
    return boxes[b.id];
  });
  const inner = el("div", { "data-testid": "loop-inner" }, "for every mini-batch");
  const outer = el("div", {}, "once per epoch");
  const node = el("div", { class: "lp-diagram", role: "group", "aria-label": "The training loop" },
    el("ol", { class: "lp-loop" }, items), el("div", { class: "lp-brackets" }, inner, outer));
  return {
    node,
    set(texts) {
      for (const [id, text] of Object.entries(texts)) if (values[id]) values[id].textContent = text;
    },
    inner(text) { inner.textContent = text; },
    light(ids) {
      for (const b of BOXES) boxes[b.id].dataset.lit = ids.includes(b.id) ? "true" : "false";
    },
  };
}

export const TRAIN_STEPS = ["sample", "predict", "loss", "update"];
