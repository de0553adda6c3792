"""Ranking metrics: the ROC curve and the area under it (AUC), by counting, not by looping.

For every threshold t the cases with score ≥ t are called positive, and

    TPR(t) = TP(t) / P   (sensitivity)        FPR(t) = FP(t) / N   (1 − specificity)

The AUC is the probability that a random positive case outscores a random negative one
(ties count one half), computed from ranks in O(n log n).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._inputs import UndefinedMetricWarning, check_pair, one_class


def _roc_counts(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative (fps, tps) at each distinct score, thresholds descending, +inf first."""
    thresholds, inverse = np.unique(s, return_inverse=True)  # ascending distinct scores
    n_groups = thresholds.shape[0]
    pos_per_group = np.bincount(inverse, weights=y, minlength=n_groups)
    all_per_group = np.bincount(inverse, minlength=n_groups)
    # Walk from the highest score down: lowering the threshold past a group of
    # tied scores calls the whole group positive at once (a diagonal ROC step).
    tps = np.concatenate([[0], np.cumsum(pos_per_group[::-1])])
    fps = np.concatenate([[0], np.cumsum(all_per_group[::-1])]) - tps
    thresholds = np.concatenate([[np.inf], thresholds[::-1]])
    return fps.astype(np.float64), tps.astype(np.float64), thresholds


def roc_curve(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic: one point per distinct score.

    For every threshold t (each distinct score, highest first, preceded by +inf
    so that the curve starts at (0, 0)) the cases with score >= t are called
    positive and

        TPR(t) = TP(t) / P   (sensitivity)
        FPR(t) = FP(t) / N   (1 - specificity)

    with P, N the numbers of positive and negative cases. This is
    ``sklearn.metrics.roc_curve(..., drop_intermediate=False)``.

    Args:
        y_true: labels 0/1, shape (N,) or (N, 1).
        y_score: scores, larger = more likely positive, same length.

    Returns:
        ``(fpr, tpr, thresholds)``, each of shape (K + 1,) for K distinct scores;
        ``thresholds`` is decreasing with ``thresholds[0] = inf``. If one class
        is missing the matching rate is all NaN and an
        :class:`UndefinedMetricWarning` is issued.
    """
    y, s = check_pair(y_true, y_score)
    fps, tps, thresholds = _roc_counts(y, s)
    n_pos, n_neg = tps[-1], fps[-1]
    if n_neg == 0:
        warnings.warn(
            "No negative cases in y_true: the false positive rate is undefined (NaN)",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        fpr = np.full_like(fps, np.nan)
    else:
        fpr = fps / n_neg
    if n_pos == 0:
        warnings.warn(
            "No positive cases in y_true: the true positive rate is undefined (NaN)",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        tpr = np.full_like(tps, np.nan)
    else:
        tpr = tps / n_pos
    return fpr, tpr, thresholds


def roc_rates(y_true: Any, y_score: Any, what: str):
    """(fpr, tpr, thresholds) without warnings, or None (after one warning) if one class only."""
    y, s = check_pair(y_true, y_score)
    if one_class(y, what):
        return None
    fps, tps, thresholds = _roc_counts(y, s)
    return fps / fps[-1], tps / tps[-1], thresholds


def _midranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..N of ``x`` where tied values share the mean of their ranks."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)  # rank of the last member of each tie group
    starts = ends - counts + 1  # rank of the first member
    return ((starts + ends) / 2.0)[inverse]


def roc_auc_score(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve, by ranks (Mann–Whitney U).

    The AUC is the probability that a random positive case scores higher than a
    random negative one, ties counting one half:

        AUC = (1 / (P·N)) · Σ_{i positive} Σ_{j negative} [s_i > s_j] + ½·[s_i = s_j]
            = (R₊ − P(P + 1)/2) / (P·N)

    where R₊ is the sum of the (mid-)ranks of the positive scores among all N + P
    scores. O(n log n); equals the trapezoidal area under :func:`roc_curve`.

    Returns:
        The AUC as a float in [0, 1]; NaN with an :class:`UndefinedMetricWarning`
        when y_true holds one class only.
    """
    y, s = check_pair(y_true, y_score)
    if one_class(y, "ROC AUC"):
        return float("nan")
    n_pos = int(y.sum())
    n_neg = y.shape[0] - n_pos
    rank_sum_pos = _midranks(s)[y == 1].sum()
    u = rank_sum_pos - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def precision_recall_curve(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall at every distinct score: what a positive call is worth.

    For every threshold t (each distinct score) the cases with score ≥ t are called positive:

        precision(t) = TP(t) / (TP(t) + FP(t))   (PPV: a positive call is right)
        recall(t)    = TP(t) / P                 (sensitivity)

    Unlike the ROC curve, precision depends on the share of positives in the sample: the same
    model has a lower PR curve where the disease is rarer. This is
    ``sklearn.metrics.precision_recall_curve(..., drop_intermediate=False)``.

    Returns:
        ``(precision, recall, thresholds)``: thresholds (K,) increasing over the K distinct
        scores; precision and recall (K + 1,), the last point being (precision 1, recall 0)
        by convention (no case called positive). With no positive case recall is NaN (with
        an :class:`UndefinedMetricWarning`).
    """
    y, s = check_pair(y_true, y_score)
    fps, tps, thresholds = _roc_counts(y, s)
    fps, tps, thresholds = fps[1:], tps[1:], thresholds[1:]  # drop the +inf start: nothing called
    called = tps + fps
    precision = tps / called  # every distinct score calls at least its own cases: called > 0
    if tps[-1] == 0:
        warnings.warn("No positive cases in y_true: recall is undefined (NaN)", UndefinedMetricWarning,
                      stacklevel=2)
        recall = np.full_like(tps, np.nan)
    else:
        recall = tps / tps[-1]
    return (np.concatenate([precision[::-1], [1.0]]), np.concatenate([recall[::-1], [0.0]]),
            thresholds[::-1].copy())


def average_precision_score(y_true: Any, y_score: Any) -> float:
    """Area under the precision–recall curve as a step sum (scikit-learn's definition):

        AP = Σ_k (R_k − R_{k+1}) · P_k      over the thresholds, recall decreasing

    i.e. the mean precision at the recall of each positive case. A classifier that ranks at
    random scores the share of positives (the prevalence); a perfect one scores 1.

    Returns:
        AP as a float; NaN with an :class:`UndefinedMetricWarning` without a positive case.
    """
    y, s = check_pair(y_true, y_score)
    if int(y.sum()) == 0:
        warnings.warn("No positive cases in y_true: average precision is undefined (NaN)",
                      UndefinedMetricWarning, stacklevel=2)
        return float("nan")
    precision, recall, _ = precision_recall_curve(y, s)
    return float(-np.sum(np.diff(recall) * precision[:-1]))
