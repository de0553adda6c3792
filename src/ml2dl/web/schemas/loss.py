"""Step ``loss``: requests with every limit explicit, and what ``ml2dl.lessons.loss`` answers.

The results document the lesson's dicts unchanged (see the lesson's docstrings for the maths).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ml2dl.lessons import loss as lesson

from .base import Number, Request, Result, Values

Probability = Annotated[float, Field(gt=0, lt=1)]
Label = Annotated[int, Field(ge=0, le=1)]


class BinaryRequest(Request):
    """Predicted probabilities of class 1 (pneumonia) and the true labels, one per example."""

    predictions: list[Probability] = Field(default_factory=lambda: list(lesson.DEFAULT_PREDICTIONS),
                                           min_length=1, max_length=lesson.MAX_EXAMPLES)
    labels: list[Label] = Field(default_factory=lambda: list(lesson.DEFAULT_LABELS),
                                min_length=1, max_length=lesson.MAX_EXAMPLES)


class LossCurves(Result):
    cross_entropy: Values
    hinge: Values
    squared: Values


class BinaryCurves(Result):
    prediction: Values = Field(description="ŷ along the curves")
    score: Values = Field(description="z = logit(ŷ)")
    label_1: LossCurves
    label_0: LossCurves


class BinaryRow(Result):
    prediction: Number
    score: Number
    label: int
    cross_entropy: Number
    hinge: Number
    squared: Number


class BinaryMean(Result):
    cross_entropy: Number
    hinge: Number
    squared: Number


class BinaryResult(Result):
    curves: BinaryCurves
    rows: list[BinaryRow]
    mean: BinaryMean
    losses: list[str]


class RegressionRequest(Request):
    """The line BMI ≈ slope·kg + intercept."""

    slope: float = Field(lesson.DEFAULT_SLOPE, ge=lesson.SLOPE_RANGE[0], le=lesson.SLOPE_RANGE[1],
                         description="BMI per kg")
    intercept: float = Field(lesson.DEFAULT_INTERCEPT, ge=lesson.INTERCEPT_RANGE[0], le=lesson.INTERCEPT_RANGE[1],
                             description="BMI at 0 kg")


class RegressionPoint(Result):
    weight_kg: Number
    bmi: Number
    prediction: Number
    residual: Number = Field(description="BMI − prediction")
    squared: Number = Field(description="residual²")


class RegressionLine(Result):
    weight_kg: Values
    bmi: Values


class BestFit(Result):
    slope: Number
    intercept: Number
    mse: Number


class RegressionResult(Result):
    height_m: Number
    slope: Number
    intercept: Number
    points: list[RegressionPoint]
    mse: Number = Field(description="mean of the squared residuals")
    line: RegressionLine
    best: BestFit = Field(description="the least-squares line")


class TableRequest(Request):
    """Multi-class cross-entropy: one row per example, one number per class."""

    rows: list[list[float]] = Field(default_factory=lambda: [list(r) for r in lesson.DEFAULT_ROWS],
                                    min_length=1, max_length=lesson.MAX_ROWS)
    true_classes: list[int] = Field(default_factory=lambda: list(lesson.DEFAULT_TRUE_CLASSES),
                                    min_length=1, max_length=lesson.MAX_ROWS, description="numbered from 1")
    kind: Literal["probabilities", "logits"] = "probabilities"


class TableRow(Result):
    input: Values
    probabilities: Values
    sum: Number | None
    normalised: bool
    true_class: int
    p_true: Number
    loss: Number | None = Field(description="−ln p(true class); null when p = 0 (infinite)")
    infinite: bool
    predicted_class: int


class TableResult(Result):
    kind: str
    classes: list[str]
    rows: list[TableRow]
    mean: Number | None
    infinite: bool


class SetProbabilityRequest(Request):
    """Set one probability of a row; the others are rescaled so that the row sums to 1."""

    row: list[float] = Field(min_length=2, max_length=lesson.MAX_CLASSES)
    index: int = Field(ge=1, le=lesson.MAX_CLASSES, description="which entry, from 1")
    value: float = Field(ge=0, le=1)


class SetProbabilityResult(Result):
    row: Values = Field(description="sums to 1")
