"""Clinical metrics for a binary classifier: ROC, AUC, confusion, operating points.

Pure NumPy, in scikit-learn's style: pure functions, keyword-only options,
tuples for several results, ``*_score`` higher is better. Labels are
0 = normal (negative) and 1 = pneumonia (positive); a *score* is any number
that is larger for "more likely pneumonia" (a probability, a logit, ...).

Conventions used everywhere in this module:

* A case is **called positive when score >= threshold** (scikit-learn's ROC
  convention). The one exception is :func:`medmnist_metrics`, which copies
  MedMNIST's evaluator: ACC counts ``score > 0.5`` (strictly greater).
* Counts: tp (pneumonia called pneumonia), fn (pneumonia missed),
  tn (normal called normal), fp (normal called pneumonia).
* Degenerate input (one class only, or a ratio with a zero denominator) gives
  NaN together with an :class:`UndefinedMetricWarning`; malformed input
  (wrong shapes, labels other than 0/1, NaN scores) raises ``ValueError``.

Example
-------
>>> import numpy as np
>>> y = np.array([0, 0, 1, 1]); s = np.array([0.1, 0.4, 0.35, 0.8])
>>> roc_auc_score(y, s)
0.75
>>> binary_metrics(y, s, threshold=0.35)["sensitivity"]
1.0
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "UndefinedMetricWarning",
    "roc_curve",
    "roc_auc_score",
    "confusion_matrix",
    "accuracy_score",
    "binary_metrics",
    "bootstrap_auc_ci",
    "threshold_for_sensitivity",
    "threshold_for_specificity",
    "youden_threshold",
    "operating_points",
    "apply_operating_points",
    "medmnist_metrics",
    "reliability",
    "Reliability",
]


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for this input (e.g. one class only) and is NaN."""


# --------------------------------------------------------------------------- #
# Input checks
# --------------------------------------------------------------------------- #


def _as_1d(a: Any, name: str) -> np.ndarray:
    """Return ``a`` as a 1-D array, accepting shapes (N,) and (N, 1)."""
    arr = np.asarray(a)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must have shape (N,) or (N, 1), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty, got 0 items")
    return arr


def _check_labels(y: Any, name: str = "y_true") -> np.ndarray:
    """Return labels as an int8 array of 0/1; raise if anything else is present."""
    arr = _as_1d(y, name)
    if arr.dtype == bool:
        return arr.astype(np.int8)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{name} must contain numeric labels 0 and 1, got dtype {arr.dtype}")
    bad = ~((arr == 0) | (arr == 1))
    if bad.any():
        found = np.unique(arr[bad])[:5]
        raise ValueError(
            f"{name} must contain only the labels 0 (normal) and 1 (pneumonia), "
            f"got other values: {found.tolist()}"
        )
    return arr.astype(np.int8)


def _check_scores(s: Any, name: str = "y_score") -> np.ndarray:
    """Return scores as a float64 array; raise on non-numeric, NaN or infinite values."""
    arr = _as_1d(s, name)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ValueError(f"{name} must contain real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        n_nan = int(np.isnan(arr).sum())
        first = int(np.flatnonzero(~finite)[0])
        raise ValueError(
            f"{name} must contain finite numbers, got {n_nan} NaN and "
            f"{int((~finite).sum()) - n_nan} infinite value(s) (first at index {first})"
        )
    return arr


def _check_pair(y_true: Any, y_other: Any, other: str = "y_score") -> tuple[np.ndarray, np.ndarray]:
    """Check labels and scores (or predictions) together, including equal lengths."""
    y = _check_labels(y_true, "y_true")
    s = _check_scores(y_other, other)
    if y.shape[0] != s.shape[0]:
        raise ValueError(
            f"y_true and {other} must have the same length, got {y.shape[0]} and {s.shape[0]}"
        )
    return y, s


def _check_fraction(value: Any, name: str, *, low_open: bool = True) -> float:
    """A target rate in (0, 1] (or [0, 1] when ``low_open`` is False)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number in (0, 1], got {value!r}")
    v = float(value)
    ok = (0.0 < v <= 1.0) if low_open else (0.0 <= v <= 1.0)
    if not ok:
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return v


def _one_class(y: np.ndarray, what: str) -> bool:
    """Warn and return True when ``y`` holds only one class."""
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == y.shape[0]:
        only = "negative (0)" if n_pos == 0 else "positive (1)"
        warnings.warn(
            f"{what} is undefined when y_true holds one class only "
            f"(all {y.shape[0]} labels are {only}); returning NaN",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return True
    return False


# --------------------------------------------------------------------------- #
# ROC and AUC
# --------------------------------------------------------------------------- #


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
    y, s = _check_pair(y_true, y_score)
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
    y, s = _check_pair(y_true, y_score)
    if _one_class(y, "ROC AUC"):
        return float("nan")
    n_pos = int(y.sum())
    n_neg = y.shape[0] - n_pos
    rank_sum_pos = _midranks(s)[y == 1].sum()
    u = rank_sum_pos - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


# --------------------------------------------------------------------------- #
# Confusion matrix and threshold metrics
# --------------------------------------------------------------------------- #


def confusion_matrix(y_true: Any, y_pred: Any) -> np.ndarray:
    """2×2 confusion matrix ``[[tn, fp], [fn, tp]]`` (rows: truth, columns: call).

    Args:
        y_true: labels 0/1, shape (N,) or (N, 1).
        y_pred: predicted labels 0/1, same length.

    Returns:
        int64 array of shape (2, 2); ``cm[i, j]`` counts cases of true class i
        called class j (as ``sklearn.metrics.confusion_matrix(labels=[0, 1])``).
    """
    y = _check_labels(y_true, "y_true")
    p = _check_labels(y_pred, "y_pred")
    if y.shape[0] != p.shape[0]:
        raise ValueError(
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
    y, s = _check_pair(y_true, y_score)
    if isinstance(threshold, bool) or not isinstance(
        threshold, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"threshold must be a number, got {threshold!r}")
    if math.isnan(float(threshold)):
        raise ValueError("threshold must be a number, got nan")
    called = s >= threshold
    pos = y == 1
    tp = int(np.sum(called & pos))
    fp = int(np.sum(called & ~pos))
    fn = int(np.sum(~called & pos))
    tn = int(np.sum(~called & ~pos))
    undefined: list[str] = []
    out = {
        "threshold": float(threshold),
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


# --------------------------------------------------------------------------- #
# Bootstrap confidence interval for the AUC
# --------------------------------------------------------------------------- #


def _as_generator(rng: Any) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {rng!r}")


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
    y, s = _check_pair(y_true, y_score)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive int, got {n_boot!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) \
            or not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")
    gen = _as_generator(rng)
    if _one_class(y, "A bootstrap AUC interval"):
        return float("nan"), float("nan")
    aucs = _bootstrap_aucs(y, s, int(n_boot), gen)
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


# --------------------------------------------------------------------------- #
# Operating points
# --------------------------------------------------------------------------- #


def _roc_rates(y_true: Any, y_score: Any, what: str):
    """(fpr, tpr, thresholds) without warnings, or None (after one warning) if degenerate."""
    y, s = _check_pair(y_true, y_score)
    if _one_class(y, what):
        return None
    fps, tps, thresholds = _roc_counts(y, s)
    return fps / fps[-1], tps / tps[-1], thresholds


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
    target = _check_fraction(target, "target")
    rates = _roc_rates(y_true, y_score, "A sensitivity threshold")
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
    target = _check_fraction(target, "target")
    rates = _roc_rates(y_true, y_score, "A specificity threshold")
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
    rates = _roc_rates(y_true, y_score, "Youden's threshold")
    if rates is None:
        return float("nan")
    fpr, tpr, thresholds = rates
    j = tpr[1:] - fpr[1:]
    return float(thresholds[1:][int(np.argmax(j))])


_POINT_METRIC_KEYS = ("tp", "fp", "tn", "fn", "accuracy", "sensitivity", "specificity",
                      "ppv", "npv", "f1")


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
    sensitivity = _check_fraction(sensitivity, "sensitivity")
    specificity = _check_fraction(specificity, "specificity")
    y, s = _check_pair(y_val, s_val)
    rules = {
        "screening": f"sensitivity \u2265 {sensitivity:.1%} on validation",
        "high_specificity": f"specificity \u2265 {specificity:.1%} on validation",
        "balanced": "maximum of sensitivity + specificity (Youden) on validation",
    }
    if _one_class(y, "Operating points"):
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
        raise TypeError(f"points must be the dict returned by operating_points, got "
                        f"{type(points).__name__}")
    y, s = _check_pair(y_test, s_test)
    out: dict[str, dict[str, Any]] = {}
    for name, point in points.items():
        if not isinstance(point, dict) or "threshold" not in point:
            raise ValueError(f"operating point {name!r} must be a dict with a 'threshold', "
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


# --------------------------------------------------------------------------- #
# MedMNIST's evaluator and calibration
# --------------------------------------------------------------------------- #


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
    y, s = _check_pair(y_true, arr)
    auc = roc_auc_score(y, s)
    acc = float(np.mean((s > 0.5) == (y == 1)))
    return {"auc": auc, "acc": acc}


class Reliability(NamedTuple):
    """Result of :func:`reliability` (a tuple: unpack it as ``centres, observed, counts, ece``)."""

    centres: np.ndarray
    observed: np.ndarray
    counts: np.ndarray
    ece: float


def reliability(y_true: Any, y_prob: Any, *, n_bins: int = 10) -> Reliability:
    """Reliability (calibration) bins and the expected calibration error.

    The probabilities are split into ``n_bins`` equal-width bins
    [0, 1/B], (1/B, 2/B], …, ((B−1)/B, 1] (a probability on an edge goes to the
    lower bin, so 0.5 sits with the cases MedMNIST calls negative). For bin b
    with n_b cases,

        observed_b  = (1/n_b) Σ_{i∈b} y_i        (share that truly is positive)
        confidence_b = (1/n_b) Σ_{i∈b} p_i        (mean predicted probability)
        ECE = Σ_b (n_b / N) · |observed_b − confidence_b|

    A well-calibrated model has observed_b ≈ confidence_b: of the images given
    probability 0.8, about 80% really show pneumonia.

    Args:
        y_true: labels 0/1, shape (N,) or (N, 1).
        y_prob: predicted probabilities of class 1, in [0, 1].
        n_bins: number of bins (>= 1).

    Returns:
        ``Reliability(centres, observed, counts, ece)``: bin centres (B,),
        observed frequency (B,; NaN for an empty bin), counts (B,) int, and the ECE.
    """
    y, p = _check_pair(y_true, y_prob, "y_prob")
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive int, got {n_bins!r}")
    if p.min() < 0.0 or p.max() > 1.0:
        raise ValueError(
            f"y_prob must be probabilities in [0, 1], got values in [{p.min():g}, {p.max():g}]"
        )
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Same binning as sklearn.calibration.calibration_curve(strategy="uniform").
    bins = np.searchsorted(edges[1:-1], p, side="left")
    counts = np.bincount(bins, minlength=n_bins)
    pos = np.bincount(bins, weights=y, minlength=n_bins)
    prob_sum = np.bincount(bins, weights=p, minlength=n_bins)
    nonempty = counts > 0
    observed = np.full(n_bins, np.nan)
    observed[nonempty] = pos[nonempty] / counts[nonempty]
    confidence = prob_sum[nonempty] / counts[nonempty]
    ece = float(np.sum(counts[nonempty] / p.shape[0] * np.abs(observed[nonempty] - confidence)))
    centres = (edges[:-1] + edges[1:]) / 2.0
    return Reliability(centres, observed, counts.astype(np.int64), ece)
