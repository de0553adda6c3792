"""Decision curves: is acting on the model better than treating everyone, or no one?

Vickers & Elkin (2006). A clinician who would treat when the risk exceeds p_t says, by
choosing p_t, that missing a case is (1 − p_t) / p_t times worse than a needless treatment.
Acting on the model (treat when probability ≥ p_t) then gains, per patient,

    NB_model(p_t)     = TP / N − FP / N · p_t / (1 − p_t)
    NB_treat_all(p_t) = π − (1 − π) · p_t / (1 − p_t)          (π = the share of positives)
    NB_treat_none     = 0

in units of true positives: a net benefit of 0.30 is as good as finding 30 cases per 100
patients with no false alarm. The model is useful at p_t where its curve lies above both.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..checks import InputError
from ._inputs import check_pair


class DecisionCurve(NamedTuple):
    """Result of :func:`decision_curve`: arrays of shape (K,)."""

    thresholds: np.ndarray
    model: np.ndarray
    treat_all: np.ndarray
    treat_none: np.ndarray


def _risk_thresholds(thresholds: Any) -> np.ndarray:
    t = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    if t.size == 0 or not np.all(np.isfinite(t)) or t.min() < 0.0 or t.max() >= 1.0:
        lo, hi = (float(np.nanmin(t)), float(np.nanmax(t))) if t.size else (None, None)
        raise InputError(f"threshold probabilities must be numbers in [0, 1), got {t.size} values in [{lo}, {hi}]")
    return t


def net_benefit(y_true: Any, y_prob: Any, thresholds: Any) -> np.ndarray:
    """Net benefit of treating the cases with probability ≥ p_t, for each p_t in ``thresholds``.

        NB(p_t) = TP(p_t) / N − FP(p_t) / N · p_t / (1 − p_t)

    Args:
        y_true: labels 0/1, shape (N,). y_prob: probabilities, same length.
        thresholds: threshold probabilities p_t in [0, 1), shape (K,).

    Returns:
        (K,) float array.
    """
    y, p = check_pair(y_true, y_prob, "y_prob")
    t = _risk_thresholds(thresholds)
    n = y.shape[0]
    pos, neg = np.sort(p[y == 1]), np.sort(p[y == 0])
    tp = pos.shape[0] - np.searchsorted(pos, t, side="left")
    fp = neg.shape[0] - np.searchsorted(neg, t, side="left")
    return tp / n - fp / n * t / (1.0 - t)


def decision_curve(y_true: Any, y_prob: Any, thresholds: Any) -> DecisionCurve:
    """The model's net benefit beside treating everyone and treating no one (module docstring).

    Returns:
        ``DecisionCurve(thresholds, model, treat_all, treat_none)``.
    """
    y, p = check_pair(y_true, y_prob, "y_prob")
    t = _risk_thresholds(thresholds)
    prevalence = float(np.mean(y))
    treat_all = prevalence - (1.0 - prevalence) * t / (1.0 - t)
    return DecisionCurve(t, net_benefit(y, p, t), treat_all, np.zeros_like(t))
