// Part "colour" of the data step: a colour photograph is three grids of 0–255 values, red, green
// and blue. scikit-image's fundus photograph, its real shape stated, shown shrunk; hover any of the
// four pictures for the pixel's three values. Values from GET /api/data/colour.

import { paintHeatmap } from "../../lib/heatmap.js";

export async function mountColour(body, ctx) {
  const { el, fmt } = ctx;
  const r = await ctx.api("data/colour");
  const [red, green, blue] = r.channels;
  const [h, w] = r.shown_shape;
  const hover = el("div", { class: "dt-hover", "data-testid": "rgb-hover", "aria-live": "polite" }, "Hover a pixel for its red, green and blue values.");
  // the picture: each shown pixel's three values side by side (a rearrangement, no arithmetic)
  const rgb = red.values.map((line, i) => line.map((v, j) => [v, green.values[i][j], blue.values[i][j]]));
  const only = [(v) => [v, 0, 0], (v) => [0, v, 0], (v) => [0, 0, v]];  // a channel's value as its own colour
  const figure = (grid, colour, caption, testid) => {
    const canvas = el("canvas", { "data-testid": testid, "aria-hidden": "true" });
    paintHeatmap(canvas, grid, colour);
    canvas.addEventListener("mousemove", (e) => {
      const i = Math.min(h - 1, Math.floor((e.offsetY / canvas.clientHeight) * h));
      const j = Math.min(w - 1, Math.floor((e.offsetX / canvas.clientWidth) * w));
      hover.textContent = `row ${i}, column ${j}: red ${red.values[i][j]}, green ${green.values[i][j]}, blue ${blue.values[i][j]}`;
    });
    return el("figure", {}, canvas, el("figcaption", {}, caption));
  };
  const [rh, rw, rc] = r.real_shape;
  body.append(el("section", { class: "panel" },
    el("h2", {}, r.title),
    el("p", { "data-testid": "colour-shape" }, "A colour photograph is three grids of the same size: how much ",
      el("strong", {}, "red"), ", ", el("strong", {}, "green"), " and ", el("strong", {}, "blue"),
      " light each pixel holds, each from 0 to 255. This one is ",
      el("strong", { "data-testid": "real-shape" }, `${rh} × ${rw} × ${rc}`), ` = ${fmt(r.real_numbers)} numbers; `,
      `shown here shrunk to ${r.shown_shape.join(" × ")}.`),
    el("div", { class: "dt-colour" },
      figure(rgb, (v) => v, "The photograph: all three together", "colour-rgb"),
      ...r.channels.map((c, k) => figure(c.values, only[k], `${c.name[0].toUpperCase()}${c.name.slice(1)}: mean ${fmt(c.mean)} over the whole photograph`, `colour-${c.name}`))),
    hover,
    el("p", { class: "small" }, `The pixel at the centre of the real photograph (row ${r.pixel_example.row}, column ${r.pixel_example.col}) `,
      `is the three numbers (${r.pixel_example.rgb.join(", ")}). A CNN takes such an image as ${rc} input channels.`),
    el("p", { class: "caption" }, `Source: ${r.source}.`)));
}
