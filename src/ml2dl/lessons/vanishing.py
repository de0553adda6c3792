"""When learning goes wrong, step ``vanishing`` — vanishing gradients in a deep stack.

The network: ``depth`` hidden layers of ``width`` units on a 2-D problem (a disc inside a
ring, ``ml2dl.data.toy``), one logit out::

    z₁ = W₁x + b₁,  a₁ = f(z₁),  …,  z_L = W_L a_{L−1} + b_L,  a_L = f(z_L),  logit = W_out a_L + b_out

Backpropagation (step ``backprop``) carries the error δ_l = ∂L/∂z_l down one layer at a time:

    δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l),        ∂L/∂W_l = δ_lᵀ a_{l−1}

so every layer multiplies the gradient once more by f′. For the sigmoid
f′(z) = σ(z)(1 − σ(z)) ≤ 0.25 (its maximum, at z = 0): with weights that keep the size of the
signal (Xavier), the gradient shrinks to about a quarter per layer, to 0.25¹⁰ ≈ 10⁻⁶ after ten
layers, and the first layers barely learn. tanh′(0) = 1 and ReLU′ = 1 where the unit is on:
with Xavier (tanh) or He (ReLU, Var w = 2/fan_in, which makes up for the half of the units that
are off) initialisation, the gradient keeps its size all the way down.

Three networks — sigmoid with Xavier, tanh with Xavier, ReLU with He — start from the same seed,
are trained by :func:`ml2dl.train.fit` with plain SGD (no momentum: Adam would rescale every
weight's step and hide the effect) on the same mini-batches, and are measured on the whole
training set at initialisation and after training: ‖∂L/∂W_l‖ for every layer, ‖δ_l‖, the
measured per-layer ratio ‖δ_l‖ / ‖δ_{l+1}‖, and the mean f′(z_l) of every hidden layer.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ml2dl import checks, nn
from ml2dl.data import toy
from ml2dl.train import fit

from .images import LESSON_RECIPE

PROBLEM = "circle"
POINTS = 256
NOISE = 0.1
WIDTH = 32
BATCH_SIZE = 32
MAX_DEPTH = 12
MAX_EPOCHS = 100
LR_CHOICES = (0.01, 0.03, 0.1, 0.3)
EPOCH_CHOICES = (10, 20, 40, 100)  # what the page offers (the API takes any 1..MAX_EPOCHS)
VANISHED = 0.01  # ‖δ₁‖ / ‖δ_L‖ below this: the gradient has vanished
SIGMOID_SLOPE_MAX = 0.25  # σ′(z) = σ(z)(1 − σ(z)) ≤ 1/4, equality at z = 0

# (activation, initialisation, label): the three networks, in the order the page shows them
ARMS = (
    ("sigmoid", "xavier", "sigmoid, Xavier init"),
    ("tanh", "xavier", "tanh, Xavier init"),
    ("relu", "he", "ReLU, He init"),
)
# the derivative's largest value, for the "why" table
SLOPE_MAX = {"sigmoid": SIGMOID_SLOPE_MAX, "tanh": 1.0, "relu": 1.0}


def deep_stack(activation: str, init: str, depth: int, width: int = WIDTH, seed: int = 0) -> nn.Sequential:
    """Flatten → [Linear(·, width) → f] × depth → Linear(width, 1).

    The Flatten lets :func:`ml2dl.train.fit` feed the 2-D points as (N, 2, 1, 1) "images".
    """
    rng = checks.rng(seed, "seed")
    layers: list[nn.Module] = [nn.Flatten()]
    d = 2
    for _ in range(depth):
        layers += [nn.Linear(d, width, rng=rng, init=init), nn.activation_by_name(activation)]
        d = width
    layers.append(nn.Linear(d, 1, rng=rng, init=init))
    return nn.Sequential(*layers)


def problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The training points as (N, 2, 1, 1) float32 and labels (N,) float32."""
    X, y = toy.make_problem(PROBLEM, n=POINTS, noise=NOISE, seed=seed)
    return X.reshape(-1, 2, 1, 1).astype(np.float32), y.astype(np.float32)


def local_slope(activation: str, a: np.ndarray) -> np.ndarray:
    """f′(z) from the layer's output a = f(z): σ′ = a(1 − a), tanh′ = 1 − a², ReLU′ = [a > 0]."""
    a = np.asarray(a, dtype=np.float64)
    if activation == "sigmoid":
        return a * (1 - a)
    if activation == "tanh":
        return 1 - a * a
    return (a > 0).astype(np.float64)


def measure(model: nn.Sequential, activation: str, x: np.ndarray, y: np.ndarray) -> dict:
    """One forward and backward pass over (x, y); nothing is updated (gradients are cleared after).

    The backward pass runs layer by layer, so the error arriving at every Linear's output,
    δ_l = ∂L/∂z_l, is seen on its way down (``model.backward`` does the same, all at once).

    Returns:
        ``loss``; per Linear layer from the input side (depth + 1 of them): ``weight_grad``
        ‖∂L/∂W_l‖ (Frobenius) and ``delta`` ‖δ_l‖; per hidden layer: ``slope_mean`` (the mean
        f′(z_l) over points and units) and ``slope_max``; ``ratio`` (depth − 1 values)
        ‖δ_l‖ / ‖δ_{l+1}‖ between consecutive hidden layers.
    """
    was_training = model.training
    model.eval()  # no dropout or batch-norm here, but a measurement should not change anything
    loss_fn = nn.BCEWithLogitsLoss()
    try:
        for p in model.parameters():
            p.zero_grad()
        outputs = model.forward_all(x)  # every layer's output: the activations a_l for f′(z_l)
        loss = float(loss_fn(outputs[-1], y.reshape(-1, 1)))
        g = loss_fn.backward()
        deltas: list[float] = []
        for layer in reversed(model.layers):
            if isinstance(layer, nn.Linear):
                deltas.append(float(np.linalg.norm(g)))
            g = layer.backward(g)
        deltas.reverse()
        linears = [m for m in model.layers if isinstance(m, nn.Linear)]
        weight_grad = [float(np.linalg.norm(m.weight.grad)) for m in linears]
        slopes = [local_slope(activation, out) for m, out in zip(model.layers, outputs)
                  if not isinstance(m, (nn.Linear, nn.Flatten))]
    finally:
        for p in model.parameters():
            p.zero_grad()
        model.train(was_training)
    hidden = deltas[:-1]  # the last Linear is the output layer
    ratio = [hidden[i] / hidden[i + 1] if hidden[i + 1] > 0 else None for i in range(len(hidden) - 1)]
    return {"loss": loss, "weight_grad": weight_grad, "delta": deltas, "ratio": ratio,
            "slope_mean": [float(s.mean()) for s in slopes], "slope_max": [float(s.max()) for s in slopes]}


def geometric_mean(values) -> float | None:
    """(Π vᵢ)^(1/n) of the positive values: the typical factor per layer."""
    v = [x for x in values if x is not None and x > 0]
    return math.exp(sum(math.log(x) for x in v) / len(v)) if v else None


def _sig(x, digits: int = 4):
    """x rounded to ``digits`` significant figures (gradient norms span ten orders of magnitude)."""
    if x is None or not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


def trend(first_over_last: float | None) -> str:
    """``vanishes`` (under 1 % of the error at the last hidden layer reaches the first),
    ``explodes`` (over 100×), else ``keeps``."""
    if first_over_last is None or first_over_last < VANISHED:
        return "vanishes"
    return "explodes" if first_over_last > 1 / VANISHED else "keeps"


def _summary(m: dict) -> dict:
    delta_ratio = m["delta"][0] / m["delta"][-2] if m["delta"][-2] > 0 else None
    return {
        "trend": trend(delta_ratio),
        "loss": round(m["loss"], 5),
        "weight_grad": [_sig(v) for v in m["weight_grad"]],
        "delta": [_sig(v) for v in m["delta"]],
        "ratio": [_sig(v) for v in m["ratio"]],
        "ratio_typical": _sig(geometric_mean(m["ratio"])),
        "slope_mean": [round(v, 4) for v in m["slope_mean"]],
        "slope_max": [round(v, 4) for v in m["slope_max"]],
        # first layer's weight gradient over the last hidden layer's: how much reaches the bottom
        "first_over_last": _sig(m["weight_grad"][0] / m["weight_grad"][-2]) if m["weight_grad"][-2] > 0 else None,
        "delta_first_over_last": _sig(delta_ratio),
    }


def compare(depth: int = 10, epochs: int = 40, lr: float = 0.1, seed: int = 0, *,
            progress: Callable[[float, str, dict], None] | None = None) -> dict:
    """Train the three deep stacks with SGD and measure their gradients before and after.

    Args:
        depth: hidden layers (2..12), each of ``WIDTH`` units.
        epochs: passes over the 256 training points in batches of 32 (1..100).
        lr: SGD's learning rate (no momentum).
        seed: the data and the initial weights (the same for the three networks).
        progress: called as ``progress(fraction, message, extra)`` after every epoch of every
            network and when a network is finished; ``extra["partial"]`` is the result so far
            (the same shape as the return value, with the networks finished so far in ``arms``),
            ``extra["network"]``, ``extra["epoch"]`` and ``extra["loss"]`` (the epoch's mean
            training loss) say where training is. It may raise to stop: the exception ends
            training and propagates (a job's cancel).

    Returns:
        ``arms`` (one per network: ``activation``, ``init``, ``label``, ``loss`` (training loss
        after every epoch, the first entry at initialisation), ``accuracy`` (final, on the
        training points), ``at_init`` and ``trained`` (see :func:`measure`, rounded)),
        ``layers`` (names of the Linear layers), the settings, ``sigmoid_slope_max`` = 0.25 and
        ``quarter_power`` = 0.25^(depth−1), the bound on how much a sigmoid stack's error can
        shrink between its last and first hidden layers with weights of gain ≤ 1.
    """
    checks.int_in_range("depth", depth, 2, MAX_DEPTH)
    checks.int_in_range("epochs", epochs, 1, MAX_EPOCHS)
    checks.number_in_range("lr", lr, 0.0, 10.0, low_open=True)
    checks.int_in_range("seed", seed, 0, 9999)
    x, y = problem(seed)
    recipe = LESSON_RECIPE.replace(optimizer="sgd", momentum=0.0, lr=lr, epochs=epochs, batch_size=BATCH_SIZE,
                                   seed=seed)
    names = [f"hidden {i + 1}" for i in range(depth)] + ["output"]
    head = {
        "layers": names, "depth": depth, "width": WIDTH, "epochs": epochs, "lr": lr, "seed": seed,
        "points": POINTS, "batch_size": BATCH_SIZE, "steps": epochs * math.ceil(POINTS / BATCH_SIZE),
        "problem": PROBLEM, "sigmoid_slope_max": SIGMOID_SLOPE_MAX,
        "quarter_power": _sig(SIGMOID_SLOPE_MAX ** (depth - 1)),
    }
    arms: list[dict] = []

    def report(fraction: float, message: str, **where) -> None:
        if progress is not None:
            progress(fraction, message, {"partial": {"arms": list(arms), **head}, **where})

    for k, (activation, init, label) in enumerate(ARMS):
        which = f"{label} ({k + 1} of {len(ARMS)})"

        def on_epoch(epoch: int, loss: float, _k=k, _activation=activation, _which=which) -> None:
            report((_k + epoch / epochs) / len(ARMS), f"training {_which}: epoch {epoch}/{epochs}",
                   network=_activation, epoch=epoch, loss=round(loss, 5))

        arms.append(train_arm(activation, init, label, depth, recipe, x, y, seed, on_epoch=on_epoch))
        report((k + 1) / len(ARMS), f"finished {which}", network=activation, epoch=epochs)
    return {"arms": arms, **head}


def train_arm(activation: str, init: str, label: str, depth: int, recipe, x: np.ndarray, y: np.ndarray, seed: int, *,
              on_epoch: Callable[[int, float], None] | None = None) -> dict:
    """One network of :func:`compare`: measured, trained by :func:`fit`, measured again.

    ``on_epoch(epoch, mean training loss)`` is called after every epoch (it may raise to stop).
    """
    def callback(event):
        if event.stage == "epoch" and on_epoch is not None:
            on_epoch(event.epoch, float(event.row["train_loss"]))

    model = deep_stack(activation, init, depth, seed=seed)
    before = measure(model, activation, x, y)
    result = fit(model, (x, y), None, recipe=recipe, threads=1, callbacks=[callback])
    after = measure(model, activation, x, y)
    logits = np.asarray(model(x)).reshape(-1)
    return {
        "activation": activation, "init": init, "label": label,
        "slope_bound": SLOPE_MAX[activation],
        "loss": [round(before["loss"], 5)] + [round(r["train_loss"], 5) for r in result.history],
        "final_loss": round(after["loss"], 5),
        "accuracy": round(float(np.mean((logits > 0) == (y == 1))), 4),
        "at_init": _summary(before),
        "trained": _summary(after),
    }
