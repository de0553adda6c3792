"""How a network learns, step ``loss`` — how wrong is the network?

A loss turns "how wrong" into one number that training can push down.

**Binary classification** (label y ∈ {0, 1}, predicted probability ŷ = σ(z) ∈ (0, 1), where z
is the neuron's output before σ, its *score*):

    cross-entropy (logistic loss)  −[y ln ŷ + (1 − y) ln(1 − ŷ)]
                                   averaged: J(θ) = −1/m Σ [y log h + (1 − y) log(1 − h)]
    hinge (the SVM's)              max(0, 1 − t·z),  t = 2y − 1 ∈ {−1, +1},  z = ln(ŷ / (1 − ŷ))
    squared error (Euclidean)      (ŷ − y)²

Hinge is defined on the score, so it reads ŷ through z = logit(ŷ). Cross-entropy and hinge
grow without bound as a confident prediction turns out wrong; squared error of a probability
never exceeds 1.

**Regression** (body weight → BMI): a line BMI ≈ slope·kg + intercept, each point's residual
r = BMI − prediction, its squared loss r² (drawn as a square with side |r|), and the mean
squared error (``nn.MSELoss``).

**Multi-class cross-entropy**: one example's loss is −ln p(true class), the table's loss the
mean over examples. Worked (true class 2): p = (0.25, 0.60, 0.15) → −ln 0.60 = 0.511;
p = (0.05, 0.90, 0.05) → −ln 0.90 = 0.105 (the source slide's "~0.15" is a slip).

Classes are numbered from 1 here, as on the slides (``true_class`` 2 is the second entry).
"""

from __future__ import annotations

import math

import numpy as np

from ml2dl import nn
from ml2dl.checks import InputError, choice, int_in_range, number_in_range

# ------------------------------------------------------------------------ binary losses

CURVE_POINTS = 199
CURVE_RANGE = (0.005, 0.995)  # ŷ along the curves: close to 0 and 1, where the losses differ most
BINARY_LOSSES = ("cross_entropy", "hinge", "squared")
DEFAULT_PREDICTIONS = (0.95, 0.6, 0.3, 0.05, 0.2, 0.8)
DEFAULT_LABELS = (1, 1, 1, 1, 0, 0)
MAX_EXAMPLES = 20


def logit(p) -> np.ndarray:
    """z = ln(p / (1 − p)), the score whose sigmoid is p (elementwise, p in (0, 1))."""
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def binary_cross_entropy(p, y) -> np.ndarray:
    """−[y ln p + (1 − y) ln(1 − p)], elementwise; p in (0, 1), y in {0, 1}."""
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return -(y * np.log(p) + (1 - y) * np.log1p(-p))


def hinge(p, y) -> np.ndarray:
    """max(0, 1 − t·z) with t = 2y − 1 and z = logit(p), elementwise."""
    t = 2 * np.asarray(y, dtype=np.float64) - 1
    return np.maximum(0.0, 1 - t * logit(p))


def squared_error(p, y) -> np.ndarray:
    """(p − y)², elementwise."""
    return (np.asarray(p, dtype=np.float64) - np.asarray(y, dtype=np.float64)) ** 2


_BINARY = {"cross_entropy": binary_cross_entropy, "hinge": hinge, "squared": squared_error}


def _probabilities(name: str, values) -> list[float]:
    if not isinstance(values, (list, tuple)) or not 1 <= len(values) <= MAX_EXAMPLES:
        raise InputError(f"{name} must be a list of 1 to {MAX_EXAMPLES} probabilities, got {values!r}")
    return [number_in_range(f"{name}[{i}]", v, 0.0, 1.0, low_open=True, high_open=True)
            for i, v in enumerate(values)]


def binary_losses(predictions=DEFAULT_PREDICTIONS, labels=DEFAULT_LABELS) -> dict:
    """The three binary losses as curves against ŷ, and the same predictions scored by each.

    Args:
        predictions: predicted probabilities ŷ of class 1 (pneumonia), each in (0, 1).
        labels: the true labels, 0 (normal) or 1 (pneumonia), one per prediction.

    Returns:
        ``{"curves": {"prediction": [ŷ …] (199 points from 0.005 to 0.995), "score": [z …],
        "label_1": {"cross_entropy": […], "hinge": […], "squared": […]}, "label_0": {…}},
        "rows": [{"prediction", "score", "label", "cross_entropy", "hinge", "squared"}],
        "mean": {"cross_entropy", "hinge", "squared"}, "losses": ["cross_entropy", "hinge",
        "squared"]}``. All values finite.
    """
    predictions = _probabilities("predictions", predictions)
    if not isinstance(labels, (list, tuple)) or len(labels) != len(predictions):
        raise InputError(f"labels must be a list of {len(predictions)} labels (0 or 1), one per prediction, "
                         f"got {labels!r}")
    labels = [int_in_range(f"labels[{i}]", v, 0, 1) for i, v in enumerate(labels)]

    grid = np.linspace(*CURVE_RANGE, CURVE_POINTS)
    curves = {"prediction": grid.tolist(), "score": logit(grid).tolist()}
    for y in (1, 0):
        curves[f"label_{y}"] = {name: fn(grid, y).tolist() for name, fn in _BINARY.items()}

    p, y = np.array(predictions), np.array(labels, dtype=np.float64)
    values = {name: fn(p, y) for name, fn in _BINARY.items()}
    rows = [{"prediction": predictions[i], "score": float(logit(p[i])), "label": labels[i],
             **{name: float(values[name][i]) for name in BINARY_LOSSES}} for i in range(len(p))]
    return {"curves": curves, "rows": rows,
            "mean": {name: float(np.mean(values[name])) for name in BINARY_LOSSES},
            "losses": list(BINARY_LOSSES)}


# ------------------------------------------------------------------------ regression: weight → BMI

HEIGHT_M = 1.75
# Ten synthetic adults, all 1.75 m tall, from underweight to obese. Their BMI is computed
# exactly, BMI = kg / m², so the points lie on the line BMI = kg / 1.75² = 0.3265·kg and the
# best line has zero loss: a student who finds it sees the loss reach 0.
WEIGHTS_KG = (50.0, 56.0, 61.0, 65.0, 70.0, 74.0, 79.0, 86.0, 93.0, 102.0)
DEFAULT_SLOPE, DEFAULT_INTERCEPT = 0.25, 5.0
SLOPE_RANGE, INTERCEPT_RANGE = (-2.0, 2.0), (-60.0, 60.0)


def bmi_data() -> dict:
    """The dataset: ``{"height_m": 1.75, "weight_kg": [...], "bmi": [kg / 1.75² ...]}``."""
    kg = np.array(WEIGHTS_KG)
    return {"height_m": HEIGHT_M, "weight_kg": kg.tolist(), "bmi": (kg / HEIGHT_M**2).tolist()}


def regression(slope: float = DEFAULT_SLOPE, intercept: float = DEFAULT_INTERCEPT) -> dict:
    """The student's line against the BMI data, each point's squared loss and the mean.

    prediction = slope·kg + intercept;  r = BMI − prediction;  loss = r²;  MSE = mean(r²)

    Returns:
        ``{"height_m", "points": [{"weight_kg", "bmi", "prediction", "residual", "squared"}],
        "mse", "line": {"weight_kg": [lo, hi], "bmi": [two predictions]} (the line across the
        plot), "best": {"slope", "intercept", "mse"} (least squares), "slope", "intercept"}``.
        The square of a point has side |residual|, in BMI units on both axes of the square.
    """
    slope = number_in_range("slope", slope, *SLOPE_RANGE)
    intercept = number_in_range("intercept", intercept, *INTERCEPT_RANGE)
    data = bmi_data()
    kg, bmi = np.array(data["weight_kg"]), np.array(data["bmi"])
    prediction = slope * kg + intercept
    residual = bmi - prediction
    mse = nn.MSELoss()(prediction, bmi)
    best_slope, best_intercept = np.polyfit(kg, bmi, 1)  # least squares
    best_mse = float(np.mean((bmi - best_slope * kg - best_intercept) ** 2))
    lo, hi = 40.0, 110.0
    return {
        "height_m": HEIGHT_M,
        "slope": slope,
        "intercept": intercept,
        "points": [{"weight_kg": float(k), "bmi": float(b), "prediction": float(p), "residual": float(r),
                    "squared": float(r * r)} for k, b, p, r in zip(kg, bmi, prediction, residual)],
        "mse": mse,
        "line": {"weight_kg": [lo, hi], "bmi": [slope * lo + intercept, slope * hi + intercept]},
        # round away the last bits of floating-point noise: the exact answer is 1/1.75², 0, 0
        "best": {"slope": round(float(best_slope), 12), "intercept": round(float(best_intercept), 9),
                 "mse": round(best_mse, 12)},
    }


# ------------------------------------------------------------------------ multi-class cross-entropy

CLASSES = ("normal", "bacterial pneumonia", "viral pneumonia")
DEFAULT_ROWS = ((0.25, 0.60, 0.15), (0.05, 0.90, 0.05))
DEFAULT_TRUE_CLASSES = (2, 2)
KINDS = ("probabilities", "logits")
MAX_ROWS, MAX_CLASSES, MAX_LOGIT = 10, 6, 50.0


def _table(rows, true_classes):
    if not isinstance(rows, (list, tuple)) or not 1 <= len(rows) <= MAX_ROWS:
        raise InputError(f"rows must be a list of 1 to {MAX_ROWS} rows, got {rows!r}")
    k = len(rows[0]) if isinstance(rows[0], (list, tuple)) else 0
    if not 2 <= k <= MAX_CLASSES:
        raise InputError(f"each row must hold 2 to {MAX_CLASSES} numbers (one per class), got {rows[0]!r}")
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple)) or len(row) != k:
            raise InputError(f"rows[{i}] must hold {k} numbers like the first row, got {row!r}")
    if not isinstance(true_classes, (list, tuple)) or len(true_classes) != len(rows):
        raise InputError(f"true_classes must be a list of {len(rows)} class numbers (1 to {k}), got {true_classes!r}")
    return k, [int_in_range(f"true_classes[{i}]", c, 1, k) for i, c in enumerate(true_classes)]


def cross_entropy_table(rows=DEFAULT_ROWS, true_classes=DEFAULT_TRUE_CLASSES, kind: str = "probabilities") -> dict:
    """Multi-class cross-entropy, one example per row: loss = −ln p(true class); the mean.

    Args:
        rows: one list per example, one number per class: probabilities (each ≥ 0; a row that
            does not sum to 1 is divided by its sum, and flagged) or logits (``kind="logits"``,
            each in [−50, 50], turned into probabilities by the softmax pᵢ = e^zᵢ / Σⱼ e^zⱼ).
        true_classes: each example's true class, numbered from 1.
        kind: ``"probabilities"`` or ``"logits"``.

    Returns:
        ``{"kind", "classes": names, "rows": [{"input": [...], "probabilities": [...] (summing
        to 1), "sum": the input row's sum (probabilities) or None, "normalised": bool,
        "true_class", "p_true", "loss": −ln p_true or None if p_true = 0, "infinite": bool,
        "predicted_class" (the most probable, from 1)}], "mean": float or None,
        "infinite": bool (some loss is −ln 0 = ∞)}``.
    """
    kind = choice("kind", kind, KINDS)
    k, true_classes = _table(rows, true_classes)
    result_rows = []
    for i, (row, c) in enumerate(zip(rows, true_classes)):
        if kind == "logits":
            z = np.array([number_in_range(f"rows[{i}][{j}]", v, -MAX_LOGIT, MAX_LOGIT) for j, v in enumerate(row)])
            p = nn.Softmax(dim=1)(z[None, :])[0]
            log_p_true = float(z[c - 1] - z.max() - np.log(np.exp(z - z.max()).sum()))  # stable log-softmax
            total, normalised = None, False
        else:
            values = np.array([number_in_range(f"rows[{i}][{j}]", v, 0.0) for j, v in enumerate(row)])
            total = float(values.sum())
            if total <= 0:
                raise InputError(f"rows[{i}] must hold probabilities with a positive sum, got {list(row)!r}")
            p = values / total
            normalised = not math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-9)
            log_p_true = math.log(p[c - 1]) if p[c - 1] > 0 else -math.inf
        infinite = math.isinf(log_p_true)
        result_rows.append({
            "input": [float(v) for v in row], "probabilities": p.tolist(), "sum": total,
            "normalised": normalised, "true_class": c, "p_true": float(p[c - 1]),
            "loss": None if infinite else -log_p_true, "infinite": infinite,
            "predicted_class": int(np.argmax(p)) + 1,
        })
    infinite = any(r["infinite"] for r in result_rows)
    mean = None if infinite else float(np.mean([r["loss"] for r in result_rows]))
    names = list(CLASSES) if k == len(CLASSES) else [f"class {j + 1}" for j in range(k)]
    return {"kind": kind, "classes": names, "rows": result_rows, "mean": mean, "infinite": infinite}


def set_probability(row, true_index: int, value: float) -> dict:
    """Edit one probability of a row and rescale the others so that the row still sums to 1.

    The others keep their proportions: pⱼ ← pⱼ · (1 − value) / Σ_{others} p (shared equally
    when the others are all 0).

    Args:
        row: the current probabilities (≥ 0).
        true_index: which entry to set, numbered from 1.
        value: its new value, in [0, 1].

    Returns: ``{"row": [...]}`` summing to 1.
    """
    if not isinstance(row, (list, tuple)) or not 2 <= len(row) <= MAX_CLASSES:
        raise InputError(f"row must be a list of 2 to {MAX_CLASSES} probabilities, got {row!r}")
    p = np.array([number_in_range(f"row[{j}]", v, 0.0) for j, v in enumerate(row)])
    j = int_in_range("true_index", true_index, 1, len(p)) - 1
    value = number_in_range("value", value, 0.0, 1.0)
    others = np.arange(len(p)) != j
    rest = p[others].sum()
    p[others] = p[others] * (1 - value) / rest if rest > 0 else (1 - value) / (len(p) - 1)
    p[j] = value
    return {"row": p.tolist()}


def worked_examples() -> dict:
    """The curriculum's two worked examples as a table (rows (0.25, 0.60, 0.15) and (0.05, 0.90,
    0.05), true class 2): losses 0.511 and 0.105, mean 0.308."""
    return cross_entropy_table(DEFAULT_ROWS, DEFAULT_TRUE_CLASSES)
