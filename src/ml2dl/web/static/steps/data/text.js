// Part "text" of the data step: words as vectors learned from ml2dl's own corpus (PPMI + SVD,
// ml2dl.lessons.words), drawn in 2-D (PCA); click a word (or a chip) for its nearest words by
// cosine similarity, computed by the server. Values from /api/data/words and /api/data/neighbours.

export async function mountText(body, ctx) {
  const { el, fmt } = ctx;
  const r = await ctx.api("data/words");
  const how = r.how;
  const plotNode = el("div", { class: "dt-plot", "data-testid": "word-plot" });
  const list = el("ol", { "data-testid": "neighbours" });
  const vectorLine = el("p", { class: "small dt-vector-small", "data-testid": "word-vector" });
  const heading = el("h2", { "data-testid": "word-heading" });
  const chips = el("div", { class: "dt-chips", role: "group", "aria-label": "Words to try", "data-control": "word" },
    r.featured.map((w) => el("button", { class: "btn btn-small", type: "button", "data-testid": `word-${w}`,
      "aria-pressed": "false", onclick: () => choose(w) }, w)));
  body.append(
    el("div", { class: "dt-words" },
      el("section", { class: "panel" }, el("h2", {}, "Words as points"),
        el("p", { class: "small" }, `Each of the ${fmt(how.vocabulary)} words is ${how.dimensions} numbers; `,
          `the picture shows the two directions that spread them most (${fmt(how.explained_percent[0], 1)} % and `,
          `${fmt(how.explained_percent[1], 1)} % of the spread). Click a dot, or a word on the right.`),
        plotNode),
      el("section", { class: "panel" }, heading, list, vectorLine,
        ctx.hidden("word") ? null : el("div", {}, el("p", { class: "small muted" }, "Try:"), chips))),
    el("section", { class: "panel", "data-testid": "how-made" }, el("h2", {}, "How these vectors were made"),
      el("ol", { class: "small" },
        el("li", {}, `The corpus: ${how.sentences} sentences (${fmt(how.tokens)} words once small words like “the” are dropped), `,
          `${how.corpus}; licence ${how.licence}.`),
        el("li", {}, `For the ${fmt(how.vocabulary)} words seen at least ${how.min_count} times, count how often each pair `,
          `appears within ${how.window} words of each other.`),
        el("li", {}, "Turn the counts into PPMI: how much more often a pair appears than chance would give (0 when less)."),
        el("li", {}, `Keep the ${how.dimensions} strongest directions of that table (a singular value decomposition): `,
          `each word becomes ${how.dimensions} numbers.`),
        el("li", {}, "Words used in the same kind of sentence get similar numbers. Similarity is the cosine of the angle ",
          "between two vectors: 1 for the same direction, 0 for unrelated.")),
      el("p", { class: "small muted" }, "Large language models learn their vectors differently (by predicting words, from ",
        "billions of sentences), but the idea is the same: a word becomes a vector of numbers.")));

  const xs = r.words.map((w) => w.x), ys = r.words.map((w) => w.y);
  function drawPlot(selected, near) {
    const nearSet = new Set(near);
    const colour = (w) => w.word === selected ? ctx.cssVar("--slate") : nearSet.has(w.word) ? ctx.cssVar("--blue")
      : w.featured ? ctx.cssVar("--ink") : ctx.cssVar("--grey-ink");
    ctx.plot(plotNode, [{
      x: xs, y: ys, mode: "markers+text", type: "scatter", textposition: "top center",
      // every word on hover; on the page only the words to try, the chosen one and its neighbours
      text: r.words.map((w) => (w.featured || w.word === selected || nearSet.has(w.word) ? w.word : "")),
      hovertext: r.words.map((w) => w.word), hoverinfo: "text", customdata: r.words.map((w) => w.word), marker: { size: r.words.map((w) => (w.word === selected ? 12 : 8)), color: r.words.map(colour) },
      textfont: { size: r.words.map((w) => (w.featured || w.word === selected || nearSet.has(w.word) ? 13 : 10)),
        color: r.words.map(colour) },
    }], { margin: { l: 30, r: 10, t: 10, b: 30 }, xaxis: { range: r.x_range, zeroline: false, showticklabels: false, title: { text: "PCA direction 1" } },
      yaxis: { range: r.y_range, zeroline: false, showticklabels: false, title: { text: "PCA direction 2" } }, showlegend: false });
  }

  async function choose(word) {
    const n = await ctx.api("data/neighbours", { word, k: 5 });
    ctx.setParams({ word: n.word });
    heading.textContent = `Nearest to “${n.word}”`;
    list.replaceChildren(...n.neighbours.map((x) => el("li", {}, el("strong", {}, x.word), ` — cosine ${fmt(x.cosine, 3)}`)));
    vectorLine.textContent = `“${n.word}” = [${n.vector.map((v) => fmt(v, 2)).join(", ")}]`;
    chips.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.textContent === n.word)));
    drawPlot(n.word, n.neighbours.map((x) => x.word));
  }

  drawPlot(null, []);
  plotNode.on("plotly_click", (e) => { const p = e.points && e.points[0]; if (p) choose(p.customdata).catch((err) => ctx.notify(err.message)); });
  const start = r.words.some((w) => w.word === ctx.params.word) ? ctx.params.word : r.featured[0];
  await choose(start);
  return () => ctx.plotly.purge(plotNode);
}
