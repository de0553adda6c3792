"""Step 1 — a neuron is logistic regression.

One neuron with two inputs computes a weighted sum and squashes it:

    z = w₁x₁ + w₂x₂ + b          (nn.Linear(2, 1): weight (1, 2), bias (1,))
    ŷ = σ(z) = 1 / (1 + e^−z)     (nn.Sigmoid)

which is exactly logistic regression. Worked example (the curriculum's):
w = (0.7, −0.5), x = (0.8, 0.3), b = 0.1 → z = 0.56 − 0.15 + 0.1 = 0.51,
ŷ = σ(0.51) = 0.6248 ≈ 0.625.
"""

from __future__ import annotations

import math

import numpy as np

from ml2dl.checks import finite
from ml2dl import nn

DEFAULTS = {"x1": 0.8, "x2": 0.3, "w1": 0.7, "w2": -0.5, "b": 0.1}
CURVE_POINTS = 121


def neuron(x1: float = 0.8, x2: float = 0.3, w1: float = 0.7, w2: float = -0.5, b: float = 0.1) -> dict:
    """Forward pass of one two-input sigmoid neuron, with everything a page needs to draw it.

    Args:
        x1, x2: the inputs (two features of one patient, say).
        w1, w2: their weights; b: the bias.

    Returns:
        ``{"inputs", "weights", "bias", "terms": [w₁x₁, w₂x₂], "z", "yhat", "slope": σ′(z),
        "prediction": "pneumonia" | "normal", "curve": {"z": [...], "y": [...]}}``
        where ŷ is read as the probability of pneumonia (class 1) and the prediction
        thresholds it at 0.5 (z ≥ 0).
    """
    x1, x2, w1, w2, b = (finite(n, v) for n, v in zip(("x1", "x2", "w1", "w2", "b"), (x1, x2, w1, w2, b)))

    linear = nn.Linear(2, 1, dtype=np.float64)
    linear.weight.data[...] = [[w1, w2]]
    linear.bias.data[...] = [b]
    sigmoid = nn.Sigmoid()

    z = linear(np.array([[x1, x2]]))           # (1, 1)
    yhat = sigmoid(z)                          # (1, 1)
    slope = sigmoid.backward(np.ones_like(z))  # dŷ/dz = σ(z)(1 − σ(z))

    # The σ curve around the current z, wide enough to always contain it.
    half = max(6.0, math.ceil(abs(float(z[0, 0]))) + 1.0)
    grid = np.linspace(-half, half, CURVE_POINTS).reshape(-1, 1)
    curve_y = nn.Sigmoid()(grid)

    z_value, y_value = float(z[0, 0]), float(yhat[0, 0])
    return {
        "inputs": [x1, x2],
        "weights": [w1, w2],
        "bias": b,
        "terms": [w1 * x1, w2 * x2],
        "z": z_value,
        "yhat": y_value,
        "slope": float(slope[0, 0]),
        "prediction": "pneumonia" if y_value >= 0.5 else "normal",
        "curve": {"z": grid[:, 0].tolist(), "y": curve_y[:, 0].tolist()},
    }
