// Step 2's "my own data": load a small CSV of x1,x2,label rows (POST /api/playground/csv reads, checks,
// scales and encodes it: ml2dl.data.points_csv), say how its points were put on the plane, and whether
// a link can carry them.

const CSS = `
.pg-own { border-top: 1px solid var(--line); margin-top: 14px; padding-top: 12px; }
.pg-own h3 { font-size: .95rem; margin: 0 0 6px; }
.pg-own-load { display: inline-flex; align-items: center; gap: 6px; cursor: pointer; }
.pg-own-load input { position: absolute; width: 1px; height: 1px; opacity: 0; }
.pg-own-load:focus-within { outline: 3px solid color-mix(in srgb, var(--blue) 45%, transparent); outline-offset: 2px; }
.pg-own .bad { color: var(--bad); font-weight: 600; }
`;

/**
 * ownData(ctx, {limits, onData}) -> {node, describe(dataset, seed), linkNote(chars | null)}
 *   limits        options.csv: {max_bytes, max_rows, link_limit}
 *   onData(r)     a file was read: r is the POST /api/playground/csv answer (r.data goes in settings.data)
 * describe(d, seed) shows how the points came from the file (the train answer's dataset; null hides it);
 * linkNote(n) says that a link of n characters cannot carry the data (null: it can).
 */
export function ownData(ctx, { limits, onData }) {
  const { el, fmt } = ctx;
  ctx.injectStyle("step2-own-style", CSS);
  const kb = Math.round(limits.max_bytes / 1024);
  const input = el("input", { type: "file", accept: ".csv,.txt,.tsv,text/csv,text/plain", "data-testid": "csv-file",
    "aria-label": `Load your own points: a CSV file of x1, x2 and a label 0 or 1 (at most ${kb} KB, ${fmt(limits.max_rows)} rows)` });
  const error = el("p", { class: "small bad", role: "alert", "data-testid": "csv-error", hidden: true });
  const about = el("p", { class: "small", "data-testid": "csv-about", hidden: true });
  const link = el("p", { class: "small", "data-testid": "csv-link", hidden: true });
  let fileName = null;

  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    try {
      const response = await fetch("/api/playground/csv", { method: "POST", body: form });
      const r = await response.json().catch(() => null);
      if (!response.ok) throw new Error((r && (r.message || r.detail)) || `the upload failed (${response.status})`);
      fileName = file.name;
      error.hidden = true;
      onData(r);
    } catch (e) {
      error.textContent = `${file.name}: ${e.message}`;
      error.hidden = false;
    } finally {
      input.value = "";  // the same file again is a new choice
    }
  });

  const node = el("div", { class: "pg-own", "data-control": "data" },
    el("h3", {}, "Your own data"),
    el("label", { class: "btn btn-small pg-own-load" }, input, "⤒ Load a CSV file…"),
    el("p", { class: "caption" }, `One point a line: x₁, x₂ and a label 0 (blue) or 1 (orange); a header line is optional. `
      + `At most ${kb} KB and ${fmt(limits.max_rows)} rows.`),
    error, about, link);

  function describe(d, seed) {
    about.hidden = !d;
    if (!d) return;
    const col = (k) => `${d.names[k]} from ${fmt(d.ranges[k][0])} to ${fmt(d.ranges[k][1])}`;
    about.textContent = `${fileName ? `${fileName}: ` : ""}${fmt(d.rows)} rows, ${fmt(d.counts[0])} of label 0 and `
      + `${fmt(d.counts[1])} of label 1; ${fmt(d.train)} train and ${fmt(d.test)} test points (split by seed ${seed}). `
      + `Put on the plane column by column: x₁ is ${col(0)}, x₂ is ${col(1)}, each mapped linearly onto −1…1 `
      + "(x′ = 2(x − min)/(max − min) − 1; a constant column sits at 0).";
  }

  function linkNote(chars) {
    link.hidden = chars === null;
    if (chars !== null) {
      link.textContent = `The link cannot carry these points: with them it would be ${fmt(chars)} characters, more than `
        + `the ${fmt(limits.link_limit)} every browser and server is asked to accept (RFC 9110). Share the CSV file instead; `
        + "the link keeps everything else.";
    }
  }

  return { node, describe, linkNote, clearError: () => { error.hidden = true; } };
}
