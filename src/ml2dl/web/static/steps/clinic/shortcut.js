// The cases page's shortcut-learning card (Zech 2018): start the hospital-marker experiment (a job on the
// server: two models through fit, cached by its settings), follow it over server-sent events, cancel it,
// and draw what it measured: AUC at hospital A and at a new hospital for the marked and the control model,
// the sentences, and films of the new hospital with the marked model's Grad-CAM. Numbers from the server.

import { greyColours } from "../../lib/colour.js";
import { paintHeatmap } from "../../lib/heatmap.js";
import { heatColours } from "./shared.js";
import { experiment } from "./experiment.js";

export const SHORTCUT_PARAMS = {
  sc_n: { type: "choice", default: 400, choices: [200, 400, 800] },
  sc_epochs: { type: "choice", default: 4, choices: [2, 4, 6] },
};

/** shortcutCard(ctx) -> {node, destroy}: the card, which looks up a result on record at once. */
export function shortcutCard(ctx) {
  const { el, fmt } = ctx;
  const settings = () => ({ n_train: Number(ctx.params.sc_n), epochs: Number(ctx.params.sc_epochs), seed: 0 });
  const x = experiment(ctx, { id: "shortcut", api: "clinic/cases/shortcut", settings, wait: "about a minute" });
  const { status, result, runBtn, cancelBtn } = x;
  const nChoice = ctx.choice({ name: "sc_n", label: "Training films", onChange: (v) => { ctx.setParams({ sc_n: v }); x.look(); } }).node;
  const eChoice = ctx.choice({ name: "sc_epochs", label: "Epochs", onChange: (v) => { ctx.setParams({ sc_epochs: v }); x.look(); } }).node;
  const node = el("section", { class: "panel cs-card cs-wide", "data-testid": "case-shortcut" },
    el("h2", {}, "Shortcut learning: the hospital marker (Zech 2018)"),
    el("p", { class: "cs-source", "data-testid": "shortcut-source" }),
    el("p", { class: "small" }, "At “hospital A” a bright square in the top-left corner marks most pneumonia films and few normal ones; ",
      "at a “new hospital” it marks half the films, whatever they show. Two models train on the same films, one with ",
      "hospital A's markers, one without."),
    el("div", { class: "row", "data-control": "shortcut" }, nChoice, eChoice, runBtn, cancelBtn),
    status, result);

  function draw(r) {
    node.querySelector("[data-testid=shortcut-source]").textContent = r.source;
    const row = (label, m, id) => el("tr", {}, el("th", { scope: "row" }, label),
      el("td", { "data-testid": `${id}-internal` }, fmt(m.auc_internal, 3)), el("td", { "data-testid": `${id}-new` }, fmt(m.auc_new, 3)));
    const heat = heatColours(), grey = greyColours({ signed: false, max: 255 });
    const films = r.examples.map((x) => {
      const img = el("canvas", { "aria-hidden": "true" });
      paintHeatmap(img, x.image, grey);
      const h = el("canvas", { class: "heat", width: 112, height: 112, "aria-hidden": "true" });
      paintHeatmap(h, x.heatmap, heat, { fit: "canvas", smooth: true });
      const truth = x.label ? "pneumonia" : "normal";
      return el("figure", { class: "cm-case" }, el("div", { class: "cm-pic", role: "img",
        "aria-label": `a marked ${truth} film of the new hospital, P = ${fmt(x.probability, 3)}` }, img, h),
      el("figcaption", {}, el("span", { class: truth }, truth), el("span", {}, `P = ${fmt(x.probability, 3)}`)));
    });
    result.replaceChildren(
      el("table", { class: "data cs-nowrap" }, el("caption", { class: "small" }, "AUC on the same 300 test films"),
        el("thead", {}, el("tr", {}, el("th", {}, "model"), el("th", {}, "hospital A"), el("th", {}, "new hospital"))),
        el("tbody", {}, row("trained with markers", r.marked, "marked"), row("control (no markers)", r.control, "control"))),
      el("div", { class: "clinic-words", "data-testid": "shortcut-words" }, r.words.map((w) => el("p", {}, w))),
      el("p", { class: "small muted" }, "Marked films of the new hospital with the marked model's Grad-CAM of “pneumonia”:"),
      el("div", { class: "cm-gallery" }, films));
  }

  x.bind(node, draw);
  return { node, destroy: x.destroy };
}
