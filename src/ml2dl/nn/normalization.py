"""Batch normalisation (Ioffe & Szegedy 2015), PyTorch's semantics.

Training: normalise each channel by the batch's mean μ and biased variance σ²,
    x̂ = (x − μ) / √(σ² + ε),   y = γ x̂ + β,
and update the running statistics with momentum m (unbiased variance, as PyTorch):
    running_mean ← (1 − m)·running_mean + m·μ,  running_var ← (1 − m)·running_var + m·σ²·M/(M−1).
Evaluation: the running statistics replace μ and σ².

Backward in training (M values per channel), with ĝ = dL/dx̂ = g·γ:
    dL/dx = (1/√(σ²+ε)) · (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂))
    dL/dγ = Σ g·x̂,   dL/dβ = Σ g
The kernels (``kernels/norm.py``) compute each channel's statistics and sums on every core.
"""

from __future__ import annotations

import numpy as np

from . import kernels as K
from ..checks import InputError, number_in_range, positive_int, positive_number
from ._shapes import as_float_array
from .module import DEFAULT_DTYPE, Module, Parameter


class _BatchNorm(Module):
    _buffers = ("running_mean", "running_var", "num_batches_tracked")
    _ndims: tuple[int, ...] = ()
    _layout = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 *, dtype=DEFAULT_DTYPE):
        super().__init__()
        self.num_features = positive_int("num_features", num_features)
        self.momentum = number_in_range("momentum", momentum, 0.0, 1.0)
        self.eps = positive_number("eps", eps)
        self.affine = bool(affine)
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self.num_batches_tracked = np.array(0, dtype=np.int64)

    def reset_parameters(self, rng=None):
        self.running_mean[...] = 0
        self.running_var[...] = 1
        self.num_batches_tracked = np.array(0, dtype=np.int64)
        if self.affine:
            self.weight.data[...] = 1
            self.bias.data[...] = 0
        return self

    def forward(self, x):
        x = as_float_array(x, type(self).__name__)
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise InputError(f"{type(self).__name__}({self.num_features}) expects input of shape "
                             f"{self._layout.replace('C', str(self.num_features))}, got shape {x.shape}")
        m = x.size // self.num_features  # values per channel
        if self.training and m < 2:
            raise InputError(f"{type(self).__name__} needs more than 1 value per channel in training, "
                             f"got input of shape {x.shape}")
        weight, bias = (self.weight.data, self.bias.data) if self.affine else (None, None)
        stats = (None, None) if self.training else (self.running_mean, self.running_var)
        # x̂ = (x − μ) / √(σ² + ε),  y = γ x̂ + β  (μ, σ²: this batch's in training, the running ones in eval)
        y, x_hat, inv_std, mean, var = K.normalise(x, *stats, self.eps, weight, bias, self._work)
        if self.training:
            mom = self.momentum
            self.running_mean = ((1 - mom) * self.running_mean + mom * mean).astype(self.running_mean.dtype)
            self.running_var = ((1 - mom) * self.running_var + mom * var * (m / (m - 1))).astype(
                self.running_var.dtype)
            self.num_batches_tracked = self.num_batches_tracked + 1
        self._cache = (x_hat, inv_std, self.training)
        return y

    def backward(self, grad_out):
        """With ĝ = g·γ and per-channel sums over the M values, since mean(ĝ) = γ·Σg/M and
        mean(ĝ x̂) = γ·Σg x̂/M:  dL/dx = γ/√(σ²+ε) · (g − Σg/M − x̂ · Σg x̂/M)."""
        x_hat, inv_std, training = self._cache
        scale = inv_std * self.weight.data if self.affine else inv_std       # γ/√(σ²+ε)
        dx, sum_g, sum_gx = K.normalise_backward(grad_out, x_hat, scale, batch=training)
        if self.affine:
            self.weight.grad += sum_gx                                         # dL/dγ = Σ g·x̂
            self.bias.grad += sum_g                                            # dL/dβ = Σ g
        return dx

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def config(self):
        cfg = {"num_features": self.num_features}
        if self.eps != 1e-5:
            cfg["eps"] = self.eps
        if self.momentum != 0.1:
            cfg["momentum"] = self.momentum
        if not self.affine:
            cfg["affine"] = False
        return cfg


class BatchNorm1d(_BatchNorm):
    """Batch norm over features: input (N, C) or (N, C, L); statistics per feature C.

    Args:
        num_features: C.
        eps: added to the variance for stability (1e-5).
        momentum: weight of the new batch in the running statistics (0.1).
        affine: learn γ (``weight``) and β (``bias``).

    Shape: (N, C) → (N, C), or (N, C, L) → (N, C, L); statistics per feature over N (·L) values.
    """

    _ndims = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over channels of images: statistics per channel over N·H·W values.

    Args: as :class:`BatchNorm1d`.

    Shape: (N, C, H, W) → (N, C, H, W). Parameters γ, β: 2·C; buffers: running mean and variance.

    Example::

        bn = BatchNorm2d(16)
        y = bn(x)                  # x (64, 16, 28, 28): each channel of y has mean 0, variance ≈ 1
        bn.eval(); bn(x)           # now normalised by the running statistics
    """

    _ndims = (4,)
    _layout = "(N, C, H, W)"
