// The table of contents in order, and the chapter-grouped step list of the header.
// The data is steps/registry.js; this file orders it and draws it (no maths, no colours).

import { CHAPTERS, STEPS } from "../steps/registry.js";
import { el } from "./dom.js";

/**
 * The built steps in reading order, grouped by chapter. A chapter with no built step is left out.
 * Each step gets `chapter` (the chapter object), `position` (1-based in its chapter) and `index`
 * (0-based in the whole module); each chapter gets `number`, its place in CHAPTERS (fixed, so that
 * "chapter 3" stays chapter 3 while other chapters are still empty).
 */
function tableOfContents() {
  const known = new Set(CHAPTERS.map((c) => c.id));
  const names = new Set();
  for (const s of STEPS) {
    if (names.has(s.name)) console.error(`steps/registry.js: two steps are named "${s.name}"`);
    if (!known.has(s.chapter)) console.error(`steps/registry.js: step "${s.name}" names an unknown chapter "${s.chapter}"`);
    names.add(s.name);
  }
  const chapters = [];
  const steps = [];
  for (const [ci, c] of CHAPTERS.entries()) {
    const mine = STEPS.filter((s) => s.chapter === c.id);
    const rank = (s) => { const i = c.plan.indexOf(s.name); return i < 0 ? c.plan.length : i; };
    mine.sort((a, b) => rank(a) - rank(b));  // stable: unplanned steps keep their registry order
    if (!mine.length) continue;
    const chapter = { id: c.id, title: c.title, number: ci + 1, steps: [] };
    mine.forEach((s, i) => {
      const step = { ...s, chapter, position: i + 1, index: steps.length };
      chapter.steps.push(step);
      steps.push(step);
    });
    chapters.push(chapter);
  }
  return { chapters, steps };
}

export const TOC = tableOfContents();

/** The step a `?step=` value names: its URL name, or for steps 1–9 their old number. Null if none. */
export function findStep(value) {
  const text = String(value ?? "").trim().toLowerCase();
  if (/^\d+$/.test(text)) return TOC.steps.find((s) => s.number === Number(text)) || null;
  return TOC.steps.find((s) => s.name === text) || null;
}

/** "2.1": the chapter's number and the step's position in it. */
export const stepLabel = (s) => `${s.chapter.number}.${s.position}`;

/** "Chapter 2 · How a network learns · step 1 of 4" */
export const kicker = (s) =>
  `Chapter ${s.chapter.number} · ${s.chapter.title} · step ${s.position} of ${s.chapter.steps.length}`;

/**
 * Draw the step list into <nav id=step-nav>: one button per chapter (it opens the chapter's steps
 * without leaving the page) and one link per step. Wide screens show the chapters as a row of tabs
 * and the open chapter's steps under them; narrow screens (CSS) fold everything behind the
 * "Steps" toggle, which then lists every chapter with its steps.
 * `go(step)` is called when a step link is chosen.
 */
export function drawNav(nav, current, go) {
  const list = nav.querySelector("#step-list");
  const toggle = nav.querySelector("#nav-toggle");
  const open = (chapterId) => {
    for (const li of list.children) {
      const on = li.dataset.chapter === chapterId;
      li.toggleAttribute("data-open", on);
      li.querySelector(".chapter-tab").setAttribute("aria-expanded", String(on));
    }
  };
  list.replaceChildren(...TOC.chapters.map((c) => el("li", { class: "chapter", "data-chapter": c.id },
    el("button", {
      type: "button", class: "chapter-tab", "data-testid": `nav-chapter-${c.id}`,
      "aria-label": `Chapter ${c.number}: ${c.title}`, title: c.title,
      "aria-controls": `chapter-${c.id}`, "aria-current": c.id === current.chapter.id ? "true" : false,
      onclick: () => open(c.id),
    }, el("span", { class: "step-num" }, String(c.number)), el("span", { class: "chapter-title" }, c.title)),
    el("ol", { class: "chapter-steps", id: `chapter-${c.id}`, "aria-label": `Chapter ${c.number}: ${c.title}` },
      c.steps.map((s) => el("li", {}, el("a", {
        href: `?step=${s.name}`, class: "step-link", "data-testid": `nav-step-${s.name}`,
        "aria-current": s.name === current.name ? "step" : false, title: s.title,
        onclick: (ev) => { ev.preventDefault(); setFolded(nav, true); go(s); },
      }, el("span", { class: "step-num" }, stepLabel(s)), el("span", { class: "step-short" }, s.short))))))));
  open(current.chapter.id);
  toggle.replaceChildren(
    el("span", { class: "nav-toggle-icon", "aria-hidden": "true" }, "☰"),
    el("span", {}, "Steps"),
    el("span", { class: "nav-toggle-here" }, `${stepLabel(current)} ${current.short}`));
  if (!toggle.dataset.bound) {
    toggle.dataset.bound = "true";
    toggle.addEventListener("click", () => {
      setFolded(nav, nav.hasAttribute("data-open"));
      if (nav.hasAttribute("data-open")) nav.querySelector("[aria-current=step]")?.scrollIntoView({ block: "nearest" });
    });
    nav.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && nav.hasAttribute("data-open")) { setFolded(nav, true); toggle.focus(); }
    });
  }
}

function setFolded(nav, folded) {
  nav.toggleAttribute("data-open", !folded);
  nav.querySelector("#nav-toggle").setAttribute("aria-expanded", String(!folded));
}
