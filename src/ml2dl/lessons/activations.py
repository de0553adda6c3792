"""Step 3 — why activation functions.

Two lessons, both computed with the engine's activation layers:

``activation(fn, z)``
    f and its derivative f′ over a range of z (``layer.forward`` then
    ``layer.backward(ones)``: the same code that trains networks), f(z) and f′(z)
    at the chosen z, the output range and where the function is used.
    Softmax needs a vector: p = softmax(v), pᵢ = e^vᵢ / Σⱼ e^vⱼ, summing to 1;
    its curve is p₁ as the first score v₁ moves with the others held fixed.

``stack(fn, width, seed)``
    A 1 → k → k → 1 network with fixed seeded weights, run with the activation
    on and off. Off, every layer is linear and so is their composition:
    W₃(W₂(W₁x + b₁) + b₂) + b₃ = (W₃W₂W₁)x + (W₃W₂b₁ + W₃b₂ + b₃), one weight
    and one bias. On, the curve bends; with enough neurons, two layers with an
    activation approximate any continuous curve (universal approximation).
"""

from __future__ import annotations

import math

import numpy as np

from ml2dl import checks
from ml2dl.checks import InputError, choice, finite, int_in_range, non_negative_int, number_in_range
from ml2dl import nn

FUNCTIONS: dict[str, dict[str, str]] = {
    "sigmoid": {
        "name": "Sigmoid σ",
        "output_range": "(0, 1)",
        "used_for": "The output layer of a binary classifier: one probability (pneumonia vs normal). "
                    "It saturates for large |z|, so deep sigmoid stacks suffer vanishing gradients.",
    },
    "tanh": {
        "name": "Tanh",
        "output_range": "(−1, 1)",
        "used_for": "Hidden layers of small networks: zero-centred, but it saturates like the sigmoid.",
    },
    "relu": {
        "name": "ReLU",
        "output_range": "[0, ∞)",
        "used_for": "Hidden layers of deep networks (every CNN here): cheap to compute, and its gradient "
                    "is 1 for z > 0, which eases vanishing gradients.",
    },
    "leaky_relu": {
        "name": "Leaky ReLU",
        "output_range": "(−∞, ∞)",
        "used_for": "Hidden layers, when ReLU neurons 'die' (stuck at 0 with no gradient): a small slope a "
                    "for z < 0 keeps them learning.",
    },
    "step": {
        "name": "Step",
        "output_range": "{0, 1}",
        "used_for": "The original perceptron (output 1 if w·x + b > 0). Its derivative is 0 everywhere, "
                    "so gradient descent cannot train through it.",
    },
    "linear": {
        "name": "Linear (none)",
        "output_range": "(−∞, ∞)",
        "used_for": "No activation: the output layer of a regression. Between layers it is useless: "
                    "stacked linear layers collapse into one.",
    },
    "softmax": {
        "name": "Softmax",
        "output_range": "(0, 1), summing to 1",
        "used_for": "The output layer of a multi-class classifier: one probability per class, "
                    "all summing to 1.",
    },
}

Z_RANGE = (-5.0, 5.0)
CURVE_POINTS = 201
STACK_X_RANGE = (-3.0, 3.0)
STACK_POINTS = 121


def _check_fn(fn: str) -> str:
    return choice("fn", fn, sorted(FUNCTIONS))


def make_layer(fn: str, negative_slope: float = 0.01) -> nn.Module:
    """A fresh engine activation layer for ``fn`` (softmax over axis 1)."""
    _check_fn(fn)
    if fn == "leaky_relu":
        return nn.LeakyReLU(negative_slope)
    return {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "step": nn.Step,
            "linear": nn.Identity, "softmax": nn.Softmax}[fn]()


def _forward_backward(layer: nn.Module, x: np.ndarray, grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = layer(x)
    return y, layer.backward(grad_out)


def activation(fn: str = "sigmoid", z: float = 0.0, *, negative_slope: float = 0.1,
               vector=(2.0, 1.0, 0.1)) -> dict:
    """One activation function: its curve, derivative, value at z, range and use.

    Args:
        fn: sigmoid, tanh, relu, leaky_relu, step, linear or softmax.
        z: where to read f(z) and f′(z) (not used by softmax, which reads ``vector``).
        negative_slope: leaky ReLU's slope a for z < 0.
        vector: softmax's scores, one per class (2 to 8 of them).

    Returns:
        ``{"fn", "name", "output_range", "used_for", "curve": {"z", "f", "df"}, "at": {"z", "f", "df"},
        "softmax": None | {"vector", "probabilities", "total", "exp", "exp_sum", "argmax"}}``.
        For softmax, ``curve`` is p₁ = softmax(v)₁ against v₁ (others fixed), ``df`` = ∂p₁/∂v₁
        and ``at`` is read at the vector's own v₁.
    """
    _check_fn(fn)
    z = finite("z", z)
    negative_slope = number_in_range("negative_slope", negative_slope, 0.0, 1.0)
    lo, hi = Z_RANGE
    grid = np.linspace(lo, hi, CURVE_POINTS)
    info = FUNCTIONS[fn]
    result = {"fn": fn, "name": info["name"], "output_range": info["output_range"],
              "used_for": info["used_for"], "negative_slope": negative_slope, "softmax": None}

    if fn != "softmax":
        layer = make_layer(fn, negative_slope)
        f, df = _forward_backward(layer, grid.reshape(-1, 1), np.ones((grid.size, 1)))
        f_at, df_at = _forward_backward(make_layer(fn, negative_slope), np.array([[z]]), np.ones((1, 1)))
        result["curve"] = {"z": grid.tolist(), "f": f[:, 0].tolist(), "df": df[:, 0].tolist()}
        result["at"] = {"z": z, "f": float(f_at[0, 0]), "df": float(df_at[0, 0])}
        return result

    v = np.array([finite(f"vector[{i}]", x) for i, x in enumerate(vector)], dtype=np.float64)
    if not 2 <= v.size <= 8:
        raise InputError(f"vector must have 2 to 8 scores, got {v.size}")
    p, _ = _forward_backward(nn.Softmax(dim=1), v[None, :], np.zeros((1, v.size)))
    p = p[0]
    # The curve: scores with v₁ replaced by each grid value; backward with e₁ gives ∂p₁/∂v₁.
    scores = np.repeat(v[None, :], grid.size, axis=0)
    scores[:, 0] = grid
    e1 = np.zeros_like(scores)
    e1[:, 0] = 1.0
    curve_p, curve_dp = _forward_backward(nn.Softmax(dim=1), scores, e1)
    _, dp_at = _forward_backward(nn.Softmax(dim=1), v[None, :], np.eye(1, v.size))
    exp = np.exp(v)  # shown to students as the worked intermediate step; v is bounded by the API
    result["curve"] = {"z": grid.tolist(), "f": curve_p[:, 0].tolist(), "df": curve_dp[:, 0].tolist()}
    result["at"] = {"z": float(v[0]), "f": float(p[0]), "df": float(dp_at[0, 0])}
    result["softmax"] = {
        "vector": v.tolist(),
        "exp": exp.tolist(),
        "exp_sum": float(exp.sum()),
        "probabilities": p.tolist(),
        "total": float(p.sum()),
        "argmax": int(p.argmax()),
    }
    return result


def stack_weights(width: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed weights of the 1 → k → k → 1 demo network, drawn from ``default_rng(seed)``.

    W₁ ~ N(0, 1.5²) and b₁ ~ U(−2.5, 2.5) put the first layer's bends inside x ∈ [−3, 3];
    the later layers are N(0, 1.5²/k) so their inputs stay in the activations' curved zone.
    """
    rng = checks.rng(seed, "seed")
    k = width
    return [
        (rng.normal(0.0, 1.5, (k, 1)), rng.uniform(-2.5, 2.5, k)),
        (rng.normal(0.0, 1.5 / math.sqrt(k), (k, k)), rng.normal(0.0, 0.5, k)),
        (rng.normal(0.0, 1.5 / math.sqrt(k), (1, k)), np.zeros(1)),
    ]


def _network(fn: str | None, weights, negative_slope: float) -> nn.Sequential:
    """Linear → act → Linear → act → Linear with the given weights; fn=None means no activation."""
    k = weights[0][0].shape[0]
    linears = [nn.Linear(1, k, dtype=np.float64), nn.Linear(k, k, dtype=np.float64), nn.Linear(k, 1, dtype=np.float64)]
    for layer, (w, b) in zip(linears, weights):
        layer.weight.data[...] = w
        layer.bias.data[...] = b
    act = (lambda: nn.Identity()) if fn is None else (lambda: make_layer(fn, negative_slope))
    return nn.Sequential(linears[0], act(), linears[1], act(), linears[2])


BEND_SHARE = 0.01  # a curve straying from its best line by under 1 % of its own range looks straight


def output_shape(y: np.ndarray, line_deviation: float) -> str:
    """"constant" (range ≈ 0), "straight" (within 1 % of its range of a line) or "bends"; the page's word."""
    span = float(np.ptp(y))
    if span <= 1e-9 * max(1.0, float(np.abs(y).max())):
        return "constant"
    return "straight" if line_deviation <= BEND_SHARE * span else "bends"


def _straight_line_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares line y ≈ a·x + c and the largest distance of y from it."""
    design = np.column_stack([x, np.ones_like(x)])
    (a, c), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(a), float(c), float(np.abs(design @ np.array([a, c]) - y).max())


def _run(model: nn.Sequential, x: np.ndarray) -> dict:
    outputs = model.forward_all(x.reshape(-1, 1))
    out, hidden = outputs[-1], [outputs[1], outputs[3]]  # each hidden layer's output after its activation
    return {
        "hidden": [[h[:, j].tolist() for j in range(h.shape[1])] for h in hidden],
        "output": out[:, 0].tolist(),
    }


def stack(fn: str = "tanh", width: int = 3, seed: int = 1, *, negative_slope: float = 0.1) -> dict:
    """The 1 → k → k → 1 network with the activation on and off, and the collapsed linear map.

    Args:
        fn: the activation between the layers (``linear`` shows that 'on' changes nothing).
        width: k, neurons per hidden layer (1 to 8).
        seed: seed of the fixed weights.
        negative_slope: leaky ReLU's slope.

    Returns:
        ``{"x", "on": {"hidden", "output", "line_deviation", "shape"}, "off": {..., "line_deviation", "shape"},
        "collapsed": {"weight", "bias", "max_abs_error"}, "shapes", "num_parameters"}`` where ``hidden`` holds, per
        hidden layer, each neuron's output over x, ``line_deviation`` is the largest distance of the
        output from its best straight line (≈ 0 when off), ``shape`` says what that makes it
        ("constant", "straight" or "bends": :func:`output_shape`), and ``collapsed`` is W₃W₂W₁ and
        W₃W₂b₁ + W₃b₂ + b₃ with the largest gap between W x + b and the 'off' network's output.
    """
    _check_fn(fn)
    width = int_in_range("width", width, 1, 8)
    seed = non_negative_int("seed", seed)
    negative_slope = finite("negative_slope", negative_slope)

    x = np.linspace(*STACK_X_RANGE, STACK_POINTS)
    weights = stack_weights(width, seed)
    model = _network(fn, weights, negative_slope)
    on = _run(model, x)
    off = _run(_network(None, weights, negative_slope), x)

    (w1, b1), (w2, b2), (w3, b3) = weights
    w = w3 @ w2 @ w1                        # (1, 1)
    b = w3 @ (w2 @ b1 + b2) + b3            # (1,)
    collapsed_out = w[0, 0] * x + b[0]
    for run in (on, off):
        run["line_deviation"] = _straight_line_fit(x, np.array(run["output"]))[2]
        run["shape"] = output_shape(np.array(run["output"]), run["line_deviation"])
    return {
        "fn": fn,
        "width": width,
        "seed": seed,
        "x": x.tolist(),
        "on": on,
        "off": off,
        "collapsed": {
            "weight": float(w[0, 0]),
            "bias": float(b[0]),
            "max_abs_error": float(np.abs(collapsed_out - np.array(off["output"])).max()),
        },
        "shapes": {"W1": [width, 1], "W2": [width, width], "W3": [1, width]},
        "num_parameters": int(model.num_parameters()),
    }
