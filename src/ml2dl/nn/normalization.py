"""Batch normalisation (Ioffe & Szegedy 2015), PyTorch's semantics.

Training: normalise each channel by the batch's mean μ and biased variance σ²,
    x̂ = (x − μ) / √(σ² + ε),   y = γ x̂ + β,
and update the running statistics with momentum m (unbiased variance, as PyTorch):
    running_mean ← (1 − m)·running_mean + m·μ,  running_var ← (1 − m)·running_var + m·σ²·M/(M−1).
Evaluation: the running statistics replace μ and σ².

Backward in training (M values per channel), with ĝ = dL/dx̂ = g·γ:
    dL/dx = (1/√(σ²+ε)) · (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂))
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, positive_int
from .module import DEFAULT_DTYPE, Module, Parameter


class _BatchNorm(Module):
    _buffers = ("running_mean", "running_var", "num_batches_tracked")
    _ndims: tuple[int, ...] = ()
    _layout = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 *, dtype=DEFAULT_DTYPE):
        super().__init__()
        self.num_features = positive_int("num_features", num_features)
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
        if eps <= 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        self.eps, self.momentum, self.affine = float(eps), float(momentum), bool(affine)
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

    def _axes_and_shape(self, x):
        """Reduction axes (all but channels) and the broadcast shape of per-channel values."""
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, self.num_features) + (1,) * (x.ndim - 2)
        return axes, shape

    def forward(self, x):
        x = as_float_array(x, type(self).__name__)
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}) expects input of shape "
                             f"{self._layout.replace('C', str(self.num_features))}, got shape {x.shape}")
        axes, shape = self._axes_and_shape(x)
        if self.training:
            m = x.size // self.num_features
            if m < 2:
                raise ValueError(f"{type(self).__name__} needs more than 1 value per channel in training, "
                                 f"got input of shape {x.shape}")
            mean = x.mean(axis=axes, dtype=x.dtype)
            centred = x - mean.reshape(shape)
            var = np.mean(centred * centred, axis=axes, dtype=x.dtype)
            mom = self.momentum
            self.running_mean = ((1 - mom) * self.running_mean + mom * mean).astype(self.running_mean.dtype)
            self.running_var = ((1 - mom) * self.running_var + mom * var * (m / (m - 1))).astype(
                self.running_var.dtype)
            self.num_batches_tracked = self.num_batches_tracked + 1
        else:
            mean, var = self.running_mean.astype(x.dtype), self.running_var.astype(x.dtype)
            centred = x - mean.reshape(shape)
        inv_std = (1.0 / np.sqrt(var + self.eps)).astype(x.dtype)
        x_hat = centred * inv_std.reshape(shape)
        self._cache = (x_hat, inv_std, axes, shape, self.training)
        if not self.affine:
            return x_hat
        return x_hat * self.weight.data.reshape(shape) + self.bias.data.reshape(shape)

    def backward(self, grad_out):
        x_hat, inv_std, axes, shape, training = self._cache
        if self.affine:
            self.weight.grad += (grad_out * x_hat).sum(axis=axes)
            self.bias.grad += grad_out.sum(axis=axes)
            g_hat = grad_out * self.weight.data.reshape(shape)
        else:
            g_hat = grad_out
        if not training:  # statistics are constants in eval mode
            return g_hat * inv_std.reshape(shape)
        mean_g = g_hat.mean(axis=axes, keepdims=True)
        mean_gx = (g_hat * x_hat).mean(axis=axes, keepdims=True)
        return (g_hat - mean_g - x_hat * mean_gx) * inv_std.reshape(shape)

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
    """

    _ndims = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over channels of images: input (N, C, H, W); statistics per channel over N·H·W values.

    Args: as :class:`BatchNorm1d`.
    """

    _ndims = (4,)
    _layout = "(N, C, H, W)"
