// The cases page's Esteva card (Nature 2017): fine-grained classes whose probabilities are summed into a
// binary answer, against a model trained on the binary label. Start the experiment (a job on the server: two
// models through fit on phantom films with four kinds of abnormality, cached by its settings), follow and
// cancel it with lib/job.js, and draw what it measured: both AUCs with their intervals (a small chart), the
// sentences, the share of each kind called abnormal, the fine-grained confusion. Numbers from the server.

import { greyColours } from "../../lib/colour.js";
import { paintHeatmap } from "../../lib/heatmap.js";
import { experiment } from "./experiment.js";

export const ESTEVA_PARAMS = {
  es_n: { type: "choice", default: 400, choices: [200, 400, 800, 1600] },
  es_epochs: { type: "choice", default: 4, choices: [1, 2, 4, 6] },
};

// The paper's figures, as quoted in the issue (the server's result repeats them with its source).
const PAPER = { images: 129450, diseases: 2032, classes: 757 };

export const ESTEVA_CSS = `
.es-kinds { display: grid; grid-template-columns: repeat(5, minmax(0, 72px)); gap: 6px; }
.es-kinds figure { margin: 0; display: grid; gap: 2px; }
.es-kinds canvas { width: 100%; aspect-ratio: 1; image-rendering: pixelated; border-radius: 4px; }
.es-kinds figcaption { font-size: .72rem; text-align: center; color: var(--ink-2); }
.es-plot { width: 100%; height: 150px; }
.es-result > *, .es-result .row > * { min-width: 0; }  /* grid and flex items may shrink below their content */
.es-table { max-width: 100%; overflow-x: auto; }
.es-result .readout .s { white-space: nowrap; }
.es-table table { width: auto; }
.readout.es-fine .v { color: var(--violet); }
.readout.es-binary .v { color: var(--slate); }
table.es-cm td { text-align: right; font-variant-numeric: tabular-nums; }
table.es-cm td.diag { font-weight: 700; background: color-mix(in srgb, var(--good) 10%, var(--white)); }
`;

/** estevaCard(ctx) -> {node, destroy}: the card, which looks up a result on record at once. */
export function estevaCard(ctx) {
  const { el, fmt } = ctx;
  const settings = () => ({ n_train: Number(ctx.params.es_n), epochs: Number(ctx.params.es_epochs), seed: 0 });
  const x = experiment(ctx, { id: "esteva", api: "clinic/cases/esteva", settings, wait: "about a minute" });
  const { status, result, runBtn, cancelBtn } = x;
  result.classList.add("es-result");
  const nChoice = ctx.choice({ name: "es_n", label: "Training films", onChange: (v) => { ctx.setParams({ es_n: v }); x.look(); } }).node;
  const eChoice = ctx.choice({ name: "es_epochs", label: "Epochs", onChange: (v) => { ctx.setParams({ es_epochs: v }); x.look(); } }).node;
  const figure = (k, v, id) => el("div", { class: "readout" }, el("div", { class: "k" }, k),
    el("div", { class: "v", "data-testid": id }, v.toLocaleString("en-GB")));
  const node = el("section", { class: "panel cs-card cs-wide", "data-testid": "case-esteva" },
    el("h2", {}, "Fine-grained classes, summed (Esteva 2017)"),
    el("p", { class: "cs-source", "data-testid": "esteva-source" }, "Esteva et al., Nature 2017: skin lesions."),
    el("div", { class: "readouts" }, figure("images", PAPER.images, "esteva-images"), figure("diseases", PAPER.diseases, "esteva-diseases"),
      figure("training classes", PAPER.classes, "esteva-classes")),
    el("p", { class: "small" }, "Their network learned the fine-grained classes and answered “malignant?” by adding up the ",
      "probabilities of the malignant ones. Here the abnormal films show one of four kinds: lobar, multifocal, nodule, effusion. ",
      "One model learns the five classes and answers “abnormal?” with P(lobar) + P(multifocal) + P(nodule) + P(effusion) = 1 − P(normal); ",
      "the other learns normal / abnormal directly. Same films, same network, same epochs."),
    el("div", { class: "row", "data-control": "esteva" }, nChoice, eChoice, runBtn, cancelBtn),
    status, result);

  function draw(r) {
    node.querySelector("[data-testid=esteva-source]").textContent = r.source;
    const ci = (m) => `95% CI ${fmt(m.low, 3)}–${fmt(m.high, 3)}`;
    const auc = (label, m, id) => el("div", { class: `readout es-${id}` }, el("div", { class: "k" }, label),
      el("div", { class: "v", "data-testid": `esteva-${id}-auc` }, fmt(m.auc, 3)),
      el("div", { class: "s", "data-testid": `esteva-${id}-ci` }, ci(m)));
    const plotNode = el("div", { class: "es-plot", "data-testid": "esteva-plot" });
    const pctOf = (x) => `${fmt(100 * x, 1)}%`;
    const kindRows = r.kinds.map((k, i) => el("tr", {}, el("th", { scope: "row" }, k),
      el("td", { "data-testid": `esteva-fine-${k}` }, pctOf(r.fine.detected[i])),
      el("td", { "data-testid": `esteva-binary-${k}` }, pctOf(r.binary.detected[i]))));
    const perKind = el("table", { class: "data cs-nowrap" },
      el("caption", { class: "small" }, "called abnormal at P = 0.5 (normal films: called normal)"),
      el("thead", {}, el("tr", {}, el("th", {}, "films"), el("th", {}, "summed"), el("th", {}, "binary"))),
      el("tbody", {}, kindRows, el("tr", {}, el("th", { scope: "row" }, "normal"),
        el("td", {}, pctOf(r.fine.specificity)), el("td", {}, pctOf(r.binary.specificity)))));
    const cm = el("table", { class: "data cs-nowrap es-cm", "data-testid": "esteva-confusion" },
      el("thead", {}, el("tr", {}, el("th", {}, ""), r.class_names.map((c) => el("th", { scope: "col" }, c)))),
      el("tbody", {}, r.confusion.map((row, i) => el("tr", {}, el("th", { scope: "row" }, r.class_names[i]),
        row.map((n, j) => el("td", { class: i === j ? "diag" : "" }, String(n)))))));
    const grey = greyColours({ signed: false, max: 255 });
    const kinds = el("div", { class: "es-kinds", role: "img", "aria-label": "one patient drawn normal and with each kind of abnormality" },
      r.examples.map((x) => {
        const c = el("canvas", { "aria-hidden": "true" });
        paintHeatmap(c, x.image, grey);
        return el("figure", {}, c, el("figcaption", {}, x.kind));
      }));
    result.replaceChildren(
      el("div", { class: "readouts" }, auc("AUC, summed kinds", r.fine, "fine"),
        auc("AUC, binary label", r.binary, "binary")),
      plotNode,
      el("div", { class: "clinic-words", "data-testid": "esteva-words" }, r.words.map((w) => el("p", {}, w))),
      el("div", { class: "row" }, el("div", { class: "es-table" }, perKind), el("div", { class: "es-table" },
        el("p", { class: "small muted" }, `Fine-grained model, ${r.n_test} films: truth in rows, its most probable class in columns`), cm)),
      el("p", { class: "small muted" }, "One patient, normal and with each kind (28 × 28, as the models see them):"),
      kinds);
    const ys = ["binary", "summed"], models = [r.binary, r.fine];
    requestAnimationFrame(() => ctx.plot(plotNode, [{ x: models.map((m) => m.auc), y: ys, type: "scatter", mode: "markers",
      marker: { size: 10, color: [ctx.cssVar("--slate"), ctx.cssVar("--violet")] },
      error_x: { type: "data", symmetric: false, array: models.map((m) => m.high - m.auc),
        arrayminus: models.map((m) => m.auc - m.low), color: ctx.cssVar("--ink-2") },
      hovertemplate: "%{y}: AUC %{x:.3f}<extra></extra>" }],
    { margin: { l: 70, r: 16, t: 8, b: 40 }, xaxis: { title: { text: "AUC (95% CI)" } }, showlegend: false }));
  }

  x.bind(node, draw);
  return { node, destroy: x.destroy };
}
