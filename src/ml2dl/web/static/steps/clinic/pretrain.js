// The cases page's pre-training card: pre-train on synthetic films, fine-tune on a few hundred real X-rays,
// against training from scratch on the same few (a cached job on the server, followed over server-sent
// events). The AUCs, their intervals and the sentences come from the server; needs a server with real data.

import { jobWatcher } from "../../lib/job.js";

export const PRETRAIN_PARAMS = {
  pt_real: { type: "choice", default: 200, choices: [100, 200, 400] },
};

/** pretrainCard(ctx, hasReal) -> {node, destroy}. */
export function pretrainCard(ctx, hasReal) {
  const { el, fmt } = ctx;
  const settings = () => ({ n_real: Number(ctx.params.pt_real), n_synthetic: 1000, epochs: 4, seed: 0 });
  const query = (s = settings()) => new URLSearchParams(Object.entries(s).map(([k, v]) => [k, String(v)])).toString();
  const status = el("p", { class: "small", "data-testid": "pretrain-status", "aria-live": "polite" });
  const result = el("div", { class: "stack", "data-testid": "pretrain-result" });
  const runBtn = el("button", { type: "button", class: "btn btn-primary btn-small", "data-testid": "pretrain-run", onclick: () => job.start(settings()) }, "Run the experiment");
  const cancelBtn = el("button", { type: "button", class: "btn btn-small", "data-testid": "pretrain-cancel", hidden: true,
    onclick: () => job.cancel(settings()) }, "Cancel");
  const nChoice = ctx.choice({ name: "pt_real", label: "Real X-rays", onChange: (v) => { ctx.setParams({ pt_real: v }); look(); } }).node;
  const node = el("section", { class: "panel cs-card", "data-testid": "case-pretrain" },
    el("h2", {}, "Pre-training (Gulshan 2016, Esteva 2017)"),
    el("p", { class: "cs-source", "data-testid": "pretrain-source" }, "Both studies started from a network pre-trained on everyday photographs."),
    el("p", { class: "small" }, "Here: one model learns 1,000 synthetic films first, then a few hundred real X-rays; another learns ",
      "only the same real X-rays. Both are judged on the same real test images."),
    hasReal ? el("div", { class: "row", "data-control": "pretrain" }, nChoice, runBtn, cancelBtn)
      : el("p", { class: "callout", "data-testid": "pretrain-needs-data" }, "This server has only synthetic films: start it with real X-rays ",
        "(ml2dl serve --data pneumoniamnist.npz) to run this experiment."),
    status, result);

  const job = jobWatcher(ctx, { start: "clinic/cases/pretrain", cancel: "clinic/cases/pretrain/cancel",
    progress: "/api/clinic/cases/pretrain/progress", query, show });

  function show(snap) {
    if (snap.detached) {  // this page left a job others still follow: it runs on for them, unwatched here
      runBtn.disabled = false;
      cancelBtn.hidden = true;
      node.dataset.status = "detached";
      status.textContent = `Stopped following: ${snap.message}. “Run the experiment” follows it again.`;
      return;
    }
    const busy = job.isActive(snap);
    runBtn.disabled = busy;
    cancelBtn.hidden = !busy;
    node.dataset.status = snap.status;
    status.textContent = busy ? `${snap.status}: ${snap.message || ""} (${fmt(snap.percent, 1)}%)`
      : snap.status === "done" ? "" : snap.status === "none" ? "Not run yet with these settings (a minute or two)."
        : `${snap.status}${snap.error ? `: ${snap.error}` : ""}`;
    if (snap.status === "done" && snap.result) draw(snap.result); else if (!busy) result.replaceChildren();
  }

  // new settings: stop watching (and cancel the job this card started for the old ones), then show theirs
  async function look() {
    job.release();
    const s = settings();
    try {
      const snap = await ctx.api(`clinic/cases/pretrain/status?${query(s)}`);
      if (query(s) !== query()) return;
      show(snap);
      if (job.isActive(snap)) job.follow(s);
    } catch (e) { ctx.notify(e.message); }
  }

  function draw(r) {
    node.querySelector("[data-testid=pretrain-source]").textContent = r.source;
    const row = (label, m, id) => el("tr", {}, el("th", { scope: "row" }, label),
      el("td", { "data-testid": `pretrain-${id}` }, fmt(m.auc, 3)), el("td", {}, `${fmt(m.low, 3)}–${fmt(m.high, 3)}`));
    result.replaceChildren(
      el("table", { class: "data cs-nowrap" }, el("caption", { class: "small" }, `AUC on ${r.n_test} real ${r.split} X-rays (${r.data})`),
        el("thead", {}, el("tr", {}, el("th", {}, "model"), el("th", {}, "AUC"), el("th", {}, "95% CI"))),
        el("tbody", {}, row(`pre-trained, fine-tuned on ${r.n_real}`, r.finetuned, "finetuned"),
          row(`from scratch on ${r.n_real}`, r.scratch, "scratch"), row("pre-trained only", r.pretrained, "pretrained"))),
      el("div", { class: "clinic-words", "data-testid": "pretrain-words" }, r.words.map((w) => el("p", {}, w))));
  }

  if (hasReal) look();
  return { node, destroy: () => job.close() };
}
