// One background job a step watches: start it (or join it), follow its progress over server-sent
// events, cancel it, and let it go when the step's settings change. Every job-backed step has the same
// four moves; the step only says where its routes are and how to draw a snapshot.
//
//   const job = jobWatcher(ctx, { start: "rnn/train", cancel: "rnn/train/cancel", progress: "/api/rnn/progress",
//                                 query, show: showJob });
//   job.start(settings)   POST the settings → snapshot; follows it while it is queued or running
//   job.follow(settings)  watch a job already running
//   job.cancel(settings)  ask it to stop; draws the answer
//   job.release()         stop watching, and cancel the job this page was watching (settings changed)
//   job.close()           stop watching (the step unmounts)
// `query(settings)` is the URL query of those settings; `query()` the current ones: a snapshot for
// settings that are no longer the current ones is not drawn.

const ACTIVE = ["queued", "running"];

export function jobWatcher(ctx, { start, cancel, progress, query, show }) {
  let source = null;     // EventSource of the job being watched
  let watching = null;   // the settings of that job, while it runs

  function close() {
    if (source) source.close();
    source = null;
    watching = null;
  }

  function follow(settings) {
    close();
    watching = settings;
    source = new EventSource(`${progress}?${query(settings)}`);
    source.onmessage = (ev) => {
      const snap = JSON.parse(ev.data);
      if (query(settings) !== query()) return;          // settings changed meanwhile
      show(snap);
      if (!ACTIVE.includes(snap.status)) close();
    };
    source.onerror = () => close();
  }

  return {
    follow,
    close,
    isActive: (snap) => ACTIVE.includes(snap.status),
    async start(settings) {
      try {
        const snap = await ctx.api(start, settings);
        if (query(settings) !== query()) return;
        show(snap);
        if (ACTIVE.includes(snap.status)) follow(settings);
      } catch (e) {
        ctx.notify(e.message);
      }
    },
    async cancel(settings) {
      try { show(await ctx.api(cancel, settings)); } catch (e) { ctx.notify(e.message); }
    },
    release() {
      const was = watching;
      close();
      if (was) ctx.api(cancel, was).catch(() => {});
    },
  };
}
