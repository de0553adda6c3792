"""Calibration: can a score of 0.8 be read as "80% of such images show pneumonia"?

* :func:`reliability` — binned observed frequency against predicted probability, and the ECE;
* :func:`calibration_fit` — the calibration slope and intercept of a logistic recalibration.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from .. import checks
from ..checks import InputError
from ..nn.functional import sigmoid
from ._inputs import UndefinedMetricWarning, check_pair, one_class


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
    y, p = check_pair(y_true, y_prob, "y_prob")
    n_bins = checks.positive_int("n_bins", n_bins)
    if p.min() < 0.0 or p.max() > 1.0:
        raise InputError(
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


class CalibrationFit(NamedTuple):
    """Result of :func:`calibration_fit`: ideal calibration is intercept 0, slope 1."""

    intercept: float
    slope: float


PROBABILITY_CLIP = 1e-6  # logit(p) of p = 0 or 1 is infinite: probabilities are clipped to [ε, 1 − ε]
_MAX_NEWTON = 100
_NEWTON_TOL = 1e-10


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, PROBABILITY_CLIP, 1.0 - PROBABILITY_CLIP)
    return np.log(p) - np.log1p(-p)


def calibration_fit(y_true: Any, y_prob: Any) -> CalibrationFit:
    """Calibration slope and intercept (logistic recalibration, Cox 1958; Van Calster et al. 2019).

    With L = logit(p) the model's log-odds (p clipped to [ε, 1 − ε], ε = 10⁻⁶), two logistic
    regressions of the true labels are fitted by maximum likelihood (Newton's method):

        slope:     logit P(y = 1) = a + b · L        → b
        intercept: logit P(y = 1) = a + L            → a   (the slope fixed at 1: "calibration
                                                            in the large")

    Slope < 1: the probabilities are too extreme (over-confident); > 1: too timid.
    Intercept > 0: the model under-estimates the risk on this sample; < 0: over-estimates it.
    A model trained with balanced class weights has an intercept near logit(prevalence) on a
    sample whose prevalence is not 50%.

    Returns:
        ``CalibrationFit(intercept, slope)``; NaN with an :class:`UndefinedMetricWarning` when
        y_true holds one class, or when the labels are perfectly separated by the scores (the
        maximum-likelihood slope is then infinite).
    """
    y, p = check_pair(y_true, y_prob, "y_prob")
    if p.min() < 0.0 or p.max() > 1.0:
        raise InputError(f"y_prob must be probabilities in [0, 1], got values in [{p.min():g}, {p.max():g}]")
    if one_class(y, "The calibration slope and intercept"):
        return CalibrationFit(float("nan"), float("nan"))
    y = y.astype(np.float64)
    logits = _logit(p)
    intercept = _newton_offset(y, logits)
    slope = _newton_line(y, logits)
    if slope is None or intercept is None:
        warnings.warn("the calibration fit did not converge (the scores separate the classes perfectly): "
                      "slope and intercept are undefined (NaN)", UndefinedMetricWarning, stacklevel=2)
        return CalibrationFit(float("nan"), float("nan"))
    return CalibrationFit(float(intercept), float(slope))


def _newton_offset(y: np.ndarray, offset: np.ndarray) -> float | None:
    """argmax_a Σ log-likelihood of y under σ(a + offset); None if Newton does not converge."""
    a = 0.0
    for _ in range(_MAX_NEWTON):
        mu = sigmoid(a + offset)
        hess = float(np.sum(mu * (1 - mu)))
        if hess <= 0:
            return None
        step = float(np.sum(y - mu)) / hess
        a += step
        if abs(step) < _NEWTON_TOL * (1 + abs(a)):
            return a
    return None


def _newton_line(y: np.ndarray, x: np.ndarray) -> float | None:
    """The slope b of the maximum-likelihood logistic fit σ(a + b·x); None if it diverges."""
    design = np.stack([np.ones_like(x), x], axis=1)  # (N, 2)
    beta = np.zeros(2)
    for _ in range(_MAX_NEWTON):
        mu = sigmoid(design @ beta)
        w = mu * (1 - mu)
        hess = design.T @ (design * w[:, None])
        try:
            step = np.linalg.solve(hess, design.T @ (y - mu))
        except np.linalg.LinAlgError:
            return None
        beta += step
        if not np.all(np.isfinite(beta)) or abs(beta[1]) > 1e4:
            return None
        if np.max(np.abs(step)) < _NEWTON_TOL * (1 + np.max(np.abs(beta))):
            return float(beta[1])
    return None
