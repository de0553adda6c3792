"""Matrix products over a batch of rows, and the ReLU: elementwise work split across cores.

Rows (examples) are split across cores; a sum over the batch (dL/dW = gᵀ x) is taken part
by part and the parts are added in order, so a thread count always gives the same bits.
"""

from __future__ import annotations

import numpy as np
try:  # the ufunc itself, without np.clip's Python wrapper (~1.5 µs a call)
    from numpy._core.umath import clip as _clip
except ImportError:  # NumPy 1
    from numpy.core.umath import clip as _clip

from .memory import Workspace, memory_order
from .threads import in_parts, in_parts_along


def matmul(a: np.ndarray, b: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """``a @ b (+ bias)`` for a batch of rows ``a`` (N, K), b (K, M), bias (M,): (N, M)."""
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))

    def part(rows):
        np.matmul(a[rows], b, out=out[rows])
        if bias is not None:
            out[rows] += bias

    in_parts(part, a.shape[0], a.size + out.size, flops=out.size * a.shape[1])
    return out


def batch_sums(g: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gᵀ x, Σₙ g): over a batch of rows g (N, M), x (N, K), the (M, K) sum of the outer
    products g[n] x[n]ᵀ and the (M,) sum of g, each core summing its own rows."""
    parts = in_parts(lambda rows: (g[rows].T @ x[rows], g[rows].sum(axis=0)), g.shape[0], x.size + g.size,
                     flops=g.size * x.shape[1])
    outer, total = parts[0]
    for more_outer, more_total in parts[1:]:
        outer += more_outer
        total += more_total
    return outer, total


def relu(x: np.ndarray, work: Workspace, *, mask: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(max(0, x), the mask x > 0), both in x's memory order; the mask is working memory.

    ``mask=False`` (inference): x itself is returned in the mask's place, and :func:`masked`
    compares it with 0 if it is ever asked.
    """
    y = np.empty_like(x)  # in x's memory order, as the mask
    where = work.array("mask", x.shape, bool, order=memory_order(x)) if mask else x
    zero, infinity = x.dtype.type(0), x.dtype.type(np.inf)

    def part(i):  # a slice along x's outermost axis in memory
        if mask:
            np.greater(x[i], 0, out=where[i])
        # clip with bounds of x's own type: ~4× faster in NumPy 2 than maximum(x, 0),
        # whose scalar operand takes a slow path; the same values, NaN kept
        _clip(x[i], zero, infinity, out=y[i])

    in_parts_along(part, x)
    return y, where


def masked(grad: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """grad · mask, in the mask's memory order (a non-boolean ``mask`` is the input x: mask = x > 0)."""
    if mask.dtype != bool:
        mask = mask > 0
    dx = np.empty_like(mask, dtype=grad.dtype)

    def part(i):
        np.multiply(grad[i], mask[i], out=dx[i])

    in_parts_along(part, mask)
    return dx
