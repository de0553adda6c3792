"""The kernels' memory: the order of arrays in memory, and the working memory a layer reuses.

Memory order. Layers take and return NCHW arrays, but a convolution's output is naturally
channel-major in memory (its matrix product yields (O, N·L)), so it returns a transposed
*view*. The kernels that follow keep whatever order they receive, because an elementwise
operation between two arrays of different memory orders strides across memory and runs
~1.5–2× slower.

Working memory. Every layer owns a :class:`Workspace`: arrays (patch matrices, masks) its
kernels reuse from one call to the next instead of asking for fresh ones. Each first touch
of a fresh page is a fault, and they added up to ~5% of a training epoch.
"""

from __future__ import annotations

import math
import threading

import numpy as np


def memory_order(a: np.ndarray) -> tuple[int, ...]:
    """Axes of ``a`` from outermost to innermost in memory: (0, 1, 2, 3) for C order,
    (1, 0, 2, 3) for a channel-major NCHW view. Ties (length-1 axes) keep logical order."""
    if a.flags.c_contiguous:
        return tuple(range(a.ndim))
    return tuple(sorted(range(a.ndim), key=lambda axis: -abs(a.strides[axis])))


def inverse(order) -> tuple[int, ...]:
    """The permutation that undoes ``order``: ``a.transpose(order).transpose(inverse(order))`` is ``a``."""
    return tuple(sorted(range(len(order)), key=order.__getitem__))


def zeros_in_order(shape, order, dtype, *, fill: bool = True) -> np.ndarray:
    """Zeros of logical ``shape``, laid out in memory with axes ``order`` outermost first
    (``fill=False``: uninitialised, for a caller that writes every element)."""
    stored_shape = [shape[axis] for axis in order]
    stored = written_zeros(stored_shape, dtype) if fill else np.empty(stored_shape, dtype=dtype)
    return stored.transpose(inverse(order))


def written_zeros(shape, dtype) -> np.ndarray:
    """Zeros for an array that is read and added into right away (a gradient being summed).

    Not ``np.zeros``: its pages are all mapped to one shared zero page until first written,
    and each of those writes then costs a fault and a TLB flush on every core, ~5% of a
    training epoch on two cores. Writing the zeros up front costs one plain pass.
    """
    array = np.empty(shape, dtype=dtype)
    array.fill(0)
    return array


class Workspace:
    """Arrays kept from one call of a layer's kernels to the next, one set per thread.

    ``array(name, shape, dtype)`` returns the array kept under ``name`` when it has that shape,
    dtype and memory order; else an array of that shape carved from the memory kept under
    ``name`` when it is large enough, else from new memory (which is then kept). Only for
    arrays whose old contents are dead by the next call of the same layer in the same thread:
    a forward pass's patch matrix lives until its backward pass, and the next forward pass
    overwrites it.

    The memory is kept at the largest size asked: the sizes alternate within every epoch
    (training batches of 64, a last batch of 36, validation batches of 256 and a last one of
    12), and new memory at each change cost its page faults again (the validation pass of the
    strong CNN took ~2.5× PyTorch's, measured, ~1.1× without them).

    Each thread has its own arrays, so several threads may run forward passes through one
    shared model (the web module's inference) without writing into each other's memory.
    (A backward pass still needs its own forward pass's cache: train in one thread per model.)
    """

    def __init__(self):
        self._local = threading.local()

    def array(self, name: str, shape, dtype, *, order=None, zeros: bool = False) -> np.ndarray:
        """The array kept under ``name``, of logical ``shape`` laid out with axes ``order``
        outermost first (default C order). ``zeros``: filled with zeros when its shape (or its
        memory) changes; after that it holds whatever the kernels left in it."""
        try:
            kept = self._local.arrays
        except AttributeError:
            kept = self._local.arrays = {}
        key = (tuple(shape), np.dtype(dtype), None if order is None else tuple(order))
        entry = kept.get(name)
        if entry is not None and entry[0] == key:  # the usual case: the same call as last time
            return entry[1]
        order = tuple(range(len(shape))) if order is None else tuple(order)
        stored_shape = [shape[axis] for axis in order]
        size = math.prod(stored_shape)
        memory = None if entry is None else entry[2]
        if memory is None or memory.dtype != key[1] or memory.size < size:
            memory = (np.zeros if zeros else np.empty)(size, dtype=dtype)
        elif zeros:
            memory[:size].fill(0)
        array = memory[:size].reshape(stored_shape).transpose(inverse(order))
        kept[name] = (key, array, memory)
        return array

    def clear(self) -> None:
        """Let go of the arrays kept for this thread (the next call allocates them again)."""
        self._local.arrays = {}

    # copies and pickles of a model start with empty working memory
    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.__init__()
