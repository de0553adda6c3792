"""Two-dimensional classification problems for the playground (step 2).

Coordinates: every problem is drawn in the square ``[-1, 1]²`` when ``noise = 0``;
Gaussian noise of standard deviation ``noise`` (same units) is then added to the
positions, so a few points may fall just outside. Plot on ``PLOT_RANGE`` =
(-1.5, 1.5) (see `grid`). We use [-1, 1] rather than TensorFlow Playground's
[-6, 6] because inputs of order one suit the default weight initialisation and
learning rates, with no input scaling to explain.

Labels: int64 0 (blue, "normal") and 1 (orange, "pneumonia"), balanced: class 0
gets ``ceil(n / 2)`` points, class 1 ``floor(n / 2)``. Points come shuffled and
the whole result is a pure function of the arguments.

Problems:
    linear  two half-planes of the line x₁ + x₂ = 0 with a gap of 0.1 on each side
    gauss   two Gaussian clouds centred at ±(0.5, 0.5), std 0.25 (overlap a little)
    xor     the four quadrants, label 1 where x₁·x₂ > 0; a 0.05 gap along the axes
    circle  label 1 inside radius 0.5, label 0 on the ring 0.7 ≤ r ≤ 1
    spiral  two interleaved spirals, one turn and three quarters each
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ..checks import InputError, choice, int_in_range, number_in_range

PROBLEMS = ("linear", "gauss", "xor", "circle", "spiral")
PLOT_RANGE = (-1.5, 1.5)


def _uniform(rng, n, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=(n, 2))


def _linear(rng, n0, n1):
    # Rejection sampling in the square: keep points at least `gap` from the line.
    gap = 0.1
    pts = _uniform(rng, 8 * (n0 + n1) + 16)
    dist = (pts[:, 0] + pts[:, 1]) / np.sqrt(2.0)
    return pts[dist < -gap][:n0], pts[dist > gap][:n1]


def _gauss(rng, n0, n1):
    c = np.array([0.5, 0.5])
    return rng.normal(-c, 0.25, size=(n0, 2)), rng.normal(c, 0.25, size=(n1, 2))


def _xor(rng, n0, n1):
    pad = 0.05

    def quadrant_points(n, same_sign):
        mag = rng.uniform(pad, 1.0, size=(n, 2))
        sx = rng.choice([-1.0, 1.0], size=n)
        sy = sx if same_sign else -sx
        return mag * np.stack([sx, sy], axis=1)

    return quadrant_points(n0, same_sign=False), quadrant_points(n1, same_sign=True)


def _circle(rng, n0, n1):
    def ring(n, r_low, r_high):
        # sqrt of a uniform gives a uniform density over the disc / ring area.
        r = np.sqrt(rng.uniform(r_low**2, r_high**2, size=n))
        t = rng.uniform(0, 2 * np.pi, size=n)
        return np.stack([r * np.cos(t), r * np.sin(t)], axis=1)

    return ring(n0, 0.7, 1.0), ring(n1, 0.0, 0.5)


def _spiral(rng, n0, n1):
    def arm(n, delta):
        s = rng.uniform(0.0, 1.0, size=n)
        r = s
        t = 1.75 * 2 * np.pi * s + delta
        return np.stack([r * np.sin(t), r * np.cos(t)], axis=1)

    return arm(n0, 0.0), arm(n1, np.pi)


_MAKERS = {"linear": _linear, "gauss": _gauss, "xor": _xor, "circle": _circle, "spiral": _spiral}


def make_problem(name: str, n: int = 200, noise: float = 0.1, seed: int = 0):
    """Points and labels of a 2-D problem.

    Args:
        name: one of ``PROBLEMS``.
        n: number of points (≥ 2).
        noise: standard deviation of the Gaussian jitter added to each coordinate (≥ 0).
        seed: seed of the ``np.random.default_rng`` that draws everything.

    Returns:
        ``X`` float32 (n, 2), ``y`` int64 (n,) of 0/1.

    Example:
        >>> X, y = make_problem("xor", n=4, noise=0.0, seed=0)
        >>> X.shape, y.dtype.name, int(y.sum())
        ((4, 2), 'int64', 2)
    """
    choice("problem", name, PROBLEMS)
    int_in_range("n", n, 2)
    number_in_range("noise", noise, 0.0)
    rng = checks.rng(seed, "seed")
    n1 = n // 2
    n0 = n - n1
    x0, x1 = _MAKERS[name](rng, n0, n1)
    X = np.concatenate([x0, x1]) + rng.normal(0.0, 1.0, size=(n, 2)) * noise
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    order = rng.permutation(n)
    return X[order].astype(np.float32), y[order]


def split(X, y, test_fraction: float = 0.5, seed: int = 0):
    """Stratified shuffle split, like scikit-learn's ``train_test_split(..., stratify=y)``.

    Returns:
        ``X_train, X_test, y_train, y_test``; each class contributes
        ``round(test_fraction · count)`` points to the test side.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise InputError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    number_in_range("test_fraction", test_fraction, 0.0, 1.0, low_open=True, high_open=True)
    rng = checks.rng(seed, "seed")
    train_idx, test_idx = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = int(round(test_fraction * len(idx)))
        test_idx.append(idx[:k])
        train_idx.append(idx[k:])
    tr = rng.permutation(np.concatenate(train_idx))
    te = rng.permutation(np.concatenate(test_idx))
    return X[tr], X[te], y[tr], y[te]


def grid(resolution: int = 60, extent: tuple[float, float] = PLOT_RANGE):
    """A square grid of points for drawing a decision boundary as the plot background.

    Returns:
        ``axis`` float32 (resolution,) — the coordinates along x₁ and along x₂;
        ``points`` float32 (resolution², 2) — row-major: point ``i * resolution + j``
        is ``(axis[j], axis[i])``, so ``predictions.reshape(resolution, resolution)``
        is a heat map with x₂ along rows and x₁ along columns.
    """
    int_in_range("resolution", resolution, 2)
    lo, hi = extent
    if not hi > lo:
        raise InputError(f"extent must be (low, high) with low < high, got {extent!r}")
    axis = np.linspace(lo, hi, resolution, dtype=np.float32)
    xx, yy = np.meshgrid(axis, axis)
    return axis, np.stack([xx.ravel(), yy.ravel()], axis=1)
