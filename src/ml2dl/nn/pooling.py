"""Pooling: shrink feature maps by summarising each window (max or mean).

Output size, no padding, floor mode (as PyTorch): Ho = ⌊(H − k) / s⌋ + 1.
With k = s = 2 each side halves: 224 → 112 → 56 → 28 → 14 → 7.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import compact_pair, as_float_array, input_ndim, pair, positive_int
from .module import Module


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = pair("kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else pair("stride", stride)

    def _out_hw(self, h, w):
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        if h < kh or w < kw:
            raise ValueError(f"{self!r}: input of height×width {h}×{w} is smaller than the kernel {self.kernel_size}")
        return (h - kh) // sh + 1, (w - kw) // sw + 1

    def _windows(self, x):
        """(N, C, Ho, Wo, kh, kw) strided view of the windows."""
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        ho, wo = self._out_hw(*x.shape[2:])
        if (sh, sw) == (kh, kw):
            # Non-overlapping: a reshape of the cropped map (cheaper than a window view).
            crop = x[:, :, : ho * kh, : wo * kw]
            return crop.reshape(x.shape[0], x.shape[1], ho, kh, wo, kw).transpose(0, 1, 2, 4, 3, 5)
        win = sliding_window_view(x, (kh, kw), axis=(2, 3))
        return win[:, :, : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw]

    def _scatter(self, per_offset, x_shape):
        """Sum gradient planes (one per kernel offset (u, v)) back into an input-shaped array."""
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        ho, wo = self._out_hw(*x_shape[2:])
        dx = np.zeros(x_shape, dtype=per_offset(0, 0).dtype)
        for u in range(kh):
            for v in range(kw):
                dx[:, :, u : u + (ho - 1) * sh + 1 : sh, v : v + (wo - 1) * sw + 1 : sw] += per_offset(u, v)
        return dx

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
    """

    def forward(self, x):
        x = self._check(x)
        kh, kw = self.kernel_size
        win = self._windows(x)
        flat = win.reshape(*win.shape[:4], kh * kw)
        self._argmax = flat.argmax(axis=-1)  # index of the survivor inside each window
        self._x_shape = x.shape
        return np.take_along_axis(flat, self._argmax[..., None], axis=-1)[..., 0]

    def backward(self, grad_out):
        kw = self.kernel_size[1]
        return self._scatter(lambda u, v: grad_out * (self._argmax == u * kw + v), self._x_shape)

    def winners(self) -> np.ndarray:
        """Boolean mask over the last input: True where a value survived pooling."""
        ones = np.ones(self._argmax.shape, dtype=np.float32)
        kw = self.kernel_size[1]
        return self._scatter(lambda u, v: ones * (self._argmax == u * kw + v), self._x_shape) > 0


class AvgPool2d(_Pool2d):
    """Average pooling: each output is the mean of its k×k window; the gradient is shared
    equally, dL/dx = g / (kh·kw) for every input of the window.

    Shape: as :class:`MaxPool2d`.
    """

    def forward(self, x):
        x = self._check(x)
        self._x_shape = x.shape
        return self._windows(x).mean(axis=(-2, -1), dtype=x.dtype)

    def backward(self, grad_out):
        kh, kw = self.kernel_size
        share = grad_out / (kh * kw)
        return self._scatter(lambda u, v: share, self._x_shape)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size; ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Output cell (i, j) averages rows ⌊i·H/Ho⌋ … ⌈(i+1)·H/Ho⌉−1 (same for columns), as PyTorch.

    Shape: (N, C, H, W) → (N, C, Ho, Wo).
    """

    def __init__(self, output_size=1):
        super().__init__()
        self.output_size = pair("output_size", output_size, positive_int)

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

