"""DeLong's confidence interval for the ROC AUC: a formula instead of a thousand resamples.

DeLong, DeLong & Clarke-Pearson (1988) treat the AUC as a two-sample U-statistic. With m
positive scores x_i and n negative scores y_j and the kernel ψ(x, y) = 1 if x > y, ½ if
x = y, 0 otherwise,

    AUC   = (1 / m n) Σ_i Σ_j ψ(x_i, y_j)
    V10_i = (1 / n) Σ_j ψ(x_i, y_j)        each positive's share of negatives it outscores
    V01_j = (1 / m) Σ_i ψ(x_i, y_j)        each negative's share of positives that outscore it
    Var(AUC) = S10 / m + S01 / n           S10, S01: sample variances (ddof 1) of V10, V01

and the interval is AUC ± z_{1−α/2} · √Var, clipped to [0, 1] (as R's pROC does). The
components come from mid-ranks in O(N log N) (Sun & Xu 2014): for a positive,
V10_i = (rank among all − rank among positives) / n, and alike for a negative.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, NamedTuple

import numpy as np

from .. import checks
from ._inputs import check_pair, one_class
from .ranking import _midranks


class DeLong(NamedTuple):
    """Result of :func:`delong_auc_ci`: the AUC, its standard error and the interval."""

    auc: float
    se: float
    low: float
    high: float


def delong_components(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    """The structural components ``(V10, V01)``: shapes (m,) for the positives, (n,) for the negatives."""
    y, s = check_pair(y_true, y_score)
    pos, neg = s[y == 1], s[y == 0]
    m, n = pos.shape[0], neg.shape[0]
    ranks = _midranks(s)
    v10 = (ranks[y == 1] - _midranks(pos)) / n      # negatives below each positive (ties ½)
    v01 = 1.0 - (ranks[y == 0] - _midranks(neg)) / m  # positives above each negative (ties ½)
    return v10, v01


def delong_auc_ci(y_true: Any, y_score: Any, *, alpha: float = 0.05) -> DeLong:
    """The ROC AUC with DeLong's standard error and normal-approximation interval.

    Args:
        y_true: labels 0/1, shape (N,) or (N, 1).
        y_score: scores, same length.
        alpha: 1 − confidence level, in (0, 1) (0.05: a 95% interval).

    Returns:
        ``DeLong(auc, se, low, high)``; all NaN with an :class:`UndefinedMetricWarning`
        when y_true holds one class, and se NaN when a class has a single case (no variance).
    """
    alpha = checks.number_in_range("alpha", alpha, 0.0, 1.0, low_open=True, high_open=True)
    y, s = check_pair(y_true, y_score)
    if one_class(y, "DeLong's AUC interval"):
        nan = float("nan")
        return DeLong(nan, nan, nan, nan)
    v10, v01 = delong_components(y, s)
    auc = float(v10.mean())
    m, n = v10.shape[0], v01.shape[0]
    if m < 2 or n < 2:
        return DeLong(auc, float("nan"), float("nan"), float("nan"))
    se = math.sqrt(v10.var(ddof=1) / m + v01.var(ddof=1) / n)
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    return DeLong(auc, se, max(0.0, auc - z * se), min(1.0, auc + z * se))
