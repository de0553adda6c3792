"""How a network learns, step ``backprop`` — backpropagation, node by node.

A tiny network on one example: two inputs, two hidden sigmoid neurons, one sigmoid output,
binary cross-entropy:

    z₁ = w₁₁x₁ + w₁₂x₂ + b₁,  h₁ = σ(z₁)        (W1 row 1, b1[0]: nn.Linear(2, 2))
    z₂ = w₂₁x₁ + w₂₂x₂ + b₂,  h₂ = σ(z₂)        (W1 row 2, b1[1])
    z₃ = v₁h₁ + v₂h₂ + c,      ŷ = σ(z₃)        (W2 = [[v₁, v₂]], b2 = [c]: nn.Linear(2, 1))
    L  = −[y ln ŷ + (1 − y) ln(1 − ŷ)]

With the defaults, hidden neuron 1 is step 1's neuron (x = (0.8, 0.3), w = (0.7, −0.5), b = 0.1:
z₁ = 0.51, h₁ = 0.625). Drawn as a computation graph, every node holds a value (the forward pass). The backward pass
visits the nodes from L down; at each node the gradient arriving from above (upstream,
∂L/∂parent) times the node's local derivative (∂parent/∂node) is its share of ∂L/∂node —
the chain rule — and where a node feeds several parents (an input feeds both hidden neurons)
the shares add up. The local derivatives:

    ∂L/∂ŷ = −y/ŷ + (1 − y)/(1 − ŷ)    ∂ŷ/∂z₃ = ŷ(1 − ŷ)     (their product is ŷ − y)
    ∂z₃/∂h₁ = v₁,  ∂z₃/∂v₁ = h₁,  ∂z₃/∂c = 1     ∂h₁/∂z₁ = h₁(1 − h₁)
    ∂z₁/∂w₁₁ = x₁, ∂z₁/∂x₁ = w₁₁, ∂z₁/∂b₁ = 1

Each weight's gradient stands beside its central finite difference
(L(θ + h) − L(θ − h)) / 2h with h = 10⁻⁶ in float64, and the engine's (``nn.Linear``,
``nn.Sigmoid``, ``nn.BCELoss`` in float64, one backward pass): three ways, one answer.

Parameters travel as PyTorch lays them out: ``{"W1": [[w₁₁, w₁₂], [w₂₁, w₂₂]], "b1": [b₁, b₂],
"W2": [[v₁, v₂]], "b2": [c]}``.
"""

from __future__ import annotations

import numpy as np

from ml2dl import nn, optim
from ml2dl.checks import InputError, int_in_range, number_in_range
from ml2dl.nn.functional import sigmoid, softplus

DEFAULT_X = (0.8, 0.3)
DEFAULT_Y = 1
DEFAULT_PARAMS = {"W1": [[0.7, -0.5], [0.2, 0.4]], "b1": [0.1, -0.3], "W2": [[0.6, -0.8]], "b2": [0.2]}
INPUT_RANGE, PARAM_RANGE, MAX_LR = 10.0, 50.0, 10.0
H = 1e-6  # the finite difference's step

# Each weight of the graph: its node id, label, and where it sits in the PyTorch layout.
WEIGHTS = (
    ("w11", "w₁₁", "W1", (0, 0)), ("w12", "w₁₂", "W1", (0, 1)), ("b1", "b₁", "b1", (0,)),
    ("w21", "w₂₁", "W1", (1, 0)), ("w22", "w₂₂", "W1", (1, 1)), ("b2", "b₂", "b1", (1,)),
    ("v1", "v₁", "W2", (0, 0)), ("v2", "v₂", "W2", (0, 1)), ("c", "c", "b2", (0,)),
)
SHAPES = {"W1": (2, 2), "b1": (2,), "W2": (1, 2), "b2": (1,)}


def _inputs(x, y, params) -> tuple[list[float], int, dict]:
    if not isinstance(x, (list, tuple)) or len(x) != 2:
        raise InputError(f"x must be two inputs [x₁, x₂], got {x!r}")
    x = [number_in_range(f"x[{i}]", v, -INPUT_RANGE, INPUT_RANGE) for i, v in enumerate(x)]
    y = int_in_range("y", y, 0, 1)
    if not isinstance(params, dict) or set(params) != set(SHAPES):
        raise InputError(f"params must be a dict with keys W1, b1, W2, b2, got {params!r}")
    arrays = {}
    for name, shape in SHAPES.items():
        try:
            a = np.array(params[name], dtype=np.float64)
        except (TypeError, ValueError):
            a = None
        if a is None or a.shape != shape:
            raise InputError(f"params[{name!r}] must be numbers of shape {shape}, got {params[name]!r}")
        if not np.all(np.isfinite(a)) or np.abs(a).max() > PARAM_RANGE:
            raise InputError(f"params[{name!r}] must hold numbers in [−{PARAM_RANGE:g}, {PARAM_RANGE:g}], "
                             f"got {params[name]!r}")
        arrays[name] = a
    return x, y, arrays


def _weights(arrays) -> dict:
    return {wid: float(arrays[key][idx]) for wid, _, key, idx in WEIGHTS}


def _forward(x, y, w) -> dict:
    """Every node's value, the loss computed stably: L = y·softplus(−z₃) + (1 − y)·softplus(z₃)."""
    v = {"x1": x[0], "x2": x[1], "y": float(y), **w}
    v["z1"] = w["w11"] * x[0] + w["w12"] * x[1] + w["b1"]
    v["z2"] = w["w21"] * x[0] + w["w22"] * x[1] + w["b2"]
    v["h1"], v["h2"] = float(sigmoid(v["z1"])), float(sigmoid(v["z2"]))
    v["z3"] = w["v1"] * v["h1"] + w["v2"] * v["h2"] + w["c"]
    v["yhat"] = float(sigmoid(v["z3"]))
    v["one_minus_yhat"] = float(sigmoid(-v["z3"]))  # 1 − ŷ without cancellation
    v["L"] = float(y * softplus(-v["z3"]) + (1 - y) * softplus(v["z3"]))
    return v


def _loss(x, y, w) -> float:
    return _forward(x, y, w)["L"]


# The graph: node id, label, kind, formula. Edges: (child, parent, local derivative ∂parent/∂child
# as a formula and as a function of the forward values).
NODES = (
    ("x1", "x₁", "input", "input"), ("x2", "x₂", "input", "input"), ("y", "y", "label", "label"),
    *((wid, label, "weight", "weight") for wid, label, _, _ in WEIGHTS),
    ("z1", "z₁", "sum", "z₁ = w₁₁x₁ + w₁₂x₂ + b₁"), ("h1", "h₁", "sigmoid", "h₁ = σ(z₁)"),
    ("z2", "z₂", "sum", "z₂ = w₂₁x₁ + w₂₂x₂ + b₂"), ("h2", "h₂", "sigmoid", "h₂ = σ(z₂)"),
    ("z3", "z₃", "sum", "z₃ = v₁h₁ + v₂h₂ + c"), ("yhat", "ŷ", "sigmoid", "ŷ = σ(z₃)"),
    ("L", "L", "loss", "L = −[y ln ŷ + (1 − y) ln(1 − ŷ)]"),
)
EDGES = (
    ("x1", "z1", "w₁₁", lambda v: v["w11"]), ("x2", "z1", "w₁₂", lambda v: v["w12"]),
    ("w11", "z1", "x₁", lambda v: v["x1"]), ("w12", "z1", "x₂", lambda v: v["x2"]), ("b1", "z1", "1", lambda v: 1.0),
    ("x1", "z2", "w₂₁", lambda v: v["w21"]), ("x2", "z2", "w₂₂", lambda v: v["w22"]),
    ("w21", "z2", "x₁", lambda v: v["x1"]), ("w22", "z2", "x₂", lambda v: v["x2"]), ("b2", "z2", "1", lambda v: 1.0),
    ("z1", "h1", "h₁(1 − h₁)", lambda v: v["h1"] * (1 - v["h1"])),
    ("z2", "h2", "h₂(1 − h₂)", lambda v: v["h2"] * (1 - v["h2"])),
    ("h1", "z3", "v₁", lambda v: v["v1"]), ("h2", "z3", "v₂", lambda v: v["v2"]),
    ("v1", "z3", "h₁", lambda v: v["h1"]), ("v2", "z3", "h₂", lambda v: v["h2"]), ("c", "z3", "1", lambda v: 1.0),
    ("z3", "yhat", "ŷ(1 − ŷ)", lambda v: v["yhat"] * v["one_minus_yhat"]),
    ("yhat", "L", "−y/ŷ + (1 − y)/(1 − ŷ)", lambda v: -v["y"] / v["yhat"] + (1 - v["y"]) / v["one_minus_yhat"]),
    ("y", "L", None, None),  # the label is data: no gradient flows to it
)
BACKWARD_ORDER = ("L", "yhat", "z3", "v1", "v2", "c", "h1", "h2", "z1", "z2",
                  "w11", "w12", "b1", "w21", "w22", "b2", "x1", "x2")
LABELS = {nid: label for nid, label, _, _ in NODES}


def _fmt(v: float) -> str:
    s = f"{v:.4g}".replace("-", "−")
    return f"({s})" if v < 0 else s


def _backward(v: dict) -> tuple[list[dict], dict]:
    """The backward pass, one node at a time: (steps, ∂L/∂node for every node)."""
    grad = {"L": 1.0}
    steps = [{"node": "L", "label": "L", "terms": [], "grad": 1.0, "equation": "∂L/∂L = 1"}]
    for node in BACKWARD_ORDER[1:]:
        terms = []
        for child, parent, local_formula, local in EDGES:
            if child != node or local is None:
                continue
            up, loc = grad[parent], local(v)
            terms.append({"from": parent, "upstream": up, "local": loc, "local_formula":
                          f"∂{LABELS[parent]}/∂{LABELS[node]} = {local_formula}", "product": up * loc})
        grad[node] = sum(t["product"] for t in terms)
        chain = " + ".join(f"∂L/∂{LABELS[t['from']]} · ∂{LABELS[t['from']]}/∂{LABELS[node]}" for t in terms)
        numbers = " + ".join(f"{_fmt(t['upstream'])} × {_fmt(t['local'])}" for t in terms)
        steps.append({"node": node, "label": LABELS[node], "terms": terms, "grad": grad[node],
                      "equation": f"∂L/∂{LABELS[node]} = {chain} = {numbers} = {_fmt(grad[node])}"})
    return steps, grad


def engine_model(arrays: dict) -> nn.Sequential:
    """The same network in the engine, float64: Linear(2, 2) → Sigmoid → Linear(2, 1) → Sigmoid."""
    model = nn.Sequential(nn.Linear(2, 2, dtype=np.float64), nn.Sigmoid(),
                          nn.Linear(2, 1, dtype=np.float64), nn.Sigmoid())
    model[0].weight.data[...] = arrays["W1"]
    model[0].bias.data[...] = arrays["b1"]
    model[2].weight.data[...] = arrays["W2"]
    model[2].bias.data[...] = arrays["b2"]
    return model


def _engine_backward(x, y, arrays) -> tuple[nn.Sequential, dict]:
    """The engine's forward and backward pass (nn.BCELoss on the sigmoid output):
    (the model with its .grad filled, ∂L/∂(each weight))."""
    model = engine_model(arrays)
    loss_fn = nn.BCELoss()
    loss_fn(model(np.asarray(x, dtype=np.float64)[None, :]), np.array([[float(y)]]))
    model.backward(loss_fn.backward())
    grads = {"W1": model[0].weight.grad, "b1": model[0].bias.grad,
             "W2": model[2].weight.grad, "b2": model[2].bias.grad}
    return model, {wid: float(grads[key][idx]) for wid, _, key, idx in WEIGHTS}


def engine_gradients(x, y, arrays) -> dict:
    """∂L/∂(each weight) by the engine's backward pass, keyed by node id."""
    return _engine_backward(x, y, arrays)[1]


def backprop(x=DEFAULT_X, y: int = DEFAULT_Y, params: dict | None = None) -> dict:
    """Forward values, the backward pass node by node, and every gradient checked two ways.

    Args:
        x: the two inputs, each in [−10, 10].
        y: the label, 0 or 1.
        params: ``{"W1", "b1", "W2", "b2"}`` as PyTorch lays them out, each number in [−50, 50]
            (None: the defaults).

    Returns:
        ``{"x", "y", "params", "nodes": [{"id", "label", "kind", "formula", "value"}],
        "edges": [{"from", "to", "local_formula", "local"}] (local = ∂to/∂from; None for the
        label's edge), "forward": {"z1", "h1", "z2", "h2", "z3", "yhat", "loss"},
        "backward": [{"node", "label", "grad", "equation", "terms": [{"from", "upstream",
        "local", "local_formula", "product"}]}] from L down (18 steps),
        "gradients": [{"id", "label", "value", "grad", "numeric", "difference", "engine"}] × 9
        ("engine" equals "grad" unless ŷ(1 − ŷ) < 10⁻¹², where nn.BCELoss, like PyTorch's,
        clamps the denominator of ∂L/∂ŷ and so differs from the exact chain rule shown),
        "max_difference": the largest |grad − numeric|, "prediction": "pneumonia" | "normal"}``.
    """
    x, y, arrays = _inputs(x, y, DEFAULT_PARAMS if params is None else params)
    w = _weights(arrays)
    v = _forward(x, y, w)
    steps, grad = _backward(v)
    engine = engine_gradients(x, y, arrays)
    gradients = []
    for wid, label, _, _ in WEIGHTS:
        plus, minus = dict(w), dict(w)
        plus[wid] += H
        minus[wid] -= H
        numeric = (_loss(x, y, plus) - _loss(x, y, minus)) / (2 * H)
        gradients.append({"id": wid, "label": label, "value": w[wid], "grad": grad[wid], "numeric": numeric,
                          "difference": grad[wid] - numeric, "engine": engine[wid]})
    nodes = [{"id": nid, "label": label, "kind": kind, "formula": formula,
              "value": v["L" if nid == "L" else nid]} for nid, label, kind, formula in NODES]
    edges = [{"from": child, "to": parent, "local_formula": lf, "local": None if fn is None else fn(v)}
             for child, parent, lf, fn in EDGES]
    return {
        "x": x, "y": y, "params": {k: a.tolist() for k, a in arrays.items()},
        "nodes": nodes, "edges": edges,
        "forward": {"z1": v["z1"], "h1": v["h1"], "z2": v["z2"], "h2": v["h2"], "z3": v["z3"],
                    "yhat": v["yhat"], "loss": v["L"]},
        "backward": steps,
        "gradients": gradients,
        "max_difference": max(abs(g["difference"]) for g in gradients),
        "prediction": "pneumonia" if v["yhat"] >= 0.5 else "normal",
    }


def apply_update(x=DEFAULT_X, y: int = DEFAULT_Y, params: dict | None = None, lr: float = 1.0) -> dict:
    """One gradient-descent step on every weight, θ ← θ − η·∂L/∂θ, by the engine's SGD.

    The gradients are the backward pass's of :func:`backprop` (the ones the page shows), put
    into the engine model's ``.grad`` for ``optim.SGD`` to apply.

    Returns:
        ``{"lr", "before": {"loss", "yhat", "params"}, "after": {"loss", "yhat", "params"},
        "updates": [{"id", "label", "before", "grad", "after"}] × 9, "loss_change": after − before,
        "params": the new params (send them back; they may leave [−50, 50] only with a huge lr,
        and are then refused)}``.
    """
    x, y, arrays = _inputs(x, y, DEFAULT_PARAMS if params is None else params)
    lr = number_in_range("lr", lr, 0.0, MAX_LR, low_open=True)
    before_w = _weights(arrays)
    before = _forward(x, y, before_w)
    _, grads = _backward(before)
    model = engine_model(arrays)
    layers = {"W1": model[0].weight, "b1": model[0].bias, "W2": model[2].weight, "b2": model[2].bias}
    for wid, _, key, idx in WEIGHTS:
        layers[key].grad[idx] = grads[wid]
    optim.SGD(model.parameters(), lr=lr).step()
    new_arrays = {key: p.data.copy() for key, p in layers.items()}
    after_w = _weights(new_arrays)
    after = _forward(x, y, after_w)
    new_params = {k: a.tolist() for k, a in new_arrays.items()}
    return {
        "lr": lr,
        "before": {"loss": before["L"], "yhat": before["yhat"], "params": {k: a.tolist() for k, a in arrays.items()}},
        "after": {"loss": after["L"], "yhat": after["yhat"], "params": new_params},
        "updates": [{"id": wid, "label": label, "before": before_w[wid], "grad": grads[wid], "after": after_w[wid]}
                    for wid, label, _, _ in WEIGHTS],
        "loss_change": after["L"] - before["L"],
        "params": new_params,
    }
