// Part "quiz" of the perceptron step: which outputs does this perceptron give? The student
// clicks an output for each input; the server checks (POST /api/perceptron/check).

import { bit, square } from "./plot.js";

/** The questions' perceptrons (content, like an exercise sheet); the answers come from the server. */
export const QUESTIONS = [
  { w1: 0.5, w2: 0.5, b: -0.2 },
  { w1: -1, w2: 2, b: -0.5 },
  { w1: 0.6, w2: 0.6, b: -1 },
  { w1: 1, w2: -1, b: 0 },
  { w1: -0.5, w2: -0.5, b: 0.7 },
];
const INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]];

export function mountQuiz(body, ctx) {
  const { el, fmt } = ctx;
  let answers = [...ctx.params.ans];
  const q = () => QUESTIONS[ctx.params.q];
  const heading = el("h2", {});
  const weights = el("div", { class: "formula", "data-testid": "question" });
  const rows = el("tbody", {});
  const verdict = el("div", { class: "callout", "data-testid": "verdict", hidden: true });
  const figure = el("div", { class: "figure pc-figure" });
  const check = el("button", { type: "button", class: "btn btn-primary", "data-testid": "check", onclick: () => run() }, "Check my answers");
  const next = el("button", {
    type: "button", class: "btn", "data-testid": "next-question", "data-control": "q",
    onclick: () => {
      answers = [0, 0, 0, 0];
      ctx.setParams({ q: (ctx.params.q + 1) % QUESTIONS.length, ans: answers });
      draw(null);
    },
  }, "Another perceptron");

  body.append(el("div", { class: "step-grid wide-controls" },
    el("div", { class: "panel controls" }, heading, weights,
      el("p", {}, "Work out z = w₁x₁ + w₂x₂ + b for each input, then click each output until it shows what the ",
        "perceptron gives: 1 if z > 0, else 0."),
      el("table", { class: "data" },
        el("thead", {}, el("tr", {}, el("th", {}, "x₁ x₂"), el("th", {}, "your ŷ"), el("th", {}, "z"), el("th", {}, "ŷ"), el("th", {}, ""))),
        rows),
      el("div", { class: "btn-row" }, check, ctx.hidden("q") ? null : next)),
    el("div", { class: "stack" }, verdict,
      el("div", { class: "panel" }, el("h2", {}, "After checking: the line of this perceptron"), figure))));

  function draw(result) {
    const { w1, w2, b } = q();
    heading.textContent = `Question ${ctx.params.q + 1} of ${QUESTIONS.length}`;
    weights.replaceChildren(ctx.math(`<msub><mi>w</mi><mn>1</mn></msub><mo>=</mo><mn>${fmt(w1)}</mn><mo>,</mo><mspace width="1em"/>`
      + `<msub><mi>w</mi><mn>2</mn></msub><mo>=</mo><mn>${fmt(w2)}</mn><mo>,</mo><mspace width="1em"/><mi>b</mi><mo>=</mo><mn>${fmt(b)}</mn>`));
    rows.replaceChildren(...INPUTS.map((x, i) => el("tr", { "data-testid": `q-row-${i}` },
      el("td", {}, `${x[0]} ${x[1]}`),
      el("td", {}, el("button", {
        type: "button", class: "btn btn-small pc-answer", "data-testid": `answer-${i}`,
        "aria-pressed": answers[i] ? "true" : "false", "aria-label": `your output for ${x[0]}${x[1]}: ${answers[i]}`,
        onclick: () => { answers[i] = 1 - answers[i]; ctx.setParams({ ans: answers }); draw(null); },
      }, String(answers[i]))),
      el("td", { "data-testid": `q-z-${i}` }, result ? fmt(result.rows[i].z, 2) : ""),
      el("td", {}, result ? bit(el, result.expected[i], `q-expected-${i}`) : ""),
      result ? el("td", { class: result.right[i] ? "ok" : "no", "data-testid": `q-mark-${i}` }, result.right[i] ? "✓" : "✗") : el("td", {}))));
    verdict.hidden = !result;
    verdict.replaceChildren();
    figure.replaceChildren();
    if (!result) { figure.append(el("p", { class: "muted" }, "Press “Check my answers”: the line and the right outputs appear here.")); return; }
    verdict.className = result.all_right ? "callout" : "callout orange";
    verdict.replaceChildren(el("strong", { "data-testid": "score" }, `${result.score} of 4 right.`), " ",
      result.all_right ? "This perceptron computes exactly the outputs you gave."
        : `Look again at ${result.right.map((r, i) => (r ? null : INPUTS[i].join(""))).filter(Boolean).join(" and ")}: `
          + "its z is in the table.");
    figure.append(square({ box: result.box, lines: [{ line: result.line }], testid: "q-square",
      points: result.rows.map((row, i) => ({ x: row.x, output: row.output, wrong: !result.right[i] })),
      label: "The question's perceptron: its line and outputs" }));
  }

  async function run() {
    const result = await ctx.api("perceptron/check", { ...q(), answers });
    const table = await ctx.api("perceptron", q());  // its line, to draw once answered
    draw({ ...result, line: table.line, box: table.box });
  }
  draw(null);
  return null;
}
