// What the clinic's pages share: the current run (and threshold) carried from page to page, the run
// picker, the confusion matrix, the heatmap colours and the chapter's CSS. No maths: every number comes
// from /api/clinic/*.
//
// The current run lives in the URL of each clinic page (?run=NAME, declared by every page as `run`).
// Moving to another step drops a page's parameters from the URL, so the last choice is also kept in
// localStorage: a clinic page opened without ?run= takes the last run (and threshold) chosen, and
// writes it into its URL.

import { rgbOf } from "../../lib/colour.js";

const KEY = "ml2dl.clinic";

function load() {
  try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch { return {}; }
}

/** remember({run, threshold, split}): what the next clinic page opens with. */
export function remember(values) {
  try { localStorage.setItem(KEY, JSON.stringify({ ...load(), ...values })); } catch { /* private mode */ }
}

/** The shared parameters every clinic page declares. */
export const SHARED_PARAMS = {
  run: { type: "string", default: "" },
};

/**
 * currentRun(ctx, runs): the run named in the URL if it exists, else the last one chosen on any clinic
 * page, else the newest complete run; written back to the URL. null when there is no run at all.
 */
export function currentRun(ctx, runs) {
  const names = new Set(runs.map((r) => r.name));
  const stored = load().run;
  let name = ctx.params.run;
  if (!names.has(name)) name = names.has(stored) ? stored : (runs.find((r) => r.complete) || runs[0] || {}).name || "";
  if (name !== ctx.params.run) ctx.setParams({ run: name || null });
  if (name) remember({ run: name });
  return name || null;
}

/** The threshold last chosen for this run on clinic-roc (null: none yet). */
export function storedThreshold(run) {
  const s = load();
  return s.thresholds && s.thresholds[run] !== undefined ? s.thresholds[run] : null;
}

/** The threshold a page opens with: the URL's (?threshold=), else the one stored for the run, else 0.5. */
export function chosenThreshold(text, stored) {
  const v = Number(text);
  if (text !== "" && Number.isFinite(v)) return v;
  return stored === null ? 0.5 : stored;
}

export function rememberThreshold(run, threshold) {
  const s = load();
  remember({ thresholds: { ...(s.thresholds || {}), [run]: threshold } });
}

/** "?step=clinic-roc&run=NAME&…": a link to another clinic page with the shared state. */
export function pageLink(step, params) {
  const q = new URLSearchParams({ step });
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  const hide = new URLSearchParams(location.search).get("hide");
  if (hide) q.set("hide", hide);
  return `?${q.toString().replace(/%2C/g, ",")}`;
}

/** A short label for a run: "strong w8 · phantoms 600 · 5 ep · AUC 0.93". */
export function runLabel(r, fmt) {
  const auc = r.best_val_auc === null ? "" : ` · val AUC ${fmt(r.best_val_auc, 3)}`;
  const data = r.source === "phantom" ? "phantoms" : r.source === "file" ? "real X-rays" : r.data;
  const n = r.n_train ? ` ${r.n_train}` : "";
  return `${r.architecture}${r.width ? ` w${r.width}` : ""} · ${data}${n} · ${r.epochs_done}/${r.epochs} ep${auc}`;
}

/**
 * runPicker(ctx, runs, current, onChange): a labelled <select> of the runs (data-control="run"),
 * or null when hidden or when there are none.
 */
export function runPicker(ctx, runs, current, onChange) {
  if (ctx.hidden("run") || !runs.length) return null;
  const { el, fmt } = ctx;
  const select = el("select", { id: "clinic-run", "data-testid": "run",
    onchange: () => { ctx.setParams({ run: select.value }); remember({ run: select.value }); onChange(select.value); } },
  runs.map((r) => el("option", { value: r.name, selected: r.name === current ? "" : false },
    `${runLabel(r, fmt)}${r.complete ? "" : " (stopped)"}`)));
  return el("div", { class: "field clinic-run", "data-control": "run" },
    el("label", { for: "clinic-run" }, "Run"), select);
}

/** Shown instead of a page when the runs folder is empty. */
export function noRuns(ctx) {
  const { el } = ctx;
  return el("div", { class: "callout", "data-testid": "no-runs" },
    "No trained run yet. ", el("a", { href: pageLink("clinic-train", {}) }, "Train one on the first page of the clinic"),
    " (a minute on the synthetic films), then come back.");
}

/**
 * confusionMatrix(ctx, counts, {onCell, selected, labels}): the 2 × 2 table, truth in rows, the
 * call in columns; with onCell each cell is a button (data-testid cell-fn …).
 */
export function confusionMatrix(ctx, counts, { onCell = null, selected = null, caption = "" } = {}) {
  const { el } = ctx;
  const cell = (key, cls, label) => {
    const inner = [el("span", { class: "cm-n", "data-testid": `cm-${key}` }, String(counts[key])),
      el("span", { class: "cm-k" }, label)];
    return el("td", { class: `cm-cell ${cls}` }, onCell
      ? el("button", { type: "button", class: "cm-btn", "data-testid": `cell-${key}`, "aria-pressed": selected === key ? "true" : "false",
        "aria-label": `${label}: ${counts[key]} images`, onclick: () => onCell(key) }, inner)
      : inner);
  };
  return el("table", { class: "cm", "data-testid": "confusion" },
    caption ? el("caption", {}, caption) : null,
    el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", { scope: "col" }, "called normal"),
      el("th", { scope: "col" }, "called pneumonia"))),
    el("tbody", {},
      el("tr", {}, el("th", { scope: "row", class: "cm-truth normal" }, "normal"),
        cell("tn", "ok", "true negatives"), cell("fp", "bad", "false positives")),
      el("tr", {}, el("th", { scope: "row", class: "cm-truth pneumonia" }, "pneumonia"),
        cell("fn", "bad", "false negatives"), cell("tp", "ok", "true positives"))));
}

/** heatColours() -> v ↦ [r, g, b]: a heatmap in [0, 1] from white to --violet (multiplied over the image). */
export function heatColours() {
  const white = rgbOf("--white"), hot = rgbOf("--violet");
  return (v) => [0, 1, 2].map((i) => Math.round(white[i] + (hot[i] - white[i]) * Math.min(1, Math.max(0, v))));
}

/** "91.2%" from a share (display only); null → "—". */
export function pct(ctx, x, digits = 1) {
  return x === null || x === undefined ? "—" : `${ctx.fmt(100 * x, digits)}%`;
}

export const CLINIC_CSS = `
.clinic-run { max-width: 100%; }
.clinic-run select { max-width: 100%; }
.clinic-top { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: end; margin-bottom: 12px; }
table.cm { border-collapse: separate; border-spacing: 4px; font-variant-numeric: tabular-nums; }
table.cm caption { text-align: left; font-size: .82rem; color: var(--muted); caption-side: top; padding-bottom: 2px; }
table.cm th { font-size: .78rem; color: var(--muted); font-weight: 600; padding: 2px 6px; }
table.cm th.cm-truth { text-align: right; }
table.cm th.cm-truth.normal { color: var(--blue); }
table.cm th.cm-truth.pneumonia { color: var(--orange-ink); }
td.cm-cell { border-radius: 9px; padding: 0; min-width: 92px; text-align: center; border: 2px solid var(--line); background: var(--white); }
td.cm-cell.ok { background: color-mix(in srgb, var(--good) 8%, var(--white)); }
td.cm-cell.bad { background: color-mix(in srgb, var(--bad) 8%, var(--white)); }
td.cm-cell > .cm-n, td.cm-cell .cm-btn > .cm-n { display: block; font-size: 1.45rem; font-weight: 700; }
td.cm-cell > .cm-k, td.cm-cell .cm-btn > .cm-k { display: block; font-size: .72rem; color: var(--ink-2); }
td.cm-cell > span { padding: 0 8px; }
td.cm-cell > .cm-n { padding-top: 6px; }
td.cm-cell > .cm-k { padding-bottom: 6px; }
.cm-btn { all: unset; display: block; width: 100%; padding: 6px 8px; cursor: pointer; border-radius: 7px; box-sizing: border-box; }
.cm-btn:focus-visible { outline: 3px solid var(--slate); }
.cm-btn[aria-pressed="true"] { box-shadow: inset 0 0 0 3px var(--slate); }
.clinic-words { font-size: .92rem; line-height: 1.45; }
.clinic-plot { width: 100%; height: 300px; }
.clinic-plot.small { height: 260px; }
`;
