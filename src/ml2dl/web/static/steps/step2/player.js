// Step 2's training, driven by the kit's Player: ▶ trains continuously, "Step" takes one update.
// The server is stateless: each request carries the training state the last answer returned.

import { Player } from "../../lib/player.js";

// At most this many training requests per second while playing: a class of 200 shares one server,
// and the boundary redrawn 10 times a second still moves smoothly (each request takes several steps).
export const MAX_REQUESTS_PER_SECOND = 10;
const MIN_INTERVAL_MS = 1000 / MAX_REQUESTS_PER_SECOND;

/**
 * trainingPlayer(ctx, {settings, resolution, stepsPerUpdate, draw}) -> {player, advance, reset, destroy}
 *   settings()        the request's settings now (problem, network, optimiser)
 *   draw(r, points)   show an answer; points are the run's train/test points (sent once per run)
 * reset(): the next request starts a new run (new data, new weights); at once unless playing.
 */
export function trainingPlayer(ctx, { settings, resolution, stepsPerUpdate, draw }) {
  let state = null;          // the training state: opaque, sent back to the server each time
  let points = null;
  let resetPending = true;
  let alive = true;
  let busy = false;          // a single request (step, reset) is in flight
  let inflight = null;       // …its promise, which a starting play loop waits for
  let looping = false;       // the play loop owns the requests until it has stopped
  let next = null;           // while playing: the next request, already on its way

  let lastSent = -Infinity;  // when the last request left (performance.now())
  const send = (steps, fresh) => {
    lastSent = performance.now();
    return ctx.api("playground/train", {
      settings: settings(), state: fresh ? null : state, steps: fresh ? 0 : steps,
      resolution, include_points: fresh || !points,
    });
  };
  // While playing, a request leaves no sooner than MIN_INTERVAL_MS after the one before.
  const paced = async (steps) => {
    const wait = lastSent + MIN_INTERVAL_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return send(steps, false);
  };
  const request = send;

  function receive(r, fresh) {
    if (fresh) points = null;
    state = r.state;
    if (r.points) points = r.points;
    draw(r, points);
    if (r.diverged) player.pause();
  }

  // One request at a time (single steps, resets); the play loop below has its own.
  async function advance(steps) {
    if (busy || looping) return;
    busy = true;
    inflight = (async () => {
      try {
        const fresh = resetPending;
        resetPending = false;
        const r = await request(steps, fresh);
        if (alive) receive(r, fresh);
      } catch (e) {
        ctx.notify(e.message);
        player.pause();
      }
    })();
    await inflight;
    busy = false;
    inflight = null;
    if (alive && resetPending && !player.playing) advance(0);  // a reset asked for while a request was in flight
  }

  // While playing, the next request leaves as soon as the previous answer arrives (with its
  // state), and the page draws while the server computes: drawing and training overlap.
  async function tick() {
    looping = true;
    while (inflight) await inflight;
    const fresh = resetPending;
    resetPending = false;
    const r = await (next && !fresh ? next : request(stepsPerUpdate, fresh));
    next = null;
    if (!alive || resetPending) return;  // settings changed meanwhile: this answer is stale
    state = r.state;
    if (player.playing && !r.diverged) next = paced(stepsPerUpdate);
    receive(r, fresh);
  }

  async function onStop() {
    try {
      if (next) { const r = await next; next = null; if (alive && !resetPending) receive(r, false); }  // paused: show the last answer
    } catch (e) {
      ctx.notify(e.message);
    } finally {
      next = null;
      looping = false;
    }
    if (alive && resetPending && !player.playing) advance(0);
  }

  const player = new Player({ tick, onStop, step: () => advance(stepsPerUpdate), stepLabel: `Step (+${stepsPerUpdate})`,
    onError: (e) => ctx.notify(e.message) });

  return {
    player,
    advance,
    reset() { resetPending = true; if (!player.playing) advance(0); },
    destroy() { alive = false; player.destroy(); },
  };
}
