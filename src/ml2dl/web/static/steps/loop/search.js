// The hyperparameter search: chips for the learning rates and widths to try, and the table of runs with
// the chosen one highlighted. The choice and its sentences are the server's.

export const SEARCH_CSS = `
.lp-chips { display: flex; flex-wrap: wrap; gap: 6px; }
.lp-chip { border: 1px solid var(--line-2); background: var(--panel); border-radius: 999px; padding: 4px 12px; font: inherit; cursor: pointer; }
.lp-chip[aria-pressed="true"] { background: var(--blue); border-color: var(--blue); color: var(--white); }
.lp-chip:focus-visible { outline: 3px solid color-mix(in srgb, var(--blue) 50%, transparent); outline-offset: 2px; }
table.data tr.lp-chosen td { background: color-mix(in srgb, var(--good) 16%, transparent); font-weight: 700; }
table.data tr.lp-chosen td:first-child { box-shadow: inset 4px 0 0 var(--good); }
.lp-table-wrap { overflow-x: auto; }
@media (max-width: 600px) { table.data .lp-wide { display: none; } table.data th, table.data td { padding: 6px 6px; } }
`;

/**
 * chips(ctx, {name, label, values, current, format, onChange}) -> node: toggle buttons for a list
 * parameter (the URL keeps the list); at least one stays selected.
 */
export function chips(ctx, { name, label, values, current, format, onChange }) {
  if (ctx.hidden(name)) return null;
  const { el } = ctx;
  let chosen = [...current];
  const all = [...new Set([...values, ...current])].sort((a, b) => a - b);
  const buttons = all.map((v) => el("button", { type: "button", class: "lp-chip", "data-testid": `${name}-${v}`,
    "aria-pressed": chosen.includes(v) ? "true" : "false",
    onclick: () => {
      const on = chosen.includes(v);
      if (on && chosen.length === 1) return;
      chosen = on ? chosen.filter((c) => c !== v) : [...chosen, v].sort((a, b) => a - b);
      for (const b of buttons) b.setAttribute("aria-pressed", chosen.includes(Number(b.dataset.value)) ? "true" : "false");
      onChange(chosen);
    } }, format(v)));
  buttons.forEach((b, i) => { b.dataset.value = String(all[i]); });
  return el("fieldset", { class: "group", "data-control": name }, el("legend", {}, label),
    el("div", { class: "lp-chips", role: "group", "aria-label": label }, buttons));
}

/** The table of the search's runs (grid order), the chosen row highlighted. */
export function searchTable(ctx, res, partial = false) {
  const { el, fmt } = ctx;
  const head = ["", "learning rate", "width", "val AUC", "val accuracy", ["best epoch", "lp-wide"], ["weights", "lp-wide"]];
  const rows = res.runs.map((r) => el("tr", { class: r.chosen ? "lp-chosen" : "", "data-testid": `search-row-${r.trial}`,
    "data-chosen": r.chosen ? "true" : "false", "aria-label": r.chosen ? "chosen setting" : null },
    el("td", {}, r.chosen ? "✔ chosen" : String(r.trial)),
    el("td", { class: "num" }, String(r.lr)), el("td", { class: "num" }, String(r.width)),
    el("td", { class: "num", "data-testid": `search-auc-${r.trial}` }, fmt(r.val_auc, 4)),
    el("td", { class: "num" }, fmt(r.val_accuracy, 3)),
    el("td", { class: "num lp-wide" }, r.best_epoch === null ? "—" : `${r.best_epoch} of ${r.epochs_run}`),
    el("td", { class: "num lp-wide" }, fmt(r.parameters))));
  return el("div", { class: "lp-table-wrap" }, el("table", { class: "data", "data-testid": partial ? "search-partial" : "search-table" },
    el("thead", {}, el("tr", {}, head.map((h) => (Array.isArray(h) ? el("th", { class: h[1] }, h[0]) : el("th", {}, h))))),
    el("tbody", {}, rows)));
}
