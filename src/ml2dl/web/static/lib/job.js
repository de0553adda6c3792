// One background job a step watches: start it (or join it), follow its progress over server-sent
// events, cancel it, and let it go when the step's settings change. Every job-backed step has the same
// four moves; the step only says where its routes are and how to draw a snapshot.
//
//   const job = jobWatcher(ctx, { start: "rnn/train", cancel: "rnn/train/cancel", progress: "/api/rnn/progress",
//                                 query, show: showJob });
//   job.start(settings)   POST the settings → snapshot; follows it while it is queued or running
//   job.follow(settings)  watch a job already running: joins it first (POST start), so the server counts
//                         this page among its followers, as it does a page that started it
//   job.cancel(settings)  leave it: it stops when nobody else follows it, else the answer is `detached`
//                         (it runs on for the others) and this page stops watching it; draws the answer
//   job.release()         stop watching, and leave the job this page followed (settings changed)
//   job.close()           stop watching (the step unmounts)
// `query(settings)` is the URL query of those settings; `query()` the current ones: a snapshot for
// settings that are no longer the current ones is not drawn. The server counts followers (a cancel
// removes one): this page leaves a job only if it joined it, and at most once.

const ACTIVE = ["queued", "running"];

export function jobWatcher(ctx, { start, cancel, progress, query, show }) {
  let source = null;     // EventSource of the job being watched
  let joined = null;     // the settings of the job this page follows (started or joined, not left)

  function stopWatching() {
    if (source) source.close();
    source = null;
  }

  function close() {
    stopWatching();
    joined = null;
  }

  function watch(settings) {
    stopWatching();
    source = new EventSource(`${progress}?${query(settings)}`);
    source.onmessage = (ev) => {
      const snap = JSON.parse(ev.data);
      if (query(settings) !== query()) return;          // settings changed meanwhile
      show(snap);
      if (!ACTIVE.includes(snap.status)) close();
    };
    source.onerror = () => stopWatching();
  }

  // POST start: starts the job, or joins it while it runs, or answers its cached result
  async function join(settings) {
    try {
      const snap = await ctx.api(start, settings);
      if (query(settings) !== query()) return;
      show(snap);
      if (ACTIVE.includes(snap.status)) {
        joined = settings;
        watch(settings);
      }
    } catch (e) {
      ctx.notify(e.message);
    }
  }

  return {
    follow: join,
    start: join,
    close,
    isActive: (snap) => ACTIVE.includes(snap.status),
    async cancel(settings) {
      try {
        const snap = await ctx.api(cancel, settings);
        if (joined && query(joined) === query(settings)) joined = null;   // left: never twice
        if (snap.detached) stopWatching();                               // it runs on for the others
        show(snap);
      } catch (e) { ctx.notify(e.message); }
    },
    release() {
      const was = joined;
      close();
      if (was) ctx.api(cancel, was).catch(() => {});
    },
  };
}
