// Step 2's page layout: the top bar, the three panels (data, network, output) and the challenge cards.

export const CSS = `
.pg-top { display: flex; flex-wrap: wrap; align-items: center; gap: 14px 22px; margin-bottom: 18px; }
.pg-stepcount { min-width: 110px; }
.pg-stepcount .k { color: var(--muted); font-size: .78rem; font-weight: 650; text-transform: uppercase; letter-spacing: .05em; }
.pg-stepcount .v { font-size: 1.6rem; font-weight: 720; font-variant-numeric: tabular-nums; line-height: 1.1; }
.pg-grid { display: grid; grid-template-columns: 230px minmax(0, 1fr) 380px; gap: 18px; align-items: start; }
@media (max-width: 1180px) { .pg-grid { grid-template-columns: 230px minmax(0, 1fr); } .pg-out { grid-column: 1 / -1; } }
@media (max-width: 760px) { .pg-grid { grid-template-columns: 1fr; } }
.pg-problems { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin-bottom: 14px; }
.pg-prob { border: 2px solid var(--line); border-radius: 10px; background: var(--white); padding: 6px 4px 4px; cursor: pointer; display: grid;
  justify-items: center; gap: 2px; font-weight: 650; font-size: .85rem; color: var(--ink-2); }
.pg-prob svg { width: 64px; height: 64px; border-radius: 6px; background: var(--plot-bg); }
.pg-prob[aria-checked="true"] { border-color: var(--blue); color: var(--ink); box-shadow: 0 0 0 3px color-mix(in srgb, var(--blue) 15%, transparent); }
.pg-net { position: relative; width: 100%; min-height: 360px; }
.pg-net svg.pg-edges { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible; }
.pg-edge { fill: none; stroke-linecap: round; }
.pg-edge.pos { stroke: var(--slate); }
.pg-edge.neg { stroke: var(--purple); stroke-dasharray: 5 3; }
.pg-node { position: absolute; width: var(--pg-node, 44px); height: var(--pg-node, 44px); border-radius: 7px; border: 1px solid var(--line-3); background: var(--white);
  overflow: hidden; transform: translate(-50%, -50%); box-shadow: 0 1px 3px color-mix(in srgb, var(--shade) 12%, transparent); }
.pg-node canvas { width: 100%; height: 100%; display: block; image-rendering: auto; }
.pg-node.input { border-radius: 50%; background: var(--input-bg); }
.pg-inlabel { position: absolute; transform: translateY(-50%); font-family: var(--math); font-size: 15px; white-space: nowrap; color: var(--ink); }
.pg-node.output { border: 2px solid var(--slate); }
.pg-colhead { position: absolute; top: 0; transform: translateX(-50%); text-align: center; font-size: .76rem; color: var(--muted);
  font-weight: 650; white-space: nowrap; }
.pg-colhead .btn-icon { width: 24px; height: 24px; font-size: .95rem; }
.pg-compact .pg-colhead .pg-pm { display: grid; justify-items: center; gap: 2px; }  /* − above +: one button wide */
.pg-compact .pg-colhead .btn-icon { width: 22px; height: 22px; }
.pg-layerbar { display: flex; align-items: center; gap: 8px; margin-bottom: 6px; flex-wrap: wrap; }
.pg-layerbar strong { font-variant-numeric: tabular-nums; }
.pg-legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: .8rem; color: var(--ink-2); margin-top: 6px; }
.pg-legend svg { vertical-align: middle; }
.pg-plot { position: relative; width: 100%; aspect-ratio: 1; border-radius: 8px; overflow: hidden; border: 1px solid var(--line); background: var(--white); }
.pg-plot canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.pg-axes { display: flex; justify-content: space-between; font-size: .75rem; color: var(--muted); margin-top: 2px; }
.pg-readouts .readout { flex-basis: 100px; padding: 8px 10px; }
.pg-readouts .readout .v { font-size: 1.35rem; }
.pg-loss { min-height: 150px; height: 150px; }
.pg-challenges { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 10px; }
.pg-challenge { text-align: left; border: 1px solid var(--line); border-radius: 10px; background: var(--white); padding: 10px 12px; cursor: pointer; }
.pg-challenge:hover { border-color: var(--blue); }
.pg-challenge strong { display: block; margin-bottom: 2px; }
.pg-challenge span { font-size: .86rem; color: var(--ink-2); }
.pg-status { font-size: .9rem; min-height: 1.4em; }
.pg-status.bad { color: var(--bad); font-weight: 600; }
.pg-eq { display: block; max-width: 100%; overflow-x: auto; margin: 6px 0; }
.pg-check { display: flex; gap: 8px; align-items: center; font-size: .9rem; margin-top: 10px; }
`;
