"""Memory order of arrays: which axis is outermost in memory, whatever the logical shape.

Layers take and return NCHW arrays, but a convolution's output is naturally channel-major
in memory (its matrix product yields (O, N·L)), so it returns a transposed *view*. Layers
that follow keep whatever order they receive, because an elementwise operation between two
arrays of different memory orders strides across memory and runs ~1.5–2× slower.
"""

from __future__ import annotations

import numpy as np


def memory_order(a: np.ndarray) -> tuple[int, ...]:
    """Axes of ``a`` from outermost to innermost in memory: (0, 1, 2, 3) for C order,
    (1, 0, 2, 3) for a channel-major NCHW view. Ties (length-1 axes) keep logical order."""
    return tuple(sorted(range(a.ndim), key=lambda axis: -abs(a.strides[axis])))


def zeros_in_order(shape, order, dtype, *, fill: bool = True) -> np.ndarray:
    """Zeros of logical ``shape``, laid out in memory with axes ``order`` outermost first
    (``fill=False``: uninitialised, for a caller that writes every element)."""
    stored_shape = [shape[axis] for axis in order]
    stored = written_zeros(stored_shape, dtype) if fill else np.empty(stored_shape, dtype=dtype)
    return stored.transpose(np.argsort(order))


def written_zeros(shape, dtype) -> np.ndarray:
    """Zeros for an array that is read and added into right away (a gradient being summed).

    Not ``np.zeros``: its pages are all mapped to one shared zero page until first written,
    and each of those writes then costs a fault and a TLB flush on every core, ~5% of a
    training epoch on two cores. Writing the zeros up front costs one plain pass.
    """
    array = np.empty(shape, dtype=dtype)
    array.fill(0)
    return array
