"""A trained run's model and its scores on the splits it is judged on (cached per checkpoint).

    model = best_model(run)                 # best.npz as an nn.Sequential (cached by file stamp)
    scores = run_scores(run, data)          # {"validation": (y, s), "test": (y, s)}: P(pneumonia)
    ev = run_evaluation(run, data)          # the lab's one Evaluation of these scores

Every figure of the clinic's pages comes from these scores through ``ml2dl.metrics`` and
:func:`ml2dl.train.evaluate_scores`; nothing is predicted twice for the same checkpoint. The
caches are keyed by the checkpoint's path, modification time and size, so a retrained run
is judged afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from ml2dl import nn
from ml2dl.train import Evaluation, RunDir, evaluate_scores, predict_proba

from .data import ClinicData

# A model keeps each layer's last output for its backward pass: one forward (or Grad-CAM) at a time.
MODEL_LOCK = threading.Lock()


class Memo:
    """A small thread-safe least-recently-used cache: ``memo.get(key, make)``."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make: Callable[[], Any]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: two threads may compute it once each, never wrongly
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


_MODELS, _SCORES, _EVALUATIONS = Memo(4), Memo(8), Memo(8)
# Images scored per batch. A served model's layers keep working memory in proportion (the strong
# CNN's patch matrices: ~70 MB at 256 in every web worker that scores a run, ~18 MB at 64).
SCORE_BATCH = 64


def checkpoint_stamp(run: RunDir) -> tuple[str, int, int]:
    """(path, mtime, size) of the run's best.npz (InputError via ``RunDir`` when there is none)."""
    if not run.best_path.is_file():
        run.load_best()  # raises RunError saying why
    st = run.best_path.stat()
    return str(run.best_path.resolve()), st.st_mtime_ns, st.st_size


def best_model(run: RunDir) -> nn.Sequential:
    """The run's best checkpoint in evaluation mode (shared: use it under :data:`MODEL_LOCK`)."""
    stamp = checkpoint_stamp(run)

    def load():
        model = nn.load(stamp[0])
        model.eval()
        return model

    return _MODELS.get(stamp, load)


def run_scores(run: RunDir, data: ClinicData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{"validation": (y, s), "test": (y, s)}`` (test only when the data has one): labels int64
    and the model's P(pneumonia), float64, shape (N,)."""
    model = best_model(run)

    def predict():
        out = {}
        with MODEL_LOCK:
            for name, ds in (("validation", data.val), ("test", data.test)):
                if ds is not None:
                    out[name] = (np.asarray(ds.labels, dtype=np.int64).reshape(-1),
                                 predict_proba(model, ds.images, batch_size=SCORE_BATCH).astype(np.float64).reshape(-1))
            model.forget_workspace()  # the scores are kept; the batches' working memory need not be
        return out

    return _SCORES.get((checkpoint_stamp(run), data.fingerprint), predict)


def run_evaluation(run: RunDir, data: ClinicData) -> Evaluation:
    """The lab's :class:`~ml2dl.train.Evaluation` of the run: the test split when there is one (else
    validation), with the operating points chosen on validation after training (the run's
    ``operating_points.json``) applied unchanged — or chosen on validation here for a run that
    stopped before writing them."""
    scores = run_scores(run, data)
    saved = run.operating_points()

    def evaluate() -> Evaluation:
        points = snap_points(saved["points"], scores["validation"][1]) if saved else None
        return evaluate_scores(scores, split="test" if "test" in scores else "validation", operating_points=points,
                               points_chosen_on="val (after training)" if saved else None,
                               history=run.history(), title=f"The run {run.path.name}")

    return _EVALUATIONS.get((checkpoint_stamp(run), data.fingerprint, bool(saved)), evaluate)



SNAP = 1e-6  # |difference| below which a saved threshold is the same validation score, re-predicted


def snap_points(points: dict, val_scores: np.ndarray) -> dict:
    """The saved thresholds, each moved onto the validation score it was chosen as.

    ``fit`` chose each threshold among its own validation scores; predicted again here, the same
    images' scores may differ in the 8th digit (float32 sums in another order). A threshold within
    :data:`SNAP` of a score becomes that score, so it calls exactly the cases it called in training
    and is a row of the threshold table. Thresholds further from every score are kept as they are.
    """
    out = {}
    for name, point in points.items():
        t = point.get("threshold")
        if t is not None and np.isfinite(t) and val_scores.size:
            nearest = float(val_scores[np.argmin(np.abs(val_scores - t))])
            if abs(nearest - t) <= SNAP:
                t = nearest
        out[name] = {**point, "threshold": t}
    return out
