"""Beyond images, step ``rnn`` — a recurrent network reads a patient's vital signs hour by hour.

The data: :mod:`ml2dl.data.vitals` (synthetic: 24 hourly heart rate, respiratory rate and SpO₂
values per patient; half of them drift steadily from an onset hour on and deteriorate next).

The networks, both trained by :func:`ml2dl.train.fit` with the same recipe and seed:

    RNN        hₜ = tanh(xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh), t = 1..24;  logit = w·h₂₄ + b
               (nn.RNN(3, H, batch_first=True, returns="last") → nn.Linear(H, 1))
    last hour  a feed-forward network that sees only x₂₄:  logit = w·tanh(W x₂₄ + c) + b  (same H)

The risk after every hour is σ(w·hₜ + b): the trained read-out applied to the hidden state so
far (what the network would say if the record ended at hour t).

The gradient through time: for the validation loss L (mean cross-entropy), backpropagation
through time gives ∂L/∂hₜ for every hour (``nn.RNN.hidden_grad``); L depends on hₜ only through
h₂₄, and every hour back multiplies the error once more by W_hhᵀ diag(1 − hₜ²). Its norm
‖∂L/∂hₜ‖ (over the validation patients and hidden units) against the time lag 24 − t shows how
fast what happened k hours earlier stops being learned from (step ``vanishing``, through time).

The web module runs :func:`train` as a background job (cached by its settings) that saves both
networks with ``nn.save``; :func:`patient_view` then answers for any patient from the saved
networks (:func:`load_network`, read once per process).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Callable

import numpy as np

from ml2dl import checks, nn
from ml2dl.data import vitals
from ml2dl.nn.functional import sigmoid
from ml2dl.train import fit

from .images import LESSON_RECIPE
from .vanishing import trend

N_TRAIN = 400
N_VAL = 200
HIDDEN_CHOICES = (4, 8, 12, 16)
EPOCH_CHOICES = (5, 10, 20, 40)
LR = 0.005
BATCH_SIZE = 32
MAX_SEED = 999
RNN_SHARE = 0.75  # of a training job's time: the RNN (24 steps per patient) against one step (measured 0.74 at the defaults)
SAME = 0.02  # accuracies closer than 2 points are "about the same" (200 patients: ±3 points is noise)


def sequence_model(hidden: int, seed: int) -> nn.Sequential:
    rng = checks.rng(seed, "seed")
    return nn.Sequential(nn.RNN(3, hidden, batch_first=True, returns="last", rng=rng), nn.Linear(hidden, 1, rng=rng))


def last_hour_model(hidden: int, seed: int) -> nn.Sequential:
    rng = checks.rng(seed, "seed")
    return nn.Sequential(nn.Linear(3, hidden, rng=rng), nn.Tanh(), nn.Linear(hidden, 1, rng=rng))


def hidden_states(model: nn.Sequential, x: np.ndarray) -> np.ndarray:
    """Every hₜ, (N, 24, H): the trained RNN's weights in a copy that returns the whole sequence."""
    rnn = model[0]
    whole = nn.RNN(**{**rnn.config(), "returns": "sequence"}).to(rnn.weight_ih_l0.data.dtype)
    whole.load_state_dict(rnn.state_dict())
    return whole(x)


def risk_over_time(model: nn.Sequential, x: np.ndarray) -> np.ndarray:
    """σ(w·hₜ + b) for every hour, (N, 24): the read-out applied to the hidden state so far."""
    head = model[1]
    return sigmoid(hidden_states(model, x) @ head.weight.data[0] + head.bias.data[0])


def gradient_through_time(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """‖∂L/∂hₜ‖ for t = 1..24 (Frobenius over patients and units), L the mean cross-entropy on (x, y)."""
    loss_fn = nn.BCEWithLogitsLoss()
    try:
        loss_fn(model(x), y.reshape(-1, 1).astype(np.float32))
        model.backward(loss_fn.backward())
        return np.linalg.norm(model[0].hidden_grad.astype(np.float64), axis=(0, 2))
    finally:
        model.zero_grad()


def _accuracy(logits, y) -> float:
    return float(np.mean((np.asarray(logits).reshape(-1) > 0) == (y == 1)))


def _sig(v, digits=4):
    return float(f"{v:.{digits}g}") if v is not None and math.isfinite(v) else None


def _fall(norms: np.ndarray) -> dict:
    """``norm`` by lag 0..23 (hour 24 back to hour 1); ``hour1_over_hour24`` = ‖∂L/∂h₁‖ / ‖∂L/∂h₂₄‖
    and ``per_hour``, its 23rd root: the typical factor one hour further back; ``trend`` as for a
    deep stack (step ``vanishing``): ``vanishes`` below 0.01, ``explodes`` above 100, else ``keeps``."""
    first, last = float(norms[0]), float(norms[-1])
    ratio = last / first if first > 0 else None
    return {"norm": [_sig(float(v)) for v in norms], "hour1_over_hour24": _sig(ratio), "trend": trend(ratio),
            "per_hour": _sig(ratio ** (1 / (len(norms) - 1))) if ratio else None}


def verdict(rnn_accuracy: float, ff_accuracy: float) -> str:
    """``better`` / ``worse`` / ``same`` (within :data:`SAME`): the RNN against the last-hour network."""
    d = rnn_accuracy - ff_accuracy
    return "same" if abs(d) < SAME else ("better" if d > 0 else "worse")


@functools.lru_cache(maxsize=8)
def _validation(seed: int) -> tuple[dict, np.ndarray]:
    """The validation patients of ``seed`` and their standardised values (made once per process)."""
    val = vitals.make_patients(N_VAL, seed + 10_000)
    return val, vitals.standardise(val["values"])


def check_settings(hidden: int, epochs: int, seed: int) -> None:
    checks.choice("hidden", hidden, HIDDEN_CHOICES)
    checks.choice("epochs", epochs, EPOCH_CHOICES)
    checks.int_in_range("seed", seed, 0, MAX_SEED)


def train(hidden: int = 12, epochs: int = 20, seed: int = 0, *, checkpoints: dict[str, Path],
          progress: Callable[[float, str, dict], None] | None = None) -> dict:
    """Train both networks through :func:`fit`, save them (``nn.save``) to ``checkpoints["rnn"]``
    and ``checkpoints["last_hour"]``, and measure what does not depend on the patient shown.

    ``progress(fraction, message, extra)`` is called after every batch (a place to raise to
    cancel: the exception ends training and propagates out of :func:`fit`); the RNN is
    :data:`RNN_SHARE` of the work.

    Returns:
        ``accuracy`` of both networks on the ``n_val`` validation patients and their ``verdict``;
        ``gradient`` ``at_init`` and ``trained`` (see :func:`_fall`; ``lag`` 0..23 is 24 − t);
        the training ``loss`` per epoch of both; the data's description; the settings; the
        ``checkpoints``' file names.
    """
    check_settings(hidden, epochs, seed)
    train_set = vitals.make_patients(N_TRAIN, seed)
    x, y = vitals.standardise(train_set["values"]), train_set["labels"].astype(np.float32)
    val, xv = _validation(seed)
    yv = val["labels"]
    recipe = LESSON_RECIPE.replace(epochs=epochs, batch_size=BATCH_SIZE, lr=LR, seed=seed)

    def reporter(name: str, label: str, base: float, share: float):
        def callback(event):
            if event.stage == "batch" and progress is not None:
                done, total = (event.epoch - 1) * event.batches + event.batch, event.epochs * event.batches
                progress(base + share * done / total, f"training {label}: epoch {event.epoch}/{event.epochs}",
                         {"network": name, "epoch": event.epoch, "loss": round(float(event.loss), 4)})
        return callback

    rnn = sequence_model(hidden, seed)
    grad_init = gradient_through_time(rnn, xv, yv)
    rnn_fit = fit(rnn, (x, y), None, recipe=recipe, threads=1,
                  callbacks=[reporter("rnn", "the RNN (24 hours)", 0.0, RNN_SHARE)])
    ff = last_hour_model(hidden, seed)
    ff_fit = fit(ff, (x[:, -1], y), None, recipe=recipe, threads=1,
                 callbacks=[reporter("last_hour", "the last-hour network", RNN_SHARE, 1 - RNN_SHARE)])
    grad_trained = gradient_through_time(rnn, xv, yv)
    rnn_acc, ff_acc = _accuracy(rnn(xv), yv), _accuracy(ff(xv[:, -1]), yv)
    for name, model in (("rnn", rnn), ("last_hour", ff)):
        nn.save(model, checkpoints[name], metadata={"hidden": hidden, "epochs": epochs, "seed": seed})
    return {
        "accuracy": {"rnn": round(rnn_acc, 4), "last_hour": round(ff_acc, 4),
                     "difference_points": round(100 * (rnn_acc - ff_acc), 1), "verdict": verdict(rnn_acc, ff_acc),
                     "same_within_points": round(100 * SAME, 1)},
        "gradient": {"lag": list(range(vitals.HOURS)), "at_init": _fall(grad_init[::-1]),
                     "trained": _fall(grad_trained[::-1])},
        "loss": {"rnn": [round(r["train_loss"], 5) for r in rnn_fit.history],
                 "last_hour": [round(r["train_loss"], 5) for r in ff_fit.history]},
        "data": {"n_train": N_TRAIN, "n_val": N_VAL, "n_val_deteriorating": int((yv == 1).sum()),
                 "signals": list(vitals.SIGNALS), "units": list(vitals.UNITS),
                 "baseline": vitals.BASELINE.tolist(), "spread": vitals.SPREAD.tolist(), "noise": vitals.NOISE.tolist(),
                 "drift": vitals.DRIFT.tolist(), "onset": list(vitals.ONSET), "hours": vitals.HOURS},
        "hidden": hidden, "epochs": epochs, "seed": seed, "lr": LR, "batch_size": BATCH_SIZE,
        "parameters": {"rnn": rnn.num_parameters(), "last_hour": ff.num_parameters()},
        "checkpoints": {name: Path(path).name for name, path in checkpoints.items()},
    }


@functools.lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int) -> nn.Module:
    return nn.load(path)


def load_network(checkpoint: Path) -> nn.Module:
    """A saved network, read once per process while the file is unchanged (keyed by path and mtime)."""
    checkpoint = Path(checkpoint)
    return _load(str(checkpoint), checkpoint.stat().st_mtime_ns)


def patient_view(rnn: nn.Sequential, ff: nn.Sequential, seed: int, patient: int) -> dict:
    """One validation patient of ``seed`` through the trained networks.

    Returns ``index``, ``hours`` (1..24), ``signals`` (three lists in their units), ``label``,
    ``onset`` (0: stable), ``hidden`` (H × 24: hₜ, one row per unit), ``risk`` (24 values:
    σ(w·hₜ + b)), ``risk_last_hour`` (the feed-forward network's probability).
    """
    checks.int_in_range("seed", seed, 0, MAX_SEED)
    checks.int_in_range("patient", patient, 0, N_VAL - 1)
    val, xv = _validation(seed)
    one = xv[patient:patient + 1]
    h = hidden_states(rnn, one)[0]  # (24, H)
    risk = risk_over_time(rnn, one)[0]
    return {
        "index": patient, "hours": list(range(1, vitals.HOURS + 1)),
        "signals": [[round(float(v), 1) for v in val["values"][patient, :, k]] for k in range(3)],
        "label": int(val["labels"][patient]), "onset": int(val["onset"][patient]),
        "hidden": [[round(float(v), 4) for v in row] for row in h.T],
        "risk": [round(float(v), 4) for v in risk],
        "risk_last_hour": round(float(sigmoid(ff(one[:, -1]))[0, 0]), 4),
    }
