// Colours come from CSS variables only (style.css :root): blue = normal, orange = pneumonia.
// Canvas, SVG attributes and Plotly need concrete colours, so they read the variables here.
// The one computed colour is a grey level, which is data (a pixel value 0…255), not a palette entry.

/** cssVar("--blue") -> "#1f77b4": the current value of a custom property of :root. */
export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

let probe = null;
/** rgbOf("--orange") -> [255, 127, 14]: a CSS variable (any CSS colour) as 0…255 channels. */
export function rgbOf(name) {
  probe ??= document.createElement("canvas").getContext("2d");
  probe.fillStyle = cssVar(name);
  const text = probe.fillStyle;  // normalised by the browser: "#rrggbb" or "rgba(r, g, b, a)"
  if (text.startsWith("#")) return [1, 3, 5].map((i) => parseInt(text.slice(i, i + 2), 16));
  return text.match(/[\d.]+/g).slice(0, 3).map(Number);
}

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

/**
 * probabilityColours() -> p ↦ [r, g, b]: P(pneumonia) as a background: blue below 0.5, orange above,
 * more saturated the surer (8 % of the class colour at p = 0.5, 50 % at p = 0 or 1).
 */
export function probabilityColours() {
  const white = rgbOf("--white"), blue = rgbOf("--blue"), orange = rgbOf("--orange");
  return (p) => {
    const conf = Math.min(1, Math.abs(p - 0.5) * 2);
    return mix(white, p >= 0.5 ? orange : blue, 0.08 + 0.42 * conf);
  };
}

/** signedColours() -> v ↦ [r, g, b]: a value in [−1, 1] as blue (−1) … white (0) … orange (+1). */
export function signedColours() {
  const white = rgbOf("--white"), blue = rgbOf("--blue"), orange = rgbOf("--orange");
  return (v) => mix(white, v >= 0 ? orange : blue, 0.85 * Math.min(1, Math.abs(v)));
}

/**
 * greyLevel(v, {signed, max}) -> 0…255. Signed values: mid-grey = 0, black = −max, white = +max
 * (as in step 7); non-negative ones: black = 0, white = max.
 */
export function greyLevel(v, scale) {
  if (scale.signed) return Math.max(0, Math.min(255, Math.round(127.5 + (v / scale.max) * 127.5)));
  return Math.max(0, Math.min(255, Math.round((v / (scale.max || 1)) * 255)));
}

/** greyColours(scale) -> v ↦ [g, g, g] with g = greyLevel(v, scale). */
export function greyColours(scale) {
  return (v) => { const g = greyLevel(v, scale); return [g, g, g]; };
}

/** greyCss(128) -> "rgb(128, 128, 128)": a pixel's grey level as a CSS colour (DOM cells showing pixels). */
export function greyCss(level) {
  return `rgb(${level},${level},${level})`;
}

/** inkOn(level) -> the text colour readable on that grey (ink on light cells, white on dark ones). */
export function inkOn(level) {
  return level > 140 ? "var(--ink)" : "var(--white)";
}
