// Questions the server checks (ml2dl.lessons.quiz, /api/quiz): one card per question, and the
// "check yourself" panel any step mounts at its end with its kinds of question:
//
//   import { mountCheck } from "../lib/check.js";
//   mountCheck(root, ctx, ["sigmoid"]);            // appends the panel to root; hide=check hides it
//
// A question is (kind, seed): the page shows its wording and numbers, never the answer; the
// server recomputes the question from (kind, seed) when the student answers, and says the right
// answer and how it is worked out. "New numbers" asks for the next seed whose numbers differ.
// Nothing about the student is sent anywhere else or kept.

import { api } from "./api.js";
import { el, fmt, injectStyle } from "./dom.js";
import { paintRadios, radioKeys } from "./controls.js";

const CSS = `
.qz-card { display: flex; flex-direction: column; gap: 8px; }
.qz-card .qz-title { font-weight: 700; font-size: .9rem; color: var(--ink-2); }
.qz-card .qz-text { margin: 0; }
.qz-answer { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.qz-input { width: 7em; padding: 5px 8px; border: 1px solid var(--line-2); border-radius: 6px; background: var(--input-bg); font-variant-numeric: tabular-nums; }
.qz-verdict { font-weight: 700; }
.qz-verdict[data-correct="true"] { color: var(--good); }
.qz-verdict[data-correct="false"] { color: var(--bad); }
.qz-working { margin: 0; padding-left: 1.2em; color: var(--ink-2); font-size: .9rem; }
.qz-check-panel { margin-top: 18px; }
.qz-check-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 14px; }
`;

/**
 * questionCard({kind, seed, call, onAnswer, label}) → {node, question(), answered()}
 *   call(path, body): the API (ctx.api); onAnswer(result | null): after a check (null when the
 *   numbers change); the card's buttons carry data-testid qc-check / qc-new, its parts
 *   qc-text / qc-answer / qc-verdict / qc-working.
 */
export function questionCard({ kind, seed = 0, call = api, onAnswer = () => {}, label = null }) {
  injectStyle("qc-card-style", CSS);
  let q = null;
  let result = null;
  let picked = null;
  const title = el("div", { class: "qz-title" });
  const text = el("p", { class: "qz-text", "data-testid": "qc-text" });
  const answer = el("div", { class: "qz-answer" });
  const verdict = el("div", { class: "qz-verdict", "data-testid": "qc-verdict", "aria-live": "polite" });
  const working = el("ul", { class: "qz-working", "data-testid": "qc-working" });
  const checkBtn = el("button", { class: "btn btn-primary btn-small", type: "button", "data-testid": "qc-check",
    onclick: () => submit() }, "Check");
  const newBtn = el("button", { class: "btn btn-ghost btn-small", type: "button", "data-testid": "qc-new",
    onclick: () => load(q && q.next_seed != null ? q.next_seed : seed + 1) }, "New numbers");
  const node = el("div", { class: "qz-card", "data-testid": "qc-card", "data-kind": kind },
    title, text, answer, el("div", { class: "btn-row" }, checkBtn, newBtn), verdict, working);

  function drawAnswer() {
    answer.replaceChildren();
    picked = null;
    if (q.answer_type === "choice") {
      const group = el("div", { class: "seg", role: "radiogroup", "aria-label": "Your answer", "data-testid": "qc-answer" });
      const buttons = q.choices.map((c) => el("button", { class: "seg-btn", type: "button", role: "radio",
        "data-value": c, "data-testid": `qc-answer-${c.replace(/\s+/g, "-")}`, onclick: () => choose(c) }, c));
      const choose = (c) => { picked = c; paintRadios(buttons, c); };
      group.append(...buttons);
      radioKeys(group, buttons, () => picked, choose);
      paintRadios(buttons, null);
      buttons[0].tabIndex = 0;  // nothing picked yet: Tab reaches the first choice
      answer.append(group);
    } else {
      const input = el("input", { class: "qz-input", type: "text", inputmode: "decimal", autocomplete: "off",
        "aria-label": "Your answer", "data-testid": "qc-answer",
        onkeydown: (e) => { if (e.key === "Enter") submit(); } });
      answer.append(el("label", { class: "muted small" }, "Your answer "), input);
    }
  }

  function given() {
    if (q.answer_type === "choice") return picked;
    const v = answer.querySelector("input").value.trim();
    return v === "" ? null : v;
  }

  async function load(s) {
    seed = s;
    q = await call("quiz/question", { kind, seed });
    result = null;
    title.textContent = label || q.title;
    text.textContent = q.text;
    verdict.textContent = "";
    verdict.removeAttribute("data-correct");
    working.replaceChildren();
    node.dataset.seed = String(q.seed);
    drawAnswer();
    onAnswer(null);
  }

  async function submit() {
    const a = given();
    if (a == null) { verdict.textContent = q.answer_type === "choice" ? "Pick an answer first." : "Type an answer first."; return; }
    try {
      result = await call("quiz/check", { kind, seed: q.seed, answer: a });
    } catch (err) {
      verdict.textContent = err.message;
      verdict.removeAttribute("data-correct");
      return;
    }
    const right = typeof result.right_answer === "number" ? fmt(result.right_answer) : result.right_answer;
    verdict.dataset.correct = String(result.correct);
    verdict.textContent = result.correct ? `Right: ${right}.` : `Not quite: the answer is ${right}.`;
    working.replaceChildren(...result.working.map((line) => el("li", {}, line)));
    onAnswer(result);
  }

  return {
    node,
    ready: load(seed),
    question: () => q,
    answered: () => result,
  };
}

/** mountCheck(root, ctx, kinds) — a "Check yourself" panel at the end of a step (hide=check hides it). */
export function mountCheck(root, ctx, kinds) {
  if (ctx.hidden && ctx.hidden("check")) return null;
  // seed 1: a variant of each kind (the course's own numbers, seed 0, are worked in the steps and the quiz)
  const cards = kinds.map((kind) => questionCard({ kind, seed: 1, call: ctx.api }));
  const panel = el("section", { class: "panel qz-check-panel", "data-control": "check", "data-testid": "step-check" },
    el("h2", {}, "Check yourself"),
    el("p", { class: "muted small" }, "Worked out by the server from the question's numbers after you answer; ",
      "\u201cNew numbers\u201d gives another one of the same kind."),
    el("div", { class: "qz-check-grid" }, cards.map((c) => c.node)));
  root.append(panel);
  Promise.all(cards.map((c) => c.ready)).catch((e) => ctx.notify(e.message));
  return panel;
}
