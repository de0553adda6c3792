"""One evaluation of a trained classifier: every number the lab reports, computed once.

::

    from ml2dl.data import load_dataset
    from ml2dl.report import write_report
    from ml2dl.train import RunDir, evaluate

    run = RunDir("runs/pneu")
    ev = evaluate(run.load_best(), load_dataset("pneumoniamnist.npz"), split="test", run=run)
    ev.auc, ev.auc_ci95, ev.acc              # ROC AUC (95% CI), MedMNIST's ACC (score > 0.5)
    ev.points["screening"]["sensitivity"]    # the operating points applied to the test split
    ev.to_json()                             # exactly what metrics.json holds
    write_report("runs/pneu/eval-test", ev)  # the HTML report renders it and computes nothing

``ml2dl evaluate``, the HTML report and ``metrics.json`` all come from the one
:class:`Evaluation`. Operating points are chosen on the validation split — after training
by :func:`~ml2dl.train.fit` (the run's ``operating_points.json``), otherwise here — and
applied unchanged to the split evaluated: a threshold chosen on the test split would
flatter the model.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Mapping, Sequence

import numpy as np

from .. import checks
from .. import metrics as M
from ..checks import InputError
from .evaluation import MAX_MISCLASSIFIED, SPLIT_NAMES, Evaluation, Misclassified, SplitMetrics
from .runs import RunDir
from .scoring import as_arrays, predict_proba

__all__ = ["evaluate", "evaluate_scores", "misclassified"]

# --------------------------------------------------------------------------------------
# Building an Evaluation
# --------------------------------------------------------------------------------------
def evaluate(model, data, *, split: str = "test", operating_points: dict | None = None, run=None,
             operating_point: str = "screening", title: str | None = None,
             dataset_note: str | None = None) -> Evaluation:
    """Evaluate ``model`` on one split of ``data``.

    Args:
        model: an ``nn.Sequential`` ending in one logit (its sigmoid is the pneumonia score).
        data: :class:`ml2dl.data.Splits` (or a mapping ``{"train"|"val"|"test": dataset}``,
            each an ``ImageDataset`` or an ``(images, labels)`` pair).
        split: the split to evaluate: ``"test"``, ``"val"`` or ``"train"``.
        operating_points: thresholds chosen elsewhere (:func:`ml2dl.metrics.operating_points`).
            Default: the run's ``operating_points.json``, else chosen on ``data``'s
            validation split; none if neither exists.
        run: the run directory (path or :class:`RunDir`) the model came from: its history,
            its checkpoint's epoch and its operating points.
        operating_point: the point reported; images it gets wrong form the gallery.
        title, dataset_note: the report's heading and a sentence on the data.

    Returns:
        An :class:`Evaluation`. Scores of the validation split are computed too (when it is
        another split) so the report can show where the thresholds came from.
    """
    name = checks.choice("split", split, tuple(SPLIT_NAMES))
    name = SPLIT_NAMES[name]
    sets = _datasets(data)
    if name not in sets:
        raise InputError(f"data has no {split} split (it has: {', '.join(sets) or 'none'})")
    wanted = [name] + (["validation"] if name != "validation" and "validation" in sets else [])
    arrays = {n: as_arrays(sets[n], n) for n in wanted}
    scores = {n: (y.astype(np.int64), predict_proba(model, x)) for n, (x, y) in arrays.items()}

    run = None if run is None else (run if isinstance(run, RunDir) else RunDir(run))
    chosen_on = "given" if operating_points is not None else None
    if operating_points is None and run is not None:
        saved = run.operating_points()
        if saved:
            operating_points, chosen_on = saved["points"], "val (after training)"
    if operating_points is None and "validation" in scores:
        operating_points, chosen_on = M.operating_points(*scores["validation"]), "val"

    gallery = []
    if operating_points:
        checks.choice("operating_point", operating_point, tuple(operating_points))
        x, _ = arrays[name]
        y, s = scores[name]
        gallery = misclassified(model, x, y, s, threshold=operating_points[operating_point]["threshold"])
    history, best_epoch = [], None
    if run is not None:
        history = run.history()
        if run.best_path.is_file():
            best_epoch = run.load_best(with_metadata=True)[1].get("epoch")
    return evaluate_scores(scores, split=name, operating_points=operating_points,
                           points_chosen_on=chosen_on, operating_point=operating_point,
                           history=history, best_epoch=best_epoch, misclassified=gallery,
                           title=title or f"Evaluation on the {name} split", dataset_note=dataset_note)


def evaluate_scores(scores: Mapping[str, tuple[Any, Any]], *, split: str,
                    operating_points: dict | None = None, points_chosen_on: str | None = None,
                    operating_point: str = "screening", history: Sequence[dict] = (),
                    best_epoch: int | None = None, misclassified: Sequence = (),
                    title: str = "Evaluation", dataset_note: str | None = None) -> Evaluation:
    """An :class:`Evaluation` from labels and scores already computed (any model, even PyTorch).

    Args:
        scores: ``{split: (y_true, y_score)}`` with split ``"train"``, ``"validation"``
            (or ``"val"``) or ``"test"``; it must hold ``split``.
        split: the split evaluated.
        operating_points: thresholds chosen elsewhere; default: chosen on ``scores``'s
            validation split (``points_chosen_on = "val"``), none without one.
        misclassified: :class:`Misclassified` items or dicts with their fields.
        Others: as the :class:`Evaluation` attributes.
    """
    if not isinstance(title, str) or not title.strip():
        raise InputError(f"title must be a non-empty string, got {title!r}")
    pairs = {}
    for key, pair in scores.items():
        key = SPLIT_NAMES[checks.choice("scores' split", key, tuple(SPLIT_NAMES))]
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InputError(f"scores[{key!r}] must be a (y_true, y_score) pair, got {type(pair).__name__}")
        pairs[key] = pair
    split = SPLIT_NAMES[checks.choice("split", split, tuple(SPLIT_NAMES))]
    if split not in pairs:
        raise InputError(f"scores must hold the {split} split, got {', '.join(pairs) or 'none'}")
    history = list(history or [])
    for i, row in enumerate(history):
        if not isinstance(row, dict):
            raise InputError(f"history[{i}] must be a dict of per-epoch values, got {row!r:.60}")
    gallery = _gallery(misclassified)
    if operating_points is not None and not isinstance(operating_points, dict):
        raise InputError(f"operating_points must be the dict from operating_points, got "
                         f"{type(operating_points).__name__}")
    if operating_points is None and "validation" in pairs:
        operating_points, points_chosen_on = M.operating_points(*pairs["validation"]), "val"
    if operating_points:
        checks.choice("operating_point", operating_point, tuple(operating_points))
    order = [n for n in ("validation", "test", "train") if n in pairs and (n == split or n == "validation")]
    splits = {n: SplitMetrics.compute(n, *pairs[n], points=operating_points) for n in order}
    created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    return Evaluation(split=split, splits=splits, operating_points=dict(operating_points or {}),
                      points_chosen_on=points_chosen_on if operating_points else None,
                      operating_point=operating_point, best_epoch=best_epoch, history=history,
                      misclassified=gallery, title=title, dataset_note=dataset_note, created_utc=created)


def misclassified(model, images, y_true, y_score, *, threshold: float,
                  limit: int = MAX_MISCLASSIFIED) -> list[Misclassified]:
    """The ``limit`` most confident mistakes at ``threshold``, each with the Grad-CAM of its call.

    A mistake is ``(score ≥ threshold) ≠ (y = 1)``; the most confident are those with the
    largest |score − threshold|. The heatmap explains the wrong call (what misled the
    model); a model without a convolution gets no heatmaps. Shapes: images (N, C, H, W),
    labels and scores (N,).
    """
    from ..explain import grad_cam, last_conv_index

    if threshold is None or (isinstance(threshold, float) and math.isnan(threshold)):
        return []  # an undefined operating point decides nothing
    y, s = np.asarray(y_true).reshape(-1), np.asarray(y_score).reshape(-1)
    called = (s >= threshold).astype(int)
    wrong = np.flatnonzero(called != (y == 1))
    wrong = wrong[np.argsort(-np.abs(s[wrong] - threshold), kind="stable")][:limit]
    try:
        last_conv_index(model)
        explained = True
    except InputError:
        explained = False
    heat = {}
    for target in (0, 1):
        idx = wrong[called[wrong] == target]
        if explained and len(idx):
            heat.update(zip(idx.tolist(), grad_cam(model, images[idx], target=target)))
    return [Misclassified(image=np.clip(images[i].mean(axis=0), 0, 1).astype(np.float64),
                          heatmap=heat.get(int(i)), label=int(y[i]), score=float(s[i]), index=int(i))
            for i in wrong]


def _datasets(data) -> dict:
    """{"train"|"validation"|"test": dataset} from Splits or a mapping."""
    if not hasattr(data, "items"):
        raise InputError(f"data must be Splits (from ml2dl.data.load_dataset) or a mapping of "
                         f"split names to datasets, got {type(data).__name__}")
    out = {}
    for key, ds in data.items():
        if ds is not None:
            out[SPLIT_NAMES[checks.choice("data's split", key, tuple(SPLIT_NAMES))]] = ds
    return out


def _gallery(items) -> list[Misclassified]:
    """Check misclassified items (dicts or :class:`Misclassified`) and return them as items."""
    if not isinstance(items, (list, tuple)):
        raise InputError(f"misclassified must be a list of dicts, got {type(items).__name__}")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Misclassified):
            item = vars(item)
        if not isinstance(item, dict) or not {"image", "label", "score"} <= set(item):
            raise InputError(f"misclassified[{i}] must be a dict with image, heatmap, label, "
                             f"score; got {item!r:.80}")
        image = np.asarray(item["image"], dtype=np.float64)
        if image.ndim != 2 or not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
            raise InputError(f"misclassified[{i}]['image'] must be a 2-D array of values in "
                             f"[0, 1], got shape {image.shape}")
        heat = item.get("heatmap")
        if heat is not None:
            heat = np.asarray(heat, dtype=np.float64)
            if heat.ndim != 2 or not np.isfinite(heat).all() or heat.min() < 0 or heat.max() > 1:
                raise InputError(f"misclassified[{i}]['heatmap'] must be None or a 2-D array "
                                 f"of values in [0, 1], got shape {heat.shape}")
        label, score = item["label"], item["score"]
        if np.ndim(label) != 0 or label not in (0, 1):
            raise InputError(f"misclassified[{i}]['label'] must be 0 or 1, got {label!r}")
        checks.finite(f"misclassified[{i}]['score']", score)
        out.append(Misclassified(image=image, heatmap=heat, label=int(label), score=float(score),
                                 index=item.get("index")))
    return out

