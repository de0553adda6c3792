"""Step 2 — what one neuron cannot do: train a small network live on a 2-D problem.

The network is ``nn.Sequential(Linear(2, h₁), act, …, Linear(h_k, 1))``; with no hidden
layer it is a single neuron, ŷ = σ(w₁x₁ + w₂x₂ + b): logistic regression, whose
decision boundary ŷ = 0.5 is the straight line w₁x₁ + w₂x₂ + b = 0. Hidden neurons
with a nonlinear activation bend that boundary.

Training minimises the binary cross-entropy
    L = −1/m Σ [y log ŷ + (1 − y) log(1 − ŷ)]
by mini-batch gradient descent, w ← w − η ∂L/∂w (or Adam), with the engine's
explicit backward pass.

Two regularisers (the chapter "When learning goes wrong") may be switched on, and changed
mid-run: L2 weight decay λ adds λθ to every parameter's gradient (the gradient of λ/2 · ‖θ‖²),
which keeps the weights small and so the boundary smooth; dropout zeroes each hidden neuron's
output with probability p while training (``nn.Dropout`` after every hidden activation, its
masks drawn from (seed, step)), so no neuron can rely on another. The loss shown is the data's
cross-entropy, without the penalty; the network is evaluated with dropout off.

The server keeps nothing: the whole training state (weights, optimizer buffers, step
count, loss history) is a plain JSON-ready dict that the page sends back with each
request, so any worker can continue any student's run. The data set itself is not in
the state: it is regenerated from (problem, points, noise, seed), a pure function.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from ml2dl import checks, nn, optim
from ml2dl.checks import InputError, choice, int_in_range, non_negative_int, number_in_range
from ml2dl.data import points_csv, toy
from ml2dl.train.loop import gradient_step

from .playground_features import DEFAULT_FEATURES, FEATURES, check_features, expand, input_maps  # noqa: F401
from .playground_state import (MAX_HISTORY, STATE_VERSION, empty_history, pack_state,  # noqa: F401
                               record, state_names, unpack_state)
from .playground_views import (LINE_ANGLES, ROSE_AFTER, ROSE_BY, STALL_AFTER,  # noqa: F401  (part of this lesson)
                               best_line, boundary, grid_inputs, loss_rose, neuron_maps)

PROBLEMS = ("linear", "xor", "circle", "spiral", "csv")  # csv: the student's own points (settings.data)
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "adam")
MAX_HIDDEN_LAYERS = 4
MAX_NEURONS = 8
MAX_STEPS = 100
MAX_POINTS = 1000
MAX_GRID = 64


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run. Changing anything but the optimizer's learning rate
    or batch size starts a new run (new data or a new network)."""

    problem: str = "xor"
    noise: float = 0.1
    seed: int = 0
    points: int = 400
    test_fraction: float = 0.5
    hidden: tuple[int, ...] = (4,)
    activation: str = "tanh"
    optimizer: str = "sgd"
    learning_rate: float = 0.3
    batch_size: int = 10
    weight_decay: float = 0.0
    dropout: float = 0.0
    features: tuple[str, ...] = DEFAULT_FEATURES
    data: str | None = None  # problem "csv": the points as ml2dl.data.points_csv.encode wrote them

    def __post_init__(self):
        choice("problem", self.problem, PROBLEMS)
        number_in_range("noise", self.noise, 0.0, 1.0)
        non_negative_int("seed", self.seed)
        int_in_range("points", self.points, 20, MAX_POINTS)
        number_in_range("test_fraction", self.test_fraction, 0.1, 0.9)
        hidden = tuple(self.hidden)
        if len(hidden) > MAX_HIDDEN_LAYERS:
            raise InputError(f"hidden must have at most {MAX_HIDDEN_LAYERS} layers, got {len(hidden)}")
        object.__setattr__(self, "hidden", tuple(int_in_range(f"hidden[{i}]", h, 1, MAX_NEURONS)
                                                 for i, h in enumerate(hidden)))
        choice("activation", self.activation, ACTIVATIONS)
        choice("optimizer", self.optimizer, OPTIMIZERS)
        number_in_range("learning_rate", self.learning_rate, 0.0, 10.0, low_open=True)
        int_in_range("batch_size", self.batch_size, 1, MAX_POINTS)
        number_in_range("weight_decay", self.weight_decay, 0.0, 1.0)
        number_in_range("dropout", self.dropout, 0.0, 0.9)
        object.__setattr__(self, "features", check_features(self.features))
        if self.problem == "csv":
            if not self.data:
                raise InputError("data must be given when problem is 'csv' (the text POST /api/playground/csv "
                                 "returned for a CSV file), got none")
            own_data(self.data)  # decodes and checks it (once per process per data set)

    def run_key(self) -> dict:
        """The settings a saved state must match (the rest — learning rate, batch size, L2, dropout —
        may change mid-run)."""
        return {"problem": self.problem, "noise": float(self.noise), "seed": int(self.seed),
                "points": self.points, "test_fraction": float(self.test_fraction),
                "hidden": list(self.hidden), "activation": self.activation, "optimizer": self.optimizer,
                "features": list(self.features),
                **({"data": own_data(self.data).digest()} if self.problem == "csv" else {})}


@dataclass
class Problem:
    """A run's points (X: (n, 2) in the plane, y: 0/1) and the network's inputs for them
    (F: (n, k), the chosen features of X, :func:`~ml2dl.lessons.playground_features.expand`)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    F_train: np.ndarray
    F_test: np.ndarray
    features: tuple[str, ...] = DEFAULT_FEATURES
    extent: tuple[float, float] = field(default=toy.PLOT_RANGE)


def make_data(settings: Settings) -> Problem:
    """The train/test points of a run: a pure function of the settings (made once per process
    for each (problem, points, noise, seed, test fraction, features): every update of a run asks again)."""
    return _data(*_data_key(settings), settings.features)


def _data_key(settings: Settings) -> tuple:
    """What a run's points depend on: (problem, points, noise, seed, test fraction, data)."""
    csv = settings.problem == "csv"
    return (settings.problem, 0 if csv else settings.points, 0.0 if csv else float(settings.noise), settings.seed,
            float(settings.test_fraction), settings.data if csv else None)


@functools.lru_cache(maxsize=32)
def own_data(token: str) -> points_csv.Encoded:
    """A student's data set from its encoded text (:func:`ml2dl.data.points_csv.decode`), once per process."""
    return points_csv.decode(token)


@functools.lru_cache(maxsize=64)
def _points(problem: str, points: int, noise: float, seed: int, test_fraction: float, data: str | None) -> tuple:
    if problem == "csv":  # the student's points, already in [-1, 1]²; the same stratified split
        d = own_data(data)
        X, y = d.X, d.y
    else:
        X, y = toy.make_problem(problem, n=points, noise=noise, seed=seed)
    X_train, X_test, y_train, y_test = toy.split(X, y, test_fraction=test_fraction, seed=seed)
    return X_train, y_train.astype(np.float32), X_test, y_test.astype(np.float32)


@functools.lru_cache(maxsize=64)
def _data(problem: str, points: int, noise: float, seed: int, test_fraction: float, data: str | None,
          features: tuple[str, ...] = DEFAULT_FEATURES) -> Problem:
    X_train, y_train, X_test, y_test = _points(problem, points, noise, seed, test_fraction, data)
    data = Problem(X_train, y_train, X_test, y_test, expand(X_train, features), expand(X_test, features), features)
    for a in (data.X_train, data.y_train, data.X_test, data.y_test, data.F_train, data.F_test):
        a.setflags(write=False)  # shared by every request of the run: nobody may change it
    return data


def build_model(hidden, activation: str, seed: int, dropout: float = 0.0, inputs: int = 2) -> nn.Sequential:
    """Linear(k, h₁) → act → [Dropout(p)] → … → Linear(h_k, 1) for k = ``inputs`` features;
    the output is a logit (σ is in the loss).

    The dropout layers (only when p > 0) have no parameters and draw nothing from the weights'
    generator: the same seed gives the same weights with and without them.
    """
    rng = checks.rng(seed, "seed")
    sizes = [inputs, *hidden, 1]
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], rng=rng, init=_init_for(activation)))
        if i < len(sizes) - 2:
            layers.append(nn.activation_by_name(activation))
            if dropout > 0:
                layers.append(nn.Dropout(dropout, rng=0))  # re-seeded from (seed, step) before each step
    return nn.Sequential(*layers)


def _init_for(activation: str) -> str:
    # Xavier keeps tanh/sigmoid units out of saturation; He suits ReLU (lecture: "proper
    # initialisation"). PyTorch's default is too small for 2 inputs to get going quickly.
    return "he" if activation == "relu" else "xavier"


def make_optimizer(model: nn.Module, settings: Settings):
    if settings.optimizer == "adam":
        return optim.Adam(model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    return optim.SGD(model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)


# ------------------------------------------------------------------------------ the lesson


def _loss_and_accuracy(model, X, y) -> tuple[float, float]:
    logits = model(X)
    loss = nn.BCEWithLogitsLoss()(logits, y[:, None])
    accuracy = float(np.mean((logits[:, 0] > 0) == (y > 0.5)))
    return loss, accuracy


def evaluate(model, data: Problem) -> dict:
    train_loss, train_acc = _loss_and_accuracy(model, data.F_train, data.y_train)
    test_loss, test_acc = _loss_and_accuracy(model, data.F_test, data.y_test)
    return {"train_loss": train_loss, "test_loss": test_loss,
            "train_accuracy": train_acc, "test_accuracy": test_acc}


@functools.lru_cache(maxsize=64)
def best_line_of(problem: str, points: int, noise: float, seed: int, test_fraction: float, data: str | None = None) -> dict:
    """:func:`best_line` of a run's data (made once per process for each data set)."""
    d = _points(problem, points, noise, seed, test_fraction, data)
    return best_line(*d)


def train(state: dict | None, settings: Settings, steps: int = 10, *,
          resolution: int = 48, neuron_resolution: int = 16, include_points: bool = True) -> dict:
    """Continue (or start, when ``state`` is None) a run by ``steps`` mini-batch updates.

    Each step draws ``batch_size`` training points with a generator seeded by
    (seed, step), so a run is reproducible however it is cut into requests.

    Returns:
        ``state`` (send it back next time; ``state["history"]`` is the loss curve), ``step``,
        ``metrics`` (train/test loss and accuracy after the last step), ``line`` (one neuron
        only: w₁, w₂, b of its boundary line), ``boundary``
        ({axis, probability} on a resolution² grid), ``neurons`` (per hidden neuron maps),
        ``points`` (train and test x₁, x₂, label) and ``inputs`` (each input feature's map:
        :func:`~ml2dl.lessons.playground_features.input_maps`) only with ``include_points``,
        ``features`` (the network's inputs), ``diverged`` (True if an update made
        the weights infinite: they were put back and training stopped), ``loss_rose``
        (:func:`loss_rose`: diverged without overflowing, or None), ``best_line`` (what the
        best straight line scores on these points: :func:`best_line`), and ``regularisation``
        (:func:`regularisation`) only when L2 or dropout is on.
    """
    int_in_range("steps", steps, 0, MAX_STEPS)
    int_in_range("resolution", resolution, 2, MAX_GRID)
    int_in_range("neuron_resolution", neuron_resolution, 2, 32)
    data = make_data(settings)
    model = build_model(settings.hidden, settings.activation, settings.seed, settings.dropout, len(settings.features))
    if state is None:
        opt = make_optimizer(model, settings)
        step, history = 0, empty_history()
    else:
        opt, step, history = unpack_state(state, settings.run_key(), model, lambda m: make_optimizer(m, settings),
                                          settings.learning_rate)

    loss_fn = nn.BCEWithLogitsLoss()
    batch = min(settings.batch_size, len(data.F_train))
    targets = data.y_train[:, None]
    # Too large a learning rate makes the weights explode: _steps detects it and reports it,
    # and the figures below stay finite (JSON has no infinity), so no warnings either.
    with np.errstate(over="ignore", invalid="ignore"):
        model.train()
        diverged, step = _steps(model, opt, loss_fn, data, targets, settings, batch, step, steps)
        model.eval()  # dropout off: the network as it answers
        metrics = {k: _finite(v) for k, v in evaluate(model, data).items()}
        shown_boundary = boundary(model, resolution, data.extent, data.features)
        neurons = neuron_maps(model, neuron_resolution, data.extent, data.features)
    history = record(history, step, metrics)
    rose = loss_rose(history)
    line = None
    if not settings.hidden and settings.features == ("x1", "x2"):  # one neuron: the line w₁x₁ + w₂x₂ + b = 0
        (w1, w2), b = model[0].weight.data[0], model[0].bias.data[0]
        line = {"w1": round(float(w1), 4), "w2": round(float(w2), 4), "b": round(float(b), 4)}
    result = {
        "state": pack_state(model, opt, settings.run_key(), step, history),
        "step": step,
        "metrics": {k: round(v, 5) for k, v in metrics.items()},
        "percent": {"train_accuracy": round(100 * metrics["train_accuracy"], 1),
                    "test_accuracy": round(100 * metrics["test_accuracy"], 1)},
        "line": line,
        "boundary": shown_boundary,
        "neurons": neurons,

        "diverged": diverged,
        "loss_rose": rose,
        "best_line": best_line_of(*_data_key(settings)),
        "parameters": model.num_parameters(),
        "layers": [len(settings.features), *settings.hidden, 1],
        "features": list(settings.features),
        "extent": list(data.extent),
    }
    if include_points:  # what does not change during a run: the page asks once
        result["points"] = _shown_points(data)
        result["inputs"] = input_maps(grid_inputs(neuron_resolution, data.extent), neuron_resolution, data.features)
        if settings.problem == "csv":
            result["dataset"] = _describe(own_data(settings.data), data)
    if settings.weight_decay > 0 or settings.dropout > 0:
        result["regularisation"] = regularisation(model, settings)
    return result


def regularisation(model, settings: Settings) -> dict:
    """L2 and dropout as they stand: λ, p, ‖θ‖² (every weight and bias squared and summed) and
    the penalty λ/2 · ‖θ‖² whose gradient λθ weight decay adds to each step."""
    norm_sq = float(sum(np.sum(np.asarray(p.data, dtype=np.float64) ** 2) for p in model.parameters()))
    return {"weight_decay": settings.weight_decay, "dropout": settings.dropout,
            "weights_norm_sq": round(norm_sq, 4), "penalty": round(settings.weight_decay / 2 * norm_sq, 5),
            "dropout_layers": sum(isinstance(m, nn.Dropout) for m in model.layers)}


def _finite(v: float, cap: float = 1e6) -> float:
    """A metric as a finite float (a diverged loss shows as a large number, not infinity)."""
    v = float(v)
    if v != v:  # NaN
        return cap
    return min(cap, max(-cap, v))


def _steps(model, opt, loss_fn, data, targets, settings, batch, step, steps):
    """``steps`` mini-batch updates; stop (weights restored) if one makes them non-finite.

    The weights are checked once after all the updates; only a run that went non-finite is
    replayed step by step from the saved start, to stop right before the step that broke it.
    """
    params = model.parameters()
    start = [p.data.copy() for p in params]
    opt_start = opt.state_dict()
    done = _updates(model, opt, loss_fn, data, targets, settings, batch, step, steps, params, check=False)
    if done == step + steps:
        return False, done
    for p, b in zip(params, start):  # diverged somewhere: replay from the start, checking each step
        p.data[...] = b
    opt.load_state_dict(opt_start)
    done = _updates(model, opt, loss_fn, data, targets, settings, batch, step, steps, params, check=True)
    return True, done


def _updates(model, opt, loss_fn, data, targets, settings, batch, step, steps, params, *, check: bool) -> int:
    """Mini-batch updates from ``step``; the step reached. With ``check``, stop (weights put
    back) before an update that makes them non-finite; without, check only at the end."""
    n = len(data.F_train)
    drops = [m for m in model.layers if isinstance(m, nn.Dropout)]
    for _ in range(steps):
        # the batch of step t is drawn with the seed (seed, t): the same however a run is cut into requests
        idx = np.random.default_rng((settings.seed, step)).choice(n, size=batch, replace=False)
        for k, m in enumerate(drops):  # masks from (seed, step): reproducible however the run is cut
            m.rng = np.random.default_rng([settings.seed, step, 1, k])
        backup = [p.data.copy() for p in params] if check else None
        gradient_step(model, loss_fn, opt, data.F_train[idx], targets[idx])  # the training loop's one update
        if check and not all(np.isfinite(p.data).all() for p in params):
            for p, b in zip(params, backup):
                p.data[...] = b
            return step
        step += 1
    if not check and not all(np.isfinite(p.data).all() for p in params):
        return -1  # went non-finite on the way: the caller replays with checks
    return step


def _describe(d: points_csv.Encoded, data: Problem) -> dict:
    """A student's data set as the page explains it: the columns' names and ranges (each mapped onto
    −1…1), the rows of each label, and how many train and test points the split gave."""
    return {"names": list(d.names), "ranges": [list(r) for r in d.ranges], "rows": int(len(d.y)),
            "counts": np.bincount(d.y, minlength=2).tolist(), "train": int(len(data.y_train)), "test": int(len(data.y_test))}


def _shown_points(data: Problem) -> dict:
    def pack(X, y):
        return {"x1": np.round(X[:, 0], 4).tolist(), "x2": np.round(X[:, 1], 4).tolist(),
                "label": y.astype(int).tolist()}

    return {"train": pack(data.X_train, data.y_train), "test": pack(data.X_test, data.y_test)}
