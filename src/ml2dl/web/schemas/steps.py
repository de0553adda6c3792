"""Steps 1, 3, 4, 6 and 8: requests with every limit explicit, and what the lessons answer.

The request limits are the edge of what the lesson pages offer (and a bit more for the
number boxes); anything outside gets a 422 saying what was expected and what was received.
The results document the lesson functions' dicts (``ml2dl.lessons.<topic>``), unchanged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from .base import Grid, Number, Request, Result, Values, WholeGrid

ActivationName = Literal["sigmoid", "tanh", "relu", "leaky_relu", "step", "linear", "softmax"]


# ---------------------------------------------------------------- step 1: neuron

class NeuronRequest(Request):
    """z = w₁x₁ + w₂x₂ + b, ŷ = σ(z). Defaults are the curriculum's worked example."""

    x1: float = Field(0.8, ge=-10, le=10, description="first input")
    x2: float = Field(0.3, ge=-10, le=10, description="second input")
    w1: float = Field(0.7, ge=-10, le=10, description="weight of x1")
    w2: float = Field(-0.5, ge=-10, le=10, description="weight of x2")
    b: float = Field(0.1, ge=-10, le=10, description="bias")


class Curve(Result):
    z: Values
    y: Values


class NeuronResult(Result):
    """The forward pass, term by term, and σ around z (``lessons.neuron.neuron``)."""

    inputs: Values = Field(description="[x₁, x₂]")
    weights: Values = Field(description="[w₁, w₂]")
    bias: Number
    terms: Values = Field(description="[w₁x₁, w₂x₂]")
    z: Number = Field(description="w₁x₁ + w₂x₂ + b")
    yhat: Number = Field(description="σ(z), the predicted probability")
    slope: Number = Field(description="σ′(z) = σ(z)(1 − σ(z))")
    prediction: str = Field(description="the class named by ŷ > 0.5")
    curve: Curve = Field(description="σ over z, for the plot")


# ---------------------------------------------------------------- step 3: activations

class ActivationRequest(Request):
    """One activation function: its curve, derivative and value at z."""

    fn: ActivationName = "sigmoid"
    z: float = Field(0.0, ge=-10, le=10, description="where to evaluate f(z) and f'(z)")
    negative_slope: float = Field(0.1, ge=0, le=1, description="leaky ReLU's slope a for z < 0")
    vector: list[float] = Field(default_factory=lambda: [2.0, 1.0, 0.1], min_length=2, max_length=8,
                                description="softmax's input vector (one score per class)")

    @field_validator("vector")
    @classmethod
    def _vector_in_range(cls, v: list[float]) -> list[float]:
        for i, value in enumerate(v):
            if not -20 <= value <= 20:
                raise ValueError(f"vector[{i}] must be between −20 and 20, got {value:g}")
        return v


class StackRequest(Request):
    """A 1 → k → k → 1 network with fixed seeded weights, the activation on or off."""

    fn: ActivationName = "tanh"
    width: int = Field(3, ge=1, le=8, description="k, neurons per hidden layer")
    seed: int = Field(1, ge=0, le=9999, description="seed of the fixed weights")
    negative_slope: float = Field(0.1, ge=0, le=1)


class ActivationCurve(Result):
    z: Values
    f: Values
    df: Values


class ActivationPoint(Result):
    z: Number
    f: Number
    df: Number


class SoftmaxResult(Result):
    vector: Values
    exp: Values
    exp_sum: Number
    probabilities: Values
    total: Number
    argmax: int


class ActivationResult(Result):
    """f and f′ over a range and at z (``lessons.activations.activation``)."""

    fn: str
    name: str
    output_range: str
    used_for: str
    negative_slope: Number
    softmax: SoftmaxResult | None = Field(description="softmax's probabilities (null for other functions)")
    curve: ActivationCurve
    at: ActivationPoint


class StackSide(Result):
    hidden: list[Grid] = Field(description="per hidden layer, each neuron's output over x")
    output: Values
    line_deviation: Number = Field(description="largest distance of the output from its best straight line")
    shape: Literal["constant", "straight", "bends"] = Field(description="what the output is: flat, (within 1 % of its range of) a line, or bent")


class Collapsed(Result):
    weight: Number
    bias: Number
    max_abs_error: Number


class StackResult(Result):
    """The 1 → k → k → 1 network with the activation on and off (``lessons.activations.stack``)."""

    fn: str
    width: int
    seed: int
    x: Values
    on: StackSide
    off: StackSide
    collapsed: Collapsed = Field(description="W₃W₂W₁ and its bias: the 'off' network is one line")
    shapes: dict[str, list[int]]
    num_parameters: int


# ---------------------------------------------------------------- step 4: layers

class LayersRequest(Request):
    """Layer sizes from input to output, e.g. [10, 10, 10, 10]."""

    sizes: list[int] = Field(default_factory=lambda: [10, 10, 10, 10], min_length=2, max_length=10,
                             description="inputs, then the neurons of each layer (the last is the output)")

    @field_validator("sizes")
    @classmethod
    def _sizes_in_range(cls, v: list[int]) -> list[int]:
        for i, n in enumerate(v):
            if not 1 <= n <= 100_000:
                raise ValueError(f"sizes[{i}] must be between 1 and 100000, got {n}")
        return v


class LayerRow(Result):
    index: int
    kind: Literal["hidden", "output"]
    inputs: int
    neurons: int
    weights: int
    biases: int
    params: int = Field(description="weights + biases = inputs × neurons + neurons")


class HierarchyLevel(Result):
    level: str
    what: str


class LayersResult(Result):
    """Per layer: inputs × neurons + neurons; and the total (``lessons.layers.layers``)."""

    sizes: list[int]
    layers: list[LayerRow]
    total: int
    hidden_layers: int
    hierarchy: list[HierarchyLevel]


# ---------------------------------------------------------------- step 6: convolution

class ConvolutionRequest(Request):
    """Parameters of one layer on a size × size grayscale image: fully connected vs convolution."""

    size: int = Field(28, ge=4, le=1024, description="image height = width, in pixels")
    neurons: int = Field(32, ge=1, le=1024, description="neurons (fully connected) = filters (convolution)")
    kernel: int = Field(3, ge=1, le=11, description="convolution kernel size k (k × k)")


class ConvolutionQuizRequest(Request):
    """The quiz: a 100-pixel image into 10 nodes, vs a 3×3 convolution with 10 feature maps."""

    fc_answer: int | None = Field(None, ge=0, le=10**12, description="the student's fully connected count")
    conv_answer: int | None = Field(None, ge=0, le=10**12, description="the student's convolution count")


class ParameterCount(Result):
    weights: int
    biases: int
    total: int


class ConvolutionSeries(Result):
    sizes: list[int]
    fully_connected: list[int]
    convolution: list[int]


class ConvolutionResult(Result):
    """H × W × neurons vs k × k × filters (``lessons.convolution.convolution``)."""

    size: int
    pixels: int
    neurons: int
    kernel: int
    fully_connected: ParameterCount
    convolution: ParameterCount
    ratio: Number = Field(description="fully connected ÷ convolution parameters")
    series: ConvolutionSeries


class QuizQuestion(Result):
    pixels: int
    nodes: int
    kernel: int
    maps: int


class QuizAnswer(Result):
    answer: int | None
    correct: bool | None
    working: str


class QuizResult(Result):
    """The quiz answers checked, with the working (``lessons.convolution.quiz``)."""

    question: QuizQuestion
    fully_connected: QuizAnswer
    convolution: QuizAnswer


# ---------------------------------------------------------------- step 8: pooling

class PoolingRequest(Request):
    """A size × size random grid pooled with 2×2 windows, stride 2."""

    size: int = Field(8, ge=4, le=16, description="grid side, even")
    seed: int = Field(0, ge=0, le=9999, description="seed of the random grid")
    start: int = Field(224, ge=2, le=4096, description="first size of the CNN progression")

    @field_validator("size")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError(f"size must be even so 2×2 windows tile the grid, got {v}")
        return v


class PoolWindow(Result):
    out: list[int] = Field(description="[row, col] of the output cell")
    cells: list[list[int]] = Field(description="the window's input cells")
    max: Number
    avg: Number
    winner: list[int] = Field(description="the input cell max pooling kept")


class PoolingResult(Result):
    """The grid, both poolings window by window, and the size progression (``lessons.pooling.pooling``)."""

    size: int
    seed: int
    kernel: int
    stride: int
    grid: Grid
    max: Grid
    avg: Grid
    winners: WholeGrid = Field(description="1 where max pooling kept the value")
    windows: list[PoolWindow]
    kept: int
    dropped: int
    progression: list[int]
