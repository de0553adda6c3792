// cases — published studies, each beside the same idea measured on the chosen run: Gulshan's two operating
// points (links to clinic-roc at ours), McKinney's model as first reader (workload from our confusion matrix)
// and CheXNet's F1 (ours with its bootstrap interval). GET /api/clinic/cases computes every number and
// sentence; this file only draws. Below them, experiments that train their own models on the server
// (Esteva's summed fine-grained classes, shortcut learning, pre-training): they need no trained run.

import { ESTEVA_CSS, ESTEVA_PARAMS, estevaCard } from "./clinic/esteva.js";
import { PRETRAIN_PARAMS, pretrainCard } from "./clinic/pretrain.js";
import { SHORTCUT_PARAMS, shortcutCard } from "./clinic/shortcut.js";
import { CLINIC_CSS, SHARED_PARAMS, currentRun, pageLink, pct, rememberThreshold, runPicker } from "./clinic/shared.js";

const CSS = `
.cs-cards { display: grid; gap: 14px; grid-template-columns: repeat(auto-fit, minmax(min(320px, 100%), 1fr)); }
.cs-card { min-width: 0; overflow-x: auto; }
.cs-card h2 { margin-bottom: 2px; }
.cs-source { font-size: .8rem; color: var(--muted); margin: 0 0 8px; }
.cs-bar { display: flex; height: 26px; border-radius: 6px; overflow: hidden; border: 1px solid var(--line); }
.cs-bar > span { display: flex; align-items: center; justify-content: center; font-size: .75rem; font-weight: 700; min-width: 0; overflow: hidden; white-space: nowrap; }
.cs-bar .read { background: color-mix(in srgb, var(--orange) 30%, var(--white)); }
.cs-bar .cleared { background: color-mix(in srgb, var(--blue) 22%, var(--white)); }
.cs-bar .missed { background: var(--bad); color: var(--white); }
.cs-after { margin-top: 14px; }
.cs-after table { max-width: 560px; }
.cs-after .cm-case { min-width: 0; }
.cm-gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(110px, 1fr)); gap: 10px; max-width: 560px; }
.cm-case { margin: 0; border: 1px solid var(--line); border-radius: 10px; padding: 6px; background: var(--white); display: grid; gap: 4px; }
.cm-pic { position: relative; width: 100%; aspect-ratio: 1; }
.cm-pic canvas { position: absolute; inset: 0; width: 100%; height: 100%; image-rendering: pixelated; border-radius: 6px; }
.cm-pic canvas.heat { mix-blend-mode: multiply; image-rendering: auto; }
.cm-case figcaption { font-size: .78rem; display: flex; justify-content: space-between; gap: 4px; flex-wrap: wrap; }
.cm-case .normal { color: var(--blue); font-weight: 700; }
.cm-case .pneumonia { color: var(--orange-ink); font-weight: 700; }
.cs-f1 { width: 100%; height: 190px; }
table.cs-nowrap td, table.cs-nowrap th { padding: 3px 5px; }
table.cs-nowrap td { white-space: nowrap; }
table.cs-nowrap caption { caption-side: bottom; text-align: left; color: var(--muted); }
.cs-summary { font-weight: 600; }
h2.cs-part { font-size: 1.05rem; margin: 4px 0 6px; color: var(--ink-2); }
`;
const POINTS = [{ value: "balanced", label: "balanced" }, { value: "screening", label: "screening" },
  { value: "high_specificity", label: "high specificity" }];

export default {
  params: {
    ...SHARED_PARAMS,
    point: { type: "choice", default: "balanced", choices: POINTS },
    ...ESTEVA_PARAMS,
    ...SHORTCUT_PARAMS,
    ...PRETRAIN_PARAMS,
  },

  async mount(root, ctx) {
    ctx.injectStyle("clinic-style", CLINIC_CSS);
    ctx.injectStyle("cases-style", CSS);
    ctx.injectStyle("esteva-style", ESTEVA_CSS);
    const { el, fmt } = ctx;
    const { runs } = await ctx.api("clinic/runs");
    const name = currentRun(ctx, runs);
    const { sources } = await ctx.api("clinic/options");
    const experiments = [estevaCard(ctx), shortcutCard(ctx), pretrainCard(ctx, sources.some((s) => !s.synthetic))];
    const destroy = () => experiments.forEach((x) => x.destroy());
    const judged = el("div", { class: "stack", "data-testid": "cases-run" },
      el("h2", { class: "cs-part" }, "Your run beside three studies"));
    root.append(
      el("p", { class: "lede" }, "Published studies judged their models the way this chapter judges yours. The first cards put one ",
        "study's idea beside the same measurement on a run you trained; the experiments below train their own models."),
      judged,
      el("div", { class: "cs-after stack", "data-testid": "cases-experiments" },
        el("h2", { class: "cs-part" }, "Experiments that train their own models"),
        el("p", { class: "small" }, "These need no trained run: each trains its models on the server (about a minute) and keeps the result."),
        ...experiments.map((x) => x.node)));
    if (!name) {
      judged.append(el("div", { class: "callout", "data-testid": "no-runs" },
        "Gulshan's operating points, CheXNet's F1 and McKinney's first reader are measured on a run you trained, and there is none yet. ",
        el("a", { href: pageLink("clinic-train", {}) }, "Train one on the first page of the clinic"),
        " (a minute on the synthetic films), then come back. The experiments below need no run."));
      return destroy;
    }
    const pointChoice = ctx.choice({ name: "point", label: "Operating point for F1 and the first reader", onChange: (v) => { ctx.setParams({ point: v }); refresh(); } }).node;
    const cards = el("div", { class: "cs-cards" });
    const note = el("p", { class: "small", "data-testid": "cases-note" });
    const summary = el("p", { class: "cs-summary", "data-testid": "summary", "aria-live": "polite" });
    judged.append(el("div", { class: "clinic-top" }, runPicker(ctx, runs, name, () => location.reload()), pointChoice),
      summary, note, cards);

    const get = () => ctx.api(`clinic/cases?run=${encodeURIComponent(name)}&point=${ctx.params.point}`);
    const refresh = ctx.live(get, draw);

    function card(id, title, source, ...body) {
      return el("section", { class: "panel cs-card", "data-testid": `case-${id}` }, el("h2", {}, title),
        el("p", { class: "cs-source" }, source), ...body);
    }
    const words = (list, id) => el("div", { class: "clinic-words", "data-testid": `${id}-words` }, list.map((w) => el("p", {}, w)));

    function gulshan(c) {
      const g = c.gulshan;
      const two = (x) => `${fmt(100 * x.sensitivity, 1)} / ${fmt(100 * x.specificity, 1)}`;
      const rows = g.points.map((p) => el("tr", {},
        el("th", { scope: "row" }, el("a", { href: pageLink("clinic-roc", { run: name, threshold: p.threshold }),
          "data-testid": `to-roc-${p.name}`, title: "this threshold on the ROC page", onclick: () => rememberThreshold(name, p.threshold) }, p.label)),
        el("td", {}, two(p.theirs)), el("td", {}, two(p.validation)),
        el("td", { "data-testid": `gulshan-${p.name}` }, two(p[c.split]))));
      return card("gulshan", "Two operating points on one curve (Gulshan 2016)", g.source,
        el("table", { class: "data cs-nowrap" }, el("caption", { class: "small" }, "sensitivity / specificity, %; a point's name opens it on the ROC"),
          el("thead", {}, el("tr", {}, el("th", {}, "point"), el("th", {}, "theirs"),
            el("th", {}, "ours, val."), el("th", {}, `ours, ${c.split}`))), el("tbody", {}, rows)),
        words(g.words, "gulshan"));
    }

    function mckinney(c) {
      const m = c.mckinney;
      const share = (k) => `${(100 * k) / m.n}%`;
      const bar = el("div", { class: "cs-bar", role: "img", "aria-label": `${m.read} read by a radiologist, ${m.cleared - m.missed} cleared correctly, ${m.missed} pneumonias cleared unread` },
        el("span", { class: "read", style: `width: ${share(m.read)}` }, m.read ? `read ${m.read}` : ""),
        el("span", { class: "cleared", style: `width: ${share(m.cleared - m.missed)}` }, `cleared ${m.cleared - m.missed}`),
        el("span", { class: "missed", style: `width: ${share(m.missed)}` }, m.missed ? String(m.missed) : ""));
      return card("mckinney", "The model as first reader (McKinney 2020)", m.source,
        el("div", { class: "readouts" },
          el("div", { class: "readout blue" }, el("div", { class: "k" }, "No human read"),
            el("div", { class: "v", "data-testid": "cleared-share" }, pct(ctx, m.cleared_share)), el("div", { class: "s" }, `${m.cleared} of ${m.n}`)),
          el("div", { class: "readout orange" }, el("div", { class: "k" }, "Pneumonias missed"),
            el("div", { class: "v", "data-testid": "missed-share" }, pct(ctx, m.missed_share)), el("div", { class: "s" }, `${m.missed} cleared unread`))),
        bar, el("p", { class: "small muted" }, "orange: read by a radiologist · blue: cleared, truly normal · red: pneumonias cleared unread"),
        words(m.words, "mckinney"));
    }

    function rajpurkar(c) {
      const r = c.rajpurkar;
      const plotNode = el("div", { class: "cs-f1", "data-testid": "f1-plot" });
      const node = card("rajpurkar", "F1 with its interval (Rajpurkar 2017, CheXNet)", r.source,
        el("div", { class: "readouts" }, el("div", { class: "readout" }, el("div", { class: "k" }, `Our F1 (${c.point.replace("_", " ")})`),
          el("div", { class: "v", "data-testid": "f1" }, fmt(r.f1, 3)),
          el("div", { class: "s", "data-testid": "f1-ci" }, `95% CI ${fmt(r.low, 3)}–${fmt(r.high, 3)}`))),
        plotNode, words(r.words, "rajpurkar"));
      const ys = ["radiologists (mean)", "CheXNet", "our run"];
      const xs = [r.theirs.radiologists, r.theirs.f1, r.f1];
      const lo = [0, r.theirs.f1 - r.theirs.low, r.f1 - r.low], hi = [0, r.theirs.high - r.theirs.f1, r.high - r.f1];
      requestAnimationFrame(() => ctx.plot(plotNode, [{ x: xs, y: ys, type: "scatter", mode: "markers",
        marker: { size: 10, color: [ctx.cssVar("--muted"), ctx.cssVar("--slate"), ctx.cssVar("--orange")] },
        error_x: { type: "data", symmetric: false, array: hi, arrayminus: lo, color: ctx.cssVar("--ink-2") },
        hovertemplate: "%{y}: F1 %{x:.3f}<extra></extra>" }],
      { margin: { l: 130, r: 16, t: 8, b: 40 }, xaxis: { title: { text: "F1" }, range: [0, 1] }, showlegend: false }));
      return node;
    }

    function draw(c) {
      note.replaceChildren(`Our numbers: the ${c.split} images of the run, at operating points chosen on validation. `,
        c.synthetic ? el("span", { class: "tag synthetic" }, "synthetic films") : null);
      summary.textContent = `At the ${c.point.replace("_", " ")} point (threshold ${fmt(c.threshold, 3)}): F1 ${fmt(c.rajpurkar.f1, 3)} `
        + `(95% CI ${fmt(c.rajpurkar.low, 3)}–${fmt(c.rajpurkar.high, 3)}) · no human read for ${pct(ctx, c.mckinney.cleared_share)} `
        + `· ${pct(ctx, c.mckinney.missed_share)} of pneumonias missed.`;
      cards.replaceChildren(gulshan(c), mckinney(c), rajpurkar(c));
      root.dataset.point = c.point;
    }

    draw(await get());
    return destroy;
  },
};
