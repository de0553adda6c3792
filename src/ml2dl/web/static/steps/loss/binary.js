// Part "binary" of the loss step: cross-entropy, hinge and squared error against the prediction
// for y = 1 and y = 0, and the same predictions scored by each (POST /api/loss/binary). Drawing only.

const LOSSES = [
  { key: "cross_entropy", name: "cross-entropy", colour: "--violet" },
  { key: "hinge", name: "hinge", colour: "--series-3" },
  { key: "squared", name: "squared error", colour: "--slate" },
];
const LABEL = { 1: "1 pneumonia", 0: "0 normal" };

export async function mountBinary(body, ctx) {
  const { el, fmt, cssVar } = ctx;
  const n0 = Math.min(ctx.params.pred.length, ctx.params.lab.length);
  const pred = ctx.params.pred.slice(0, n0), lab = ctx.params.lab.slice(0, n0);
  const save = () => ctx.setParams({ pred, lab });
  const plots = { 1: el("div", { class: "ls-plot", "data-testid": "plot-y1" }), 0: el("div", { class: "ls-plot", "data-testid": "plot-y0" }) };
  const tbody = el("tbody", {});
  const tfoot = el("tfoot", {});
  const callout = el("p", { class: "callout", "data-testid": "binary-callout" });
  const cells = [];  // per row: {score, cross_entropy, hinge, squared}
  const maxRows = 12;

  const formula = (name, markup) => el("div", { class: "control" }, el("div", { class: "label" }, name), ctx.math(markup, { display: "block" }));
  const yhat = "<mover><mi>y</mi><mo>^</mo></mover>";
  body.append(el("div", { class: "step-grid" },
    el("div", { class: "panel controls" },
      el("h2", {}, "Three losses for one example"),
      el("p", { class: "small" }, `y is the true label (1 = pneumonia, 0 = normal), ŷ the network's probability of pneumonia.`),
      formula("Cross-entropy (logistic loss)", `<mo>−</mo><mo stretchy='false'>[</mo><mi>y</mi><mi>ln</mi><mo>&#8289;</mo>${yhat}<mo>+</mo><mo stretchy='false'>(</mo><mn>1</mn><mo>−</mo><mi>y</mi><mo stretchy='false'>)</mo><mi>ln</mi><mo>&#8289;</mo><mo stretchy='false'>(</mo><mn>1</mn><mo>−</mo>${yhat}<mo stretchy='false'>)</mo><mo stretchy='false'>]</mo>`),
      formula("Hinge (the SVM's), on the score z", `<mi>max</mi><mo stretchy='false'>(</mo><mn>0</mn><mo>,</mo><mn>1</mn><mo>−</mo><mi>t</mi><mi>z</mi><mo stretchy='false'>)</mo>`),
      el("p", { class: "small muted" }, "with t = 2y − 1 (so ±1) and the score z = ln(ŷ / (1 − ŷ)), whose sigmoid is ŷ."),
      formula("Squared error", `<msup><mrow><mo stretchy='false'>(</mo>${yhat}<mo>−</mo><mi>y</mi><mo stretchy='false'>)</mo></mrow><mn>2</mn></msup>`),
      el("p", { class: "small muted" }, "Over m examples the loss is the mean, e.g. ",
        ctx.math(`<mi>J</mi><mo stretchy='false'>(</mo><mi>θ</mi><mo stretchy='false'>)</mo><mo>=</mo><mo>−</mo><mfrac><mn>1</mn><mi>m</mi></mfrac><mo>∑</mo><mo stretchy='false'>[</mo><mi>y</mi><mi>log</mi><mi>h</mi><mo>+</mo><mo stretchy='false'>(</mo><mn>1</mn><mo>−</mo><mi>y</mi><mo stretchy='false'>)</mo><mi>log</mi><mo stretchy='false'>(</mo><mn>1</mn><mo>−</mo><mi>h</mi><mo stretchy='false'>)</mo><mo stretchy='false'>]</mo>`, { display: "block", style: "font-size: .85em" }),
        "for cross-entropy (h = ŷ).")),
    el("div", { class: "stack" },
      el("div", { class: "panel" }, el("h2", {}, "The same predictions, scored by each loss"),
        el("div", { class: "ls-table-wrap" }, el("table", { class: "data", "data-testid": "binary-table" },
          el("thead", {}, el("tr", {}, el("th", {}, "ŷ"), el("th", {}, "true y"), el("th", {}, "score z"),
            ...LOSSES.map((l) => el("th", {}, l.name)), el("th", {}, ""))),
          tbody, tfoot)),
        ctx.hidden("rows") ? null : el("div", { class: "btn-row", "data-control": "rows" },
          el("button", { type: "button", class: "btn btn-small", "data-testid": "add-row",
            onclick: () => { if (pred.length < maxRows) { pred.push(0.5); lab.push(1); save(); build(); refresh(); } } }, "+ Add a prediction"))),
      callout,
      el("div", { class: "panel" }, el("h2", {}, "Each loss against ŷ"),
        el("div", { class: "ls-key" }, LOSSES.map((l) => el("span", { style: `--c: var(${l.colour})` }, l.name))),
        el("div", { class: "ls-plots" },
          el("div", {}, el("h3", { class: "small" }, "True label y = 1 (pneumonia)"), plots[1]),
          el("div", {}, el("h3", { class: "small" }, "True label y = 0 (normal)"), plots[0])),
        el("p", { class: "caption" }, "Dots: the predictions in the table, on the curve of their true label.")))));

  function build() {
    cells.length = 0;
    tbody.replaceChildren(...pred.map((p, i) => {
      const c = { score: el("td", {}), ...Object.fromEntries(LOSSES.map((l) => [l.key, el("td", { "data-testid": `${l.key}-${i}` })])) };
      cells.push(c);
      const input = ctx.hidden("pred") ? fmt(p) : el("input", {
        class: "ls-input", type: "number", min: 0.01, max: 0.99, step: 0.01, value: p, "data-testid": `pred-${i}`,
        "data-control": "pred", "aria-label": `prediction ${i + 1}`,
        oninput: (ev) => {
          const v = Number(ev.target.value);
          if (ev.target.value === "" || !(v >= 0.01 && v <= 0.99)) return;  // the declared range; the server refuses 0 and 1
          pred[i] = v; save(); refresh();
        },
      });
      const label = ctx.hidden("lab") ? LABEL[lab[i]] : el("button", {
        type: "button", class: "btn btn-small ls-label", "data-value": lab[i], "data-testid": `lab-${i}`, "data-control": "lab",
        "aria-label": `true label of example ${i + 1}: ${LABEL[lab[i]]}; press to change`,
        onclick: () => { lab[i] = 1 - lab[i]; save(); build(); refresh(); },
      }, LABEL[lab[i]]);
      const remove = pred.length > 1 && !ctx.hidden("rows") ? el("button", {
        type: "button", class: "btn btn-small btn-ghost", "data-testid": `remove-${i}`, "data-control": "rows",
        "aria-label": `remove example ${i + 1}`, onclick: () => { pred.splice(i, 1); lab.splice(i, 1); save(); build(); refresh(); },
      }, "×") : "";
      return el("tr", {}, el("td", {}, input), el("td", {}, label), c.score, ...LOSSES.map((l) => c[l.key]), el("td", {}, remove));
    }));
  }

  function draw(r) {
    r.rows.forEach((row, i) => {
      if (!cells[i]) return;
      cells[i].score.textContent = fmt(row.score, 2);
      for (const l of LOSSES) cells[i][l.key].textContent = fmt(row[l.key], 3);
    });
    tfoot.replaceChildren(el("tr", {}, el("td", { colspan: 3 }, `mean over ${r.rows.length}`),
      ...LOSSES.map((l) => el("td", { "data-testid": `mean-${l.key}` }, fmt(r.mean[l.key], 3))), el("td", {})));
    const worst = r.rows.reduce((a, b) => (b.cross_entropy > a.cross_entropy ? b : a));
    const k = r.rows.indexOf(worst) + 1;
    callout.replaceChildren(el("strong", {}, `Example ${k}`), `: ŷ = ${fmt(worst.prediction)} for a `,
      worst.label ? "pneumonia case" : "normal case", ` costs ${fmt(worst.cross_entropy, 3)} in cross-entropy and `,
      `${fmt(worst.hinge, 3)} in hinge, but ${fmt(worst.squared, 3)} in squared error. `,
      "Cross-entropy and hinge keep growing as a confident prediction turns out wrong; the squared error of a probability never passes 1.");
    for (const y of [1, 0]) {
      const curves = r.curves[`label_${y}`];
      const mine = r.rows.filter((row) => row.label === y);
      ctx.plot(plots[y], [
        ...LOSSES.map((l) => ({ x: r.curves.prediction, y: curves[l.key], mode: "lines", name: l.name,
          line: { color: cssVar(l.colour), width: 2.5 }, hovertemplate: `${l.name}: %{y:.3f} at ŷ = %{x:.2f}<extra></extra>` })),
        ...LOSSES.map((l) => ({ x: mine.map((row) => row.prediction), y: mine.map((row) => row[l.key]), mode: "markers",
          marker: { color: cssVar(l.colour), size: 9, line: { color: cssVar("--white"), width: 1.5 } }, hoverinfo: "skip" })),
      ], { xaxis: { range: [0, 1], title: { text: "ŷ, predicted probability of pneumonia" } },
        yaxis: { range: [0, 4.5], title: { text: "loss" } } });
    }
  }

  const refresh = ctx.live(() => ctx.api("loss/binary", { predictions: pred, labels: lab }), draw);
  build();
  await refresh();
  return null;
}
