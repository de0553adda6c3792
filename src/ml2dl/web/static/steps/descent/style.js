// The descent step's own CSS (colours only through var(--…)).
export const STYLE = `
.descent-tabs { margin: 0 0 16px; }
.descent-tabs .control { margin: 0; }
.descent-update { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 18px; padding: 12px 16px;
  background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); font-size: 1.05rem; }
.descent-numbers { font-family: var(--mono); font-size: 1rem; color: var(--ink); }
.descent-plot, .descent-contour, .descent-contour-small { width: 100%; min-height: 200px; }
.btn-row.wrap { flex-wrap: wrap; }
.start-row { gap: 8px; align-items: center; }
.start-row .start-box { width: 5.5em; }
.optimizer-panel .rule { font-family: var(--mono); margin: -4px 0 6px; }
.optimizer-panel.best { outline: 2px solid var(--good); }
@media (max-width: 1100px) { .optimizer-grid { grid-template-columns: minmax(0, 1fr); } }
`;
