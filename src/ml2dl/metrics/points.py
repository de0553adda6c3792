"""Operating points: a threshold chosen for a purpose on validation, used unchanged on test.

* screening: the strictest threshold that still finds the target share of pneumonia;
* high specificity: the most sensitive threshold that still clears the target share of normals;
* balanced: the threshold maximising Youden's J = sensitivity + specificity − 1.

Choosing on one split and applying to another (:func:`apply_operating_points`) is what
keeps the test figures honest: a threshold chosen on test flatters the model.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import checks
from ..checks import InputError
from ._inputs import UndefinedMetricWarning, check_pair, one_class
from .confusion import binary_metrics
from .ranking import roc_rates

_POINT_METRIC_KEYS = ("tp", "fp", "tn", "fn", "accuracy", "sensitivity", "specificity",
                      "ppv", "npv", "f1")


def _target(name: str, value: Any) -> float:
    """A target rate in (0, 1]."""
    return checks.number_in_range(name, value, 0.0, 1.0, low_open=True)


def threshold_for_sensitivity(y_true: Any, y_score: Any, *, target: float = 0.95) -> float:
    """The largest threshold whose sensitivity is at least ``target``.

    Among the ROC thresholds (the distinct scores and +inf), return

        max { t : TP(t) / P >= target }

    — the strictest rule that still finds the required share of positive cases
    (a *screening* operating point). The result is one of the positive scores.

    Returns:
        The threshold (use it as ``score >= threshold``); NaN with a warning if
        y_true holds one class only.
    """
    target = _target("target", target)
    rates = roc_rates(y_true, y_score, "A sensitivity threshold")
    if rates is None:
        return float("nan")
    _, tpr, thresholds = rates
    # tpr rises as the threshold falls: the first index reaching the target is
    # the largest threshold that meets it.
    return float(thresholds[int(np.argmax(tpr >= target))])


def threshold_for_specificity(y_true: Any, y_score: Any, *, target: float = 0.95) -> float:
    """The smallest threshold whose specificity is at least ``target``.

    Among the ROC thresholds (the distinct scores and +inf), return

        min { t : TN(t) / N >= target }

    — the most sensitive rule that still clears the required share of negative
    cases (a *high-specificity* operating point, before a risky action). It is
    +inf only when no finite threshold is specific enough.

    Returns:
        The threshold; NaN with a warning if y_true holds one class only.
    """
    target = _target("target", target)
    rates = roc_rates(y_true, y_score, "A specificity threshold")
    if rates is None:
        return float("nan")
    fpr, _, thresholds = rates
    ok = np.flatnonzero(1.0 - fpr >= target)  # specificity falls as the threshold falls
    return float(thresholds[ok[-1]])  # index 0 (inf, specificity 1) always qualifies


def youden_threshold(y_true: Any, y_score: Any) -> float:
    """The threshold maximising Youden's J = sensitivity + specificity − 1 = TPR − FPR.

    Candidates are the distinct scores (not +inf); on ties the largest
    threshold wins. A *balanced* operating point.

    Returns:
        The threshold; NaN with a warning if y_true holds one class only.
    """
    rates = roc_rates(y_true, y_score, "Youden's threshold")
    if rates is None:
        return float("nan")
    fpr, tpr, thresholds = rates
    j = tpr[1:] - fpr[1:]
    return float(thresholds[1:][int(np.argmax(j))])


def operating_points(y_val: Any, s_val: Any, *, sensitivity: float = 0.975,
                     specificity: float = 0.98) -> dict[str, dict[str, Any]]:
    """Choose three named operating points on a validation set.

    The default targets are those of Gulshan et al. 2016's two points (97.5% sensitivity
    for screening, 98% specificity before a high-risk action). A looser screening target
    such as 95% can pick a threshold *above* 0.5 on a strong model, i.e. a "screening"
    point less sensitive than the plain 0.5 cut-off, which defeats its purpose.

    * ``"screening"``: :func:`threshold_for_sensitivity` with target ``sensitivity``
      (miss few pneumonias);
    * ``"high_specificity"``: :func:`threshold_for_specificity` with target
      ``specificity`` (few false alarms before a risky action);
    * ``"balanced"``: :func:`youden_threshold`.

    Returns:
        ``{name: {"rule": str, "threshold": float, **validation metrics}}`` where
        the metrics are those of :func:`binary_metrics` on the validation set.
        Pass the dict to :func:`apply_operating_points` to use the same
        thresholds, unchanged, on a test set. If the validation set holds one
        class only every value is NaN (with a warning).
    """
    sensitivity = _target("sensitivity", sensitivity)
    specificity = _target("specificity", specificity)
    y, s = check_pair(y_val, s_val)
    rules = {
        "screening": f"sensitivity \u2265 {sensitivity:.1%} on validation",
        "high_specificity": f"specificity \u2265 {specificity:.1%} on validation",
        "balanced": "maximum of sensitivity + specificity (Youden) on validation",
    }
    if one_class(y, "Operating points"):
        return {name: {"rule": rule, "threshold": float("nan"),
                       **{k: float("nan") for k in _POINT_METRIC_KEYS}}
                for name, rule in rules.items()}
    thresholds = {
        "screening": threshold_for_sensitivity(y, s, target=sensitivity),
        "high_specificity": threshold_for_specificity(y, s, target=specificity),
        "balanced": youden_threshold(y, s),
    }
    return {name: {"rule": rules[name], **binary_metrics(y, s, threshold=t)}
            for name, t in thresholds.items()}


def apply_operating_points(points: dict[str, dict[str, Any]], y_test: Any,
                           s_test: Any) -> dict[str, dict[str, Any]]:
    """Evaluate operating points chosen elsewhere on another split, thresholds unchanged.

    Args:
        points: the dict returned by :func:`operating_points` (each value needs a
            ``"threshold"``; a ``"rule"`` is carried over).
        y_test, s_test: labels and scores of the split to evaluate.

    Returns:
        ``{name: {"rule", "threshold", **binary_metrics on this split}}``. A point
        whose threshold is NaN (chosen on a one-class validation set) gets NaN
        metrics and a warning.
    """
    if not isinstance(points, dict):
        raise InputError(f"points must be the dict returned by operating_points, got "
                         f"{type(points).__name__}")
    y, s = check_pair(y_test, s_test)
    out: dict[str, dict[str, Any]] = {}
    for name, point in points.items():
        if not isinstance(point, dict) or "threshold" not in point:
            raise InputError(f"operating point {name!r} must be a dict with a 'threshold', "
                             f"got {point!r}")
        t = point["threshold"]
        rule = point.get("rule", "")
        if t is None or (isinstance(t, float) and math.isnan(t)):
            warnings.warn(f"operating point {name!r} has no threshold (NaN); its metrics are NaN",
                          UndefinedMetricWarning, stacklevel=2)
            out[name] = {"rule": rule, "threshold": float("nan"),
                         **{k: float("nan") for k in _POINT_METRIC_KEYS}}
            continue
        out[name] = {"rule": rule, **binary_metrics(y, s, threshold=t)}
    return out
