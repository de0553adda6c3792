"""2-D convolution: every output is a weighted sum over a patch of the input (a dot product).

Like PyTorch (and every CNN library) this computes a *cross-correlation*:

    out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v  W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v]

Unfold every patch into a column (im2col) and the whole layer is one matrix product:

    forward                                   backward, g = dL/dout as (O, N·L)
    cols = im2col(x)       (C·kh·kw, N·L)
    out  = W · cols + b    (O, N·L)           dL/dW = g · colsᵀ      dL/db = Σ_p g[:, p]
                                              dL/dcols = Wᵀ · g      dL/dx = col2im(dL/dcols)

with L = Ho·Wo output positions per image. col2im is im2col's adjoint: each patch's
gradient is added back where the patch came from (overlapping patches add up). The bias is
the weight of an extra input that is always 1 (as for a single neuron): cols gets a last row
of ones and W a last column b, so the same products give out and dL/db. The kernels
(``kernels/conv.py``) do the copying and the products, on every core.
"""

from __future__ import annotations

import numpy as np

from . import init, kernels as K
from ..checks import InputError, non_negative_int, pair, positive_int, rng as generator
from ._shapes import as_float_array, compact_pair, input_ndim
from .module import DEFAULT_DTYPE, Module, Parameter


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


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
        init.initialise(self.weight, self.bias, self.init, generator(rng))
        return self

    def _out_hw(self, h: int, w: int) -> tuple[int, int]:
        ho = conv_output_size(h, self.kernel_size[0], self.stride[0], self.padding[0])
        wo = conv_output_size(w, self.kernel_size[1], self.stride[1], self.padding[1])
        if ho <= 0 or wo <= 0:
            raise InputError(f"{self!r}: input of height×width {h}×{w} is smaller than the kernel "
                             f"{self.kernel_size} with padding {self.padding}")
        return ho, wo

    def forward(self, x):
        x = as_float_array(x, "Conv2d")
        input_ndim(x, (4,), "Conv2d", "(N, C, H, W)")
        if x.shape[1] != self.in_channels:
            raise InputError(f"Conv2d(in_channels={self.in_channels}) expects input of shape "
                             f"(N, {self.in_channels}, H, W), got shape {x.shape}")
        shape = K.conv_shape(x.shape, self.kernel_size, self.stride, self.padding, self._out_hw(*x.shape[2:]))
        cols = K.im2col(x, shape, self._work, ones_row=self.bias is not None)   # (C·kh·kw [+1], N·L)
        out = K.matmul_columns(self._weight_and_bias(), cols, shape)            # [W | b] · cols: (O, N·L)
        self._cache = (shape, cols)
        return K.as_images(out, shape)                                           # (N, O, Ho, Wo)

    can_skip_input_grad = True

    def backward(self, grad_out, *, input_grad: bool = True):
        """dL/dx, or None when ``input_grad`` is False (a first layer needs no input gradient)."""
        shape, cols = self._cache
        g = K.as_columns(grad_out)                                               # (O, N·L)
        grads = K.weight_grad(g, cols, shape)                                    # g · colsᵀ = [dL/dW | dL/db]
        self.weight.grad += grads[:, : shape.patch_rows].reshape(self.weight.data.shape)
        if self.bias is not None:
            self.bias.grad += grads[:, -1]
        if not input_grad:
            return None
        # dL/dcols = Wᵀ · g, and dL/dx = col2im(dL/dcols): (N, C, H, W)
        return K.input_grad(grad_out, self.weight.data, shape, self._work)

    def _weight_and_bias(self) -> np.ndarray:
        """W as (O, C·kh·kw), with b as a last column when there is a bias: [W | b]."""
        weight = self.weight.data.reshape(self.out_channels, -1)
        return weight if self.bias is None else np.concatenate([weight, self.bias.data[:, None]], axis=1)

    def output_shape(self, input_shape):
        c, h, w = input_shape
        if c != self.in_channels:
            raise InputError(f"Conv2d(in_channels={self.in_channels}) cannot take input of shape {input_shape}")
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

