// Step 7's page style: the two panels (controls, images), the kernel grid, the inspector and, on a phone, the
// image pair kept in view under the site's header.

export const CSS = `
.kx-grid .caption { overflow-wrap: anywhere; }
.kx-grid { display: grid; grid-template-columns: 330px minmax(0, 1fr); gap: 18px; align-items: start; }
@media (max-width: 980px) { .kx-grid { grid-template-columns: 1fr; } }
.kx-samples { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 6px; margin-bottom: 8px; }
.kx-sample { border: 2px solid var(--line); border-radius: 9px; background: var(--white); padding: 5px 4px; cursor: pointer;
  font-size: .76rem; font-weight: 650; color: var(--ink-2); line-height: 1.2; text-align: center; }
.kx-sample[aria-checked="true"] { border-color: var(--blue); color: var(--ink); box-shadow: 0 0 0 3px color-mix(in srgb, var(--blue) 15%, transparent); }
.kx-sample .mod { display: block; font-weight: 500; color: var(--muted); font-size: .7rem; }
.kx-upload { display: inline-flex; align-items: center; gap: 6px; cursor: pointer; }
.kx-upload input { position: absolute; width: 1px; height: 1px; opacity: 0; }
.kx-upload:focus-within { outline: 3px solid color-mix(in srgb, var(--blue) 45%, transparent); outline-offset: 2px; }
.kx-presets { display: grid; grid-template-columns: repeat(3, 1fr); gap: 5px; margin-bottom: 12px; }
.kx-preset { border: 1px solid var(--line-2); border-radius: 8px; background: var(--white); padding: 5px 4px; font-size: .8rem; font-weight: 600; cursor: pointer; }
.kx-preset[aria-pressed="true"] { background: var(--slate); border-color: var(--slate); color: var(--white); }
.kx-kernel { display: grid; grid-template-columns: repeat(3, 64px); gap: 5px; justify-content: center; margin: 6px 0 4px; }
.kx-kernel input { width: 64px; height: 48px; text-align: center; font-size: 1.05rem; font-weight: 650; border: 1px solid var(--line-2);
  border-radius: 8px; font-variant-numeric: tabular-nums; background: var(--white); }
.kx-kernel input.pos { background: var(--pos-soft); }
.kx-kernel input.neg { background: var(--purple-soft); color: var(--purple-ink); }
.kx-kernel input:focus { outline: none; border-color: var(--blue); box-shadow: 0 0 0 3px color-mix(in srgb, var(--blue) 18%, transparent); }
.kx-sum { text-align: center; font-size: .88rem; color: var(--ink-2); }
.kx-pair { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
@media (max-width: 640px) {
  /* a phone: the two images first, side by side, and kept in view (under the site's header) while the
     controls below them scroll: what a tap on a preset does is seen at once */
  .kx-stack { display: contents; }
  .kx-images { order: -1; position: sticky; top: var(--kx-top, 0px); z-index: 3; padding: 10px 12px;
    box-shadow: 0 4px 10px color-mix(in srgb, var(--shade) 14%, transparent); }
  .kx-pair { gap: 3px 10px; grid-template-areas: "oc fc" "oi fi" "t t"; }
  .kx-images .kx-fig { display: contents; }  /* the caption spans both images */
  .kx-images .kx-fig:first-child figcaption { grid-area: oc; }
  .kx-images .kx-fig:first-child .kx-imgbox { grid-area: oi; }
  .kx-images .kx-fig:last-child figcaption { grid-area: fc; }
  .kx-images .kx-fig:last-child .kx-imgbox { grid-area: fi; }
  .kx-images .caption { grid-area: t; font-size: .76rem; line-height: 1.35; margin: 4px 0 0; }
  .kx-images figcaption { font-size: .82rem; margin-bottom: 0; }
}
.kx-fig { margin: 0; min-width: 0; }
.kx-fig figcaption { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; font-weight: 650; font-size: .92rem; margin-bottom: 6px; }
.kx-fig figcaption .muted { font-weight: 500; font-size: .8rem; }
.kx-imgbox { position: relative; border-radius: 8px; overflow: hidden; background: var(--black); cursor: crosshair; line-height: 0; }
.kx-imgbox:focus-visible { outline: 3px solid color-mix(in srgb, var(--blue) 60%, transparent); outline-offset: 2px; }
.kx-imgbox img { width: 100%; height: auto; display: block; image-rendering: auto; }
.kx-cursor { position: absolute; border: 2px solid var(--highlight); box-shadow: 0 0 0 1px color-mix(in srgb, var(--black) 60%, transparent); pointer-events: none; display: none; }
.kx-inspect { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 14px; }
.kx-mat { display: grid; grid-template-columns: repeat(3, 48px); gap: 3px; }
.kx-mat div { height: 38px; display: grid; place-items: center; border-radius: 6px; font-variant-numeric: tabular-nums; font-size: .86rem; font-weight: 650; }
.kx-mat.w div { background: var(--pos-soft); color: var(--ink); }
.kx-mat.w div.neg { background: var(--purple-soft); color: var(--purple-ink); }
.kx-mat.p div { background: var(--highlight-soft); color: var(--ink); border: 1px solid var(--highlight-line); }
.kx-op { font-size: 1.6rem; color: var(--muted); }
.kx-matcap { font-size: .75rem; color: var(--muted); text-align: center; margin-top: 3px; }
.kx-result { font-size: 1.5rem; font-weight: 750; font-variant-numeric: tabular-nums; }
.kx-zooms { display: grid; gap: 6px; }
.kx-zoom { width: 88px; height: 88px; border-radius: 6px; image-rendering: pixelated; border: 1px solid var(--line); background: var(--black); }
.kx-code { font-family: var(--mono); font-size: .86rem; background: var(--input-bg); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; white-space: pre; overflow-x: auto; }
`;
