"""Step ``perceptron``: requests with every limit explicit, and what ``ml2dl.lessons.perceptron`` answers.

The results document the lesson's dicts unchanged (see the lesson's docstrings for the maths).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ml2dl.lessons import perceptron as lesson

from .base import Number, Request, Result, Values

Gate = Literal["AND", "OR", "NAND", "NOR", "XOR"]
W = lesson.MAX_WEIGHT


class PerceptronRequest(Request):
    """ŷ = 1 if w₁x₁ + w₂x₂ + b > 0 else 0, on 00, 01, 10, 11 (default: AND)."""

    w1: float = Field(1.0, ge=-W, le=W, description="weight of x₁")
    w2: float = Field(1.0, ge=-W, le=W, description="weight of x₂")
    b: float = Field(-1.5, ge=-W, le=W, description="bias")


class CheckRequest(PerceptronRequest):
    """The question: which outputs does this perceptron give for 00, 01, 10, 11?"""

    answers: list[Annotated[int, Field(ge=0, le=1)]] = Field(min_length=4, max_length=4, description="the student's outputs (0 or 1) for 00, 01, 10, 11")


class LearnState(Request):
    w1: float = Field(ge=-W, le=W)
    w2: float = Field(ge=-W, le=W)
    b: float = Field(ge=-W, le=W)
    step: int = Field(ge=0, le=10**9, description="updates taken so far: the next example is step mod 4")


class LearnRequest(Request):
    """One update of the perceptron learning rule."""

    state: LearnState | None = Field(None, description="the last answer's state (null: start at w = 0, b = 0)")
    data: Gate = Field("AND", description="the gate whose truth table is learned")
    lr: float = Field(1.0, gt=0, le=lesson.MAX_LEARNING_RATE, description="learning rate η")


class Line(Result):
    visible: bool = Field(description="false when the line misses the plot box, or w₁ = w₂ = 0")
    points: list[Values] = Field(description="the segment's two ends [[x₁, x₂], [x₁, x₂]] in the box (or [])")
    normal: Values = Field(description="[w₁, w₂]: points to the side that outputs 1")
    region: list[Values] = Field(description="polygon of the box where ŷ = 1 (whole box, or [] if none)")


class Row(Result):
    x: list[int] = Field(description="[x₁, x₂]")
    z: Number = Field(description="w₁x₁ + w₂x₂ + b")
    output: int = Field(description="ŷ = 1 if z > 0 else 0")


class PerceptronResult(Result):
    weights: Values
    bias: Number
    rows: list[Row] = Field(description="00, 01, 10, 11")
    outputs: list[int]
    gate: Gate | None = Field(description="the gate this perceptron computes, if any")
    line: Line
    box: Values = Field(description="[lo, hi]: the plot shows x₁ and x₂ over this range")


class Preset(Result):
    w1: Number
    w2: Number
    b: Number
    outputs: list[int]


class PresetsResult(Result):
    AND: Preset
    OR: Preset
    NAND: Preset
    NOR: Preset


class CheckResult(Result):
    answers: list[int]
    expected: list[int]
    right: list[bool]
    score: int = Field(description="right answers, of 4")
    all_right: bool
    rows: list[Row]


class BestLine(Result):
    w1: Number
    w2: Number
    b: Number
    outputs: list[int]
    right: list[bool]
    line: Line


class XorSearch(Result):
    lines_tried: int
    values: Values = Field(description="the grid of values tried for each of w₁, w₂, b")
    best_correct: int = Field(description="the most XOR examples any line gets right")
    best: BestLine = Field(description="the first line found with best_correct right")
    count_by_correct: list[int] = Field(description="how many lines get 0, 1, 2, 3, 4 examples right")
    tables_realised: int = Field(description="distinct truth tables the lines produce (of 16)")
    target: list[int]


class Unit(Result):
    name: str
    layer: Literal["hidden", "output"]
    w1: Number
    w2: Number
    b: Number
    inputs: list[str]
    outputs: list[int]
    line: Line


class TwoLayerRow(Result):
    x: list[int]
    hidden: list[int] = Field(description="[h₁ = OR(x), h₂ = NAND(x)]")
    z_out: Number
    output: int
    target: int


class TwoLayers(Result):
    units: list[Unit]
    rows: list[TwoLayerRow]
    outputs: list[int]
    matches_xor: bool


class XorResult(Result):
    search: XorSearch = Field(description="the best single line, found by search")
    two_layers: TwoLayers = Field(description="OR and NAND into AND")
    box: Values = Field(description="[lo, hi]: the plot shows x₁ and x₂ over this range")


class Weights(Result):
    w1: Number
    w2: Number
    b: Number


class Example(Result):
    index: int
    x: list[int]
    target: int
    z: Number
    output: int
    error: int = Field(description="y − ŷ")


class Update(Result):
    delta_w: Values = Field(description="[η·e·x₁, η·e·x₂]")
    delta_b: Number = Field(description="η·e")


class LearnStateResult(Result):
    w1: Number
    w2: Number
    b: Number
    step: int


class LearnResult(Result):
    state: LearnStateResult = Field(description="send it back for the next update")
    example: Example
    update: Update
    changed: bool
    before: Weights
    after: Weights
    table: PerceptronResult = Field(description="the perceptron after the update")
    correct: int = Field(description="examples right after the update, of 4")
    converged: bool
    epoch: int = Field(description="completed passes over the 4 examples")
    data: Gate
    target: list[int]
