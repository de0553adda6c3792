"""Batch-norm kernels: per-channel statistics, normalisation, and the sums of its backward pass.

Each channel's M values are worked on as one row of a (C, M) matrix: a view when the input is
channel-major, as a convolution returns it (other inputs are copied into that order once),
and the channels are split between cores. x̂ is kept in the layer's :class:`~.memory.Workspace`.
"""

from __future__ import annotations

import numpy as np

from .memory import Workspace
from .threads import in_parts


def channel_rows(x: np.ndarray) -> np.ndarray:
    """(N, C, ...) → (C, M) with M = N·(H·W…) values per channel: a view when channel-major."""
    return np.ascontiguousarray(np.moveaxis(x, 1, 0)).reshape(x.shape[1], -1)


def as_input(rows: np.ndarray, shape) -> np.ndarray:
    """A (C, M) matrix back to the input's logical (N, C, ...) shape (a channel-major view)."""
    return np.moveaxis(rows.reshape(shape[1], shape[0], *shape[2:]), 0, 1)


def normalise(x: np.ndarray, mean, var, eps: float, weight, bias, work: Workspace):
    """y = γ·x̂ + β with x̂ = (x − μ) / √(σ² + ε) per channel; returns (y, x̂ rows, 1/√(σ²+ε), μ, σ²).

    ``mean`` and ``var`` None: the batch's own (σ² biased, Σ(x − μ)² / M), as in training;
    else the given per-channel values (evaluation). ``weight``, ``bias``: γ, β or None.
    """
    rows = channel_rows(x)
    c, m = rows.shape
    batch = mean is None
    x_hat = work.array("x_hat", rows.shape, x.dtype)  # kept for backward
    y = np.empty_like(rows)
    mean_, var_ = np.empty(c, dtype=x.dtype), np.empty(c, dtype=x.dtype)
    if not batch:
        mean_[...], var_[...] = mean, var
    inv_std = np.empty(c, dtype=x.dtype)

    def part(ch):  # some channels
        centred = x_hat[ch]
        if batch:
            mean_[ch] = rows[ch].mean(axis=1)
        np.subtract(rows[ch], mean_[ch, None], out=centred)
        if batch:
            var_[ch] = np.einsum("ij,ij->i", centred, centred) / m
        inv_std[ch] = 1 / np.sqrt(var_[ch] + eps)
        centred *= inv_std[ch, None]                                  # now x̂
        if weight is None:
            y[ch] = centred
        else:
            np.multiply(centred, weight[ch, None], out=y[ch])
            y[ch] += bias[ch, None]

    in_parts(part, c, rows.size)
    return as_input(y, x.shape), x_hat, inv_std, mean_, var_


def normalise_backward(grad: np.ndarray, x_hat: np.ndarray, scale: np.ndarray, batch: bool):
    """dL/dx from g = dL/dy; returns (dx, Σg, Σg·x̂) per channel (Σ over the M values).

    ``scale`` = γ/√(σ²+ε). With batch statistics (training):
        dx = scale · (g − Σg/M − x̂ · Σg·x̂/M)
    with fixed statistics (evaluation) they are constants: dx = scale · g.
    """
    c, m = x_hat.shape
    g = channel_rows(grad)
    sum_g, sum_gx = np.empty(c, dtype=g.dtype), np.empty(c, dtype=g.dtype)
    dx = np.empty_like(g)

    def part(ch):
        sum_g[ch] = g[ch].sum(axis=1)
        sum_gx[ch] = np.einsum("ij,ij->i", g[ch], x_hat[ch])
        if not batch:
            np.multiply(g[ch], scale[ch, None], out=dx[ch])
            return
        np.subtract(g[ch], (sum_g[ch] / m)[:, None], out=dx[ch])
        dx[ch] -= x_hat[ch] * (sum_gx[ch] / m)[:, None]
        dx[ch] *= scale[ch, None]

    in_parts(part, c, g.size)
    return as_input(dx, grad.shape), sum_g, sum_gx
