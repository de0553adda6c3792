// Part "multiclass" of the loss step: cross-entropy over a table of examples. The student edits
// probabilities (setting one rescales the others, POST /api/loss/set-probability, so each row still
// sums to 1) or scores that a softmax turns into probabilities; each row's loss is −ln p(true class)
// and the table's loss is the mean (POST /api/loss/table). Drawing only.

const K = 3;  // classes per row: normal, bacterial pneumonia, viral pneumonia
const NEW_ROW = { p: [0.2, 0.5, 0.3], z: [0, 1, 0] };
const MAX_ROWS = 10;

export async function mountMulticlass(body, ctx) {
  const { el, fmt } = ctx;
  const rowsOf = (flat, n) => Array.from({ length: n }, (_, i) => flat.slice(i * K, i * K + K));
  const n0 = Math.min(ctx.params.cls.length, Math.floor(ctx.params.p.length / K), Math.floor(ctx.params.z.length / K));
  const s = { kind: ctx.params.kind, cls: ctx.params.cls.slice(0, n0), p: rowsOf(ctx.params.p, n0), z: rowsOf(ctx.params.z, n0) };
  const save = () => ctx.setParams({ kind: s.kind, cls: s.cls, p: s.p.flat(), z: s.z.flat() });
  const worked = await ctx.api("loss/worked");
  const names = worked.classes;

  const kind = ctx.choice({ name: "kind", label: "What you edit", onChange: (v) => { s.kind = v; save(); build(); refresh(); } });
  const thead = el("thead", {});
  const tbody = el("tbody", {});
  const tfoot = el("tfoot", {});
  const meanOut = el("div", { class: "v", "data-testid": "mean-loss" }, "…");
  const meanSub = el("div", { class: "s" });
  const caption = el("p", { class: "caption", "data-testid": "ce-caption" });
  const inputs = [];  // inputs[i][j]
  const out = [];     // per row: {probs: [td], ptrue, loss, sum}

  const [a, b] = worked.rows;
  const ln = (r) => `−ln ${fmt(r.p_true, 2)} = ${fmt(r.loss, 3)}`;
  body.append(el("div", { class: "stack" },
    el("div", { class: "readouts" },
      el("div", { class: "readout orange" }, el("div", { class: "k" }, "Loss of the table (mean)"), meanOut, meanSub),
      el("div", { class: "readout", "data-testid": "worked" }, el("div", { class: "k" }, "Worked examples (true class 2)"),
        el("div", { class: "s" }, `p = (${a.probabilities.map((v) => fmt(v, 2)).join(", ")}): `, el("strong", { "data-testid": "worked-0" }, ln(a))),
        el("div", { class: "s" }, `p = (${b.probabilities.map((v) => fmt(v, 2)).join(", ")}): `, el("strong", { "data-testid": "worked-1" }, ln(b))),
        el("div", { class: "s" }, `The slide this comes from says “~0.15” for the second; −ln ${fmt(b.p_true)} is ${fmt(b.loss, 3)}.`))),
    el("div", { class: "panel" },
      el("h2", {}, "One example, one row: the loss is −ln (probability of the true class)"),
      el("div", { class: "row" }, kind.node,
        ctx.hidden("rows") ? null : el("div", { class: "btn-row", "data-control": "rows" },
          el("button", { type: "button", class: "btn btn-small", "data-testid": "add-example", onclick: () => {
            if (s.cls.length >= MAX_ROWS) return;
            s.cls.push(1); s.p.push([...NEW_ROW.p]); s.z.push([...NEW_ROW.z]); save(); build(); refresh();
          } }, "+ Add an example"),
          el("button", { type: "button", class: "btn btn-small btn-ghost", "data-testid": "load-worked", onclick: () => {
            s.kind = "probabilities"; kind.set(s.kind);
            s.cls = worked.rows.map((r) => r.true_class); s.p = worked.rows.map((r) => [...r.input]);
            s.z = s.z.slice(0, s.cls.length); while (s.z.length < s.cls.length) s.z.push([...NEW_ROW.z]);
            save(); build(); refresh();
          } }, "Load the worked examples"))),
      el("div", { class: "ls-table-wrap" }, el("table", { class: "data", "data-testid": "ce-table" }, thead, tbody, tfoot)),
      caption),
  ));

  function build() {
    inputs.length = 0; out.length = 0;
    const logits = s.kind === "logits";
    const narrow = { class: "ls-narrow-hide" };  // columns a phone leaves out (the loss repeats p(true))
    thead.replaceChildren(el("tr", {}, el("th", narrow, "example"), ...names.map((c) => el("th", {}, logits ? `score: ${c}` : `p(${c})`)),
      el("th", narrow, logits ? "" : "row sum"), el("th", {}, "true class"), el("th", narrow, "p(true)"), el("th", {}, "loss −ln p(true)"), el("th", {})));
    tbody.replaceChildren(...s.cls.map((c, i) => {
      const values = logits ? s.z[i] : s.p[i];
      inputs[i] = values.map((v, j) => ctx.hidden(s.kind === "logits" ? "z" : "p") ? el("span", {}, fmt(v)) : el("input", {
        class: "ls-input", type: "number", step: logits ? 0.1 : 0.01, min: logits ? -10 : 0, max: logits ? 10 : 1, value: v,
        "data-testid": `${logits ? "z" : "p"}-${i}-${j}`, "data-control": logits ? "z" : "p",
        "aria-label": `${logits ? "score" : "probability"} of ${names[j]}, example ${i + 1}`,
        oninput: (ev) => edit(i, j, ev.target.value),
      }));
      const o = { probs: names.map((_, j) => el("div", { class: "ls-sub", "data-testid": `prob-${i}-${j}` })),
        ptrue: el("td", { "data-testid": `ptrue-${i}`, class: "ls-narrow-hide" }), loss: el("td", { "data-testid": `loss-${i}` }),
        sum: el("td", { "data-testid": `rowsum-${i}`, class: "ls-narrow-hide" }), cells: [] };
      out[i] = o;
      o.cells = values.map((_, j) => el("td", {}, inputs[i][j], logits ? o.probs[j] : null));
      const select = ctx.hidden("cls") ? el("span", {}, names[c - 1]) : el("select", {
        "data-testid": `cls-${i}`, "data-control": "cls", "aria-label": `true class of example ${i + 1}`,
        onchange: (ev) => { s.cls[i] = Number(ev.target.value); save(); refresh(); },
      }, names.map((name, j) => el("option", { value: j + 1, selected: j + 1 === c }, `${j + 1} ${name}`)));
      const remove = s.cls.length > 1 && !ctx.hidden("rows") ? el("button", {
        type: "button", class: "btn btn-small btn-ghost", "data-testid": `remove-example-${i}`, "data-control": "rows",
        "aria-label": `remove example ${i + 1}`,
        onclick: () => { s.cls.splice(i, 1); s.p.splice(i, 1); s.z.splice(i, 1); save(); build(); refresh(); },
      }, "×") : "";
      return el("tr", {}, el("td", narrow, String(i + 1)), ...o.cells, logits ? el("td", narrow) : o.sum, el("td", {}, select), o.ptrue, o.loss, el("td", {}, remove));
    }));
  }

  async function edit(i, j, text) {
    const v = Number(text);
    if (s.kind === "logits") {
      if (text === "" || !(v >= -10 && v <= 10)) return;
      s.z[i][j] = v; save(); refresh(); return;
    }
    if (text === "" || !(v >= 0 && v <= 1)) return;
    const r = await ctx.api("loss/set-probability", { row: s.p[i], index: j + 1, value: v });
    s.p[i] = r.row;  // the others rescaled so that the row sums to 1
    r.row.forEach((x, k) => { if (k !== j && inputs[i][k].tagName === "INPUT") inputs[i][k].value = Number(x.toFixed(4)); });
    save(); refresh();
  }

  function draw(r) {
    r.rows.forEach((row, i) => {
      const o = out[i];
      if (!o) return;
      row.probabilities.forEach((p, j) => {
        o.probs[j].textContent = `p = ${fmt(p, 3)}`;
        o.cells[j].classList.toggle("ls-true", j + 1 === row.true_class);
      });
      o.sum.textContent = row.sum === null ? "" : fmt(row.sum, 3);
      o.ptrue.textContent = fmt(row.p_true, 3);
      o.loss.replaceChildren(row.infinite ? "−ln 0" : `−ln ${fmt(row.p_true, 3)}`,
        el("span", { class: "ls-eq" }, row.infinite ? " = ∞" : ` = ${fmt(row.loss, 3)}`));
    });
    const hideNarrow = () => el("td", { class: "ls-narrow-hide" });  // the body's columns, one for one
    tfoot.replaceChildren(el("tr", {}, hideNarrow(),
      el("td", { colspan: K, style: "text-align: left" }, `mean over ${r.rows.length} example${r.rows.length === 1 ? "" : "s"}`),
      hideNarrow(), el("td", {}), hideNarrow(),
      el("td", { "data-testid": "mean-cell" }, r.infinite ? "∞" : fmt(r.mean, 3)), el("td", {})));
    meanOut.textContent = r.infinite ? "∞" : fmt(r.mean, 3);
    meanSub.textContent = r.infinite ? "a true class has probability 0: −ln 0 is infinite"
      : `mean of ${r.rows.length} losses −ln p(true class)`;
    const sure = r.rows.filter((row) => row.predicted_class === row.true_class).length;
    caption.textContent = (s.kind === "logits"
      ? "The softmax turns each row of scores into probabilities that sum to 1 (small grey numbers). "
      : "Set one probability and the other two are rescaled in proportion, so each row still sums to 1. ")
      + `The most probable class is the true one in ${sure} of ${r.rows.length} rows; `
      + "the loss only looks at the probability of the true class (shaded): the surer and righter, the closer to 0.";
  }

  const refresh = ctx.live(() => ctx.api("loss/table", { rows: s.kind === "logits" ? s.z : s.p, true_classes: s.cls, kind: s.kind }), draw);
  build();
  await refresh();
  return null;
}
