"""Pooling: shrink feature maps by summarising each window (max or mean).

Output size, no padding, floor mode (as PyTorch): Ho = ⌊(H − k) / s⌋ + 1.
With k = s = 2 each side halves: 224 → 112 → 56 → 28 → 14 → 7.
"""

from __future__ import annotations

import numpy as np

from ..checks import InputError, pair
from ._shapes import as_float_array, compact_pair, input_ndim
from ._layout import memory_order, written_zeros, zeros_in_order
from ._parallel import in_parts
from .module import Module


class _Pool2d(Module):
    """Shared geometry: a window of kh×kw values every (sh, sw) steps.

    Each kernel offset (u, v) selects, for every window at once, one strided plane of the
    input, ``x[:, :, u::sh, v::sw]`` cropped to Ho × Wo. Max and mean are then kh·kw
    elementwise operations on whole planes — no Python loop over windows or pixels.
    """

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = pair("kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else pair("stride", stride)

    def _out_hw(self, h, w):
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        if h < kh or w < kw:
            raise InputError(f"{self!r}: input of height×width {h}×{w} is smaller than the kernel {self.kernel_size}")
        return (h - kh) // sh + 1, (w - kw) // sw + 1

    def _planes(self, x_shape):
        """(k, u, v, index) for every kernel offset, k = u·kw + v (row-major)."""
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        ho, wo = self._out_hw(*x_shape[2:])
        for u in range(kh):
            for v in range(kw):
                yield u * kw + v, (slice(None), slice(None), slice(u, u + (ho - 1) * sh + 1, sh),
                                   slice(v, v + (wo - 1) * sw + 1, sw))

    def _check(self, x):
        x = as_float_array(x, type(self).__name__)
        input_ndim(x, (4,), type(self).__name__, "(N, C, H, W)")
        return x

    def output_shape(self, input_shape):
        c, h, w = input_shape
        return (c, *self._out_hw(h, w))

    def config(self):
        cfg = {"kernel_size": compact_pair(self.kernel_size)}
        if self.stride != self.kernel_size:
            cfg["stride"] = compact_pair(self.stride)
        return cfg


def first_maximum(values, best=None, which=None) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise maximum over equally shaped arrays, and (uint8) which array held it first.

    A running comparison with strict ``>``: on ties the earlier array keeps the place, as
    PyTorch's max pooling routes the gradient to the first maximum in row-major order.
    ``best`` and ``which``, if given, receive the results.
    """
    first, *rest = values
    best = np.empty_like(first) if best is None else best
    which = np.empty_like(best, dtype=np.uint8) if which is None else which
    if not rest:
        np.copyto(best, first)
        which.fill(0)
        return best, which
    np.maximum(first, rest[0], out=best)         # one pass over both (they often share cache lines)
    np.greater(rest[0], first, out=which.view(bool))
    for i, value in enumerate(rest[1:], start=2):
        better = value > best
        np.maximum(best, value, out=best)
        # which = i where better: arithmetic (mod 256) because a masked copy branches on
        # every element and mispredicts on random data, ~10× slower here
        which += better.view(np.uint8) * (np.uint8(i) - which)
    return best, which


def route(grad: np.ndarray, which: np.ndarray, targets, accumulate: bool = False) -> None:
    """The adjoint of :func:`first_maximum`: targets[i] gets ``grad`` where ``which == i``, else 0."""
    for i, target in enumerate(targets):
        if accumulate:  # overlapping windows: one input can win several
            target += grad * (which == i)
        else:
            np.multiply(grad, which == i, out=target)


class MaxPool2d(_Pool2d):
    """Max pooling: each output is the largest value in its k×k window.

    The gradient flows only to the winning input of each window (the first one in
    row-major order on ties, like PyTorch); the others get zero.

    Args:
        kernel_size: window size k (int or pair).
        stride: step between windows; default ``kernel_size`` (non-overlapping).

    Shape: (N, C, H, W) → (N, C, ⌊(H−k)/s⌋+1, ⌊(W−k)/s⌋+1).

    Two ways to the same numbers. In general, the kh·kw strided planes of the input are
    compared one after another. When the windows tile the image exactly (stride = kernel,
    H and W multiples of it) and the input is one compact block, the maximum is taken in
    two separable steps instead: across the kw neighbours in each row (kw consecutive
    values in memory), then down the kh rows. Taking the first maximum of the first row
    that holds the window's maximum is the row-major first maximum, so ties go the same way.
    """

    def forward(self, x):
        x = self._check(x)
        self._x_shape, self._x_layout = x.shape, memory_order(x)
        blocks = self._as_tiled_block(x)
        if blocks is None:
            planes = [index for _, index in self._planes(x.shape)]
            out, self._winner = first_maximum([x[index] for index in planes])
            self._separable = None
            return out
        (kh, kw), (n0, n1, h, w) = self.kernel_size, blocks.shape
        ho, wo = h // kh, w // kw
        out = np.empty((n0, n1, ho, wo), dtype=x.dtype)
        row_winner = self.scratch("row_winner", (n0, n1, h, wo), np.uint8)   # per row of each window
        winning_row = self.scratch("winning_row", (n0, n1, ho, wo), np.uint8)

        def part(p):  # a slice of the outermost axis in memory, on its own core
            neighbours = blocks[p].reshape(-1, kw)                  # each row of kw: one row of a window
            row_best, _ = first_maximum([neighbours[:, v] for v in range(kw)], which=row_winner[p].reshape(-1))
            rows = row_best.reshape(-1, n1, ho, kh, wo)             # each window's kh row maxima
            first_maximum([rows[:, :, :, u] for u in range(kh)], best=out[p], which=winning_row[p])

        in_parts(part, n0, x.size)
        self._separable = (row_winner, winning_row)
        return out.transpose(np.argsort(self._x_layout))

    def _as_tiled_block(self, x):
        """x as a C-ordered (n0, n1, H, W) view of its memory, when the fast path applies; else None."""
        (kh, kw), (h, w) = self.kernel_size, x.shape[2:]
        if self.stride != self.kernel_size or h % kh or w % kw or self._x_layout[2:] != (2, 3):
            return None
        blocks = x.transpose(self._x_layout)
        return blocks if blocks.flags.c_contiguous else None

    def backward(self, grad_out):
        if self._separable is None:
            dx = zeros_in_order(self._x_shape, self._x_layout, grad_out.dtype)
            overlapping = any(s < k for s, k in zip(self.stride, self.kernel_size))
            route(grad_out, self._winner, [dx[index] for _, index in self._planes(self._x_shape)], overlapping)
            return dx
        dx = zeros_in_order(self._x_shape, self._x_layout, grad_out.dtype, fill=False)  # all written below
        row_winner, winning_row = self._separable
        (kh, kw), blocks = self.kernel_size, dx.transpose(self._x_layout)
        n0, n1, h, w = blocks.shape
        g = grad_out.transpose(self._x_layout)

        to_rows = self.scratch("to_rows", (n0, n1, h // kh, kh, w // kw), grad_out.dtype)  # dL/d(row maxima)

        def part(p):
            route(g[p], winning_row[p], [to_rows[p, :, :, u] for u in range(kh)])
            neighbours = blocks[p].reshape(-1, kw)
            route(to_rows[p].reshape(-1), row_winner[p].reshape(-1), [neighbours[:, v] for v in range(kw)])

        in_parts(part, n0, dx.size)
        return dx

    def winners(self) -> np.ndarray:
        """Boolean mask over the last input: True where a value survived pooling."""
        n, c, h, w = self._x_shape
        ones = np.ones((n, c, *self._out_hw(h, w)), dtype=np.float32)
        return self.backward(ones) > 0


class AvgPool2d(_Pool2d):
    """Average pooling: each output is the mean of its k×k window; the gradient is shared
    equally, dL/dx = g / (kh·kw) for every input of the window.

    Shape: as :class:`MaxPool2d`.
    """

    def forward(self, x):
        x = self._check(x)
        self._x_shape, self._x_layout = x.shape, memory_order(x)
        planes = self._planes(x.shape)
        _, first = next(planes)
        total = x[first].copy(order="K")
        for _, index in planes:
            total += x[index]
        return total / x.dtype.type(self.kernel_size[0] * self.kernel_size[1])

    def backward(self, grad_out):
        share = grad_out / (self.kernel_size[0] * self.kernel_size[1])
        dx = zeros_in_order(self._x_shape, self._x_layout, grad_out.dtype)
        for _, index in self._planes(self._x_shape):
            dx[index] += share
        return dx


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size; ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Output cell (i, j) averages rows ⌊i·H/Ho⌋ … ⌈(i+1)·H/Ho⌉−1 (same for columns), as PyTorch.

    Shape: (N, C, H, W) → (N, C, Ho, Wo).
    """

    def __init__(self, output_size=1):
        super().__init__()
        self.output_size = pair("output_size", output_size)

    @staticmethod
    def _bounds(size, out):
        return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]

    def forward(self, x):
        x = as_float_array(x, "AdaptiveAvgPool2d")
        input_ndim(x, (4,), "AdaptiveAvgPool2d", "(N, C, H, W)")
        self._x_shape = x.shape
        ho, wo = self.output_size
        if (ho, wo) == (1, 1):
            return x.mean(axis=(2, 3), keepdims=True, dtype=x.dtype)
        out = np.empty((*x.shape[:2], ho, wo), dtype=x.dtype)
        for i, (r0, r1) in enumerate(self._bounds(x.shape[2], ho)):
            for j, (c0, c1) in enumerate(self._bounds(x.shape[3], wo)):
                out[:, :, i, j] = x[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
        return out

    def backward(self, grad_out):
        n, c, h, w = self._x_shape
        ho, wo = self.output_size
        if (ho, wo) == (1, 1):
            return np.broadcast_to(grad_out / (h * w), self._x_shape).copy()
        dx = written_zeros(self._x_shape, grad_out.dtype)
        for i, (r0, r1) in enumerate(self._bounds(h, ho)):
            for j, (c0, c1) in enumerate(self._bounds(w, wo)):
                area = (r1 - r0) * (c1 - c0)
                dx[:, :, r0:r1, c0:c1] += grad_out[:, :, i : i + 1, j : j + 1] / area
        return dx

    def output_shape(self, input_shape):
        return (input_shape[0], *self.output_size)

    def config(self):
        return {"output_size": compact_pair(self.output_size)}

