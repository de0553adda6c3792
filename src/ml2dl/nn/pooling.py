"""Pooling: shrink feature maps by summarising each window (max or mean).

    forward                                          backward, g = dL/dout
    max:  out[i, j] = max over the window of x       dL/dx = g at the window's maximum, 0 elsewhere
    mean: out[i, j] = Σ over the window of x / k²    dL/dx = g / k² at every input of the window

Output size, no padding, floor mode (as PyTorch): Ho = ⌊(H − k) / s⌋ + 1.
With k = s = 2 each side halves: 224 → 112 → 56 → 28 → 14 → 7.
The kernels (``kernels/pool.py``) take every window at once, as kh·kw strided planes.
"""

from __future__ import annotations

import numpy as np

from . import kernels as K
from ..checks import InputError, pair
from ._shapes import as_float_array, compact_pair, input_ndim
from .module import Module


class _Pool2d(Module):
    """Shared geometry: a window of kh×kw values every (sh, sw) steps."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = pair("kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else pair("stride", stride)

    def _out_hw(self, h, w):
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        if h < kh or w < kw:
            raise InputError(f"{self!r}: input of height×width {h}×{w} is smaller than the kernel {self.kernel_size}")
        return (h - kh) // sh + 1, (w - kw) // sw + 1

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


class MaxPool2d(_Pool2d):
    """Max pooling: each output is the largest value in its k×k window.

    The gradient flows only to the winning input of each window (the first one in
    row-major order on ties, like PyTorch); the others get zero.

    Args:
        kernel_size: window size k (int or pair).
        stride: step between windows; default ``kernel_size`` (non-overlapping).

    Shape: (N, C, H, W) → (N, C, ⌊(H−k)/s⌋+1, ⌊(W−k)/s⌋+1).

    Example::

        MaxPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4))   # [[[[5, 7], [13, 15]]]]
    """

    def forward(self, x):
        x = self._check(x)
        # in evaluation the winners (for backward) are found only if backward is called
        out, self._won = K.max_pool(x, self.kernel_size, self.stride, self._out_hw(*x.shape[2:]), self._work,
                                    winners=self.training)
        return out

    def backward(self, grad_out):
        return K.max_pool_backward(grad_out, self._won, self._work)

    def winners(self) -> np.ndarray:
        """Boolean mask over the last input: True where a value survived pooling."""
        n, c, h, w = self._won.x_shape
        ones = np.ones((n, c, *self._out_hw(h, w)), dtype=np.float32)
        return self.backward(ones) > 0


class AvgPool2d(_Pool2d):
    """Average pooling: each output is the mean of its k×k window; the gradient is shared
    equally, dL/dx = g / (kh·kw) for every input of the window.

    Args: as :class:`MaxPool2d`.

    Shape: (N, C, H, W) → (N, C, ⌊(H−k)/s⌋+1, ⌊(W−k)/s⌋+1).

    Example::

        AvgPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4))   # [[[[2.5, 4.5], [10.5, 12.5]]]]
    """

    def forward(self, x):
        x = self._check(x)
        self._x_shape = x.shape
        return K.avg_pool(x, self.kernel_size, self.stride, self._out_hw(*x.shape[2:]))

    def backward(self, grad_out):
        return K.avg_pool_backward(grad_out, self._x_shape, self.kernel_size, self.stride,
                                   self._out_hw(*self._x_shape[2:]))


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
        dx = np.zeros(self._x_shape, dtype=grad_out.dtype)
        for i, (r0, r1) in enumerate(self._bounds(h, ho)):
            for j, (c0, c1) in enumerate(self._bounds(w, wo)):
                area = (r1 - r0) * (c1 - c0)
                dx[:, :, r0:r1, c0:c1] += grad_out[:, :, i : i + 1, j : j + 1] / area
        return dx

    def output_shape(self, input_shape):
        return (input_shape[0], *self.output_size)

    def config(self):
        return {"output_size": compact_pair(self.output_size)}

