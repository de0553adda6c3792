// The cases page's pre-training card: pre-train on synthetic films, fine-tune on a few hundred real X-rays,
// against training from scratch on the same few (a cached job on the server, followed over server-sent
// events). The AUCs, their intervals and the sentences come from the server; needs a server with real data.

import { experiment } from "./experiment.js";

export const PRETRAIN_PARAMS = {
  pt_real: { type: "choice", default: 200, choices: [100, 200, 400] },
};

/** pretrainCard(ctx, hasReal) -> {node, destroy}. */
export function pretrainCard(ctx, hasReal) {
  const { el, fmt } = ctx;
  const settings = () => ({ n_real: Number(ctx.params.pt_real), n_synthetic: 1000, epochs: 4, seed: 0 });
  const x = experiment(ctx, { id: "pretrain", api: "clinic/cases/pretrain", settings, wait: "a minute or two" });
  const { status, result, runBtn, cancelBtn } = x;
  const nChoice = ctx.choice({ name: "pt_real", label: "Real X-rays", onChange: (v) => { ctx.setParams({ pt_real: v }); x.look(); } }).node;
  const node = el("section", { class: "panel cs-card", "data-testid": "case-pretrain" },
    el("h2", {}, "Pre-training (Gulshan 2016, Esteva 2017)"),
    el("p", { class: "cs-source", "data-testid": "pretrain-source" }, "Both studies started from a network pre-trained on everyday photographs."),
    el("p", { class: "small" }, "Here: one model learns 1,000 synthetic films first, then a few hundred real X-rays; another learns ",
      "only the same real X-rays. Both are judged on the same real test images."),
    hasReal ? el("div", { class: "row", "data-control": "pretrain" }, nChoice, runBtn, cancelBtn)
      : el("p", { class: "callout", "data-testid": "pretrain-needs-data" }, "This server has only synthetic films: start it with real X-rays ",
        "(ml2dl serve --data pneumoniamnist.npz) to run this experiment."),
    status, result);

  function draw(r) {
    node.querySelector("[data-testid=pretrain-source]").textContent = r.source;
    const row = (label, m, id) => el("tr", {}, el("th", { scope: "row" }, label),
      el("td", { "data-testid": `pretrain-${id}` }, fmt(m.auc, 3)), el("td", {}, `${fmt(m.low, 3)}–${fmt(m.high, 3)}`));
    result.replaceChildren(
      el("table", { class: "data cs-nowrap" }, el("caption", { class: "small" }, `AUC on ${r.n_test} real ${r.split} X-rays (${r.data})`),
        el("thead", {}, el("tr", {}, el("th", {}, "model"), el("th", {}, "AUC"), el("th", {}, "95% CI"))),
        el("tbody", {}, row(`pre-trained, fine-tuned on ${r.n_real}`, r.finetuned, "finetuned"),
          row(`from scratch on ${r.n_real}`, r.scratch, "scratch"), row("pre-trained only", r.pretrained, "pretrained"))),
      el("div", { class: "clinic-words", "data-testid": "pretrain-words" }, r.words.map((w) => el("p", {}, w))));
  }

  if (hasReal) x.bind(node, draw);
  return { node, destroy: x.destroy };
}
