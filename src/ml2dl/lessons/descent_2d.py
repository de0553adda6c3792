"""How a network learns, step ``descent`` — two weights: surfaces, optimizers and mini-batches.

Two loss surfaces over a plane of two weights (u, v):

``"tumour"`` — the tumour classifier of :mod:`ml2dl.lessons.descent` with a weight and a bias,
    score ŷ = w·size + b (size in cm, not centred), squared error against t = ±1:
    L(w, b) = 1/N Σ (w·sᵢ + b − tᵢ)². Convex, one minimum (least squares: w* = 0.517,
    b* = −1.521). Because the sizes are not centred its valley is long and narrow (the
    Hessian's eigenvalues are 24.7 and 0.31), so plain gradient descent zigzags across it and
    crawls along it; momentum and Adam do better.
``"two_minima"`` — f(u, v) = (u² − 1)² + 0.3·u + (v − 0.4·u)², non-convex: a deeper minimum at
    u = −1.036 and a shallower one at u = 0.960 (roots of 4u³ − 4u + 0.3 = 0; v = 0.4u), with a
    ridge between them at u = 0.075. Where the descent starts decides which one it finds.

Every path is run by the engine: the point is an ``nn.Parameter`` of shape (2,), its gradient
comes from ``nn.Linear(1, 1)`` + ``nn.MSELoss`` backward (tumour) or from the formula
(two minima), and ``optim.SGD`` (with or without momentum) or ``optim.Adam`` takes the steps.

Mini-batch descent takes a step per batch of m examples, with the batch's mean gradient:
w′ = w − (η/m) Σⱼ ∂L_{Xⱼ}/∂w, so one pass over N examples (an epoch) is ⌈N/m⌉ noisy steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ml2dl import checks, nn, optim
from ml2dl.checks import choice, int_in_range, non_negative_int, number_in_range, pair
from ml2dl.lessons.descent import RUNAWAY, batches_per_epoch, tumour_data

OPTIMIZERS = ("gd", "momentum", "adam")
OPTIMIZER_LABELS = {"gd": "gradient descent", "momentum": "momentum (μ = 0.9)", "adam": "Adam"}
MAX_STEPS, MAX_GRID, MAX_EPOCHS = 300, 81, 50
MAX_LR = 2.0


@dataclass(frozen=True)
class Surface:
    name: str
    axes: tuple[str, str]
    extent: tuple[tuple[float, float], tuple[float, float]]
    start: tuple[float, float]
    lr: float  # a learning rate that works for plain gradient descent here
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray]  # vectorised over a grid
    make_gradient: Callable  # () → gradient(point (2,), rows or None) → (2,), for one path
    minima: tuple[tuple[float, float], ...]


def _sizes_targets():
    data = tumour_data()
    return np.array(data["size_cm"]), np.array(data["target"], dtype=np.float64)


_S, _T = _sizes_targets()  # built once; never written to


def _tumour_loss(w, b):
    return np.mean((w[..., None] * _S + b[..., None] - _T) ** 2, axis=-1)


class _TumourGradient:
    """∂L/∂(w, b) on the examples ``rows`` (all when None), by the engine's backward pass:
    an ``nn.Linear(1, 1)`` holding (w, b), ``nn.MSELoss``. One per path (a layer keeps what
    its backward needs, so it is not shared between requests)."""

    def __init__(self):
        self.layer = nn.Linear(1, 1, dtype=np.float64, rng=0)
        self.loss_fn = nn.MSELoss()

    def __call__(self, point, rows=None):
        s, t = (_S, _T) if rows is None else (_S[rows], _T[rows])
        layer = self.layer
        layer.weight.data[...] = point[0]
        layer.bias.data[...] = point[1]
        layer.zero_grad()
        self.loss_fn(layer(s[:, None]), t[:, None])
        layer.backward(self.loss_fn.backward())
        return np.array([layer.weight.grad[0, 0], layer.bias.grad[0]])


def _tumour_gradient(point, rows=None):
    """∂L/∂(w, b) at one point (a one-off :class:`_TumourGradient`)."""
    return _TumourGradient()(point, rows)


def _tumour_minimum():
    w, b = np.linalg.lstsq(np.c_[_S, np.ones_like(_S)], _T, rcond=None)[0]
    return (float(w), float(b))


def _two_minima_loss(u, v):
    return (u**2 - 1) ** 2 + 0.3 * u + (v - 0.4 * u) ** 2


def _two_minima_gradient(point, rows=None):
    u, v = point
    return np.array([4 * u**3 - 4 * u + 0.3 - 0.8 * (v - 0.4 * u), 2 * (v - 0.4 * u)])


def _two_minima_minima():
    roots = sorted(r.real for r in np.roots([4.0, 0.0, -4.0, 0.3]) if abs(r.imag) < 1e-12)
    return tuple((float(u), 0.4 * float(u)) for u in (roots[0], roots[2]))  # roots[1] is the ridge


SURFACES = {
    "tumour": Surface("tumour", ("w", "b"), ((-0.5, 1.5), (-5.0, 2.0)), (-0.3, 1.0), 0.06,
                      _tumour_loss, _TumourGradient, (_tumour_minimum(),)),
    "two_minima": Surface("two_minima", ("u", "v"), ((-2.0, 2.0), (-1.5, 1.5)), (0.3, 1.2), 0.05,
                          _two_minima_loss, lambda: _two_minima_gradient, _two_minima_minima()),
}


def _surface(name) -> Surface:
    return SURFACES[choice("surface", name, SURFACES)]


def _start(surface: Surface, start) -> np.ndarray:
    if start is None:
        return np.array(surface.start, dtype=np.float64)
    u, v = pair("start", start, check=lambda n, x: number_in_range(n, x, -10.0, 10.0))
    return np.array([u, v], dtype=np.float64)


def _optimizer(name: str, param: nn.Parameter, lr: float):
    if name == "adam":
        return optim.Adam([param], lr=lr)
    return optim.SGD([param], lr=lr, momentum=0.9 if name == "momentum" else 0.0)


def grid(name: str = "tumour", resolution: int = 41) -> dict:
    """The loss on a resolution² grid: ``{"x": axis (first weight), "y": axis (second),
    "loss": rows (one per y value), "axes": names, "minima": [{"point", "loss", "kind"}]}``."""
    surface = _surface(name)
    n = int_in_range("resolution", resolution, 5, MAX_GRID)
    (x0, x1), (y0, y1) = surface.extent
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)  # (n, n): rows follow y
    minima = [{"point": list(m), "loss": float(surface.loss(np.array(m[0]), np.array(m[1])))}
              for m in surface.minima]
    lowest = min(m["loss"] for m in minima)
    for m in minima:
        m["kind"] = "global" if m["loss"] == lowest else "local"
    return {"x": xs.tolist(), "y": ys.tolist(), "loss": surface.loss(X, Y).tolist(),
            "axes": list(surface.axes), "minima": minima, "surface": surface.name}


def _path(surface: Surface, start: np.ndarray, optimizer: str, lr: float, steps: int,
          batches=None) -> dict:
    """Run the optimizer from ``start``; ``batches(step) → rows`` picks each step's examples."""
    point = nn.Parameter(start.copy())
    opt = _optimizer(optimizer, point, lr)
    gradient = surface.make_gradient()
    path = [start.copy()]
    stopped = False
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            opt.zero_grad()
            point.grad[...] = gradient(point.data, None if batches is None else batches(k))
            opt.step()
            if not np.all(np.abs(point.data) <= RUNAWAY):  # also catches NaN
                stopped = True
                break
            path.append(point.data.copy())
    path = np.array(path)
    loss = surface.loss(path[:, 0], path[:, 1])
    return {"optimizer": optimizer, "label": OPTIMIZER_LABELS[optimizer], "lr": lr,
            "x": path[:, 0].tolist(), "y": path[:, 1].tolist(), "loss": loss.tolist(),
            "steps_taken": len(path) - 1, "end": path[-1].tolist(),
            # diverged: the loss ended higher than it started (or the point ran away, |u| or
            # |v| > 10⁶, and the run was stopped there before any overflow)
            "diverged": bool(stopped or loss[-1] > loss[0]), "stopped": stopped,
            "final_loss": float(loss[-1]), **_found(surface, path[-1])}


def _found(surface: Surface, end: np.ndarray) -> dict:
    """Which minimum the path ended nearest to, and whether it is there (within 0.05)."""
    dist = [float(np.hypot(*(end - np.array(m)))) for m in surface.minima]
    nearest = int(np.argmin(dist))
    return {"nearest_minimum": nearest, "at_minimum": dist[nearest] < 0.05}


def descend(surface: str = "tumour", start=None, optimizer: str = "gd", lr: float | None = None,
            steps: int = 50, resolution: int = 41) -> dict:
    """Contours of a two-weight loss and the path of descent from ``start`` on them.

    Args:
        surface: ``"tumour"`` (convex) or ``"two_minima"`` (non-convex).
        start: the first point (u, v), each in [−10, 10]; None: the surface's default.
        optimizer: ``"gd"``, ``"momentum"`` or ``"adam"``.
        lr: the learning rate in (0, 2]; None: the surface's default for gradient descent.
        steps: 1 to 300.

    Returns:
        ``grid(...)`` plus ``{"path": {"optimizer", "label", "lr", "x": [...], "y": [...],
        "loss": [...], "steps_taken", "diverged" (the loss ended higher than it started),
        "stopped" (ran beyond 10⁶ and was stopped), "end", "final_loss", "nearest_minimum": index
        into "minima", "at_minimum": bool}, "found": "global" | "local" | None (None: not at a
        minimum yet)}``.
    """
    s = _surface(surface)
    optimizer = choice("optimizer", optimizer, OPTIMIZERS)
    lr = s.lr if lr is None else number_in_range("lr", lr, 0.0, MAX_LR, low_open=True)
    steps = int_in_range("steps", steps, 1, MAX_STEPS)
    result = grid(surface, resolution)
    path = _path(s, _start(s, start), optimizer, lr, steps)
    found = result["minima"][path["nearest_minimum"]]["kind"] if path["at_minimum"] else None
    return {**result, "path": path, "found": found}


ADAM_LR = {"tumour": 0.1, "two_minima": 0.05}


def compare_optimizers(surface: str = "tumour", start=None, lr: float | None = None,
                       adam_lr: float | None = None, steps: int = 100, resolution: int = 41) -> dict:
    """Gradient descent, momentum and Adam from the same start, on the same contours.

    ``lr`` drives gradient descent and momentum (default: the surface's), ``adam_lr`` Adam
    (Adam's step is about η whatever the gradient's size, so it takes its own).

    Returns:
        ``grid(...)`` plus ``{"paths": [path (see :func:`descend`)] × 3 in the order gd,
        momentum, adam, "start": [u, v], "lowest": the optimizer whose final loss is lowest}``.
    """
    s = _surface(surface)
    lr = s.lr if lr is None else number_in_range("lr", lr, 0.0, MAX_LR, low_open=True)
    adam_lr = ADAM_LR[s.name] if adam_lr is None else number_in_range("adam_lr", adam_lr, 0.0, MAX_LR,
                                                                        low_open=True)
    steps = int_in_range("steps", steps, 1, MAX_STEPS)
    start = _start(s, start)
    result = grid(surface, resolution)
    paths = [_path(s, start, name, adam_lr if name == "adam" else lr, steps) for name in OPTIMIZERS]
    lowest = min(paths, key=lambda p: (p["diverged"], p["final_loss"]))["optimizer"]
    return {**result, "paths": paths, "start": start.tolist(), "lowest": lowest}


def minibatch(batch_size: int = 4, lr: float = 0.02, epochs: int = 10, seed: int = 0, start=None,
              resolution: int = 41) -> dict:
    """Full-batch against mini-batch gradient descent on the tumour surface, epoch for epoch.

    Full batch: one step per epoch with the gradient of all N = 24 examples. Mini-batch: each
    epoch shuffles the examples (a generator seeded by (seed, epoch)) and takes ⌈N/m⌉ steps,
    each with the mean gradient of its m examples: w′ = w − (η/m) Σⱼ ∂L_{Xⱼ}/∂w. Both paths'
    losses are on the whole data set, so they compare directly.

    Returns:
        ``grid("tumour")`` plus ``{"full": path, "mini": path, "batches": batches_per_epoch(24, m),
        "epochs", "seed", "loss_per_epoch": {"full": [...], "mini": [...]} (loss after each
        epoch, epoch 0 = the start), "updates": {"full": epochs, "mini": epochs·⌈N/m⌉}}``.
    """
    s = SURFACES["tumour"]
    n = len(tumour_data()["target"])
    m = int_in_range("batch_size", batch_size, 1, n)
    lr = number_in_range("lr", lr, 0.0, MAX_LR, low_open=True)
    epochs = int_in_range("epochs", epochs, 1, MAX_EPOCHS)
    seed = non_negative_int("seed", seed)
    start = _start(s, start)
    batches = batches_per_epoch(n, m)
    per_epoch = batches["batches"]
    orders = [checks.rng((seed, e), "seed").permutation(n) for e in range(epochs)]

    def rows(k):  # step k: batch k mod ⌈N/m⌉ of epoch k // ⌈N/m⌉
        order = orders[k // per_epoch]
        j = k % per_epoch
        return order[j * m:(j + 1) * m]

    full = _path(s, start, "gd", lr, epochs)
    mini = _path(s, start, "gd", lr, epochs * per_epoch, batches=rows)
    return {
        **grid("tumour", resolution),
        "full": full, "mini": mini, "batches": batches, "epochs": epochs, "seed": seed,
        "loss_per_epoch": {"full": full["loss"], "mini": mini["loss"][::per_epoch]},
        "updates": {"full": full["steps_taken"], "mini": mini["steps_taken"]},
    }
