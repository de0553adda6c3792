// Typed step parameters, declared once per step; the shell reads them from the URL, clamps them to
// their range, and writes the state back (history.replaceState).
//
// A declaration maps each name to a spec:
//   { type: "int",    default: 3,   min: 1, max: 8, step: 1 }       rounded, snapped to min + k·step, clamped
//   { type: "float",  default: 0.1, min: 0, max: 0.5, step: 0.05 }  clamped (step is for the control)
//   { type: "choice", default: "xor", choices: ["xor", …] | [{value, label}, …] }
//        an unknown value falls back to the default; numeric choices snap to the nearest (lr=999 → 3)
//   { type: "bool",   default: true }                                1/true/on · 0/false/off
//   { type: "string", default: "sample:retina" }                     kept as given
//   { type: "list", of: "int" | "float", default: [4], min, max, minLength, maxLength, empty: "none" }
//        comma-separated; each item clamped, extra items dropped, too few → the default;
//        `empty` is how the empty list is written ("none")
//   { type: "list", of: "choice", choices: ["x1", …], default: ["x1"], minLength: 1 }
//        comma-separated names, kept in the order of `choices`; unknown names are dropped, repeats
//        counted once; too few left → the default
// Any spec may add `transient: true` (read from the URL, never written back: play=1, autostart=0).

const TRUE = new Set(["1", "true", "on", "yes"]);
const FALSE = new Set(["0", "false", "off", "no"]);

/** choiceValues(spec) -> the choices' values ([{value, label}] or plain values). */
export function choiceValues(spec) {
  return spec.choices.map((c) => (c !== null && typeof c === "object" ? c.value : c));
}

/** choiceOptions(spec) -> [{value, label}] for a choice control. */
export function choiceOptions(spec) {
  return spec.choices.map((c) => (c !== null && typeof c === "object" ? c : { value: c, label: String(c) }));
}

function clampNumber(spec, v, integer) {
  const lo = spec.min ?? -Infinity, hi = spec.max ?? Infinity;
  let x = Math.min(hi, Math.max(lo, integer ? Math.round(v) : v));
  if (integer && spec.step > 1 && Number.isFinite(lo)) {
    x = lo + Math.round((x - lo) / spec.step) * spec.step;   // snap to min + k·step…
    if (x > hi) x -= spec.step;                               // …without passing max
  }
  return x;
}

function parseNumber(text) {
  const t = String(text).trim();
  const v = Number(t);
  return t === "" || !Number.isFinite(v) ? null : v;
}

/** parseParam(spec, text) -> the typed, clamped value; the default when text is missing or unreadable. */
export function parseParam(spec, text) {
  if (text === undefined || text === null) return spec.default;
  switch (spec.type) {
    case "int":
    case "float": {
      const v = parseNumber(text);
      return v === null ? spec.default : clampNumber(spec, v, spec.type === "int");
    }
    case "choice": {
      const values = choiceValues(spec);
      const exact = values.find((c) => String(c) === String(text));
      if (exact !== undefined) return exact;
      const v = parseNumber(text);
      if (v === null || !values.every((c) => typeof c === "number")) return spec.default;
      return values.reduce((best, c) => (Math.abs(c - v) < Math.abs(best - v) ? c : best));
    }
    case "bool": {
      const t = String(text).toLowerCase();
      return TRUE.has(t) ? true : FALSE.has(t) ? false : spec.default;
    }
    case "list": {
      const t = String(text).trim();
      if (t === "" || t === spec.empty) return (spec.minLength ?? 0) === 0 ? [] : spec.default;
      if (spec.of === "choice") {
        const named = new Set(t.split(",").map((v) => v.trim()));
        const out = choiceValues(spec).filter((c) => named.has(String(c)));
        return out.length < (spec.minLength ?? 0) ? spec.default : out;
      }
      const items = t.split(",").map(parseNumber);
      if (items.some((v) => v === null)) return spec.default;
      const out = items.slice(0, spec.maxLength ?? Infinity).map((v) => clampNumber(spec, v, spec.of === "int"));
      return out.length < (spec.minLength ?? 0) ? spec.default : out;
    }
    default:
      return String(text);
  }
}

/** formatParam(spec, value) -> the URL text of a value (null: leave it out of the URL). */
export function formatParam(spec, value) {
  if (value === null || value === undefined) return null;
  if (spec.type === "bool") return value ? "1" : "0";
  if (spec.type === "list") return value.length ? value.join(",") : (spec.empty ?? "");
  return String(value);
}

/** clampParam(spec, value) -> the value a URL round trip would give (what the shell stores). */
export function clampParam(spec, value) {
  const text = formatParam(spec, value);
  return text === null ? spec.default : parseParam(spec, text);
}

/** readParams(declaration, query) -> {name: typed value} for every declared name. */
export function readParams(declaration, query) {
  const out = {};
  for (const [name, spec] of Object.entries(declaration)) out[name] = parseParam(spec, query[name]);
  return out;
}

/** urlParams(declaration, values) -> {name: text | null} of the non-transient names (null removes). */
export function urlParams(declaration, values) {
  const out = {};
  for (const [name, spec] of Object.entries(declaration)) {
    if (!spec.transient) out[name] = formatParam(spec, values[name]);
  }
  return out;
}
