"""Step 2's training state as plain JSON: packed after each update, checked and unpacked before the next.

The server keeps nothing between requests (see :mod:`ml2dl.lessons.playground`): the page sends back
the state it got, so everything here is a pure function of (model, optimizer, settings, step,
history) or of a state dict, and a state that does not belong to the request's settings, or is
malformed, is an :class:`~ml2dl.checks.InputError` (a 422 at the edge).
"""

from __future__ import annotations

import numpy as np

from ml2dl import nn
from ml2dl.checks import InputError

STATE_VERSION = 1
MAX_HISTORY = 400  # points of the loss curve kept in the state (thinned by 2 when full)


def state_names(model) -> dict[str, str]:
    """A run's state names each weight as in the network without dropout ("0.weight", "2.weight", …),
    so the state stays valid when dropout is switched on or off: state name → this model's name."""
    linears = [i for i, m in enumerate(model.layers) if isinstance(m, nn.Linear)]
    return {f"{2 * k}.{p}": f"{i}.{p}" for k, i in enumerate(linears) for p in ("weight", "bias")}


def _to_lists(a):
    return None if a is None else np.asarray(a).tolist()


def pack_state(model, opt, run_key: dict, step: int, history: dict) -> dict:
    """Everything needed to continue the run, as JSON-ready lists (``run_key``: the settings it belongs to)."""
    opt_state = opt.state_dict()
    return {
        "version": STATE_VERSION,
        "run": run_key,
        "step": int(step),
        "params": {name: _to_lists(model.state_dict()[own]) for name, own in state_names(model).items()},
        "optimizer": {k: ([_to_lists(a) for a in v] if isinstance(v, list) and k not in ("betas",) else v)
                      for k, v in opt_state.items()},
        "history": history,
    }


def unpack_state(state: dict, run_key: dict, model, make_optimizer, learning_rate: float):
    """Load a state dict into ``model`` (built for the run's settings) and an optimizer
    ``make_optimizer(model)``; returns (optimizer, step, history). InputError if the state does not
    belong to ``run_key`` or is malformed."""
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        raise InputError(f"state must be a playground state of version {STATE_VERSION}; start a new run")
    if state.get("run") != run_key:
        raise InputError("state belongs to different settings (problem, data, features or network); start a new run")
    try:
        params = {k: np.asarray(v, dtype=np.float32) for k, v in state["params"].items()}
        for k, v in params.items():
            if not np.all(np.isfinite(v)):
                raise InputError(f"params[{k}] has non-finite values")
        names = state_names(model)
        if set(params) != set(names):
            raise KeyError(f"params must be {sorted(names)}, got {sorted(params)}")
        model.load_state_dict({own: params[name] for name, own in names.items()})
        opt = make_optimizer(model)
        opt_state = dict(state["optimizer"])
        opt_state["lr"] = learning_rate  # the learning rate may change mid-run
        opt.load_state_dict(opt_state)
        step = int(state["step"])
        history = state["history"]
        check_history(history)
    except (KeyError, TypeError, ValueError) as err:
        msg = err.args[0] if err.args else type(err).__name__
        raise InputError(f"state is malformed ({msg}); start a new run") from None
    if step < 0:
        raise InputError(f"state.step must be ≥ 0, got {step}")
    return opt, step, history


HISTORY_KEYS = ("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")


def empty_history() -> dict:
    return {k: [] for k in HISTORY_KEYS}


def check_history(history) -> None:
    if not isinstance(history, dict) or set(history) != set(HISTORY_KEYS):
        raise InputError(f"history must have the keys {HISTORY_KEYS}")
    lengths = {len(history[k]) for k in HISTORY_KEYS}
    if len(lengths) != 1 or lengths.pop() > MAX_HISTORY:
        raise InputError(f"history lists must have one common length ≤ {MAX_HISTORY}")


def record(history: dict, step: int, metrics: dict) -> dict:
    history = {k: list(v) for k, v in history.items()}
    if history["step"] and history["step"][-1] == step:
        return history  # nothing trained since the last point
    if len(history["step"]) >= MAX_HISTORY:  # keep the curve's shape: drop every other point
        history = {k: v[::2] for k, v in history.items()}
    history["step"].append(int(step))
    for k in HISTORY_KEYS[1:]:
        history[k].append(round(float(metrics[k]), 5))
    return history
