"""Step ``descent``: gradient descent with one weight, then two (``ml2dl.lessons.descent``, ``descent_2d``).

The request limits are the lessons' own (``W_RANGE``, ``MAX_LR``, ``MAX_STEPS``…), tightened
where a request must stay small: the three optimizers' paths together and the mini-batch
updates are bounded so that every call answers within the module's latency budget.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ml2dl.lessons import descent as one
from ml2dl.lessons import descent_2d as two

from .base import Grid, Number, Request, Result, Values

SurfaceName = Literal["tumour", "two_minima"]
OptimizerName = Literal["gd", "momentum", "adam"]
Start = list[float] | None

# Steps per request of the three-optimizer comparison: 3 × 100 engine steps fit in the latency
# budget (the lesson allows 300 for one path).
MAX_COMPARE_STEPS = 100
# Mini-batch updates per request: epochs × ⌈24 / m⌉ (one epoch of single examples is 24).
MAX_MINIBATCH_UPDATES = 240


def _start_field():
    return Field(None, min_length=2, max_length=2,
                 description="the first point (u, v), each in [−10, 10]; null: the surface's default")


# ---------------------------------------------------------------- one weight

class OneWeightRequest(Request):
    """A run of ``steps`` gradient-descent steps from ``w`` (0: nothing run yet), and the next step."""

    w: float = Field(one.DEFAULT_W, ge=one.W_RANGE[0], le=one.W_RANGE[1], description="the starting weight w₀")
    lr: float = Field(one.LEARNING_RATES["right"], gt=0, le=one.MAX_LR, description="the learning rate η")
    steps: int = Field(0, ge=0, le=one.MAX_STEPS, description="steps taken so far (0: at the start)")


class LossCurve(Result):
    w: Values
    loss: Values


class Tangent(Result):
    w: Values = Field(description="the segment's two ends")
    loss: Values
    slope: Number = Field(description="∂L/∂w at w")


class Minimum(Result):
    w: Number = Field(description="w* = Σxt / Σx²")
    loss: Number = Field(description="L(w*)")
    curvature: Number = Field(description="L″ = 2·mean(x²)")
    best_lr: Number = Field(description="1/L″: one step lands on w*")
    critical_lr: Number = Field(description="2/L″: beyond it, every step lands further away")


class TumourData(Result):
    size_cm: Values
    x: Values = Field(description="size − 3 cm")
    label: list[int] = Field(description="1 = abnormal")
    target: list[int] = Field(description="±1")
    centre_cm: Number
    model: dict[str, str] = Field(description="the score, targets, loss and decision as text")


class StepResult(Result):
    """One step w′ = w − η·∂L/∂w, with the numbers (``lessons.descent.step``)."""

    w: Number
    loss: Number
    gradient: Number = Field(description="∂L/∂w at w")
    lr: Number
    w_next: Number
    loss_next: Number
    text: str = Field(description="the step written with the numbers")
    tangent: Tangent
    curve: LossCurve
    minimum: Minimum
    data: TumourData


class RunResult(Result):
    """A run of steps and what the learning rate did, read from it (``lessons.descent.descend``)."""

    w: Values = Field(description="w₀ … w_n")
    loss: Values
    gradient: Values = Field(description="at each w but the last")
    lr: Number
    steps_taken: int
    diverged: bool
    stopped: bool = Field(description="|w| passed 10⁶ and the run was stopped there")
    behaviour: Literal["converging", "crawling", "oscillating", "diverged"]
    settled: bool
    overshoots: int = Field(description="steps that jumped past w*")
    progress: Number = Field(description="share of the gap L(w₀) − L* closed")
    message: str = Field(description="what happened, in words, with the numbers")
    curve: LossCurve
    minimum: Minimum


class OneWeightResult(Result):
    """The run so far and the step from where it stands."""

    run: RunResult | None = Field(description="null before the first step")
    step: StepResult | None = Field(description="the next step from the current weight (null once |w| > 5: "
                                                "the run has left the chart)")


class Preset(Result):
    name: str
    lr: Number


class Surface(Result):
    axes: list[str]
    extent: list[Values] = Field(description="[[u₀, u₁], [v₀, v₁]]")
    start: Values
    lr: Number = Field(description="a learning rate that works for plain gradient descent here")
    adam_lr: Number


class Limits(Result):
    w: Values
    max_lr: Number
    max_steps: int
    max_steps_2d: int
    max_compare_steps: int
    max_minibatch_updates: int
    max_epochs: int


class DescentOptions(Result):
    """What the page offers: presets, surfaces and the limits the request models enforce."""

    presets: list[Preset]
    minimum: Minimum
    data: TumourData
    surfaces: dict[str, Surface]
    optimizers: dict[str, str] = Field(description="name → label")
    limits: Limits


# ---------------------------------------------------------------- two weights

class SurfaceRequest(Request):
    surface: SurfaceName = "tumour"
    start: Start = _start_field()
    optimizer: OptimizerName = "gd"
    lr: float | None = Field(None, gt=0, le=two.MAX_LR, description="η; null: the surface's default")
    steps: int = Field(50, ge=1, le=two.MAX_STEPS)
    resolution: int = Field(41, ge=5, le=two.MAX_GRID, description="side of the contour grid")


class CompareRequest(Request):
    surface: SurfaceName = "tumour"
    start: Start = _start_field()
    lr: float | None = Field(None, gt=0, le=two.MAX_LR, description="η of gradient descent and momentum")
    adam_lr: float | None = Field(None, gt=0, le=two.MAX_LR, description="Adam's η")
    steps: int = Field(100, ge=1, le=MAX_COMPARE_STEPS, description="steps of each optimizer")
    resolution: int = Field(41, ge=5, le=two.MAX_GRID)


class MinibatchRequest(Request):
    batch_size: int = Field(4, ge=1, le=len(one.SIZES_CM), description="m, examples per step (24: full batch)")
    lr: float = Field(0.02, gt=0, le=two.MAX_LR)
    epochs: int = Field(10, ge=1, le=two.MAX_EPOCHS)
    seed: int = Field(0, ge=0, le=9999, description="seed of each epoch's shuffle")
    start: Start = _start_field()
    resolution: int = Field(41, ge=5, le=two.MAX_GRID)


class BatchesRequest(Request):
    dataset_size: int = Field(4708, ge=1, le=10**9, description="N, training examples")
    batch_size: int = Field(32, ge=1, le=10**9, description="m, examples per batch (at most N)")


class MinimumPoint(Result):
    point: Values
    loss: Number
    kind: Literal["global", "local"]


class GridResult(Result):
    x: Values = Field(description="the first weight's axis")
    y: Values = Field(description="the second weight's axis")
    loss: Grid = Field(description="one row per y value")
    axes: list[str]
    minima: list[MinimumPoint]
    surface: str


class Path(Result):
    optimizer: str
    label: str
    lr: Number
    x: Values
    y: Values
    loss: Values
    steps_taken: int
    end: Values
    diverged: bool = Field(description="the loss ended higher than it started")
    stopped: bool = Field(description="the point ran beyond 10⁶ and was stopped")
    final_loss: Number
    nearest_minimum: int = Field(description="index into minima")
    at_minimum: bool


class SurfaceResult(GridResult):
    """Contours and one path (``lessons.descent_2d.descend``)."""

    path: Path
    found: Literal["global", "local"] | None = Field(description="null: not at a minimum yet")


class CompareResult(GridResult):
    """Three optimizers from one start (``lessons.descent_2d.compare_optimizers``)."""

    paths: list[Path] = Field(description="gd, momentum, adam")
    start: Values
    lowest: str = Field(description="the optimizer whose final loss is lowest")


class BatchesResult(Result):
    """⌈N / m⌉ updates per epoch (``lessons.descent.batches_per_epoch``)."""

    dataset_size: int
    batch_size: int
    ratio: Number = Field(description="N / m")
    batches: int = Field(description="⌈N / m⌉")
    full_batches: int
    last_batch: int
    text: str


class PerEpoch(Result):
    full: Values
    mini: Values


class Updates(Result):
    full: int
    mini: int


class MinibatchResult(GridResult):
    """Full batch against mini-batches, epoch for epoch (``lessons.descent_2d.minibatch``)."""

    full: Path
    mini: Path
    batches: BatchesResult
    epochs: int
    seed: int
    loss_per_epoch: PerEpoch
    updates: Updates
