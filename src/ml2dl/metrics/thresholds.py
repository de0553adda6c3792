"""Every threshold at once: the table a threshold slider reads, and PPV / NPV at another prevalence.

:func:`threshold_table` gives, for many thresholds in one pass, the confusion matrix and
sensitivity, specificity, PPV and NPV with their 95% Wilson intervals — what
:func:`~ml2dl.metrics.binary_metrics` gives for one threshold, so a page can move a
threshold without asking again. :func:`predictive_values` carries sensitivity and
specificity to a population with another share of disease (Bayes' rule).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..checks import InputError
from ._inputs import check_pair
from .intervals import wilson_interval

RATES = ("sensitivity", "specificity", "ppv", "npv")


def predictive_values(sensitivity: Any, specificity: Any, prevalence: float) -> tuple[np.ndarray, np.ndarray]:
    """PPV and NPV of a test with this sensitivity and specificity where a share ``prevalence`` is ill.

    Bayes' rule with π = prevalence, Se = sensitivity, Sp = specificity:

        PPV = Se·π / (Se·π + (1 − Sp)(1 − π))          P(ill | called positive)
        NPV = Sp(1 − π) / (Sp(1 − π) + (1 − Se)·π)      P(well | called negative)

    The same test (Se 95%, Sp 95%) has PPV 95% at π = 50% but 16% at π = 1%: most
    positive calls in a screening population are false alarms. Elementwise on arrays;
    NaN where a denominator is 0 (nobody called positive, or negative) or an input is NaN.

    Returns:
        ``(ppv, npv)`` as float arrays (0-d for scalars).
    """
    prevalence = checks.number_in_range("prevalence", prevalence, 0.0, 1.0, low_open=True, high_open=True)
    se = np.asarray(sensitivity, dtype=np.float64)
    sp = np.asarray(specificity, dtype=np.float64)
    pi = prevalence
    with np.errstate(invalid="ignore", divide="ignore"):
        true_pos, false_pos = se * pi, (1 - sp) * (1 - pi)
        true_neg, false_neg = sp * (1 - pi), (1 - se) * pi
        ppv = np.where(true_pos + false_pos > 0, true_pos / (true_pos + false_pos), np.nan)
        npv = np.where(true_neg + false_neg > 0, true_neg / (true_neg + false_neg), np.nan)
    return ppv, npv


def threshold_table(y_true: Any, y_score: Any, thresholds: Any, *, alpha: float = 0.05,
                    prevalence: float | None = None) -> dict[str, np.ndarray]:
    """The confusion matrix and the four rates with their intervals at each threshold.

    A case is called positive when score ≥ threshold. For each threshold t:

        tp, fp, tn, fn                        counts (int64)
        sensitivity = tp / (tp + fn)          specificity = tn / (tn + fp)
        ppv = tp / (tp + fp)                  npv = tn / (tn + fn)

    each with its Wilson interval (``<rate>_low``, ``<rate>_high``; :func:`wilson_interval`),
    NaN where the denominator is 0. Row t equals :func:`~ml2dl.metrics.binary_metrics` at t.

    With ``prevalence`` given, ``ppv`` and ``npv`` are those of a population with that share of
    positives (:func:`predictive_values`) rather than the sample's; their interval is then the
    range of the formula over the ends of the sensitivity and specificity intervals (both
    increase with each, so the low end uses both lower bounds) — wide rather than exact.

    Args:
        y_true, y_score: labels 0/1 and scores, shape (N,).
        thresholds: the thresholds (K,), any order (the rows keep it).
        alpha: 1 − confidence level of the intervals.
        prevalence: None (the sample's own) or a share in (0, 1).

    Returns:
        ``{"threshold", "tp", "fp", "tn", "fn", "sensitivity", "sensitivity_low", …, "npv_high"}``:
        arrays of shape (K,). O((N + K) log N).
    """
    y, s = check_pair(y_true, y_score)
    t = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    if t.size == 0 or np.isnan(t).any():
        raise InputError(f"thresholds must be a non-empty list of numbers (not NaN), got {t.size} values")
    pos = np.sort(s[y == 1])
    neg = np.sort(s[y == 0])
    # cases scoring ≥ t: everything from the first index whose score is ≥ t
    tp = pos.shape[0] - np.searchsorted(pos, t, side="left")
    fp = neg.shape[0] - np.searchsorted(neg, t, side="left")
    fn = pos.shape[0] - tp
    tn = neg.shape[0] - fp
    out: dict[str, np.ndarray] = {"threshold": t, "tp": tp.astype(np.int64), "fp": fp.astype(np.int64),
                                  "tn": tn.astype(np.int64), "fn": fn.astype(np.int64)}
    for name, k, n in (("sensitivity", tp, tp + fn), ("specificity", tn, tn + fp),
                       ("ppv", tp, tp + fp), ("npv", tn, tn + fn)):
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
        out[f"{name}_low"], out[f"{name}_high"] = wilson_interval(k, n, alpha=alpha)
    if prevalence is not None:
        out["ppv"], out["npv"] = predictive_values(out["sensitivity"], out["specificity"], prevalence)
        out["ppv_low"], out["npv_low"] = predictive_values(out["sensitivity_low"], out["specificity_low"], prevalence)
        out["ppv_high"], out["npv_high"] = predictive_values(out["sensitivity_high"], out["specificity_high"],
                                                             prevalence)
    return out
