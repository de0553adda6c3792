"""Linear (fully connected), Flatten and Dropout.

    forward                  backward, g = dL/dy (N, out)
    y = x Wᵀ + b             dL/dx = g W     dL/dW = gᵀ x     dL/db = Σₙ g
"""

from __future__ import annotations

import numpy as np

from . import init, kernels as K
from ..checks import InputError, fraction, positive_int, rng as generator
from ._shapes import as_float_array
from .module import DEFAULT_DTYPE, Module, Parameter


class Linear(Module):
    r"""Fully connected layer: :math:`y = x W^\top + b`.

    Args:
        in_features: size of each input example.
        out_features: number of neurons.
        bias: learn an additive bias.
        rng: ``np.random.Generator`` or seed for the initial weights.
        init: ``"default"`` (PyTorch's U(−1/√in, 1/√in)), ``"he"``, ``"he_uniform"``, ``"xavier"``.

    Shape:
        input (N, in_features) → output (N, out_features). Parameters: in·out + out.

    Backward: dL/dx = g W, dL/dW = gᵀ x, dL/db = Σₙ g.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, rng=None,
                 init: str = "default", dtype=DEFAULT_DTYPE):
        super().__init__()
        self.in_features = positive_int("in_features", in_features)
        self.out_features = positive_int("out_features", out_features)
        self.init = init
        self.weight = Parameter(np.zeros((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.zeros(out_features, dtype=dtype)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng=None):
        init.initialise(self.weight, self.bias, self.init, generator(rng))
        return self

    def forward(self, x):
        x = as_float_array(x, "Linear")
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise InputError(f"Linear(in_features={self.in_features}) expects input of shape "
                             f"(N, {self.in_features}), got shape {x.shape}")
        self._x = x
        return K.matmul(x, self.weight.data.T, None if self.bias is None else self.bias.data)  # x Wᵀ + b

    can_skip_input_grad = True

    def backward(self, grad_out, *, input_grad: bool = True):
        """dL/dx, or None when ``input_grad`` is False (a first layer needs no input gradient)."""
        weight_grad, bias_grad = K.batch_sums(grad_out, self._x)     # gᵀ x and Σₙ g
        self.weight.grad += weight_grad
        if self.bias is not None:
            self.bias.grad += bias_grad
        return K.matmul(grad_out, self.weight.data) if input_grad else None  # g W

    def output_shape(self, input_shape):
        if input_shape[-1] != self.in_features:
            raise InputError(f"Linear(in_features={self.in_features}) cannot take input of shape {input_shape}")
        return (*input_shape[:-1], self.out_features)

    def config(self):
        cfg = {"in_features": self.in_features, "out_features": self.out_features}
        if self.bias is None:
            cfg["bias"] = False
        if self.init != "default":
            cfg["init"] = self.init
        return cfg


class Flatten(Module):
    """Flatten every axis after the batch axis: (N, C, H, W) → (N, C·H·W)."""

    def forward(self, x):
        self._shape = np.shape(x)
        return np.reshape(x, (self._shape[0], -1))

    def backward(self, grad_out):
        return grad_out.reshape(self._shape)

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)


class Dropout(Module):
    """During training, zero each element with probability p and scale the rest by 1/(1−p).

    In ``eval()`` mode it is the identity, so the expected activation is the same in both
    modes ("inverted dropout", as PyTorch). A regulariser: no neuron can rely on another.

    Args:
        p: probability of dropping an element, in [0, 1).
        rng: ``np.random.Generator`` or seed for the masks.
    """

    def __init__(self, p: float = 0.5, *, rng=None):
        super().__init__()
        self.p = fraction("p", p)
        self.rng = generator(rng)

    def reset_parameters(self, rng=None):
        self.rng = generator(rng)
        return self

    def forward(self, x):
        x = as_float_array(x, "Dropout")
        if not self.training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64) >= self.p
        self._mask = keep.astype(x.dtype) / (1 - self.p)
        return x * self._mask

    def backward(self, grad_out):
        return grad_out if self._mask is None else grad_out * self._mask

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def config(self):
        return {"p": self.p}
