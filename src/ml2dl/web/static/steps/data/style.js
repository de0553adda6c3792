// The data step's CSS (colours as CSS variables only).
export const DATA_CSS = `
.dt-parts { margin-bottom: 14px; max-width: 640px; }
.dt-vector { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 1.15rem; white-space: pre-wrap; }
table.dt-row { max-width: 420px; }
.dt-image-grid { display: grid; grid-template-columns: minmax(0, 320px) minmax(0, 1fr); gap: 18px; align-items: start; }
.dt-whole { position: relative; width: 100%; max-width: 320px; cursor: crosshair; }
.dt-whole canvas, .dt-colour canvas { width: 100%; height: auto; display: block; image-rendering: pixelated; border: 1px solid var(--line-2); }
.dt-box { position: absolute; border: 2px solid var(--highlight); box-shadow: 0 0 0 1px var(--shade); pointer-events: none; }
.dt-cells { display: grid; width: 100%; max-width: 640px; border: 1px solid var(--line-2); user-select: none; }
.dt-cell { aspect-ratio: 1; display: flex; align-items: center; justify-content: center; font-size: 0;
  font-variant-numeric: tabular-nums; overflow: hidden; }
.dt-cells.numbers .dt-cell { font-size: var(--cell-font, 10px); }
.dt-cell:hover, .dt-cell.hot { outline: 2px solid var(--highlight); outline-offset: -2px; }
.dt-hover { font-variant-numeric: tabular-nums; min-height: 1.5em; }
.dt-colour { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; }
.dt-colour figure { margin: 0; }
.dt-colour figcaption { font-size: .85rem; color: var(--ink-2); margin-top: 4px; }
.dt-words { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 300px); gap: 16px; align-items: start; }
.dt-plot { height: 460px; }
.dt-chips { display: flex; flex-wrap: wrap; gap: 6px; }
.dt-chips .btn[aria-pressed="true"] { background: var(--blue); color: var(--white); border-color: var(--blue); }
@media (max-width: 900px) {
  .dt-image-grid, .dt-words { grid-template-columns: 1fr; }
  .dt-colour { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .dt-plot { height: 380px; }
}
`;
