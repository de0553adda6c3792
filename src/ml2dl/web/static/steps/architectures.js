// Step "architectures" — which network for which data: a row of numbers → feed-forward, an image →
// CNN, a sequence → RNN. Shapes and parameter counts from GET /api/architectures
// (ml2dl.lessons.architectures, the engine's Sequential.summary); this file draws them.

import { findStep, stepLabel } from "../lib/nav.js";

const CSS = `
.ar-grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 14px; align-items: start; }
.ar-card h2 { margin-bottom: 4px; }
.ar-net { font-size: 1.1rem; font-weight: 700; color: var(--blue); margin: 6px 0 2px; }
.ar-shape { font-variant-numeric: tabular-nums; font-weight: 700; }
.ar-examples { margin: 4px 0; padding-left: 1.2em; color: var(--ink-2); font-size: .9rem; }
.ar-table-wrap { overflow-x: auto; }
.ar-card table.data { font-size: .85rem; }
@media (max-width: 1100px) { .ar-grid { grid-template-columns: 1fr; } }
`;

const shape = (s) => (s ? s.join(" × ") : "—");

export default {
  params: {},

  async mount(root, ctx) {
    const { el, fmt } = ctx;
    ctx.injectStyle("architectures-style", CSS);
    const r = await ctx.api("architectures");
    root.append(
      el("p", { class: "lede" },
        "The kind of data decides the kind of network. A network takes numbers in a fixed shape: ",
        "a row of measurements, a grid of pixels, or values over time. Each shape has a network built for it."),
      el("div", { class: "ar-grid" }, r.kinds.map((k) => card(k))));

    function card(k) {
      const m = k.model;
      const trained = findStep(k.step);
      const link = trained
        ? el("a", { href: `?step=${trained.name}`, "data-testid": `link-${k.key}` },
          `You trained one in step ${stepLabel(trained)} ${trained.title} →`)
        : el("p", { class: "note", "data-testid": `link-${k.key}` },
          "Sequences get their own step in this chapter (Beyond images): a recurrent network trained on a ",
          "patient's vital signs. It is not in the module yet.");
      return el("section", { class: "panel ar-card", "data-testid": `arch-${k.key}` },
        el("h2", {}, k.data),
        el("ul", { class: "ar-examples" }, k.examples.map((e) => el("li", {}, e))),
        el("div", {}, "Input: ", k.input.what, " → shape ",
          el("span", { class: "ar-shape", "data-testid": `shape-${k.key}` }, shape(k.input.shape))),
        el("div", { class: "ar-net" }, k.network),
        el("p", { class: "small" }, el("strong", {}, "Why: "), k.reason, "."),
        m.available ? el("div", { class: "ar-table-wrap" }, el("table", { class: "data" },
          el("thead", {}, el("tr", {}, el("th", {}, "Layer"), el("th", {}, "Output shape"), el("th", {}, "Parameters"))),
          el("tbody", {}, m.layers.map((l) => el("tr", { title: l.description },
            el("td", {}, l.layer), el("td", { class: "num" }, shape(l.output_shape)), el("td", { class: "num" }, fmt(l.params))))),
          el("tfoot", {}, el("tr", {}, el("td", {}, "Total"), el("td", {}),
            el("td", { class: "num", "data-testid": `params-${k.key}` }, fmt(m.total_params))))))
          : el("p", { class: "muted small", "data-testid": `params-${k.key}` },
            "Layers and parameter counts appear here once ml2dl's engine has its recurrent layer (nn.RNN)."),
        link);
    }
  },
};
