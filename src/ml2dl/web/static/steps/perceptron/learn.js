// Part "learn" of the perceptron step: the perceptron learning rule, one update at a time, on the
// weights the other parts show (w1, w2, b in the URL; t = updates taken, so the next example is
// t mod 4). POST /api/perceptron/learn computes each update; drawing only.

import { Player } from "../../lib/player.js";
import { bit, square } from "./plot.js";

export const WEIGHT_LIMIT = 6;  // the sliders' range (perceptron.js declares it)
const XOR = [0, 1, 1, 0];  // the definition of XOR; the four other gates' tables come from the presets
const INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]];
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function mountLearn(body, ctx, presets) {
  const { el, fmt } = ctx;
  const targets = { ...Object.fromEntries(Object.entries(presets).map(([k, p]) => [k, p.outputs])), XOR };
  const weights = () => ({ w1: ctx.params.w1, w2: ctx.params.w2, b: ctx.params.b });
  const state = () => ({ ...weights(), step: ctx.params.t });

  const target = ctx.choice({ name: "target", label: "Truth table to learn", onChange: (v) => { ctx.setParams({ target: v }); last = null; redraw(); } });
  const lr = ctx.select({ name: "lr", label: "Learning rate η", onChange: (v) => ctx.setParams({ lr: v }) });
  const update = el("div", { class: "pc-update", "data-testid": "update" });
  const correctOut = el("div", { class: "v", "data-testid": "correct" }, "…");
  const countOut = el("div", { class: "v", "data-testid": "updates" }, "…");
  const countSub = el("div", { class: "s" });
  const verdict = el("p", { class: "callout", "data-testid": "learn-verdict" });
  const figure = el("div", { class: "figure pc-figure" });
  const table = el("table", { class: "data", "data-testid": "learn-table" });
  let last = null;  // the last update's answer (null: none yet on this view)

  const player = new Player({
    stepLabel: "One update",
    step: () => once().catch((e) => ctx.notify(e.message)),
    tick: async () => { const r = await once(); if (r && r.converged) player.pause(); else await wait(700); },
    onError: (e) => ctx.notify(e.message),
  });
  const reset = el("button", { type: "button", class: "btn btn-ghost", "data-testid": "learn-reset",
    onclick: () => { player.pause(); ctx.setParams({ w1: 0, w2: 0, b: 0, t: 0 }); last = null; redraw(); } }, "Start from w = 0, b = 0");

  body.append(el("div", { class: "step-grid" },
    el("div", { class: "panel controls pc-learn" },
      el("h2", {}, "Let it learn"),
      el("p", {}, "Show the perceptron the four examples in turn (00, 01, 10, 11, 00, …). After each one:"),
      ctx.math("<mi>e</mi><mo>=</mo><mi>y</mi><mo>−</mo><mover><mi>y</mi><mo>^</mo></mover>", { display: "block" }),
      ctx.math("<mi>w</mi><mo>←</mo><mi>w</mi><mo>+</mo><mi>η</mi><mo>·</mo><mi>e</mi><mo>·</mo><mi>x</mi><mo>,</mo><mspace width='1em'/>"
        + "<mi>b</mi><mo>←</mo><mi>b</mi><mo>+</mo><mi>η</mi><mo>·</mo><mi>e</mi>", { display: "block" }),
      el("p", { class: "small muted" }, "A right answer (e = 0) changes nothing; a wrong one moves the line towards the example."),
      target.node, lr.node,
      ctx.hidden("learn") ? null : el("div", { class: "btn-row", "data-control": "learn" }, player.stepButton, player.playButton, reset),
      update),
    el("div", { class: "stack" },
      el("div", { class: "readouts" },
        el("div", { class: "readout blue" }, el("div", { class: "k" }, "Right now"), correctOut, el("div", { class: "s" }, "examples right, of 4")),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Updates"), countOut, countSub)),
      verdict,
      el("div", { class: "cols-2" },
        el("div", { class: "panel" }, el("h2", {}, "The line as it learns"), figure,
          el("p", { class: "caption" }, "Colours: the perceptron's outputs now. Ringed ✗: wrong for the target. Dashed circle: the last example shown.")),
        el("div", { class: "panel" }, el("h2", {}, "Targets and outputs"), table)))));

  async function once() {
    const r = await ctx.api("perceptron/learn", { state: state(), data: ctx.params.target, lr: ctx.params.lr });
    const s = r.state;
    if ([s.w1, s.w2, s.b].some((v) => Math.abs(v) > WEIGHT_LIMIT)) {
      player.pause();
      ctx.notify(`This update would take a weight past ±${WEIGHT_LIMIT}, the sliders' range: start from 0 or pick a smaller η.`);
      return null;
    }
    ctx.setParams({ w1: s.w1, w2: s.w2, b: s.b, t: s.step });
    last = r;
    draw(r.table, r.target, r);
    return r;
  }

  async function redraw() {
    const t = targets[ctx.params.target];
    const [table, check] = await Promise.all([ctx.api("perceptron", weights()),
      ctx.api("perceptron/check", { ...weights(), answers: t })]);
    draw(table, t, last, check);
  }

  function draw(tab, t, r, check) {
    const right = r ? tab.outputs.map((o, i) => o === t[i]) : check.right;  // the server's marking
    const correct = r ? r.correct : check.score;
    const converged = r ? r.converged : check.all_right;
    const epoch = Math.floor(ctx.params.t / 4);
    correctOut.textContent = `${correct} of 4`;
    countOut.textContent = fmt(ctx.params.t);
    countSub.textContent = `${epoch} full pass${epoch === 1 ? "" : "es"} over the 4 examples`;
    const gate = ctx.params.target;
    verdict.className = converged ? "callout" : "callout orange";
    verdict.textContent = converged
      ? `All 4 right: the perceptron computes ${gate} with w₁ = ${fmt(tab.weights[0])}, w₂ = ${fmt(tab.weights[1])}, b = ${fmt(tab.bias)}. Every error is 0 now, so the rule changes nothing more.`
      : epoch >= 3 && gate === "XOR"
        ? `After ${epoch} passes the perceptron gets ${correct} of 4 right. No line separates XOR, so some example is always wrong and the rule never settles.`
        : `${correct} of 4 right: press One update (or ▶) to show it the next example, ${INPUTS[ctx.params.t % 4].join("")}.`;
    figure.replaceChildren(square({ box: tab.box, lines: [{ line: tab.line }], testid: "learn-square",
      points: tab.rows.map((row, i) => ({ x: row.x, output: row.output, wrong: !right[i], current: r && r.example.index === i })),
      label: `After ${ctx.params.t} updates the perceptron outputs ${tab.outputs.join(", ")}; target ${t.join(", ")}` }));
    table.replaceChildren(
      el("thead", {}, el("tr", {}, el("th", {}, "x₁ x₂"), el("th", {}, "target y"), el("th", {}, "z"), el("th", {}, "ŷ"), el("th", {}, ""))),
      el("tbody", {}, tab.rows.map((row, i) => el("tr", { class: r && r.example.index === i ? "current" : null },
        el("td", {}, row.x.join(" ")), el("td", {}, bit(el, t[i])), el("td", {}, fmt(row.z, 2)),
        el("td", {}, bit(el, row.output, `learn-yhat-${i}`)),
        el("td", { class: right[i] ? "ok" : "no" }, right[i] ? "✓" : "✗")))));
    update.replaceChildren(r ? explain(r) : el("p", { class: "muted" },
      `Weights now: w₁ = ${fmt(tab.weights[0])}, w₂ = ${fmt(tab.weights[1])}, b = ${fmt(tab.bias)}. Next example: ${INPUTS[ctx.params.t % 4].join("")}.`));
  }

  function explain(r) {
    const e = r.example;
    const n = (v) => `<mn>${fmt(v)}</mn>`;
    const p = (v) => (v < 0 ? `<mo>(</mo>${n(v)}<mo>)</mo>` : n(v));
    const line = (lhs, before, x, after) => ctx.math(`${lhs}<mo>←</mo>${n(before)}<mo>+</mo>${p(ctx.params.lr)}<mo>·</mo>${p(e.error)}`
      + (x === null ? "" : `<mo>·</mo>${n(x)}`) + `<mo>=</mo><mn class="result">${fmt(after)}</mn>`, { display: "block" });
    return el("div", {},
      el("p", { "data-testid": "update-example" }, el("strong", {}, `Update ${r.state.step}: example ${e.x.join("")}`),
        `, target y = ${e.target}. z = ${fmt(e.z, 2)}, so ŷ = ${e.output}; error e = ${e.target} − ${e.output} = ${fmt(e.error)}`,
        r.changed ? "." : ": right, nothing changes."),
      r.changed ? el("div", { "data-testid": "update-maths" },
        line("<msub><mi>w</mi><mn>1</mn></msub>", r.before.w1, e.x[0], r.after.w1),
        line("<msub><mi>w</mi><mn>2</mn></msub>", r.before.w2, e.x[1], r.after.w2),
        line("<mi>b</mi>", r.before.b, null, r.after.b)) : null);
  }

  await redraw();
  return () => player.destroy();
}
