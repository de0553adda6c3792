// Part "regression" of the loss step: body weight → BMI. The student moves the line
// BMI ≈ slope·kg + intercept; each point's squared loss is drawn as a square with side |residual|
// and the mean of the squares is the MSE (POST /api/loss/regression). Drawing only.

const W = 640, H = 380, L = 52, R = 16, T = 14, B = 46;
const KG = [40, 110], BMI = [10, 40];  // the plot's window (the data: 50–102 kg, BMI 16–34)

export async function mountRegression(body, ctx) {
  const { el, svg, fmt, cssVar } = ctx;
  const controls = {};
  const onInput = () => { ctx.setParams({ slope: controls.slope.get(), intercept: controls.intercept.get() }); refresh(); };
  controls.slope = ctx.control({ name: "slope", label: "slope (BMI per kg)", onInput });
  controls.intercept = ctx.control({ name: "intercept", label: "intercept (BMI at 0 kg)", onInput });
  let best = null;
  const set = (slope, intercept) => {
    controls.slope.set(slope); controls.intercept.set(intercept);
    ctx.setParams({ slope, intercept }); refresh();
  };
  const mseOut = el("div", { class: "v", "data-testid": "mse" }, "…");
  const mini = el("p", { class: "ls-mini", "aria-hidden": "true" });  // phones: the result beside the controls
  const bestOut = el("div", { class: "v", "data-testid": "best-mse" }, "…");
  const bestSub = el("div", { class: "s" });
  const figure = el("div", { class: "figure ls-bmi" });
  const table = el("table", { class: "data", "data-testid": "bmi-table" });
  const note = el("p", { class: "caption", "data-testid": "bmi-note" });

  body.append(el("div", { class: "step-grid" },
    el("div", { class: "panel controls" },
      el("h2", {}, "Move the line"),
      ctx.math("<mtext>BMI</mtext><mo>≈</mo><mtext>slope</mtext><mo>·</mo><mtext>kg</mtext><mo>+</mo><mtext>intercept</mtext>", { display: "block" }),
      controls.slope.node, controls.intercept.node,
      ctx.hidden("fit") ? null : el("div", { class: "btn-row", "data-control": "fit" },
        el("button", { type: "button", class: "btn btn-small", "data-testid": "best-line",
          onclick: () => best && set(best.slope, best.intercept) }, "Show the best line"),
        el("button", { type: "button", class: "btn btn-small btn-ghost", "data-testid": "reset-line",
          onclick: () => set(0.25, 5) }, "Reset")),
      mini,
      el("p", { class: "small" }, "Each point's error is its ", el("strong", {}, "residual"), " r = BMI − prediction. ",
        "Squaring makes every error positive and big errors count much more. The mean of the squares is the ",
        el("strong", {}, "mean squared error"), ":"),
      ctx.math("<mtext>MSE</mtext><mo>=</mo><mfrac><mn>1</mn><mi>m</mi></mfrac><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>m</mi></munderover><msubsup><mi>r</mi><mi>i</mi><mn>2</mn></msubsup>", { display: "block" })),
    el("div", { class: "stack" },
      el("div", { class: "readouts" },
        el("div", { class: "readout orange" }, el("div", { class: "k" }, "Mean squared error"), mseOut,
          el("div", { class: "s" }, "mean area of the squares")),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Best line's MSE"), bestOut, bestSub)),
      el("div", { class: "panel" }, el("h2", {}, "Weight and BMI of ten adults"), figure, note),
      el("div", { class: "panel" }, el("h2", {}, "Point by point"), el("div", { class: "ls-table-wrap" }, table)))));

  function draw(r) {
    best = r.best;
    mseOut.textContent = fmt(r.mse, 2);
    mini.textContent = `Mean squared error: ${fmt(r.mse, 2)} (best line: ${fmt(r.best.mse, 2)})`;
    bestOut.textContent = fmt(r.best.mse, 2);
    bestSub.textContent = `slope ${fmt(r.best.slope, 4)}, intercept ${fmt(r.best.intercept, 2)}`;
    note.textContent = `All ${r.points.length} people are ${fmt(r.height_m)} m tall, so BMI = kg / ${fmt(r.height_m)}² `
      + `exactly: the best line has slope ${fmt(r.best.slope, 4)} and its MSE is ${fmt(r.best.mse, 2)}. `
      + "Orange squares: each point's squared error, side |r| in BMI units.";
    const px = (kg) => L + ((kg - KG[0]) / (KG[1] - KG[0])) * (W - L - R);
    const py = (b) => H - B - ((b - BMI[0]) / (BMI[1] - BMI[0])) * (H - T - B);
    const unit = py(0) - py(1);  // pixels per BMI unit: a square of side |r| BMI is |r|·unit pixels wide
    const ORANGE = cssVar("--orange"), BLUE = cssVar("--blue"), INK = cssVar("--ink"), GRID = cssVar("--plot-grid");
    const nodes = [svg("defs", {}, svg("clipPath", { id: "ls-clip" }, svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B })))];
    nodes.push(svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: cssVar("--plot-bg"), stroke: cssVar("--line-2") }));
    for (let kg = 40; kg <= 110; kg += 10) {
      nodes.push(svg("line", { x1: px(kg), x2: px(kg), y1: T, y2: H - B, stroke: GRID }));
      nodes.push(svg("text", { x: px(kg), y: H - B + 16, "text-anchor": "middle" }, String(kg)));
    }
    for (let b = 10; b <= 40; b += 5) {
      nodes.push(svg("line", { x1: L, x2: W - R, y1: py(b), y2: py(b), stroke: GRID }));
      nodes.push(svg("text", { x: L - 8, y: py(b) + 4, "text-anchor": "end" }, String(b)));
    }
    nodes.push(svg("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle" }, "body weight (kg)"));
    nodes.push(svg("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle", transform: `rotate(-90 14 ${(T + H - B) / 2})` }, "BMI"));
    const clipped = r.points.map((p, i) => {
      const side = Math.abs(p.residual) * unit;
      const top = Math.min(py(p.bmi), py(p.prediction));
      return svg("g", { "data-testid": `square-${i}` },
        svg("rect", { x: px(p.weight_kg), y: top, width: side, height: side, fill: ORANGE, "fill-opacity": 0.22, stroke: ORANGE }),
        svg("line", { x1: px(p.weight_kg), x2: px(p.weight_kg), y1: py(p.bmi), y2: py(p.prediction), stroke: ORANGE, "stroke-width": 2 }));
    });
    const [k0, k1] = r.line.weight_kg, [b0, b1] = r.line.bmi;
    nodes.push(svg("g", { "clip-path": "url(#ls-clip)" }, clipped,
      svg("line", { x1: px(k0), y1: py(b0), x2: px(k1), y2: py(b1), stroke: INK, "stroke-width": 2.5, "data-testid": "bmi-line" })));
    for (const p of r.points) nodes.push(svg("circle", { cx: px(p.weight_kg), cy: py(p.bmi), r: 5.5, fill: BLUE, stroke: cssVar("--white"), "stroke-width": 1.5 }));
    figure.replaceChildren(svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "data-testid": "bmi-plot",
      "aria-label": `Ten points of weight and BMI, the line, and squared errors; mean squared error ${fmt(r.mse, 2)}` }, nodes));
    table.replaceChildren(
      el("thead", {}, el("tr", {}, el("th", {}, "kg"), el("th", {}, "BMI"), el("th", {}, "prediction"), el("th", {}, "residual r"), el("th", {}, "r²"))),
      el("tbody", {}, r.points.map((p, i) => el("tr", {}, el("td", {}, fmt(p.weight_kg)), el("td", {}, fmt(p.bmi, 2)),
        el("td", {}, fmt(p.prediction, 2)), el("td", {}, fmt(p.residual, 2)), el("td", { "data-testid": `r2-${i}` }, fmt(p.squared, 2))))),
      el("tfoot", {}, el("tr", {}, el("td", { colspan: 4 }, "mean = MSE"), el("td", {}, fmt(r.mse, 2)))));
  }

  const refresh = ctx.live(() => ctx.api("loss/regression", { slope: controls.slope.get(), intercept: controls.intercept.get() }), draw);
  await refresh();
  return null;
}
