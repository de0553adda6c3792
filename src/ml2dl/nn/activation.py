"""Activation functions as layers, each with its derivative beside it.

Without an activation, stacked Linear layers collapse to one Linear layer
(W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂)); the nonlinearity is what lets depth bend
the decision boundary.

Every class has ``formula``, ``output_range`` and ``used_for`` strings for the lessons.
"""

from __future__ import annotations

import numpy as np

from . import kernels as K
from ..checks import choice, number_in_range
from ._shapes import as_float_array
from .functional import sigmoid, softplus  # noqa: F401  (sigmoid used by Sigmoid; both re-exported)
from .module import Module


class _Elementwise(Module):
    formula = ""
    output_range = ""
    used_for = ""

    def output_shape(self, input_shape):
        return tuple(input_shape)


class Identity(_Elementwise):
    """f(z) = z: a layer that does nothing ("linear", no activation). f′(z) = 1."""

    formula = "f(z) = z"
    output_range = "(−∞, ∞)"
    used_for = "No activation: regression outputs. Stacked linear layers collapse into one."

    def forward(self, x):
        return as_float_array(x, "Identity")

    def backward(self, grad_out):
        return grad_out


class Step(_Elementwise):
    """Heaviside step: f(z) = 1 if z > 0 else 0 (the perceptron's activation).

    Its derivative is zero everywhere (undefined at 0), so **no gradient flows through it**:
    ``backward`` returns zeros. That is why networks trained by gradient descent use
    smooth activations instead.
    """

    formula = "f(z) = 1 if z > 0, else 0"
    output_range = "{0, 1}"
    used_for = "The original perceptron; not trainable by gradient descent (its gradient is zero)."

    def forward(self, x):
        x = as_float_array(x, "Step")
        self._shape, self._dtype = x.shape, x.dtype
        return (x > 0).astype(x.dtype)

    def backward(self, grad_out):
        return np.zeros(self._shape, dtype=grad_out.dtype)


class Sigmoid(_Elementwise):
    """σ(z) = 1 / (1 + e^−z); σ′(z) = σ(z)(1 − σ(z)). Computed without overflow for large |z|."""

    formula = "σ(z) = 1 / (1 + e^(−z))"
    output_range = "(0, 1)"
    used_for = "Binary output layer: a probability (pneumonia vs normal)."

    def forward(self, x):
        x = as_float_array(x, "Sigmoid")
        self._y = sigmoid(x)
        return self._y

    def backward(self, grad_out):
        return grad_out * self._y * (1 - self._y)


class Tanh(_Elementwise):
    """tanh(z) = (e^z − e^−z) / (e^z + e^−z); tanh′(z) = 1 − tanh²(z)."""

    formula = "tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))"
    output_range = "(−1, 1)"
    used_for = "Hidden layers of small networks; zero-centred, saturates like the sigmoid."

    def forward(self, x):
        self._y = np.tanh(as_float_array(x, "Tanh"))
        return self._y

    def backward(self, grad_out):
        return grad_out * (1 - self._y * self._y)


class ReLU(_Elementwise):
    """ReLU(z) = max(0, z); derivative 1 for z > 0, 0 otherwise (0 at z = 0, as PyTorch)."""

    formula = "ReLU(z) = max(0, z)"
    output_range = "[0, ∞)"
    used_for = "Hidden layers of deep networks: cheap, and eases vanishing gradients."

    def forward(self, x):
        # max(0, x), and where x > 0 (in evaluation: found only if backward is called)
        y, self._mask = K.relu(as_float_array(x, "ReLU"), self._work, mask=self.training)
        return y

    def backward(self, grad_out):
        return K.masked(grad_out, self._mask)                           # g · [x > 0]


class LeakyReLU(_Elementwise):
    """f(z) = z if z > 0 else a·z; derivative 1 or a. Neurons never go fully silent.

    Args:
        negative_slope: a, the slope for z < 0 (default 0.01).
    """

    formula = "f(z) = z if z > 0, else a·z"
    output_range = "(−∞, ∞)"
    used_for = "Hidden layers, when ReLU units 'die' (stay at zero)."

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = number_in_range("negative_slope", negative_slope, 0.0)

    def forward(self, x):
        x = as_float_array(x, "LeakyReLU")
        self._mask = x > 0
        return np.where(self._mask, x, x * x.dtype.type(self.negative_slope))

    def backward(self, grad_out):
        return grad_out * np.where(self._mask, 1, self.negative_slope).astype(grad_out.dtype)

    def config(self):
        return {"negative_slope": self.negative_slope}


class Softmax(_Elementwise):
    """softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ along ``dim``: probabilities that sum to 1.

    Backward (the Jacobian-vector product): dL/dz = s ⊙ (g − Σⱼ gⱼ sⱼ).

    Args:
        dim: the axis holding the classes (1 for (N, K) logits).
    """

    formula = "softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ)"
    output_range = "(0, 1), summing to 1"
    used_for = "Multi-class output layer: one probability per class."

    def __init__(self, dim: int = 1):
        super().__init__()
        self.dim = int(dim)

    def forward(self, x):
        x = as_float_array(x, "Softmax")
        shifted = x - x.max(axis=self.dim, keepdims=True)  # e^(z − max) never overflows
        e = np.exp(shifted)
        self._y = e / e.sum(axis=self.dim, keepdims=True)
        return self._y

    def backward(self, grad_out):
        s = self._y
        return s * (grad_out - (grad_out * s).sum(axis=self.dim, keepdims=True))

    def config(self):
        return {"dim": self.dim}


def activation_by_name(name: str) -> Module:
    """A fresh activation layer by name: sigmoid, tanh, relu, leaky_relu, step, linear, softmax."""
    table = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU, "step": Step,
             "linear": Identity, "identity": Identity, "softmax": Softmax}
    return table[choice("activation", name, sorted(table))]()
