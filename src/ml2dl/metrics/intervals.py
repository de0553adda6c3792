"""Confidence intervals: how far a figure from a few hundred images may be from the truth.

* :func:`bootstrap_auc_ci` — a percentile bootstrap for the AUC: resample the N cases with
  replacement, recompute the AUC, read the interval off the quantiles of the resampled AUCs
  (DeLong's formula for the same interval is :func:`ml2dl.metrics.delong_auc_ci`);
* :func:`wilson_interval` — the Wilson score interval of a proportion k / n (sensitivity,
  specificity, PPV, NPV).
"""

from __future__ import annotations

import warnings
from statistics import NormalDist
from typing import Any

import numpy as np

from .. import checks
from ._inputs import UndefinedMetricWarning, check_pair, one_class


def _bootstrap_aucs(y: np.ndarray, s: np.ndarray, n_boot: int,
                    rng: np.random.Generator) -> np.ndarray:
    """AUC of ``n_boot`` resamples (with replacement); NaN where a resample has one class.

    Resample b draws indices ``rng.integers(0, n, size=n)`` (one row of a
    (n_boot, n) draw, made in chunks to bound memory). Rather than re-ranking
    each resample, group the distinct scores g = 1..G in ascending order and
    count, per resample, the drawn positives P_bg and negatives N_bg in each
    group. Then (Mann–Whitney with ties = ½)

        AUC_b = Σ_g P_bg · (Σ_{h<g} N_bh + ½ N_bg) / (P_b · N_b)

    which is :func:`roc_auc_score` of the resampled arrays, in O(n_boot · (n + G)).
    """
    n = y.shape[0]
    _, group = np.unique(s, return_inverse=True)
    n_groups = int(group.max()) + 1
    # One code per (class, score group): positives in [0, G), negatives in [G, 2G).
    code = np.where(y == 1, group, n_groups + group)
    aucs = np.empty(n_boot)
    chunk = max(1, min(n_boot, 2_000_000 // n))
    for start in range(0, n_boot, chunk):
        rows = min(chunk, n_boot - start)
        idx = rng.integers(0, n, size=(rows, n))
        offsets = (np.arange(rows) * 2 * n_groups)[:, None]
        counts = np.bincount((code[idx] + offsets).ravel(), minlength=rows * 2 * n_groups)
        counts = counts.reshape(rows, 2 * n_groups).astype(np.float64)
        pos, neg = counts[:, :n_groups], counts[:, n_groups:]
        neg_below = np.cumsum(neg, axis=1) - neg
        u = np.sum(pos * (neg_below + 0.5 * neg), axis=1)
        denom = pos.sum(axis=1) * neg.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            aucs[start:start + rows] = np.where(denom > 0, u / denom, np.nan)
    return aucs


def bootstrap_auc_ci(y_true: Any, y_score: Any, *, n_boot: int = 1000, alpha: float = 0.05,
                     rng: Any = None) -> tuple[float, float]:
    """Percentile bootstrap confidence interval for the ROC AUC.

    Draw ``n_boot`` resamples of the N cases with replacement, compute each
    resample's AUC, and return the ``alpha/2`` and ``1 − alpha/2`` quantiles of
    those AUCs (the 95% interval for ``alpha = 0.05``). Resamples that happen to
    contain one class only are skipped (with a warning saying how many).

    Args:
        y_true: labels 0/1, shape (N,) or (N, 1).
        y_score: scores, same length.
        n_boot: number of resamples (>= 1).
        alpha: 1 − confidence level, in (0, 1).
        rng: ``None`` (fresh entropy), an int seed or a ``np.random.Generator``;
            pass a seed for a reproducible interval.

    Returns:
        ``(low, high)``; ``(nan, nan)`` with a warning if y_true holds one class.
    """
    y, s = check_pair(y_true, y_score)
    n_boot = checks.positive_int("n_boot", n_boot)
    alpha = checks.number_in_range("alpha", alpha, 0.0, 1.0, low_open=True, high_open=True)
    gen = checks.rng(rng)
    if one_class(y, "A bootstrap AUC interval"):
        return float("nan"), float("nan")
    aucs = _bootstrap_aucs(y, s, n_boot, gen)
    valid = aucs[~np.isnan(aucs)]
    skipped = aucs.shape[0] - valid.shape[0]
    if skipped:
        warnings.warn(
            f"{skipped} of {n_boot} bootstrap resamples held one class only and were skipped",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    if valid.shape[0] == 0:
        return float("nan"), float("nan")
    low, high = np.quantile(valid, [alpha / 2.0, 1.0 - alpha / 2.0])
    return float(low), float(high)


def wilson_interval(successes: Any, trials: Any, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion k / n (sensitivity, specificity, PPV, NPV).

    With p̂ = k / n and z = Φ⁻¹(1 − α/2) (1.96 for 95%),

        centre = (p̂ + z² / 2n) / (1 + z² / n)
        half   = z / (1 + z² / n) · √( p̂ (1 − p̂) / n + z² / 4n² )

    and the interval is centre ± half. Unlike p̂ ± z·√(p̂(1 − p̂)/n) it stays inside [0, 1]
    and does not collapse to a point when k = 0 or k = n (a sensitivity of 40/40 is not
    known to be exactly 100%). Works elementwise on arrays.

    Args:
        successes: k, integer counts ≥ 0 (a number or an array).
        trials: n ≥ k, same shape; where n = 0 the interval is NaN.
        alpha: 1 − confidence level, in (0, 1).

    Returns:
        ``(low, high)``: float arrays of the broadcast shape (0-d for scalars).
    """
    alpha = checks.number_in_range("alpha", alpha, 0.0, 1.0, low_open=True, high_open=True)
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if np.any(k < 0) or np.any(k > n) or np.any(k != np.round(k)) or np.any(n != np.round(n)):
        raise checks.InputError("successes and trials must be whole numbers with 0 ≤ successes ≤ trials, "
                                f"got successes {np.ravel(k)[:5].tolist()} and trials {np.ravel(n)[:5].tolist()}")
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        # exact ends where k = 0 or k = n (the formula gives them up to rounding)
        low = np.where(n > 0, np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0)), np.nan)
        high = np.where(n > 0, np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0)), np.nan)
    return low, high
