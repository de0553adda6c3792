"""The kinds of question of ``ml2dl.lessons.quiz``: how each draws its numbers, asks and is solved.

Each solver computes its answer with the engine (layers' parameter counts and output shapes,
``nn.Step``, ``nn.functional.sigmoid``, ``nn.CrossEntropyLoss``, ``optim.SGD``, ``nn.Conv2d``,
``nn.RNN``, ``nn.Sigmoid``'s backward) or the loop lesson's plan, and returns
``(answer, [working lines])``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ml2dl import nn, optim
from ml2dl.lessons import loop as loop_lesson
from ml2dl.nn.functional import sigmoid


def _g(v) -> str:
    """A number as the page writes it: shortest form, true minus sign."""
    return f"{v:g}".replace("-", "−")


def _g4(v) -> str:
    return f"{v:.4f}".replace("-", "−")


@dataclass(frozen=True)
class Kind:
    """One kind of question: how its numbers are drawn, asked and solved."""

    name: str
    title: str
    step: str  # the URL name of the step it belongs to
    answer_type: str  # "int", "number" (two decimals) or "choice"
    draw: Callable[[np.random.Generator], dict]
    course: dict | None  # the numbers of seed 0 (the course's own), or None
    ask: Callable[[dict], str]
    solve: Callable[[dict], tuple]  # → (answer, [working lines])
    choices: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ the kinds


def _perceptron(q):
    layer = nn.Linear(2, 1)
    layer.weight.data[...] = [[q["w1"], q["w2"]]]
    layer.bias.data[...] = [q["b"]]
    x = np.array([[q["x1"], q["x2"]]], dtype=np.float64)
    z = float(layer(x)[0, 0])
    out = int(nn.Step()(np.array([z]))[0])
    return str(out), [f"z = w₁x₁ + w₂x₂ + b = {_g(q['w1'])}·{q['x1']} + {_g(q['w2'])}·{q['x2']} + ({_g(q['b'])}) = {_g(z)}",
                      f"the step gives 1 when z > 0, else 0: output {out}"]


def _draw_perceptron(rng):
    w1, w2 = (float(v) for v in rng.choice([-1.0, -0.5, 0.5, 1.0, 1.5], 2))
    b = float(rng.choice([-1.5, -1.0, -0.5, 0.5, 1.0]))
    x1, x2 = (int(v) for v in rng.integers(0, 2, 2))
    return {"w1": w1, "w2": w2, "b": b, "x1": x1, "x2": x2}


def _dense(sizes):
    return nn.Sequential(*[nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])


def _dense_params(q):
    model = _dense(q["sizes"])
    lines = [f"{a} → {b}: {a}·{b} weights + {b} biases = {layer.num_parameters():,}"
             for a, b, layer in zip(q["sizes"][:-1], q["sizes"][1:], model.layers)]
    total = model.num_parameters()
    return str(total), lines + [f"total {total:,}"]


def _draw_dense(rng):
    n = int(rng.integers(3, 5))
    return {"sizes": [int(v) for v in rng.choice([2, 3, 4, 5, 8, 10, 12, 16, 20], n)]}


def _conv_count(in_c, maps, k):
    layer = nn.Conv2d(in_c, maps, k)
    return layer.num_parameters(), int(layer.weight.size), int(layer.bias.size)


def _fc_vs_conv(q):
    dense = nn.Linear(q["pixels"], q["nodes"]).num_parameters()
    conv, _, _ = _conv_count(1, q["maps"], q["kernel"])
    answer = "the dense layer" if dense > conv else "the convolution" if conv > dense else "the same"
    k = q["kernel"]
    return answer, [f"dense: {q['pixels']}·{q['nodes']} weights + {q['nodes']} biases = {dense:,}",
                    f"convolution: {k}·{k}·{q['maps']} weights + {q['maps']} biases = {conv:,} "
                    "(the same small kernels slide over every position)",
                    "more parameters: " + (answer if answer != "the same" else "neither, they are equal")]


def _draw_fc_vs_conv(rng):
    side = int(rng.choice([2, 3, 4, 5, 10, 16, 28]))
    return {"pixels": side * side, "nodes": int(rng.choice([4, 8, 10, 16, 32])),
            "kernel": int(rng.choice([3, 5, 7])), "maps": int(rng.choice([4, 8, 10, 16, 32]))}


def _conv_params(q):
    total, w, b = _conv_count(q["in_channels"], q["maps"], q["kernel"])
    k = q["kernel"]
    return str(total), [f"each map has a {k}×{k}×{q['in_channels']} kernel and one bias",
                        f"{k}·{k}·{q['in_channels']}·{q['maps']} = {w:,} weights + {b} biases = {total:,}"]


def _draw_conv_params(rng):
    return {"in_channels": int(rng.choice([1, 3, 8, 16])), "maps": int(rng.choice([4, 8, 16, 32])),
            "kernel": int(rng.choice([1, 3, 5]))}


def _conv_shape(q):
    layer = nn.Conv2d(1, 1, q["kernel"], stride=q["stride"], padding=q["padding"])
    _, h, _ = layer.output_shape((1, q["size"], q["size"]))
    n, k, s, p = q["size"], q["kernel"], q["stride"], q["padding"]
    return str(h), [f"⌊(n + 2p − k) / s⌋ + 1 = ⌊({n} + {2 * p} − {k}) / {s}⌋ + 1 = {h}",
                    f"the output is {h} × {h} per map"]


def _draw_conv_shape(rng):
    k = int(rng.choice([3, 5]))
    return {"size": int(rng.choice([7, 8, 12, 16, 28, 32])), "kernel": k, "stride": int(rng.choice([1, 1, 2])),
            "padding": int(rng.choice([0, 0, k // 2]))}


def _pool_shape(q):
    layer = nn.MaxPool2d(q["pool"])
    c, h, w = layer.output_shape((q["channels"], q["size"], q["size"]))
    return str(h), [f"a {q['pool']}×{q['pool']} pool with stride {q['pool']} keeps one value per window: "
                    f"⌊{q['size']} / {q['pool']}⌋ = {h}",
                    f"the {c} maps stay {c}: output {c} × {h} × {w}"]


def _draw_pool_shape(rng):
    return {"size": int(rng.choice([8, 12, 14, 16, 24, 28, 32])), "pool": int(rng.choice([2, 2, 4])),
            "channels": int(rng.choice([4, 8, 16]))}


def _sigmoid(q):
    y = float(sigmoid(np.float64(q["z"])))
    return round(y, 4), [f"σ({_g(q['z'])}) = 1 / (1 + e^(−({_g(q['z'])}))) = {_g4(y)}"]


def _draw_sigmoid(rng):
    return {"z": float(rng.choice([-3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3]))}


def _cross_entropy(q):
    p = np.array([q["probabilities"]], dtype=np.float64)
    loss = float(nn.CrossEntropyLoss()(np.log(p), np.array([q["true_class"] - 1])))
    pt = q["probabilities"][q["true_class"] - 1]
    return round(loss, 4), [f"only the true class counts: L = −ln p(class {q['true_class']}) = −ln {_g(pt)} = {_g4(loss)}"]


def _draw_cross_entropy(rng):
    p = rng.choice([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7], 2, replace=False)
    probs = [float(p[0]), float(p[1]), round(1.0 - float(p[0]) - float(p[1]), 2)]
    if probs[2] <= 0:
        probs = [0.2, 0.7, 0.1]
    return {"probabilities": probs, "true_class": int(rng.integers(1, 4))}


def _gd_step(q):
    w = nn.Parameter(np.array([q["w"]], dtype=np.float64))
    w.grad = np.array([q["grad"]], dtype=np.float64)
    optim.SGD([w], lr=q["lr"]).step()
    new = float(w.data[0])
    return round(new, 4), [f"w ← w − η·∂L/∂w = {_g(q['w'])} − {_g(q['lr'])}·({_g(q['grad'])}) = {_g4(new)}"]


def _draw_gd_step(rng):
    return {"w": float(rng.choice([-1.0, -0.5, 0.2, 0.5, 1.0, 2.0])), "grad": float(rng.choice([-4, -2, -0.5, 0.5, 1, 3])),
            "lr": float(rng.choice([0.01, 0.05, 0.1, 0.5]))}


def _batches(q):
    plan = loop_lesson.plan(q["n"], q["batch_size"], 1)
    b = plan["batches_per_epoch"]
    return str(b), [f"⌈N / b⌉ = ⌈{q['n']:,} / {q['batch_size']}⌉ = {b}: {plan['full_batches']} full batches"
                    + (f" and a last one of {plan['last_batch']}" if plan["last_batch"] != q["batch_size"] else "")]


def _draw_batches(rng):
    return {"n": int(rng.choice([100, 250, 500, 1000, 2000, 4708])), "batch_size": int(rng.choice([16, 32, 64, 128]))}


KERNELS = {  # the kernels of step 7
    "vertical edge": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "horizontal edge": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "box blur (sum)": [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
}


def _rows(grid) -> str:
    return " | ".join(" ".join(_g(v) for v in row) for row in grid)


def _kernel_value(q):
    k = np.array(KERNELS[q["kernel"]], dtype=np.float64)
    layer = nn.Conv2d(1, 1, 3)
    layer.weight.data = k[None, None].astype(layer.weight.data.dtype)
    layer.bias.data[...] = 0
    out = float(layer(np.array(q["patch"], dtype=np.float64)[None, None])[0, 0, 0, 0])
    terms = " + ".join(f"{_g(a) if a >= 0 else '(' + _g(a) + ')'}·{_g(b)}" for a, b in zip(k.ravel(), np.ravel(q["patch"])) if a != 0)
    return int(round(out)), [f"multiply each pixel by the kernel's weight on it and add up: {terms} = {_g(out)}"]


def _draw_kernel_value(rng):
    return {"kernel": str(rng.choice(list(KERNELS))), "patch": [[int(v) for v in r] for r in rng.integers(0, 10, (3, 3))]}


def _rnn_params(q):
    layer = nn.RNN(q["inputs"], q["hidden"])
    i, h = q["inputs"], q["hidden"]
    total = layer.num_parameters()
    return total, [f"W_ih: {h}·{i} = {h * i}, W_hh: {h}·{h} = {h * h}, biases b_ih and b_hh: {h} + {h}",
                   f"total {total:,} (the same weights at every time step)"]


def _draw_rnn_params(rng):
    return {"inputs": int(rng.choice([1, 2, 3, 4, 8])), "hidden": int(rng.choice([2, 4, 8, 16, 32]))}


def _vanishing(q):
    act = nn.Sigmoid()
    act(np.zeros(1))
    slope = float(act.backward(np.ones(1))[0])  # σ′(0) = 0.25, the largest σ′ gets
    left = slope ** q["layers"]
    return round(100 * left, 4), [f"the largest σ′ is σ′(0) = {_g(slope)}; through {q['layers']} layers at most "
                                  f"{_g(slope)}^{q['layers']} = {left:.6g} of the gradient is left, {100 * left:.4g} %"]


def _draw_vanishing(rng):
    return {"layers": int(rng.choice([1, 2, 3, 4]))}


KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("perceptron", "A perceptron's output", "perceptron", "choice", _draw_perceptron,
         {"w1": 1.0, "w2": 1.0, "b": -1.5, "x1": 1, "x2": 1},
         lambda q: (f"A perceptron has w₁ = {_g(q['w1'])}, w₂ = {_g(q['w2'])}, b = {_g(q['b'])} and outputs 1 when "
                    f"w₁x₁ + w₂x₂ + b > 0. What does it output for x₁ = {q['x1']}, x₂ = {q['x2']}?"),
         _perceptron, ("0", "1")),
    Kind("dense_params", "Parameters of a network", "layers", "int", _draw_dense, {"sizes": [10, 10, 10, 10]},
         lambda q: (f"A fully connected network has layers of {'-'.join(map(str, q['sizes']))} nodes "
                    "(input first). How many parameters (weights and biases) does it have?"), _dense_params),
    Kind("fc_vs_conv", "Dense layer or convolution?", "convolution", "choice", _draw_fc_vs_conv,
         {"pixels": 100, "nodes": 10, "kernel": 3, "maps": 10},
         lambda q: (f"An image of {q['pixels']} pixels goes into {q['nodes']} hidden nodes, or through a "
                    f"{q['kernel']} × {q['kernel']} convolution with {q['maps']} feature maps. Which has more "
                    "parameters (weights and biases)?"), _fc_vs_conv,
         ("the dense layer", "the convolution", "the same")),
    Kind("conv_params", "Parameters of a convolution", "convolution", "int", _draw_conv_params, None,
         lambda q: (f"A convolution takes {q['in_channels']} input channel{'s' if q['in_channels'] > 1 else ''} "
                    f"and makes {q['maps']} feature maps with {q['kernel']} × {q['kernel']} kernels. How many "
                    "parameters (weights and biases) does it have?"), _conv_params),
    Kind("conv_shape", "Size after a convolution", "convolution", "int", _draw_conv_shape, None,
         lambda q: (f"An image of {q['size']} × {q['size']} pixels goes through a {q['kernel']} × {q['kernel']} convolution "
                    f"with stride {q['stride']} and padding {q['padding']}. How many pixels wide is the output?"),
         _conv_shape),
    Kind("pool_shape", "Size after pooling", "pooling", "int", _draw_pool_shape, None,
         lambda q: (f"{q['channels']} feature maps of {q['size']} × {q['size']} go through {q['pool']} × {q['pool']} "
                    f"max pooling (stride {q['pool']}). How many pixels wide is each output map?"), _pool_shape),
    Kind("sigmoid", "The sigmoid", "neuron", "number", _draw_sigmoid, None,
         lambda q: f"A neuron's weighted sum is z = {_g(q['z'])}. What is σ(z), to two decimals?", _sigmoid),
    Kind("cross_entropy", "A cross-entropy", "loss", "number", _draw_cross_entropy, None,
         lambda q: (f"A network gives the probabilities {', '.join(f'{_g(p)}' for p in q['probabilities'])} to "
                    f"classes 1, 2, 3; the true class is {q['true_class']}. What is the cross-entropy loss "
                    "(natural log), to two decimals?"), _cross_entropy),
    Kind("gd_step", "A gradient-descent step", "descent", "number", _draw_gd_step, None,
         lambda q: (f"A weight is w = {_g(q['w'])}, its gradient ∂L/∂w = {_g(q['grad'])}, the learning rate "
                    f"η = {_g(q['lr'])}. What is w after one gradient-descent step, to two decimals?"), _gd_step),
    Kind("kernel_value", "A kernel on a patch", "kernels", "int", _draw_kernel_value, None,
         lambda q: (f"The {q['kernel']} kernel (rows: {_rows(KERNELS[q['kernel']])}) lies on the 3 × 3 patch of pixels "
                    f"(rows: {_rows(q['patch'])}). What number does it produce (no bias)?"), _kernel_value),
    Kind("vanishing", "A vanishing gradient", "vanishing", "number", _draw_vanishing, None,
         lambda q: (f"Backpropagation multiplies the gradient by σ′(z) at each sigmoid layer, and σ′ is at most 0.25. "
                    f"Ignoring the weights, at most what percentage of the gradient is left after {q['layers']} sigmoid "
                    "layer" + ("s" if q["layers"] > 1 else "") + ", to two decimals?"), _vanishing),
    Kind("rnn_params", "Parameters of an RNN", "rnn", "int", _draw_rnn_params, None,
         lambda q: (f"A recurrent layer (nn.RNN) reads {q['inputs']} value{'s' if q['inputs'] > 1 else ''} per time "
                    f"step into a hidden state of {q['hidden']}. How many parameters (weights and biases) does it have?"),
         _rnn_params),
    Kind("batches", "Batches per epoch", "loop", "int", _draw_batches, None,
         lambda q: (f"A training set of {q['n']:,} images is split into mini-batches of {q['batch_size']}. "
                    "How many batches (gradient steps) make one epoch?"), _batches),
]}
