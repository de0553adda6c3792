"""What every metric checks first: labels 0/1 and finite scores of one length, and one class.

Malformed input (wrong shapes, labels other than 0/1, NaN scores) raises
:class:`ml2dl.checks.InputError` saying what was expected and what was received;
degenerate input (one class only) is not an error: the metric warns with
:class:`UndefinedMetricWarning` and returns NaN, as scikit-learn does.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..checks import InputError


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for this input (e.g. one class only) and is NaN."""


def _as_1d(a: Any, name: str) -> np.ndarray:
    """Return ``a`` as a 1-D array, accepting shapes (N,) and (N, 1)."""
    arr = np.asarray(a)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise InputError(f"{name} must have shape (N,) or (N, 1), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise InputError(f"{name} must not be empty, got 0 items")
    return arr


def check_labels(y: Any, name: str = "y_true") -> np.ndarray:
    """Labels as an int8 array of 0/1 (shape (N,)); raise if anything else is present."""
    arr = _as_1d(y, name)
    if arr.dtype == bool:
        return arr.astype(np.int8)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise InputError(f"{name} must contain numeric labels 0 and 1, got dtype {arr.dtype}")
    bad = ~((arr == 0) | (arr == 1))
    if bad.any():
        found = np.unique(arr[bad])[:5]
        raise InputError(
            f"{name} must contain only the labels 0 (normal) and 1 (pneumonia), "
            f"got other values: {found.tolist()}"
        )
    return arr.astype(np.int8)


def check_scores(s: Any, name: str = "y_score") -> np.ndarray:
    """Scores as a float64 array (shape (N,)); raise on non-numeric, NaN or infinite values."""
    arr = _as_1d(s, name)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise InputError(f"{name} must contain real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        n_nan = int(np.isnan(arr).sum())
        first = int(np.flatnonzero(~finite)[0])
        raise InputError(
            f"{name} must contain finite numbers, got {n_nan} NaN and "
            f"{int((~finite).sum()) - n_nan} infinite value(s) (first at index {first})"
        )
    return arr


def check_pair(y_true: Any, y_other: Any, other: str = "y_score") -> tuple[np.ndarray, np.ndarray]:
    """Labels and scores (or predictions) checked together, including equal lengths."""
    y = check_labels(y_true, "y_true")
    s = check_scores(y_other, other)
    if y.shape[0] != s.shape[0]:
        raise InputError(
            f"y_true and {other} must have the same length, got {y.shape[0]} and {s.shape[0]}"
        )
    return y, s


def one_class(y: np.ndarray, what: str) -> bool:
    """Warn and return True when ``y`` holds only one class.

    The warning points at the caller of the public metric that called this (stacklevel 3).
    """
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
