"""How a network learns, step ``descent`` — gradient descent with one weight.

The classifier: tumour size → abnormal. 24 synthetic tumours (:data:`SIZES_CM`, 0.8 to 5.4 cm
in steps of 0.2) are labelled abnormal (target t = +1) from 3 cm up and normal (t = −1) below,
except four borderline cases labelled the other way (2.2 and 2.6 cm abnormal, 3.4 and 3.8 cm
normal), so no weight fits them all and the loss keeps a minimum above zero.

With one weight the score is ŷ = w·x, where x = size − 3 cm (centred, so no bias is
needed; abnormal when ŷ > 0), and the loss is the squared error

    L(w) = 1/N Σ (w·xᵢ − tᵢ)²,   ∂L/∂w = 2/N Σ (w·xᵢ − tᵢ)·xᵢ,   ∂²L/∂w² = 2/N Σ xᵢ² = 3.853

(the least-squares classifier, Widrow and Hoff's Adaline). L(w) is an exact parabola, so the
learning rate's four behaviours show cleanly: the step w′ = w − η·∂L/∂w multiplies the
distance to the minimum w* = 0.519 by (1 − η·L″). Hence

    η < 1/L″ = 0.260   converging without overshoot (crawling when η is far smaller)
    η < 2/L″ = 0.519   overshooting: oscillating around w*, but settling
    η > 2/L″           every step lands further away: diverged

The behaviour reported is read from the measured trajectory, not from these formulas (the
tests check that the two agree). The engine computes every gradient and step: an
``nn.Linear(1, 1, bias=False)`` in float64, ``nn.MSELoss`` and ``optim.SGD``.

Two weights, non-convex surfaces, optimizers and mini-batches: :mod:`ml2dl.lessons.descent_2d`.
"""

from __future__ import annotations

import math

import numpy as np

from ml2dl import nn, optim
from ml2dl.checks import int_in_range, number_in_range

SIZES_CM = tuple(round(0.8 + 0.2 * i, 1) for i in range(24))
BORDERLINE_CM = (2.2, 2.6, 3.4, 3.8)  # labelled against the 3 cm rule
CENTRE_CM = 3.0
W_RANGE = (-5.0, 5.0)
MAX_LR = 2.0
MAX_STEPS = 200
DEFAULT_W, DEFAULT_STEPS = -0.5, 20
LEARNING_RATES = {"too small": 0.01, "right": 0.2, "large": 0.4, "too large": 0.6}
RUNAWAY = 1e6  # |w| beyond this is divergence; the run stops there (and before any overflow)
SETTLED = 0.01  # converged: the loss gap to the minimum shrank below 1 % of where it started
CRAWL = 0.8  # crawling: on average each step left more than 80 % of the remaining gap


def _make_data() -> tuple[np.ndarray, np.ndarray]:
    size = np.array(SIZES_CM)
    label = (size >= CENTRE_CM).astype(int)
    for borderline in BORDERLINE_CM:
        label[np.isclose(size, borderline)] ^= 1
    return size, label


_SIZE, _LABEL = _make_data()  # built once; never written to
_X = np.round(_SIZE - CENTRE_CM, 10)[:, None]           # (24, 1) centred sizes
_T = (2.0 * _LABEL - 1)[:, None]                        # (24, 1) targets ±1


MODEL = {"score": "ŷ = w·x, with x = size − 3 cm", "targets": "t = +1 abnormal, −1 normal",
         "loss": "L(w) = 1/N Σ (w·xᵢ − tᵢ)²", "decision": "abnormal when ŷ > 0"}


def tumour_data() -> dict:
    """The dataset: ``{"size_cm": [...], "x": [size − 3 ...], "label": [0/1 ...] (1 = abnormal),
    "target": [±1 ...], "centre_cm": 3.0, "model": MODEL (the formulas, as text)}``."""
    return {"size_cm": _SIZE.tolist(), "x": _X[:, 0].tolist(), "label": _LABEL.tolist(),
            "target": (2 * _LABEL - 1).tolist(), "centre_cm": CENTRE_CM, "model": dict(MODEL)}


def _xt() -> tuple[np.ndarray, np.ndarray]:
    return _X, _T


def loss_curve(w) -> np.ndarray:
    """L(w) = mean((w·x − t)²) for an array of weights (vectorised), float64."""
    w = np.asarray(w, dtype=np.float64)
    return np.mean((w[..., None] * _X[:, 0] - _T[:, 0]) ** 2, axis=-1)


def _minimum() -> dict:
    w_star = float((_X[:, 0] @ _T[:, 0]) / (_X[:, 0] @ _X[:, 0]))
    curvature = float(2 * np.mean(_X**2))
    return {"w": w_star, "loss": float(loss_curve(w_star)), "curvature": curvature,
            "best_lr": 1 / curvature, "critical_lr": 2 / curvature}


_MINIMUM = _minimum()


def minimum() -> dict:
    """The parabola's bottom and shape: w* = Σxt / Σx², L(w*), L″ = 2·mean(x²), and the learning
    rates 1/L″ (one step lands on w*) and 2/L″ (beyond it, divergence)."""
    return dict(_MINIMUM)


class _OneWeight:
    """The classifier in the engine: a weight Parameter, its gradient by backward, SGD to step."""

    def __init__(self, w: float, lr: float):
        self.x, self.t = _xt()
        self.layer = nn.Linear(1, 1, bias=False, dtype=np.float64, rng=0)  # the weight is set below
        self.layer.weight.data[...] = w
        self.loss_fn = nn.MSELoss()
        self.opt = optim.SGD(self.layer.parameters(), lr=lr)

    @property
    def w(self) -> float:
        return float(self.layer.weight.data[0, 0])

    def loss_and_gradient(self) -> tuple[float, float]:
        self.layer.zero_grad()
        loss = self.loss_fn(self.layer(self.x), self.t)
        self.layer.backward(self.loss_fn.backward())
        return loss, float(self.layer.weight.grad[0, 0])

    def step(self) -> None:
        self.opt.step()


def _check(w, lr) -> tuple[float, float]:
    return (number_in_range("w", w, *W_RANGE),
            number_in_range("lr", lr, 0.0, MAX_LR, low_open=True))


def _fmt(v: float) -> str:
    return f"{v:.4g}".replace("-", "−")


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def _paren(v: float) -> str:
    return f"({_fmt(v)})" if v < 0 else _fmt(v)


def step(w: float = DEFAULT_W, lr: float = LEARNING_RATES["right"]) -> dict:
    """One gradient-descent step from ``w``, with everything the page shows about it.

    Returns:
        ``{"w", "loss", "gradient": ∂L/∂w, "lr", "w_next": w − η·∂L/∂w, "loss_next",
        "text": "w′ = … − … × … = …" (the step with the numbers), "tangent": {"w": [a, b],
        "loss": [L(w) + slope·(a − w), …], "slope"}, "curve": {"w": [...], "loss": [...]},
        "minimum": minimum(), "data": tumour_data()}``.
    """
    w, lr = _check(w, lr)
    model = _OneWeight(w, lr)
    loss, grad = model.loss_and_gradient()
    model.step()
    w_next = model.w
    loss_next = float(loss_curve(w_next))
    half = 0.4  # the tangent's half-width, in units of w
    return {
        "w": w, "loss": loss, "gradient": grad, "lr": lr, "w_next": w_next, "loss_next": loss_next,
        "text": f"w′ = {_fmt(w)} − {_fmt(lr)} × {_paren(grad)} = {_fmt(w_next)}",
        "tangent": {"w": [w - half, w + half], "loss": [loss - grad * half, loss + grad * half], "slope": grad},
        "curve": _curve([w, w_next]),
        "minimum": minimum(),
        "data": tumour_data(),
    }


def _curve(ws, points: int = 121) -> dict:
    """L(w) over a range holding the minimum ± 1.5 and the given weights (at most w* ± 20)."""
    w_star = minimum()["w"]
    finite = [v for v in ws if math.isfinite(v)]
    lo = max(min([w_star - 1.5, *finite]), w_star - 20)
    hi = min(max([w_star + 1.5, *finite]), w_star + 20)
    grid = np.linspace(lo, hi, points)
    return {"w": grid.tolist(), "loss": loss_curve(grid).tolist()}


def descend(w: float = DEFAULT_W, lr: float = LEARNING_RATES["right"], steps: int = DEFAULT_STEPS) -> dict:
    """``steps`` gradient-descent steps from ``w``, and what the learning rate did.

    Returns:
        ``{"w": [w₀ … w_n], "loss": [...], "gradient": [...] (at each w but the last), "lr",
        "steps_taken", "diverged": bool (the behaviour is "diverged"), "stopped": bool (|w| passed
        10⁶ and the run was stopped there, before any overflow), "behaviour":
        "converging" | "crawling" | "oscillating" | "diverged", "settled": bool,
        "overshoots": how many steps jumped past w*, "progress": share of the loss gap
        L(w₀) − L* closed (negative when the loss grew), "message": a sentence with the numbers,
        "curve", "minimum"}``. Every number is finite.
    """
    w, lr = _check(w, lr)
    steps = int_in_range("steps", steps, 1, MAX_STEPS)
    model = _OneWeight(w, lr)
    ws, losses, grads = [w], [], []
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            loss, grad = model.loss_and_gradient()
            losses.append(loss)
            grads.append(grad)
            model.step()
            if not abs(model.w) <= RUNAWAY:  # also catches NaN
                diverged = True
                break
            ws.append(model.w)
    if len(losses) < len(ws):  # the last weight's loss (a run that stopped early measured it already)
        losses.append(float(loss_curve(ws[-1])))
    best = minimum()
    verdict = classify(ws, losses, best["w"], best["loss"], diverged)
    return {"w": ws, "loss": losses[:len(ws)], "gradient": grads[:len(ws) - 1], "lr": lr,
            "steps_taken": len(ws) - 1, "diverged": verdict["behaviour"] == "diverged", "stopped": diverged,
            **verdict, "curve": _curve(ws), "minimum": best}


def classify(ws, losses, w_star: float, loss_star: float, ran_away: bool = False) -> dict:
    """Name what a run did, from its measured weights and losses alone.

    gap_k = L(w_k) − L*; an overshoot is a step that lands on the other side of w*.

        diverged     the run ran away (|w| > 10⁶), or the gap grew: gap_n > gap_0
        converging   (it started at the minimum, gap_0 ≈ 0, and stayed there)
        oscillating  at least half the steps overshoot (and the gap shrank)
        converging   the gap fell below 1 % of gap_0 without that much overshooting, or it is
                     still falling fast: gap_n ≤ 0.8ⁿ·gap_0 (each step closes over 20 % of it)
        crawling     it went the right way, but slower than that and not yet within 1 %

    Returns ``{"behaviour", "settled": gap_n ≤ 1 % of gap_0, "overshoots", "progress", "message"}``.
    """
    n = len(ws) - 1
    eps = 1e-12 * max(1.0, abs(loss_star))  # gaps this small are rounding: at the minimum
    gap0, gap_n = max(losses[0] - loss_star, 0.0), max(losses[len(ws) - 1] - loss_star, 0.0)
    side = np.sign(np.asarray(ws) - w_star)
    overshoots = int(np.sum(side[1:] * side[:-1] < 0))
    at_start = gap0 <= eps
    progress = 1.0 if at_start else 1 - gap_n / gap0
    settled = at_start or gap_n <= SETTLED * gap0
    if ran_away or gap_n > gap0 + eps:
        behaviour = "diverged"
        message = (f"Diverged: every step overshoots further; the loss grew from {_fmt(losses[0])} to "
                   f"{_fmt(losses[len(ws) - 1])} in {_steps(n)}"
                   + (" and was stopped there, still growing" if ran_away else "")
                   + ". Make the learning rate smaller.")
    elif at_start:
        behaviour = "converging"
        message = "Already at the minimum: the gradient is 0 there, so the steps do not move it."
    elif n and overshoots >= n / 2:
        behaviour = "oscillating"
        message = (f"Oscillating: {overshoots} of {n} steps jumped past the minimum; "
                   + ("the jumps shrink and it settles." if settled else
                      f"it has closed {progress:.0%} of the gap so far."))
    elif settled:
        behaviour = "converging"
        message = f"Converging: the loss fell from {_fmt(losses[0])} to {_fmt(losses[len(ws) - 1])} in {_steps(n)}."
    elif gap_n <= CRAWL**n * gap0:  # not there yet, but each step closes a good part of the gap
        behaviour = "converging"
        message = (f"Converging: the loss fell from {_fmt(losses[0])} to {_fmt(losses[len(ws) - 1])} in "
                   f"{_steps(n)}, {progress:.0%} of the way to its minimum {_fmt(loss_star)}.")
    else:
        behaviour = "crawling"
        message = (f"Crawling: after {_steps(n)} the loss has come down only {progress:.0%} of the way "
                   f"to its minimum {_fmt(loss_star)}. "
                   "A larger learning rate would get there sooner.")
    return {"behaviour": behaviour, "settled": bool(settled and behaviour != "diverged"),
            "overshoots": overshoots, "progress": max(progress, -1e6), "message": message}


def batches_per_epoch(dataset_size: int, batch_size: int) -> dict:
    """How many mini-batch updates make one pass over the data: ⌈N / m⌉.

    Returns ``{"dataset_size": N, "batch_size": m, "ratio": N / m, "batches": ⌈N/m⌉,
    "full_batches": ⌊N/m⌋, "last_batch": size of the last batch, "text"}``; e.g. PneumoniaMNIST's
    4,708 training images in batches of 32: 147.1 → 148 batches (147 of 32 and one of 4).
    """
    n = int_in_range("dataset_size", dataset_size, 1, 10**9)
    m = int_in_range("batch_size", batch_size, 1, n)
    batches = -(-n // m)
    last = n - (batches - 1) * m
    if last == m:
        text = f"{n:,} / {m:,} = {batches:,} batches of {m:,}"
    else:
        text = (f"{n:,} / {m:,} = {n / m:.4g} → {batches:,} batches "
                f"({batches - 1:,} of {m:,} and one of {last:,})")
    return {"dataset_size": n, "batch_size": m, "ratio": n / m, "batches": batches,
            "full_batches": n // m, "last_batch": last, "text": text}
