// One case experiment on the cases page: a job on the server, cached by its settings — Run, its progress,
// Cancel, and the result drawn when it is done. The shortcut, pre-training and Esteva cards differ only in
// their settings, their words and how they draw a result; this module is the rest, once.
//
//   const x = experiment(ctx, { id: "shortcut", api: "clinic/cases/shortcut", settings, wait: "about a minute" });
//   const node = el("section", …, x.runBtn, x.cancelBtn, x.status, x.result);
//   x.bind(node, (result) => x.result.replaceChildren(…));   // looks up the settings' job at once
//   … x.look() when a setting changes; x.destroy() when the page goes.

import { jobWatcher } from "../../lib/job.js";

/**
 * experiment(ctx, {id, api, settings, wait}) -> {status, result, runBtn, cancelBtn, bind, look, destroy}
 *   id: the prefix of the card's test ids ("shortcut" → shortcut-run, shortcut-cancel, shortcut-status,
 *   shortcut-result); api: its routes under /api (start; /status, /progress, /cancel beside it);
 *   settings(): the job's settings, read from the URL; wait: how long a run takes, in words.
 */
export function experiment(ctx, { id, api, settings, wait }) {
  const { el, fmt } = ctx;
  const query = (s = settings()) => new URLSearchParams(Object.entries(s).map(([k, v]) => [k, String(v)])).toString();
  const status = el("p", { class: "small", "data-testid": `${id}-status`, "aria-live": "polite" });
  const result = el("div", { class: "stack", "data-testid": `${id}-result` });
  const runBtn = el("button", { type: "button", class: "btn btn-primary btn-small", "data-testid": `${id}-run`,
    onclick: () => job.start(settings()) }, "Run the experiment");
  const cancelBtn = el("button", { type: "button", class: "btn btn-small", "data-testid": `${id}-cancel`, hidden: true,
    onclick: () => job.cancel(settings()) }, "Cancel");
  const job = jobWatcher(ctx, { start: api, cancel: `${api}/cancel`, progress: `/api/${api}/progress`, query, show });
  let node = null;
  let draw = () => {};

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
      : snap.status === "done" ? "" : snap.status === "none" ? `Not run yet with these settings (${wait}).`
        : `${snap.status}${snap.error ? `: ${snap.error}` : ""}`;
    if (snap.status === "done" && snap.result) draw(snap.result); else if (!busy) result.replaceChildren();
  }

  // new settings: stop watching (and leave the job this card started for the old ones), then show theirs
  async function look() {
    job.release();
    const s = settings();
    try {
      const snap = await ctx.api(`${api}/status?${query(s)}`);
      if (query(s) !== query()) return;
      show(snap);
      if (job.isActive(snap)) job.follow(s);
    } catch (e) { ctx.notify(e.message); }
  }

  return {
    status, result, runBtn, cancelBtn, look,
    bind(card, drawResult) { node = card; draw = drawResult; look(); },
    destroy: () => job.close(),
  };
}
