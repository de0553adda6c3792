"""Batch normalisation (Ioffe & Szegedy 2015), PyTorch's semantics.

Training: normalise each channel by the batch's mean μ and biased variance σ²,
    x̂ = (x − μ) / √(σ² + ε),   y = γ x̂ + β,
and update the running statistics with momentum m (unbiased variance, as PyTorch):
    running_mean ← (1 − m)·running_mean + m·μ,  running_var ← (1 − m)·running_var + m·σ²·M/(M−1).
Evaluation: the running statistics replace μ and σ².

Backward in training (M values per channel), with ĝ = dL/dx̂ = g·γ:
    dL/dx = (1/√(σ²+ε)) · (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂))

Each channel's M values are worked on as one row of a (C, M) matrix — a view when the input
is channel-major, as a convolution returns it — and the channels are split between cores.
"""

from __future__ import annotations

import numpy as np

from ..checks import InputError, number_in_range, positive_int, positive_number
from ._shapes import as_float_array
from ._parallel import in_parts
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
        # Work on a (C, M) matrix, one row per channel: a view of a channel-major input (what
        # a convolution returns); other inputs are copied into that order once.
        rows = np.ascontiguousarray(np.moveaxis(x, 1, 0)).reshape(self.num_features, m)
        x_hat = self.scratch("x_hat", rows.shape, x.dtype)  # kept for backward
        y = np.empty_like(rows)
        mean, var = np.empty(self.num_features, dtype=x.dtype), np.empty(self.num_features, dtype=x.dtype)
        if not self.training:
            mean[...], var[...] = self.running_mean, self.running_var
        inv_std = np.empty(self.num_features, dtype=x.dtype)
        weight = self.weight.data if self.affine else None
        bias = self.bias.data if self.affine else None

        def part(ch):  # some channels, on their own core
            centred = x_hat[ch]
            if self.training:
                mean[ch] = rows[ch].mean(axis=1)
            np.subtract(rows[ch], mean[ch, None], out=centred)
            if self.training:
                var[ch] = np.einsum("ij,ij->i", centred, centred) / m   # biased: Σ(x − μ)² / M
            inv_std[ch] = 1 / np.sqrt(var[ch] + self.eps)
            centred *= inv_std[ch, None]                                  # now x̂
            if weight is None:
                y[ch] = centred
            else:
                np.multiply(centred, weight[ch, None], out=y[ch])
                y[ch] += bias[ch, None]

        in_parts(part, self.num_features, rows.size)
        if self.training:
            mom = self.momentum
            self.running_mean = ((1 - mom) * self.running_mean + mom * mean).astype(self.running_mean.dtype)
            self.running_var = ((1 - mom) * self.running_var + mom * var * (m / (m - 1))).astype(
                self.running_var.dtype)
            self.num_batches_tracked = self.num_batches_tracked + 1
        self._cache = (x_hat, inv_std, x.shape, self.training)
        return self._as_input(y, x.shape)

    @staticmethod
    def _as_input(rows, shape):
        """A (C, M) matrix back to the input's logical shape (a channel-major view)."""
        return np.moveaxis(rows.reshape(shape[1], shape[0], *shape[2:]), 0, 1)

    def backward(self, grad_out):
        """With ĝ = g·γ and per-channel sums over the M values, since mean(ĝ) = γ·Σg/M and
        mean(ĝ x̂) = γ·Σg x̂/M:  dL/dx = γ/√(σ²+ε) · (g − Σg/M − x̂ · Σg x̂/M)."""
        x_hat, inv_std, shape, training = self._cache
        c, m = x_hat.shape
        g = np.ascontiguousarray(np.moveaxis(grad_out, 1, 0)).reshape(c, m)
        sum_g, sum_gx = np.empty(c, dtype=g.dtype), np.empty(c, dtype=g.dtype)
        dx = np.empty_like(g)
        scale = inv_std * self.weight.data if self.affine else inv_std

        def part(ch):
            sum_g[ch] = g[ch].sum(axis=1)
            sum_gx[ch] = np.einsum("ij,ij->i", g[ch], x_hat[ch])
            if not training:  # statistics are constants in eval mode
                np.multiply(g[ch], scale[ch, None], out=dx[ch])
                return
            np.subtract(g[ch], (sum_g[ch] / m)[:, None], out=dx[ch])
            dx[ch] -= x_hat[ch] * (sum_gx[ch] / m)[:, None]
            dx[ch] *= scale[ch, None]

        in_parts(part, c, g.size)
        if self.affine:
            self.weight.grad += sum_gx
            self.bias.grad += sum_g
        return self._as_input(dx, shape)

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
