"""Step 2: train a small network live on a 2-D problem (``ml2dl.lessons.playground``).

Stateless: the page sends back the ``state`` it got last time; the server keeps nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from ml2dl.data import points_csv
from ml2dl.lessons import playground as lesson
from ml2dl.lessons.playground_features import FEATURES

Feature = Literal["x1", "x2", "x1sq", "x2sq", "x1x2", "sin1", "sin2"]
assert FEATURES == Feature.__args__  # one list: the lesson's
Features = Annotated[list[Feature], Field(min_length=1, max_length=len(FEATURES))]

from .base import FieldLimits, Grid, JSONObject, Number, Request, Result, Values


class PlaygroundSettings(Request):
    """The problem, the network and the optimiser (limits = what the page offers)."""

    problem: Literal["linear", "xor", "circle", "spiral", "csv"] = Field("xor", description="csv: your own points (data)")
    noise: float = Field(0.1, ge=0, le=0.5, description="std of the jitter added to each point")
    seed: int = Field(0, ge=0, le=9999, description="seed of the data and the initial weights")
    points: int = Field(400, ge=20, le=lesson.MAX_POINTS, description="train + test points")
    test_fraction: float = Field(0.5, ge=0.1, le=0.9, description="share of points held out for testing")
    hidden: list[int] = Field(default_factory=lambda: [4], max_length=lesson.MAX_HIDDEN_LAYERS,
                              description="neurons per hidden layer ([] = one neuron: logistic regression)")
    activation: Literal["tanh", "relu", "sigmoid", "linear"] = "tanh"
    optimizer: Literal["sgd", "adam"] = "sgd"
    learning_rate: float = Field(0.3, gt=0, le=10, description="η in w ← w − η ∂L/∂w")
    batch_size: int = Field(10, ge=1, le=lesson.MAX_POINTS, description="points per gradient step")
    weight_decay: float = Field(0.0, ge=0, le=1, description="L2: λ in w ← w − η(∂L/∂w + λw); may change mid-run")
    dropout: float = Field(0.0, ge=0, le=0.9, description="dropout probability after each hidden layer while training; may change mid-run")
    features: Features = Field(["x1", "x2"], description=(
        "the network's inputs, each named once: x1, x2, x1sq (x₁²), x2sq (x₂²), x1x2 (x₁x₂), sin1 (sin 4x₁), sin2 (sin 4x₂)"))
    data: str | None = Field(None, max_length=points_csv.MAX_TOKEN, pattern=r"^[A-Za-z0-9_-]+$", description=(
        "problem csv: the points as POST /api/playground/csv encoded them (ignored for the built-in problems)"))


# -- the training state the page sends back: validated completely, every size and range bounded
FLOAT32_MAX = 3.4e38  # the weights are float32: anything beyond is not a weight
Weight = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-FLOAT32_MAX, le=FLOAT32_MAX)]
Moment2 = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=FLOAT32_MAX)]
Row = Annotated[list[Weight], Field(max_length=max(lesson.MAX_NEURONS, len(FEATURES)))]
Tensor = Row | Annotated[list[Row], Field(max_length=lesson.MAX_NEURONS)]  # a bias, or a weight matrix
Row2 = Annotated[list[Moment2], Field(max_length=lesson.MAX_NEURONS)]
Tensor2 = Row2 | Annotated[list[Row2], Field(max_length=lesson.MAX_NEURONS)]
MAX_TENSORS = 2 * (lesson.MAX_HIDDEN_LAYERS + 1)  # a weight and a bias per Linear layer
MAX_STEP = 10**9
ParamName = Annotated[str, Field(pattern=r"^[0-9]{1,2}\.(weight|bias)$", max_length=9)]
Metric = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e6, le=1e6)]


class RunKey(Request):
    """The settings the state belongs to (``lessons.playground.Settings.run_key``)."""

    problem: Literal["linear", "xor", "circle", "spiral", "csv"]
    noise: float = Field(ge=0, le=0.5, allow_inf_nan=False)
    seed: int = Field(ge=0, le=9999, strict=True)
    points: int = Field(ge=20, le=lesson.MAX_POINTS, strict=True)
    test_fraction: float = Field(ge=0.1, le=0.9, allow_inf_nan=False)
    hidden: list[Annotated[int, Field(ge=1, le=lesson.MAX_NEURONS, strict=True)]] = Field(
        max_length=lesson.MAX_HIDDEN_LAYERS)
    activation: Literal["tanh", "relu", "sigmoid", "linear"]
    optimizer: Literal["sgd", "adam"]
    features: Features = Field(default_factory=lambda: ["x1", "x2"])
    data: str | None = Field(None, pattern=r"^[0-9a-f]{16}$", description="problem csv: the data set's digest")


class OptimizerState(Request):
    """SGD: ``velocity`` (null entries: no momentum); Adam: the moments ``m``, ``v`` and ``betas``."""

    lr: float = Field(gt=0, le=10, allow_inf_nan=False)
    step_count: int = Field(ge=0, le=MAX_STEP, strict=True)
    velocity: list[Tensor | None] | None = Field(None, max_length=MAX_TENSORS)
    m: list[Tensor | None] | None = Field(None, max_length=MAX_TENSORS)
    v: list[Tensor2 | None] | None = Field(None, max_length=MAX_TENSORS, description="Adam's second moments (≥ 0)")
    betas: tuple[Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)],
                 Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]] | None = None


class History(Request):
    """The loss curve: one point per request, at most ``MAX_HISTORY``."""

    step: list[Annotated[int, Field(ge=0, le=MAX_STEP, strict=True)]] = Field(max_length=lesson.MAX_HISTORY)
    train_loss: list[Metric] = Field(max_length=lesson.MAX_HISTORY)
    test_loss: list[Metric] = Field(max_length=lesson.MAX_HISTORY)
    train_accuracy: list[Metric] = Field(max_length=lesson.MAX_HISTORY)
    test_accuracy: list[Metric] = Field(max_length=lesson.MAX_HISTORY)


class PlaygroundState(Request):
    """Everything needed to continue a run; the page sends back what it got, unchanged."""

    version: Literal[1] = Field(description="lessons.playground.STATE_VERSION")
    run: RunKey
    step: int = Field(ge=0, le=MAX_STEP, strict=True)
    params: dict[ParamName, Tensor] = Field(max_length=MAX_TENSORS)
    optimizer: OptimizerState
    history: History


class TrainRequest(Request):
    settings: PlaygroundSettings = Field(default_factory=PlaygroundSettings)
    state: PlaygroundState | None = Field(None, description="the state returned last time; null starts a new run")
    steps: int = Field(10, ge=0, le=lesson.MAX_STEPS, description="gradient steps to take now")
    resolution: int = Field(48, ge=8, le=lesson.MAX_GRID, description="side of the boundary grid")
    include_points: bool = Field(True, description="send the train/test points (needed once per run)")


class Metrics(Result):
    train_loss: Number
    test_loss: Number
    train_accuracy: Number
    test_accuracy: Number


class Percent(Result):
    train_accuracy: Number
    test_accuracy: Number


class Line(Result):
    """One neuron's boundary: w₁x₁ + w₂x₂ + b = 0."""

    w1: Number
    w2: Number
    b: Number


class Boundary(Result):
    axis: Values = Field(description="the grid's x₁ (= x₂) values")
    probability: Grid = Field(description="P(class 1) on the resolution × resolution grid")


class NeuronMap(Result):
    values: Grid
    scale: Number


class InputMap(Result):
    """One input feature over the coarse grid, divided by its largest |value| (``scale``)."""

    feature: Feature
    label: str = Field(description="how the page writes it: x₁², sin 4x₁, …")
    values: Grid
    scale: Number


class PointSet(Result):
    x1: Values
    x2: Values
    label: list[int]


class Points(Result):
    train: PointSet
    test: PointSet


class Regularisation(Result):
    """L2 and dropout as they stand (sent only when one of them is on)."""

    weight_decay: Number
    dropout: Number
    weights_norm_sq: Number = Field(description="‖θ‖²: every weight and bias squared and summed")
    penalty: Number = Field(description="λ/2 · ‖θ‖², whose gradient λθ weight decay adds")
    dropout_layers: int



class LossRose(Result):
    kind: Literal["rose", "stalled"] = Field(description="the loss rose above its start, or is no lower after 100 steps")
    steps: int = Field(description="steps trained")
    start: Number = Field(description="training loss at step 0")
    now: Number = Field(description="training loss now")


class BestLine(Result):
    train_percent: Number = Field(description="accuracy of the best straight line on the training points")
    test_percent: Number = Field(description="the same line on the test points")

class Dataset(Result):
    """Your own points as the page explains them (problem csv, with the points)."""

    names: list[str] = Field(description="the columns' names (x1, x2 when the file had no header)")
    ranges: list[list[Number]] = Field(description="each column's [min, max] in the file, mapped onto −1…1")
    rows: int
    counts: list[int] = Field(description="rows of label 0 and of label 1")
    train: int = Field(description="points the split gave to training")
    test: int


class CsvResult(Result):
    """A CSV file read, checked and encoded (POST /api/playground/csv)."""

    data: str = Field(description="send it as settings.data with problem csv; a link may carry it")
    names: list[str]
    ranges: list[list[Number]]
    rows: int
    counts: list[int]
    header: bool = Field(description="the file's first line named the columns")
    chars: int = Field(description="characters of data")
    link_limit: int = Field(description="characters a whole link may have (RFC 9110's 8,000)")


class TrainResult(Result):
    """The network after ``steps`` more gradient steps (``lessons.playground.train``)."""

    state: PlaygroundState = Field(description="send it back with the next request; state.history is the loss curve")
    step: int
    metrics: Metrics
    percent: Percent
    line: Line | None = Field(description="one neuron only: its boundary line")
    boundary: Boundary
    neurons: list[list[NeuronMap]] = Field(description="per hidden layer, each neuron's output map")
    points: Points | None = Field(None, description="the train/test points (left out when include_points is false)")
    inputs: list[InputMap] | None = Field(None, description="each input feature's map (left out when include_points is false)")
    dataset: Dataset | None = Field(None, description="problem csv, with the points: the data set's columns, rows and split")
    diverged: bool = Field(description="an update made the weights infinite: they were put back, training stopped")
    loss_rose: LossRose | None = Field(description="went wrong without overflowing: the training loss rose, or stalled")
    best_line: BestLine = Field(description="what the best straight line scores on these points (%)")
    parameters: int
    layers: list[int]
    features: list[Feature] = Field(description="the network's inputs, in this order")
    extent: Values
    regularisation: Regularisation | None = Field(None, description="only when L2 or dropout is on")


class NoisySpiral(Result):
    noise: Number
    neighbours: int
    train_points: int
    test_points: int
    percent: Number = Field(description="test accuracy of a k-nearest-neighbour vote over many points: about the best any boundary reaches")


class SpiralChallenge(Result):
    """What solving the spiral takes, as measured (``lessons.playground_features.SPIRAL_CHALLENGE``)."""

    settings: dict[str, Any] = Field(description="the card's settings (PlaygroundSettings fields)")
    route: list[Feature] = Field(description="the features that solve it, for the student to switch on")
    steps: int
    seeds: list[int]
    plain_percent: list[Number] = Field(description="test accuracy after `steps` steps with the settings' features, per seed")
    route_percent: list[Number] = Field(description="…with the route's features added, per seed")
    noisy: NoisySpiral


class OptionsResult(Result):
    """What the page may offer, and the limits."""

    problems: list[str]
    activations: list[str]
    optimizers: list[str]
    features: list[Feature] = Field(description="the input features the network may be given")
    feature_labels: dict[str, str] = Field(description="how the page writes each feature (x₁², sin 4x₁, …)")
    spiral_challenge: SpiralChallenge
    csv: dict[str, int] = Field(description="your own data: max_bytes, max_rows, link_limit")
    max_hidden_layers: int
    max_neurons: int
    max_steps: int
    settings: dict[str, FieldLimits] = Field(description="each field of PlaygroundSettings: default and bounds")
    request: dict[str, FieldLimits] = Field(description="steps, resolution, include_points: default and bounds")
