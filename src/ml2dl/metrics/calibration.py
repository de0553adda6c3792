"""Calibration: can a score of 0.8 be read as "80% of such images show pneumonia"?"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import checks
from ..checks import InputError
from ._inputs import check_pair


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
