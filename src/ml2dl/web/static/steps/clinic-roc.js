// clinic-roc — read a run as a clinician reads a test: ROC and AUC with intervals, a threshold moved
// along the curve (confusion matrix, sensitivity, specificity, PPV, NPV with intervals), operating points
// chosen on validation and applied unchanged to test, prevalence, PR curve, calibration, decision curve.
// GET /api/clinic/roc sends everything once, with the threshold table; the slider only reads the table.

import { CLINIC_CSS, SHARED_PARAMS, chosenThreshold, confusionMatrix, currentRun, noRuns, pageLink, pct, rememberThreshold, runPicker,
  storedThreshold } from "./clinic/shared.js";
import { drawCurves, drawPoints } from "./clinic/roc-panels.js";

const CSS = `
.cr-slider { display: grid; gap: 4px; }
.cr-slider input[type=range] { width: 100%; }
.cr-threshold { font-size: 1.5rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.cr-rates td, .cr-rates th { white-space: nowrap; }
.cr-rates td .s { color: var(--muted); font-size: .78rem; display: block; }
.cr-aucs { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
.cr-aucs .readout { flex: 1; }
.cr-now { display: flex; flex-wrap: wrap; gap: 14px 22px; align-items: start; }
.cr-now .cr-rates { flex: 1 1 300px; overflow-x: auto; }
.cr-roc { position: relative; }
.cr-prevalence { margin-top: 12px; display: grid; gap: 4px; }
.cr-overlay { position: absolute; left: 0; top: 0; pointer-events: none; overflow: visible; }
@media (max-width: 600px) { .cr-aucs { grid-template-columns: 1fr; } }
`;
const SPLIT_NAMES = { validation: "validation", test: "test" };

export default {
  params: {
    ...SHARED_PARAMS,
    threshold: { type: "string", default: "" },  // a validation score; empty: the last one chosen for this run, else 0.5
    split: { type: "choice", default: "test", choices: [{ value: "validation", label: "validation" }, { value: "test", label: "test" }] },
    zoom: { type: "choice", default: "whole", choices: [{ value: "whole", label: "whole curve" }, { value: "corner", label: "top-left corner" }] },
    prevalence: { type: "choice", default: "sample", choices: [{ value: "sample", label: "as sampled" },
      { value: 0.5, label: "50%" }, { value: 0.2, label: "20%" }, { value: 0.1, label: "10%" }, { value: 0.05, label: "5%" },
      { value: 0.01, label: "1%" }] },
  },

  async mount(root, ctx) {
    ctx.injectStyle("clinic-style", CLINIC_CSS);
    ctx.injectStyle("clinic-roc-style", CSS);
    const { el, fmt } = ctx;
    const { runs } = await ctx.api("clinic/runs");
    const name = currentRun(ctx, runs);
    if (!name) { root.append(noRuns(ctx)); return undefined; }
    const prevalenceArg = () => (ctx.params.prevalence === "sample" ? "" : `&prevalence=${ctx.params.prevalence}`);
    const data = await ctx.api(`clinic/roc?run=${encodeURIComponent(name)}${prevalenceArg()}`);
    let table = data.table;
    const splits = data.has_test ? ["validation", "test"] : ["validation"];
    let split = data.has_test ? ctx.params.split : "validation";
    let row = nearestRow(chosenThreshold(ctx.params.threshold, storedThreshold(name)));
    let urlTimer = null;

    function nearestRow(t) {  // a lookup in the table the server sent: the row whose threshold is closest
      let best = 0;
      table.threshold.forEach((x, i) => { if (Math.abs(x - t) < Math.abs(table.threshold[best] - t)) best = i; });
      return best;
    }

    // ------------------------------------------------------------ controls
    const slider = el("input", { type: "range", id: "cr-threshold", min: 0, max: table.rows - 1, step: 1, value: row,
      "data-testid": "threshold-slider", "aria-label": "threshold: move along the validation ROC curve" });
    const thresholdText = el("div", { class: "cr-threshold", "data-testid": "threshold" });
    const thresholdNote = el("div", { class: "small muted" });
    slider.addEventListener("input", () => setRow(Number(slider.value)));
    const pointButtons = data.points.map((p) => el("button", { type: "button", class: "btn btn-small", "data-testid": `point-${p.name}`,
      onclick: () => setRow(p.row) }, p.label));
    const half = el("button", { type: "button", class: "btn btn-small btn-ghost", "data-testid": "point-half", onclick: () => setRow(nearestRow(0.5)) }, "0.5");
    const splitChoice = data.has_test ? ctx.choice({ name: "split", label: "Counts on", onChange: (v) => { split = v; ctx.setParams({ split: v }); buildMatrix(); update(); } }).node : null;
    const prevalenceChoice = ctx.choice({ name: "prevalence", label: "Share of pneumonia for PPV and NPV", onChange: (v) => { ctx.setParams({ prevalence: v }); loadTable(); } }).node;
    const matrixBox = el("div", { "data-testid": "matrix-box" });
    const ratesBox = el("div", { class: "cr-rates" });
    const prevalenceNote = el("p", { class: "small", "data-testid": "prevalence-note" });

    // ------------------------------------------------------------ ROC
    const rocPlot = el("div", { class: "clinic-plot cr-roc", style: "height: 380px", "data-testid": "roc", role: "img",
      "aria-label": "ROC curves of validation and test with the current threshold" });
    const aucBox = el("div", { class: "cr-aucs", "data-testid": "aucs" }, splits.map((s) => {
      const f = data.splits[s];
      return el("div", { class: "readout" }, el("div", { class: "k" }, `AUC on ${SPLIT_NAMES[s]} (${fmt(f.n)} images)`),
        el("div", { class: "v", "data-testid": `auc-${s}` }, fmt(f.auc, 3)),
        el("div", { class: "s" }, `95% CI ${fmt(f.auc_ci_bootstrap[0], 3)}–${fmt(f.auc_ci_bootstrap[1], 3)} (bootstrap), `
          + `${fmt(f.auc_ci_delong[0], 3)}–${fmt(f.auc_ci_delong[1], 3)} (DeLong)`));
    }));
    const RANGES = { whole: { x: [-0.02, 1.02], y: [-0.02, 1.02] }, corner: { x: [-0.005, 0.25], y: [0.75, 1.005] } };
    const zoomChoice = ctx.choice({ name: "zoom", label: "Show", onChange: (v) => {
      ctx.setParams({ zoom: v });
      ctx.plotly.relayout(rocPlot, { "xaxis.range": RANGES[v].x, "yaxis.range": RANGES[v].y });
    } }).node;
    const aucWords = el("p", { class: "small clinic-words" }, "The dots: the threshold on ", splits.join(" and "),
      " (the same number on both). ", data.splits[splits[splits.length - 1]].auc_words + ".");

    const picker = runPicker(ctx, runs, name, () => location.reload());
    const panels = el("div", { class: "stack" });
    root.append(
      el("p", { class: "lede" }, "A classifier gives a score; a threshold turns it into a decision. Move the threshold along the ROC curve and watch ",
        "what it costs: every pneumonia found (sensitivity) is paid for with normal images called pneumonia (1 − specificity). ",
        "Thresholds are chosen on validation and then used, unchanged, on test."),
      el("div", { class: "clinic-top" }, picker,
        el("a", { href: pageLink("clinic-mistakes", { run: name }), "data-testid": "to-mistakes" }, "See the mistakes →")),
      el("p", { class: "caption" }, data.synthetic ? [el("span", { class: "tag synthetic" }, "synthetic"), " films drawn by ml2dl. "] : null,
        `Test images: ${data.test_from || "none (this data has no test split)"}.`),
      el("div", { class: "step-grid" },
        el("div", { class: "panel controls stack" }, el("h2", {}, "Threshold"),
          el("div", { class: "cr-slider", "data-control": "threshold" }, el("label", { for: "cr-threshold" }, "Score ≥ threshold is called pneumonia"),
            slider, thresholdText, thresholdNote,
            el("div", { class: "btn-row", "data-control": "points" }, el("span", { class: "small muted" }, "chosen on validation:"), ...pointButtons, half)),
        ),
        el("div", { class: "stack" },
          el("div", { class: "panel" }, el("h2", {}, "At this threshold"), splitChoice, el("div", { class: "cr-now" }, matrixBox, ratesBox),
            el("div", { class: "cr-prevalence" }, prevalenceChoice, prevalenceNote)),
          el("div", { class: "panel" }, el("h2", {}, "ROC curve"), aucBox, zoomChoice, rocPlot, aucWords))),
      panels);

    // ------------------------------------------------------------ drawing (reads the table only)
    const colour = (s) => ctx.cssVar(s === "test" ? "--slate" : "--series-1");
    function drawRoc() {
      const traces = splits.map((s) => ({ x: data.splits[s].roc.fpr, y: data.splits[s].roc.tpr, type: "scatter", mode: "lines",
        name: `${s} (AUC ${fmt(data.splits[s].auc, 3)})`, line: { color: colour(s), width: 2, dash: s === "test" ? "solid" : "dot" } }));
      traces.push({ x: [0, 1], y: [0, 1], mode: "lines", name: "chance", line: { color: ctx.cssVar("--guide"), dash: "dash", width: 1 }, hoverinfo: "skip" });
      traces.push({ x: data.gulshan.points.map((p) => p.fpr), y: data.gulshan.points.map((p) => p.sensitivity), mode: "markers",
        name: "Gulshan 2016 (retina)", marker: { symbol: "diamond", size: 9, color: ctx.cssVar("--violet") },
        text: data.gulshan.points.map((p) => p.name), hovertemplate: "Gulshan %{text}<extra></extra>" });
      ctx.plot(rocPlot, traces, { showlegend: true, legend: { y: -0.2, x: 0 }, margin: { b: 80 },
        xaxis: { title: { text: "1 − specificity (normal images called pneumonia)" }, range: RANGES[ctx.params.zoom].x },
        yaxis: { title: { text: "sensitivity" }, range: RANGES[ctx.params.zoom].y } });
    }
    // The threshold's points sit in an SVG laid over the plot: moving them redraws two circles, not the
    // plot (a Plotly restyle redraws every trace: too slow for a slider). Pixel positions from the plot's
    // own axis ranges and plotting area.
    const overlay = ctx.svg("svg", { class: "cr-overlay", "aria-hidden": "true" });
    const dots = Object.fromEntries(splits.map((s) => [s, ctx.svg("circle", { r: 7, fill: colour(s), stroke: ctx.cssVar("--white"),
      "stroke-width": 2, "data-testid": `dot-${s}` })]));
    overlay.append(...Object.values(dots));
    rocPlot.append(overlay);
    function placeDots() {
      const layout = rocPlot._fullLayout;
      if (!layout || !layout._size) return;
      const { l, t: top, w, h } = layout._size, xr = layout.xaxis.range, yr = layout.yaxis.range;
      overlay.setAttribute("width", rocPlot.clientWidth);
      overlay.setAttribute("height", rocPlot.clientHeight);
      for (const s of splits) {
        const x = table[s].fpr[row], y = table[s].sensitivity[row];
        const inside = x !== null && y !== null && x >= xr[0] && x <= xr[1] && y >= yr[0] && y <= yr[1];
        dots[s].setAttribute("visibility", inside ? "visible" : "hidden");
        dots[s].setAttribute("cx", l + ((x - xr[0]) / (xr[1] - xr[0])) * w);
        dots[s].setAttribute("cy", top + (1 - (y - yr[0]) / (yr[1] - yr[0])) * h);
      }
    }

    // The confusion matrix and the rates table are built once (and again when the split changes);
    // moving the threshold only rewrites their numbers.
    const RATES = ["sensitivity", "specificity", "ppv", "npv"];
    const LABEL = { sensitivity: "sensitivity", specificity: "specificity", ppv: "PPV", npv: "NPV" };
    let cells = {};
    function buildMatrix() {
      const zero = { tp: 0, fp: 0, tn: 0, fn: 0 };
      matrixBox.replaceChildren(confusionMatrix(ctx, zero, { caption: `${split}: click a cell to see its images`,
        onCell: (cell) => { location.href = pageLink("clinic-mistakes", { run: name, split, threshold: table.threshold[row], cell }); } }));
      cells = Object.fromEntries(["tp", "fp", "tn", "fn"].map((k) => [k, matrixBox.querySelector(`[data-testid=cm-${k}]`)]));
    }
    const rateCells = Object.fromEntries(splits.map((s) => [s, Object.fromEntries(RATES.map((k) =>
      [k, { v: el("span", { class: "v" }), s: el("span", { class: "s" }) }]))]));
    ratesBox.append(el("table", { class: "data" },
      el("thead", {}, el("tr", {}, el("th", {}, "(95% CI)"), ...splits.map((s) => el("th", {}, s)))),
      el("tbody", {}, RATES.map((k) => el("tr", {}, el("td", {}, LABEL[k]),
        ...splits.map((s) => el("td", { "data-testid": `${k}-${s}` }, rateCells[s][k].v, rateCells[s][k].s)))))));
    buildMatrix();

    function update() {
      slider.value = String(row);
      slider.style.setProperty("--fill", `${(100 * row) / Math.max(1, table.rows - 1)}%`);  // the kit's track colour
      const th = table.threshold[row];
      thresholdText.textContent = fmt(th, 4);
      const at = data.points.find((p) => p.row === row);
      thresholdNote.textContent = at ? `the ${at.label} point, chosen on validation (${at.rule})` : `row ${row + 1} of ${table.rows}: a validation score`;
      const t = table[split];
      for (const k of ["tp", "fp", "tn", "fn"]) cells[k].textContent = String(t[k][row]);
      for (const s of splits) {
        for (const k of RATES) {
          const v = table[s][k][row];
          rateCells[s][k].v.textContent = pct(ctx, v);
          rateCells[s][k].s.textContent = v === null ? "" : `${fmt(100 * table[s][`${k}_low`][row], 1)}–${fmt(100 * table[s][`${k}_high`][row], 1)}`;
        }
      }
      const prevalence = table.prevalence;
      prevalenceNote.textContent = prevalence === null
        ? `PPV and NPV at each split's own share of pneumonia (${splits.map((s) => `${s} ${pct(ctx, table[s].sample_prevalence)}`).join(", ")}). `
          + (ctx.hidden("prevalence") ? "" : "Choose another share to see the same test where the disease is rarer.")
        : `PPV and NPV where ${pct(ctx, prevalence, 0)} of patients have pneumonia (same sensitivity and specificity): `
          + `of 100 positive calls about ${fmt(100 * table[split].ppv[row], 0)} are pneumonia.`;
      placeDots();
      root.dataset.row = String(row);
    }

    function setRow(i) {
      row = Math.max(0, Math.min(table.rows - 1, i));
      update();
      clearTimeout(urlTimer);  // the URL and the stored threshold follow once the slider rests
      urlTimer = setTimeout(() => { ctx.setParams({ threshold: String(table.threshold[row]) }); rememberThreshold(name, table.threshold[row]); }, 150);
    }

    async function loadTable() {
      try {
        table = await ctx.api(`clinic/roc/table?run=${encodeURIComponent(name)}${prevalenceArg()}`);
        update();
      } catch (e) { ctx.notify(e.message); }
    }

    drawRoc();
    rocPlot.on("plotly_afterplot", placeDots);  // the plot is redrawn when the window is resized
    update();
    drawPoints(ctx, panels, data, splits, (r) => setRow(r));
    drawCurves(ctx, panels, data, splits, colour);
    return () => clearTimeout(urlTimer);
  },
};
