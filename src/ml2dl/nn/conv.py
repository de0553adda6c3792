"""2-D convolution by im2col: unfold patches with a strided view, then one matrix product.

Like PyTorch (and every CNN library) this computes a *cross-correlation*:

    out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v  W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v]

The patches of ``x_pad`` are gathered into a matrix ``cols`` of shape
(N, C·kh·kw, Ho·Wo) without Python loops over pixels (``sliding_window_view`` gives a
strided view; one copy makes it contiguous). The layer is then a batched matrix product
``W.reshape(O, C·kh·kw) @ cols``, which BLAS does fast, and the result is already NCHW.

Backward, from g = dL/dout reshaped to (N, O, Ho·Wo):
    dL/dW = Σₙ gₙ colsₙᵀ          dL/db = Σ_{n,i,j} g
    dL/dcols = Wᵀ g, then "col2im": each of the kh·kw kernel offsets adds its slice
    back into dL/dx_pad (a loop over the kernel's 9 offsets, not over pixels).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import init
from ._checks import compact_pair, as_float_array, input_ndim, non_negative_int, pair, positive_int
from .module import DEFAULT_DTYPE, Module, Parameter


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def unfold(x_pad: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int], out_hw: tuple[int, int]):
    """Patches of a padded batch as a contiguous (N, C·kh·kw, Ho·Wo) array.

    Row index c·kh·kw + u·kw + v matches ``W.reshape(O, -1)``'s column order.
    """
    n, c = x_pad.shape[:2]
    kh, kw = kernel
    sh, sw = stride
    ho, wo = out_hw
    windows = sliding_window_view(x_pad, (kh, kw), axis=(2, 3))  # (N, C, Hp-kh+1, Wp-kw+1, kh, kw)
    windows = windows[:, :, : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw]
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=x_pad.dtype)
    # Copy one kernel offset at a time: each copy reads a strided plane, writes contiguously.
    for u in range(kh):
        for v in range(kw):
            cols[:, :, u, v] = windows[..., u, v]
    return cols.reshape(n, c * kh * kw, ho * wo)


def fold(dcols: np.ndarray, x_shape: tuple[int, ...], kernel, stride, padding, out_hw) -> np.ndarray:
    """Adjoint of :func:`unfold`: sum patch gradients back into an (N, C, H, W) array."""
    n, c, h, w = x_shape
    kh, kw = kernel
    sh, sw = stride
    ph, pw = padding
    ho, wo = out_hw
    dcols = dcols.reshape(n, c, kh, kw, ho, wo)
    dx_pad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=dcols.dtype)
    for u in range(kh):
        for v in range(kw):
            dx_pad[:, :, u : u + (ho - 1) * sh + 1 : sh, v : v + (wo - 1) * sw + 1 : sw] += dcols[:, :, u, v]
    return dx_pad[:, :, ph : ph + h, pw : pw + w]


class Conv2d(Module):
    """2-D convolution (cross-correlation) over a batch of multi-channel images.

    Args:
        in_channels: C, channels of the input.
        out_channels: O, number of filters (feature maps).
        kernel_size: kh (= kw) or (kh, kw).
        stride: step between windows, int or pair.
        padding: zeros added on each side, int or pair.
        bias: one learned bias per filter.
        rng: ``np.random.Generator`` or seed for the initial weights.
        init: ``"default"`` (PyTorch's U(−1/√fan_in, 1/√fan_in), fan_in = C·kh·kw), ``"he"``, ``"xavier"``…

    Shape:
        input (N, C, H, W) → output (N, O, Ho, Wo) with
        Ho = ⌊(H + 2·padding − kh) / stride⌋ + 1 (same for W).
        Weight (O, C, kh, kw), bias (O,): O·C·kh·kw + O parameters, whatever the image size.

    Example::

        conv = Conv2d(1, 32, 3, padding=1)   # 32·1·3·3 + 32 = 320 parameters
        conv(np.zeros((8, 1, 28, 28), np.float32)).shape   # (8, 32, 28, 28)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True, *, rng=None, init: str = "default", dtype=DEFAULT_DTYPE):
        super().__init__()
        self.in_channels = positive_int("in_channels", in_channels)
        self.out_channels = positive_int("out_channels", out_channels)
        self.kernel_size = pair("kernel_size", kernel_size)
        self.stride = pair("stride", stride)
        self.padding = pair("padding", padding, non_negative_int)
        self.init = init
        self.weight = Parameter(np.zeros((out_channels, in_channels, *self.kernel_size), dtype=dtype))
        self.bias = Parameter(np.zeros(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng=None):
        init.initialise(self.weight, self.bias, self.init, init.as_rng(rng))
        return self

    def _out_hw(self, h: int, w: int) -> tuple[int, int]:
        ho = conv_output_size(h, self.kernel_size[0], self.stride[0], self.padding[0])
        wo = conv_output_size(w, self.kernel_size[1], self.stride[1], self.padding[1])
        if ho <= 0 or wo <= 0:
            raise ValueError(f"{self!r}: input of height×width {h}×{w} is smaller than the kernel "
                             f"{self.kernel_size} with padding {self.padding}")
        return ho, wo

    def forward(self, x):
        x = as_float_array(x, "Conv2d")
        input_ndim(x, (4,), "Conv2d", "(N, C, H, W)")
        if x.shape[1] != self.in_channels:
            raise ValueError(f"Conv2d(in_channels={self.in_channels}) expects input of shape "
                             f"(N, {self.in_channels}, H, W), got shape {x.shape}")
        n, _, h, w = x.shape
        ho, wo = self._out_hw(h, w)
        ph, pw = self.padding
        x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
        cols = unfold(x_pad, self.kernel_size, self.stride, (ho, wo))
        w_mat = self.weight.data.reshape(self.out_channels, -1)
        out = np.matmul(w_mat, cols)  # (N, O, Ho·Wo)
        if self.bias is not None:
            out += self.bias.data[:, None]
        self._cache = (x.shape, cols, (ho, wo))
        return out.reshape(n, self.out_channels, ho, wo)

    def backward(self, grad_out):
        x_shape, cols, (ho, wo) = self._cache
        n = x_shape[0]
        g = np.ascontiguousarray(grad_out).reshape(n, self.out_channels, ho * wo)
        # dW = Σₙ gₙ colsₙᵀ as one product over the stacked (N·Ho·Wo) axis.
        g_t = g.transpose(1, 0, 2).reshape(self.out_channels, -1)             # (O, N·L)
        cols_t = cols.transpose(1, 0, 2).reshape(cols.shape[1], -1)           # (CKK, N·L)
        self.weight.grad += (g_t @ cols_t.T).reshape(self.weight.data.shape)
        if self.bias is not None:
            self.bias.grad += g_t.sum(axis=1)
        w_mat = self.weight.data.reshape(self.out_channels, -1)
        dcols = np.matmul(w_mat.T, g)                                         # (N, CKK, L)
        return fold(dcols, x_shape, self.kernel_size, self.stride, self.padding, (ho, wo))

    def output_shape(self, input_shape):
        c, h, w = input_shape
        if c != self.in_channels:
            raise ValueError(f"Conv2d(in_channels={self.in_channels}) cannot take input of shape {input_shape}")
        return (self.out_channels, *self._out_hw(h, w))

    def config(self):
        cfg = {"in_channels": self.in_channels, "out_channels": self.out_channels,
               "kernel_size": compact_pair(self.kernel_size)}
        if self.stride != (1, 1):
            cfg["stride"] = compact_pair(self.stride)
        if self.padding != (0, 0):
            cfg["padding"] = compact_pair(self.padding)
        if self.bias is None:
            cfg["bias"] = False
        if self.init != "default":
            cfg["init"] = self.init
        return cfg

