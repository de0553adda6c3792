"""Step 2's input features, as TensorFlow Playground has them: what the network is given of a point.

A point of the plane is (x₁, x₂). Instead of (or besides) the coordinates themselves, the first
layer may be fed computed features of them:

    x1 → x₁      x1sq → x₁²     x1x2 → x₁·x₂     sin1 → sin(4x₁)
    x2 → x₂      x2sq → x₂²                      sin2 → sin(4x₂)

so the network is ``Linear(k, h₁) → …`` with k = the number of chosen features. A single neuron on
x₁², x₂² draws w₁x₁² + w₂x₂² + b = 0, an ellipse in the plane: a feature can do what hidden
neurons would otherwise have to learn.

Why sin(4x) and not sin(x): our points lie in [-1, 1]² and the plane shown is [-1.5, 1.5]², where
TensorFlow Playground's plane is [-6, 6]² — four times wider. Its sin x over its plane is our
sin 4x over ours (about two periods across the plane); sin x over [-1.5, 1.5] would be almost the
straight line x and add nothing.
"""

from __future__ import annotations

import numpy as np

from ml2dl.checks import InputError

SIN_FREQUENCY = 4.0  # TensorFlow Playground's plane is ±6, ours ±1.5: its sin x is our sin 4x
FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sin1", "sin2")
DEFAULT_FEATURES = ("x1", "x2")
LABELS = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂",
          "sin1": "sin 4x₁", "sin2": "sin 4x₂"}

_COLUMNS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1sq": lambda x1, x2: x1 * x1,
    "x2sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin1": lambda x1, x2: np.sin(SIN_FREQUENCY * x1),
    "sin2": lambda x1, x2: np.sin(SIN_FREQUENCY * x2),
}


def check_features(features) -> tuple[str, ...]:
    """The chosen features in the canonical order of :data:`FEATURES`; InputError when empty,
    unknown or repeated (the order a request gives them in does not matter)."""
    features = tuple(features)
    if not features:
        raise InputError(f"features must name at least one of {', '.join(FEATURES)}, got none")
    for f in features:
        if f not in FEATURES:
            raise InputError(f"features must be among {', '.join(FEATURES)}, got {f!r}")
        if features.count(f) > 1:
            raise InputError(f"features must name each feature once, got {f!r} {features.count(f)} times")
    return tuple(f for f in FEATURES if f in features)


def expand(X: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """The network's input: ``X`` (N, 2) of points → (N, k), one column per feature, same dtype."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.stack([_COLUMNS[f](x1, x2) for f in features], axis=1).astype(X.dtype, copy=False)


def input_maps(points: np.ndarray, resolution: int, features: tuple[str, ...]) -> list[dict]:
    """Each feature over the grid (rows = x₂), divided by its largest |value| (``scale``): what each
    input node of the network diagram shows (colour −1…1, as the hidden neurons' maps)."""
    F = np.asarray(expand(points, features), dtype=np.float64)
    maps = []
    for j, f in enumerate(features):
        scale = float(np.abs(F[:, j]).max()) or 1.0
        maps.append({"feature": f, "label": LABELS[f], "scale": round(scale, 4),
                     "values": np.round(F[:, j].reshape(resolution, resolution) / scale, 2).tolist()})
    return maps


# The spiral challenge: what it takes, as measured (tests/test_web_playground_features.py trains these
# settings again and checks every figure). The page words the challenge card from these numbers.
SPIRAL_CHALLENGE = {
    "settings": {"problem": "spiral", "noise": 0.0, "points": 400, "test_fraction": 0.5, "hidden": [8, 8],
                 "activation": "tanh", "optimizer": "adam", "learning_rate": 0.03, "batch_size": 10,
                 "features": ["x1", "x2"]},
    "route": ["sin1", "sin2"],  # the features that solve it, left for the student to switch on
    "steps": 2000,
    "seeds": [0, 1, 2, 3, 4],
    # test accuracy (%) after `steps` steps, one per seed: with the settings' features, and with the route's added
    "plain_percent": [73.0, 84.0, 65.0, 76.5, 85.0],
    "route_percent": [97.0, 100.0, 99.0, 97.5, 99.5],
    # why the noise is 0: at noise 0.1 the arms overlap; a 51-nearest-neighbour vote over 40,000 points
    # (seed 1), tested on 4,000 others (seed 2), is about as good as any boundary can be
    "noisy": {"noise": 0.1, "neighbours": 51, "train_points": 40000, "test_points": 4000, "percent": 83.4},
}
