"""Metrics at one threshold: the confusion matrix and what a clinician asks of it.

A case is **called positive when score ≥ threshold**. The one exception is
:func:`medmnist_metrics`, which copies MedMNIST's evaluator: ACC counts ``score > 0.5``
(strictly greater). Counts: tp (pneumonia called pneumonia), fn (pneumonia missed),
tn (normal called normal), fp (normal called pneumonia).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..checks import InputError
from ._inputs import UndefinedMetricWarning, check_labels, check_pair
from .ranking import roc_auc_score


def confusion_matrix(y_true: Any, y_pred: Any) -> np.ndarray:
    """2×2 confusion matrix ``[[tn, fp], [fn, tp]]`` (rows: truth, columns: call).

    Args:
        y_true: labels 0/1, shape (N,) or (N, 1).
        y_pred: predicted labels 0/1, same length.

    Returns:
        int64 array of shape (2, 2); ``cm[i, j]`` counts cases of true class i
        called class j (as ``sklearn.metrics.confusion_matrix(labels=[0, 1])``).
    """
    y = check_labels(y_true, "y_true")
    p = check_labels(y_pred, "y_pred")
    if y.shape[0] != p.shape[0]:
        raise InputError(
            f"y_true and y_pred must have the same length, got {y.shape[0]} and {p.shape[0]}"
        )
    return np.bincount(2 * y.astype(np.int64) + p, minlength=4).reshape(2, 2)


def accuracy_score(y_true: Any, y_pred: Any) -> float:
    """Fraction of correct calls: (TP + TN) / (TP + TN + FP + FN)."""
    cm = confusion_matrix(y_true, y_pred)
    return float((cm[0, 0] + cm[1, 1]) / cm.sum())


def _ratio(num: int, den: int, name: str, why: str, undefined: list[str]) -> float:
    if den == 0:
        undefined.append(f"{name} ({why})")
        return float("nan")
    return num / den


def _threshold(value: Any) -> float:
    """A threshold: any real number but NaN (``inf`` calls nothing positive)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ) or math.isnan(float(value)):
        raise InputError(f"threshold must be a number, got {value!r}")
    return float(value)


def binary_metrics(y_true: Any, y_score: Any, *, threshold: float) -> dict[str, Any]:
    """Everything a clinician asks about one threshold (score >= threshold → positive).

        sensitivity (recall, TPR) = TP / (TP + FN)   share of pneumonia found
        specificity (TNR)         = TN / (TN + FP)   share of normal cleared
        ppv (precision)           = TP / (TP + FP)   a positive call is right
        npv                       = TN / (TN + FN)   a negative call is right
        accuracy                  = (TP + TN) / N
        f1                        = 2·TP / (2·TP + FP + FN)

    Args:
        y_true: labels 0/1, shape (N,) or (N, 1).
        y_score: scores, same length.
        threshold: cases with ``score >= threshold`` are called positive
            (may be ``inf``: nothing is called positive).

    Returns:
        dict with ``threshold, tp, fp, tn, fn`` (ints), ``accuracy, sensitivity,
        specificity, ppv, npv, f1`` (floats). A ratio with a zero denominator is
        NaN and one :class:`UndefinedMetricWarning` lists them.
    """
    y, s = check_pair(y_true, y_score)
    threshold = _threshold(threshold)
    called = s >= threshold
    pos = y == 1
    tp = int(np.sum(called & pos))
    fp = int(np.sum(called & ~pos))
    fn = int(np.sum(~called & pos))
    tn = int(np.sum(~called & ~pos))
    undefined: list[str] = []
    out = {
        "threshold": threshold,
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "accuracy": (tp + tn) / (tp + tn + fp + fn),
        "sensitivity": _ratio(tp, tp + fn, "sensitivity", "no positive cases", undefined),
        "specificity": _ratio(tn, tn + fp, "specificity", "no negative cases", undefined),
        "ppv": _ratio(tp, tp + fp, "ppv", "no case called positive", undefined),
        "npv": _ratio(tn, tn + fn, "npv", "no case called negative", undefined),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn, "f1", "no positive case and none called positive",
                     undefined),
    }
    if undefined:
        warnings.warn(
            f"At threshold {threshold:g}: undefined, set to NaN: " + ", ".join(undefined),
            UndefinedMetricWarning,
            stacklevel=2,
        )
    return out


def medmnist_metrics(y_true: Any, y_score: Any) -> dict[str, float]:
    """AUC and ACC exactly as MedMNIST's evaluator reports them for a binary task.

        auc = ROC AUC of the class-1 score
        acc = mean( [score > 0.5] == y )      (strictly greater than 0.5)

    ``y_score`` may also be (N, 2) class scores, as MedMNIST accepts: the last
    column (the class-1 score) is used. Published PneumoniaMNIST results use
    this convention, so use it to compare with them.

    Returns:
        ``{"auc": float, "acc": float}`` (``auc`` is NaN with a warning for one class).
    """
    arr = np.asarray(y_score)
    if arr.ndim == 2 and arr.shape[1] == 2:
        arr = arr[:, -1]
    y, s = check_pair(y_true, arr)
    auc = roc_auc_score(y, s)
    acc = float(np.mean((s > 0.5) == (y == 1)))
    return {"auc": auc, "acc": acc}
