// Step "data" — data as numbers: a patient's row, a grey image's grid of 0–255 values (zoom in
// until the numbers show), a colour photograph's three grids, and words as vectors. Four parts
// (part=); every number comes from /api/data (ml2dl.lessons.data, ml2dl.lessons.words).

import { mountColour } from "./data/colour.js";
import { DATA_CSS } from "./data/style.js";
import { SOURCES, mountImage } from "./data/image.js";
import { mountText } from "./data/text.js";

const PARTS = [
  { value: "row", label: "A row" }, { value: "image", label: "An X-ray" },
  { value: "colour", label: "A colour photo" }, { value: "text", label: "Words" },
];

const PARAMS = {
  part: { type: "choice", default: "row", choices: PARTS },
  src: { type: "choice", default: "chest", choices: SOURCES },           // which grey image
  idx: { type: "int", default: 0, min: 0, max: 100000 },                 // which chest image
  size: { type: "int", default: 18, min: 2, max: 32 },                   // the crop's side: smaller = more zoom
  r: { type: "int", default: -1, min: -1, max: 100000 },                 // the crop's top row (−1: centred)
  c: { type: "int", default: -1, min: -1, max: 100000 },                 // the crop's left column
  word: { type: "string", default: "doctors" },                          // the word whose neighbours are shown
};

async function mountRow(body, ctx) {
  const { el } = ctx;
  const r = await ctx.api("data/row");
  body.append(el("section", { class: "panel" },
    el("h2", {}, "A patient as a row of numbers"),
    el("p", {}, "Tabular data — a spreadsheet row, a lab report — is already numbers. One patient is one row:"),
    el("table", { class: "data dt-row", "data-testid": "row-table" },
      el("thead", {}, el("tr", {}, r.features.map((f) => el("th", {}, f.name)))),
      el("tbody", {}, el("tr", {}, r.features.map((f) => el("td", { class: "num" }, fmt(f.value)))))),
    el("p", {}, "To the network it is a ", el("strong", {}, "feature vector"), ":"),
    el("p", { class: "dt-vector", "data-testid": "row-vector" },
      "x = [", r.vector.map((v) => fmt(v)).join(", "), "]   shape (", r.shape.join(", "), ",)"),
    el("p", { class: "muted" }, `A feed-forward network for such rows has ${fmt(r.shape[0])} input nodes, one per column; `,
      "the order of the columns means nothing to it, as long as it is always the same.")));
  function fmt(v) { return ctx.fmt(v); }
}

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el } = ctx;
    ctx.injectStyle("data-style", DATA_CSS);
    const body = el("div", { class: "stack" });
    const partChoice = ctx.choice({ name: "part", label: "Part", onChange: (v) => { ctx.setParams({ part: v }); show(v); } });
    root.append(
      el("p", { class: "lede" },
        "A network only ever sees numbers. A patient's measurements, an X-ray, a colour photograph and even words ",
        "must first become arrays of numbers with a fixed shape. Here is what each looks like."),
      partChoice.node ? el("div", { class: "dt-parts" }, partChoice.node) : null,
      body);

    let stop = null;
    let shown = 0;
    async function show(part) {
      if (typeof stop === "function") stop();
      stop = null;
      const token = ++shown;
      body.replaceChildren();
      const mounts = { row: mountRow, image: mountImage, colour: mountColour, text: mountText };
      const cleanup = await mounts[part](body, ctx);
      if (token === shown) stop = cleanup; else if (typeof cleanup === "function") cleanup();
    }
    await show(ctx.params.part);
    return () => {
      if (typeof stop === "function") stop();
      root.querySelectorAll(".js-plotly-plot").forEach((n) => ctx.plotly.purge(n));
    };
  },
};
