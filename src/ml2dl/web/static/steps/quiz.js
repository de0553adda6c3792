// Step "quiz" — a mixed set of questions from every step (ml2dl.lessons.quiz). The page holds the
// questions' kinds and seeds, never their answers; the server checks each answer and, for the
// score, every answer given so far (POST /api/quiz/score). Nothing is stored on the server.

import { questionCard } from "../lib/check.js";
import { findStep, stepLabel } from "../lib/nav.js";

const PARAMS = {
  set: { type: "int", default: 0, min: 0, max: 1000000 },   // which set: 0 starts with the course's three
};

const CSS = `
.qz-list { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
.qz-score { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
.qz-score .readout { min-width: 10em; flex: 0 0 auto; }
.qz-step-link { font-size: .85rem; }
`;

export default {
  params: PARAMS,

  async mount(root, ctx) {
    const { el } = ctx;
    ctx.injectStyle("quiz-step-style", CSS);
    const scoreValue = el("div", { class: "v", "data-testid": "quiz-score" }, "—");
    const scoreSub = el("div", { class: "s", "data-testid": "quiz-score-sub" });
    const list = el("div", { class: "qz-list" });
    const newSet = ctx.hidden("newset") ? null : el("button", { class: "btn btn-ghost", type: "button",
      "data-control": "newset", "data-testid": "quiz-new-set",
      onclick: () => { ctx.setParams({ set: ctx.params.set + 1 }); draw(); } }, "New set");
    root.append(
      el("p", { class: "lede" },
        "Questions like the course's, with numbers drawn for you: work each one out, then check it. ",
        "The server works out the answer from the question's numbers only when you answer, and shows how."),
      el("div", { class: "qz-score" },
        el("div", { class: "readout blue" }, el("div", { class: "k" }, "Score"), scoreValue, scoreSub), newSet),
      list);

    const stepLink = (name) => {  // the step a question belongs to, if it is built
      const s = findStep(name);
      return s ? el("a", { class: "qz-step-link", href: `?step=${s.name}` }, `From step ${stepLabel(s)} ${s.title}`) : null;
    };
    let cards = [];
    let token = 0;
    async function rescore() {
      const answers = cards.map((c) => c.answered()).filter(Boolean)
        .map((r) => ({ kind: r.kind, seed: r.seed, answer: r.answer }));
      const mine = token;
      const s = await ctx.api("quiz/score", { answers });
      if (mine !== token) return;
      scoreValue.textContent = `${s.right} / ${s.total}`;
      scoreSub.textContent = s.total === cards.length
        ? `all ${cards.length} answered` : `${s.total} of ${cards.length} answered`;
    }

    async function draw() {
      const mine = ++token;
      const set = await ctx.api("quiz/set", { seed: ctx.params.set, count: 8 });
      if (mine !== token) return;
      cards = set.questions.map((q, i) => questionCard({
        kind: q.kind, seed: q.seed, call: ctx.api, label: `${i + 1}. ${q.title}`,
        onAnswer: () => rescore().catch((e) => ctx.notify(e.message)) }));
      list.replaceChildren(...set.questions.map((q, i) => el("section", { class: "panel", "data-testid": `quiz-q${i + 1}` },
        cards[i].node,
        stepLink(q.step))));
      await Promise.all(cards.map((c) => c.ready));
      await rescore();
    }
    await draw();
    return () => { token += 1; };
  },
};
