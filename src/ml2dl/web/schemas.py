"""Request models for steps 1, 3, 4, 6 and 8, with every limit explicit.

The limits are the edge of what the lesson pages offer (and a bit more for the
number boxes); anything outside gets a 422 saying what was expected and what was
received (see ``app.validation_message``). Responses are the lesson functions'
plain dicts, returned unchanged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ActivationName = Literal["sigmoid", "tanh", "relu", "leaky_relu", "step", "linear", "softmax"]


class _Request(BaseModel):
    # Unknown settings are a typo in the page or the caller: say so instead of ignoring them.
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- step 1: neuron

class NeuronRequest(_Request):
    """z = w₁x₁ + w₂x₂ + b, ŷ = σ(z). Defaults are the curriculum's worked example."""

    x1: float = Field(0.8, ge=-10, le=10, description="first input")
    x2: float = Field(0.3, ge=-10, le=10, description="second input")
    w1: float = Field(0.7, ge=-10, le=10, description="weight of x1")
    w2: float = Field(-0.5, ge=-10, le=10, description="weight of x2")
    b: float = Field(0.1, ge=-10, le=10, description="bias")


# ---------------------------------------------------------------- step 3: activations

class ActivationRequest(_Request):
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


class StackRequest(_Request):
    """A 1 → k → k → 1 network with fixed seeded weights, the activation on or off."""

    fn: ActivationName = "tanh"
    width: int = Field(3, ge=1, le=8, description="k, neurons per hidden layer")
    seed: int = Field(1, ge=0, le=9999, description="seed of the fixed weights")
    negative_slope: float = Field(0.1, ge=0, le=1)


# ---------------------------------------------------------------- step 4: layers

class LayersRequest(_Request):
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


# ---------------------------------------------------------------- step 6: convolution

class ConvolutionRequest(_Request):
    """Parameters of one layer on a size × size grayscale image: fully connected vs convolution."""

    size: int = Field(28, ge=4, le=1024, description="image height = width, in pixels")
    neurons: int = Field(32, ge=1, le=1024, description="neurons (fully connected) = filters (convolution)")
    kernel: int = Field(3, ge=1, le=11, description="convolution kernel size k (k × k)")


class ConvolutionQuizRequest(_Request):
    """The quiz: a 100-pixel image into 10 nodes, vs a 3×3 convolution with 10 feature maps."""

    fc_answer: int | None = Field(None, ge=0, le=10**12, description="the student's fully connected count")
    conv_answer: int | None = Field(None, ge=0, le=10**12, description="the student's convolution count")


# ---------------------------------------------------------------- step 8: pooling

class PoolingRequest(_Request):
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
