// Plotly with the house style. Plotly needs concrete colours: they are read from style.css :root.

import { cssVar } from "./colour.js";

// Deep merge into a fresh object: Plotly writes into the layout it is given, so defaults must never be shared.
function merge(base, extra) {
  const out = JSON.parse(JSON.stringify(base));
  for (const [k, v] of Object.entries(extra || {})) {
    out[k] = v && typeof v === "object" && !Array.isArray(v) && base[k] && typeof base[k] === "object"
      ? merge(base[k], v) : (v && typeof v === "object" && !(v instanceof Node) ? JSON.parse(JSON.stringify(v)) : v);
  }
  return out;
}

/**
 * plot(node, traces, layout, config): Plotly.react with the house style (no mode bar, light grid,
 * the page font, responsive). Pass only what differs; nested layout objects are merged.
 */
export function plot(node, traces, layout = {}, config = {}) {
  const font = getComputedStyle(document.body).fontFamily;
  const axis = { gridcolor: cssVar("--plot-grid"), zerolinecolor: cssVar("--plot-zero"), linecolor: cssVar("--line-2"),
    tickcolor: cssVar("--line-2"), automargin: true, title: { font: { size: 12 } } };
  const base = {
    margin: { l: 50, r: 14, t: 12, b: 42 },
    paper_bgcolor: cssVar("--transparent"), plot_bgcolor: cssVar("--plot-bg"),
    font: { family: font, size: 12, color: cssVar("--ink-2") },
    xaxis: axis, yaxis: axis, showlegend: false, hovermode: "closest",
    legend: { orientation: "h", x: 0, y: 1.12, bgcolor: cssVar("--transparent") },
    hoverlabel: { font: { family: font } },
  };
  return window.Plotly.react(node, traces, merge(base, layout), { displayModeBar: false, responsive: true, ...config });
}
