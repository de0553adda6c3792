"""Step 2, what the page draws and reads from a run: the boundary and each neuron's map, the best
straight line's accuracy, and whether the loss rose (divergence) or stalled.

Pure functions of a model or of numbers; :mod:`ml2dl.lessons.playground` trains and calls them.
"""

from __future__ import annotations

import functools

import numpy as np

from ml2dl import nn
from ml2dl.data import toy

from .playground_features import DEFAULT_FEATURES, expand


LINE_ANGLES = 360  # directions tried by best_line (every half degree)


def best_line(X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray) -> dict:
    """What the best straight line can reach: the line with the most training points on their
    side, found by trying every direction (half-degree steps) and every cut between points.

    For a direction u = (cos θ, sin θ) the points project to p = X·u; a line at p = t with
    "pneumonia above" or "below" — the best t among the midpoints of the sorted projections.
    Returns its accuracy on the training points (``train_percent``) and the test points.
    """
    best = (-1.0, 0.0, 0.0, 1)
    yb = np.asarray(y) > 0.5
    for theta in np.arange(LINE_ANGLES) * (np.pi / LINE_ANGLES):
        u = np.array([np.cos(theta), np.sin(theta)])
        p = X @ u
        order = np.argsort(p)
        ys = yb[order]
        # right answers with the cut after k points (k = 0..n), "pneumonia above the cut"
        ones_above = np.concatenate([[ys.sum()], ys.sum() - np.cumsum(ys)])
        zeros_below = np.concatenate([[0], np.cumsum(~ys)])
        right = (ones_above + zeros_below) / len(ys)
        for sign, scores in ((1, right), (-1, 1 - right)):
            k = int(np.argmax(scores))
            if scores[k] > best[0]:
                ps = p[order]
                t = ps[0] - 1 if k == 0 else ps[-1] + 1 if k == len(ps) else (ps[k - 1] + ps[k]) / 2
                best = (float(scores[k]), theta, t, sign)
    acc, theta, t, sign = best
    u = np.array([np.cos(theta), np.sin(theta)])
    test = float(np.mean(((sign * (X_test @ u - t)) > 0) == (np.asarray(y_test) > 0.5)))
    return {"train_percent": round(100 * acc, 1), "test_percent": round(100 * test, 1)}


ROSE_AFTER = 50     # steps before a rising loss counts as divergence
ROSE_BY = 0.1       # …when the training loss is this much above where it started
STALL_AFTER = 100   # steps after which a loss no lower than at the start means training has stalled


def loss_rose(history: dict) -> dict | None:
    """Training that went wrong without overflowing, read from the loss curve (from step 0).

    "rose": the training loss is more than ROSE_BY above its start after ROSE_AFTER steps;
    "stalled": after STALL_AFTER steps it is no lower than at the start. A learning rate too
    large for tanh or ReLU does either (saturated units, dead ReLUs). Returns {kind, start,
    now, steps} or None; None too when the curve does not start at step 0.
    """
    steps = history["step"]
    if not steps or steps[0] != 0 or steps[-1] < ROSE_AFTER:
        return None
    first, now = history["train_loss"][0], history["train_loss"][-1]
    kind = ("rose" if now > first + ROSE_BY else
            "stalled" if steps[-1] >= STALL_AFTER and now >= first - 0.01 else None)
    return kind and {"kind": kind, "start": round(first, 3), "now": round(now, 3), "steps": int(steps[-1])}


@functools.lru_cache(maxsize=32)
def _grid(resolution: int, extent: tuple) -> tuple[np.ndarray, np.ndarray]:
    """``toy.grid``, made once per (resolution, extent): every update of every run draws on it."""
    axis, points = toy.grid(resolution, extent)
    axis.setflags(write=False)
    points.setflags(write=False)
    return axis, points


def grid_inputs(resolution: int, extent=toy.PLOT_RANGE) -> np.ndarray:
    """The grid's points (resolution², 2), row-major with x₂ along rows (``toy.grid``)."""
    return _grid(resolution, tuple(extent))[1]


@functools.lru_cache(maxsize=64)
def _grid_features(resolution: int, extent: tuple, features: tuple) -> np.ndarray:
    """The network's inputs over the grid: the chosen features of every grid point, made once per
    (resolution, extent, features) — the boundary is computed through the same features as the data."""
    out = expand(_grid(resolution, extent)[1], features)
    out.setflags(write=False)
    return out


def boundary(model, resolution: int, extent=toy.PLOT_RANGE, features=DEFAULT_FEATURES) -> dict:
    """P(orange) on a resolution² grid: the background heat map (x₂ along rows)."""
    axis, _ = _grid(resolution, tuple(extent))
    points = _grid_features(resolution, tuple(extent), tuple(features))
    logits = np.nan_to_num(model(points)[:, 0].astype(np.float64), nan=0.0)
    prob = nn.functional.sigmoid(logits)
    return {"axis": np.round(axis, 4).tolist(),
            "probability": np.round(prob.reshape(resolution, resolution), 3).tolist()}


def neuron_maps(model, resolution: int, extent=toy.PLOT_RANGE, features=DEFAULT_FEATURES) -> list[list[dict]]:
    """Every hidden neuron's output over a coarse grid: what each neuron 'draws'.

    One list per hidden layer; each neuron gets its values (rows = x₂) divided by the
    layer's largest |value| (``scale``), so a weak neuron looks pale beside a strong one
    and the page colours every map on −1..1.
    """
    points = _grid_features(resolution, tuple(extent), tuple(features))
    maps = []
    outputs = model.forward_all(points)
    # the activation layer right after each hidden Linear (a dropout layer may follow it)
    for out in [outputs[i + 1] for i, m in enumerate(model.layers[:-1]) if isinstance(m, nn.Linear)]:
        out = np.asarray(out, dtype=np.float64)
        out = np.nan_to_num(out, nan=0.0, posinf=1e30, neginf=-1e30)
        scale = float(np.abs(out).max()) or 1.0
        maps.append([{"values": np.round(out[:, j].reshape(resolution, resolution) / scale, 2).tolist(),
                      "scale": round(scale, 4)} for j in range(out.shape[1])])
    return maps
