"""Step ``backprop``: a 2 → 2 → 1 sigmoid network on one example, node by node (``ml2dl.lessons.backprop``).

Weights travel as PyTorch lays them out (``W1`` (2, 2), ``b1`` (2,), ``W2`` (1, 2), ``b2`` (1,)); the
shapes are checked here and again, with the number range, by the lesson.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ml2dl.lessons import backprop as lesson

from .base import Number, Request, Result, Values

_RANGE = dict(ge=-lesson.INPUT_RANGE, le=lesson.INPUT_RANGE)
Row2 = list[float]


def _row(description: str, n: int):
    return Field(min_length=n, max_length=n, description=description)


class NetworkParams(Request):
    """The nine weights: W1 = [[w₁₁, w₁₂], [w₂₁, w₂₂]], b1 = [b₁, b₂], W2 = [[v₁, v₂]], b2 = [c]."""

    W1: list[Row2] = _row("hidden weights, one row per hidden neuron", 2)
    b1: Row2 = _row("hidden biases", 2)
    W2: list[Row2] = _row("output weights [[v₁, v₂]]", 1)
    b2: list[float] = _row("output bias [c]", 1)


class BackpropRequest(Request):
    x: list[float] = Field(default_factory=lambda: list(lesson.DEFAULT_X), min_length=2, max_length=2,
                           description=f"the two inputs, each in [−{lesson.INPUT_RANGE:g}, {lesson.INPUT_RANGE:g}]")
    y: int = Field(lesson.DEFAULT_Y, ge=0, le=1, description="the label")
    params: NetworkParams | None = Field(None, description=f"each number in [−{lesson.PARAM_RANGE:g}, "
                                                           f"{lesson.PARAM_RANGE:g}]; null: the defaults")


class UpdateRequest(BackpropRequest):
    lr: float = Field(1.0, gt=0, le=lesson.MAX_LR, description="η in θ ← θ − η·∂L/∂θ")


class Node(Result):
    id: str
    label: str
    kind: Literal["input", "label", "weight", "sum", "sigmoid", "loss"]
    formula: str
    value: Number


class Edge(Result):
    from_: str = Field(alias="from", description="the child node")
    to: str = Field(description="the parent node")
    local_formula: str | None = Field(description="∂to/∂from as a formula (null for the label's edge)")
    local: Number | None = Field(description="∂to/∂from as a number")


class Forward(Result):
    z1: Number
    h1: Number
    z2: Number
    h2: Number
    z3: Number
    yhat: Number
    loss: Number


class Term(Result):
    from_: str = Field(alias="from", description="the parent the gradient arrives from")
    upstream: Number = Field(description="∂L/∂parent")
    local: Number = Field(description="∂parent/∂node")
    local_formula: str
    product: Number = Field(description="upstream × local")


class BackwardStep(Result):
    node: str
    label: str
    grad: Number = Field(description="∂L/∂node: the sum of the terms' products")
    equation: str = Field(description="the chain rule written with the numbers")
    terms: list[Term]


class Gradient(Result):
    id: str
    label: str
    value: Number = Field(description="the weight")
    grad: Number = Field(description="∂L/∂weight by the backward pass")
    numeric: Number = Field(description="(L(θ + h) − L(θ − h)) / 2h, h = 10⁻⁶")
    difference: Number = Field(description="grad − numeric")
    engine: Number = Field(description="the engine's nn.Linear/nn.BCELoss backward pass")


class ParamsOut(Result):
    W1: list[Values]
    b1: Values
    W2: list[Values]
    b2: Values


class BackpropResult(Result):
    """Forward values, the backward pass from L down, every gradient checked (``lessons.backprop.backprop``)."""

    x: Values
    y: int
    params: ParamsOut
    nodes: list[Node]
    edges: list[Edge]
    forward: Forward
    backward: list[BackwardStep] = Field(description="18 steps, from L down")
    gradients: list[Gradient] = Field(description="the nine weights")
    max_difference: Number = Field(description="the largest |grad − numeric|")
    prediction: Literal["pneumonia", "normal"]


class State(Result):
    loss: Number
    yhat: Number
    params: ParamsOut


class WeightUpdate(Result):
    id: str
    label: str
    before: Number
    grad: Number
    after: Number


class UpdateResult(Result):
    """One step θ ← θ − η·∂L/∂θ on all nine weights (``lessons.backprop.apply_update``)."""

    lr: Number
    before: State
    after: State
    updates: list[WeightUpdate]
    loss_change: Number = Field(description="after − before")
    params: ParamsOut = Field(description="the new weights: send them back")
