// The one play / pause / step control for anything a step animates (training, stepping through a process).

import { el } from "./dom.js";

/**
 * new Player({tick, step, stepLabel, onStop, onError})
 *
 *   tick()     one frame while playing (may be async); the next frame starts after it settles,
 *              so frames never overlap and the page draws between them
 *   step()     what the step button does (after pausing); default: one tick
 *   stepLabel  the step button's text (default "Step")
 *   onStop()   called when the loop has stopped (paused, or an error); may be async
 *   onError(e) a tick threw: the player pauses, then calls this (default: rethrow)
 *
 * player.playButton  round ▶ / ❚❚ toggle, data-testid="play", aria-pressed = playing; it carries
 *                    data-running while the loop runs (until onStop has finished): tests wait on it
 * player.stepButton  data-testid="step-once"
 * player.playing, play(), pause(), toggle(), destroy() (stops for good: call it in the step's cleanup)
 *
 * Both buttons are ordinary buttons: Tab reaches them, Enter or Space presses them.
 */
export class Player {
  constructor({ tick, step, stepLabel = "Step", onStop, onError }) {
    this.tick = tick;
    this.stepAction = step || tick;
    this.onStop = onStop;
    this.onError = onError || ((e) => { throw e; });
    this._playing = false;
    this._running = false;
    this._destroyed = false;
    this.playButton = el("button", { type: "button", class: "player-play", "data-testid": "play", "aria-label": "Play",
      "aria-pressed": "false", onclick: () => this.toggle() }, "▶");
    this.stepButton = el("button", { type: "button", class: "btn", "data-testid": "step-once",
      onclick: () => { this.pause(); this.stepAction(); } }, stepLabel);
  }

  get playing() { return this._playing; }

  play() { this._set(true); }

  pause() { this._set(false); }

  toggle() { this._set(!this._playing); }

  destroy() { this._destroyed = true; this._playing = false; }

  _set(on) {
    if (this._destroyed || on === this._playing) return;
    this._playing = on;
    this.playButton.textContent = on ? "❚❚" : "▶";
    this.playButton.setAttribute("aria-pressed", on ? "true" : "false");
    this.playButton.setAttribute("aria-label", on ? "Pause" : "Play");
    if (on) this._run();
  }

  async _run() {
    if (this._running) return;
    this._running = true;
    this.playButton.dataset.running = "true";
    let error = null;
    try {
      while (this._playing && !this._destroyed) {
        await this.tick();
        await new Promise((resolve) => setTimeout(resolve, 0));  // let the page paint
      }
    } catch (e) {
      error = e;
      this.pause();
    }
    try {
      if (this.onStop && !this._destroyed) await this.onStop();
    } finally {
      this._running = false;
      delete this.playButton.dataset.running;
    }
    if (error) this.onError(error);
    if (this._playing && !this._destroyed) this._run();  // played again while stopping
  }
}
