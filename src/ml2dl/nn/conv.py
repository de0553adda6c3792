"""2-D convolution by im2col: unfold patches into a matrix, then one matrix product.

Like PyTorch (and every CNN library) this computes a *cross-correlation*:

    out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v  W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v]

The patches are gathered into ``cols`` of shape (C·kh·kw, N·L), L = Ho·Wo output positions
per image — a loop over the kh·kw kernel offsets, never over pixels — and the batch is then
ONE matrix product ``W.reshape(O, C·kh·kw) @ cols``, the shape BLAS is fastest at. Keeping
the batch inside the columns also makes dL/dW one product, with no copy of ``cols``.

Memory is channel-major throughout: the padded input is (C, N, Hp, Wp) and the product
(O, N·L) *is* the output, returned as an (N, O, Ho, Wo) view. Layers that follow keep that
order (see _layout.py), so the next convolution's copies run along memory.

The bias is the weight of an extra input that is always 1 (as for a single neuron): cols
gets a last row of ones and W a last column b, so the product adds the bias without another
pass over the output.

Backward, from g = dL/dout laid out as (O, N·L):
    [dL/dW | dL/db] = g colsᵀ        dL/dpatches = Wᵀ g
then "col2im": each kernel offset adds its slice of dL/dpatches back into dL/dx_pad.

Each call cuts the batch into parts that run on separate cores (see _parallel.py).
"""

from __future__ import annotations

import numpy as np

from . import init
from ..checks import InputError, non_negative_int, pair, positive_int, rng as generator
from ._shapes import as_float_array, compact_pair, input_ndim
from ._parallel import in_parts
from .module import DEFAULT_DTYPE, Module, Parameter


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


class _Geometry:
    """Sizes of one convolution call, and the patch gathering/scattering that goes with them.

    Each method that takes ``images`` (a slice) handles that part of the batch only, so that
    the parts can run on separate cores (see _parallel.py); together they cover the batch.
    """

    def __init__(self, x_shape, kernel, stride, padding, out_hw, bias: bool):
        self.n, self.c, self.h, self.w = x_shape
        (self.kh, self.kw), (self.sh, self.sw), (self.ph, self.pw) = kernel, stride, padding
        self.ho, self.wo = out_hw
        self.length = self.ho * self.wo  # L, output positions per image
        self.patch_rows = self.c * self.kh * self.kw
        self.bias = bias  # the bias is the weight of an extra input that is always 1

    @property
    def cols_shape(self) -> tuple[int, int]:
        """(C·kh·kw [+ 1], N·L): the patch matrix that :meth:`unfold` fills; with a bias, its
        last row is ones, so that W·cols adds the bias and g·colsᵀ sums dL/db for free."""
        return self.patch_rows + self.bias, self.n * self.length

    @property
    def padded_shape(self) -> tuple[int, int, int, int]:
        """(C, N, Hp, Wp): the padded batch, channel-major like ``cols`` and this layer's
        output, so that the copies below run along memory, not across it."""
        return self.c, self.n, self.h + 2 * self.ph, self.w + 2 * self.pw

    def patches(self, cols: np.ndarray) -> np.ndarray:
        """The patch rows of ``cols`` as a (C, kh, kw, N, Ho, Wo) view."""
        return cols[: self.patch_rows].reshape(self.c, self.kh, self.kw, self.n, self.ho, self.wo)

    def interior(self, x_pad: np.ndarray) -> np.ndarray:
        """The unpadded (N, C, H, W) image inside a padded buffer, as a view."""
        return x_pad[:, :, self.ph : self.ph + self.h, self.pw : self.pw + self.w].transpose(1, 0, 2, 3)

    def offsets(self):
        return [(u, v) for u in range(self.kh) for v in range(self.kw)]

    def patch(self, x_pad: np.ndarray, u: int, v: int, images: slice) -> np.ndarray:
        """The (C, n, Ho, Wo) values that kernel offset (u, v) multiplies, as a view of ``x_pad``."""
        rows = slice(u, u + (self.ho - 1) * self.sh + 1, self.sh)
        cols = slice(v, v + (self.wo - 1) * self.sw + 1, self.sw)
        return x_pad[:, images, rows, cols]

    def columns(self, cols: np.ndarray, images: slice) -> np.ndarray:
        """The columns of a (rows, N·L) matrix that belong to ``images``, as a view."""
        return cols[:, images.start * self.length : images.stop * self.length]

    def unfold(self, x: np.ndarray, x_pad: np.ndarray, cols: np.ndarray, images: slice) -> None:
        """Copy ``images`` of x into the padded buffer, then their patches into ``cols``:
        row c·kh·kw + u·kw + v of the matrix matches W.reshape(O, −1)."""
        self.interior(x_pad)[images] = x[images]
        patches = self.patches(cols)
        for u, v in self.offsets():
            patches[:, u, v, images] = self.patch(x_pad, u, v, images)
        if self.bias:
            self.columns(cols, images)[-1] = 1

    def multiply(self, weight: np.ndarray, cols: np.ndarray, image: np.ndarray, images: slice) -> None:
        """image[:, images] = [W | b] · cols, straight into the channel-major (O, N, Ho, Wo) output."""
        target = self.columns(image.reshape(weight.shape[0], -1), images)
        np.matmul(weight, self.columns(cols, images), out=target)

    def gradient_columns(self, grad: np.ndarray, images: slice) -> np.ndarray:
        """dL/dout of ``images`` as (O, n·L); no copy when it is channel-major (the usual case)."""
        g = grad.transpose(1, 0, 2, 3)[:, images]
        return g.reshape(g.shape[0], -1)

    def fold(self, dcols: np.ndarray, dx_pad: np.ndarray, images: slice) -> None:
        """The adjoint of :meth:`unfold`: add each kernel offset's rows of dL/dpatches
        (C·kh·kw, n·L) back where its patch came from, in the padded dL/dx."""
        dcols = dcols.reshape(self.c, self.kh, self.kw, -1, self.ho, self.wo)
        for u, v in self.offsets():
            self.patch(dx_pad, u, v, images)[...] += dcols[:, u, v]


WEIGHT_GRAD_PIECE = 4096  # positions per piece of dL/dW = Σ_p g[:, p] cols[:, p]ᵀ


def _weight_grad(cols: np.ndarray, g: np.ndarray) -> np.ndarray:
    """dL/dW as (O, rows) = g colsᵀ, summed over pieces of WEIGHT_GRAD_PIECE positions.

    One product over all N·L positions is ~3× slower in OpenBLAS when the result is tiny
    (a first layer: 16 × 9 from 53,760 positions) than the same sum taken in pieces.
    cols @ gᵀ (then transposed) was measured faster than g @ colsᵀ.
    """
    total = cols[:, :WEIGHT_GRAD_PIECE] @ g[:, :WEIGHT_GRAD_PIECE].T
    for start in range(WEIGHT_GRAD_PIECE, cols.shape[1], WEIGHT_GRAD_PIECE):
        total += cols[:, start : start + WEIGHT_GRAD_PIECE] @ g[:, start : start + WEIGHT_GRAD_PIECE].T
    return total.T


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
        geo = _Geometry(x.shape, self.kernel_size, self.stride, self.padding, self._out_hw(*x.shape[2:]),
                        bias=self.bias is not None)
        # the border of x_pad stays zero from call to call: only its interior is written
        x_pad = self.scratch("x_pad", geo.padded_shape, x.dtype, zeros=True)
        cols = self.scratch("cols", geo.cols_shape, x.dtype)
        image = np.empty((self.out_channels, geo.n, geo.ho, geo.wo), dtype=x.dtype)  # channel-major
        weight = self.weight.data.reshape(self.out_channels, -1)
        if self.bias is not None:
            weight = np.concatenate([weight, self.bias.data[:, None]], axis=1)  # [W | b]

        def part(images):  # a slice of the batch, on its own core
            geo.unfold(x, x_pad, cols, images)
            geo.multiply(weight, cols, image, images)

        in_parts(part, geo.n, cols.size + image.size)
        self._cache = (geo, cols)
        return image.transpose(1, 0, 2, 3)

    can_skip_input_grad = True

    def backward(self, grad_out, *, input_grad: bool = True):
        """dL/dx, or None when ``input_grad`` is False (a first layer needs no input gradient)."""
        geo, cols = self._cache
        if input_grad:
            # OpenBLAS is ~4× slower for Wᵀ as a transposed view than for a contiguous copy
            w_t = np.ascontiguousarray(self.weight.data.reshape(self.out_channels, -1).T)
            dx_pad = np.empty(geo.padded_shape, dtype=grad_out.dtype)  # zeroed part by part below
            dpatches = self.scratch("dpatches", (geo.patch_rows, geo.n * geo.length), grad_out.dtype)

        def part(images):
            g = geo.gradient_columns(grad_out, images)                   # (O, n·L)
            if input_grad:
                dx_pad[:, images] = 0  # written zeros, not np.zeros (see _layout.written_zeros)
                geo.fold(np.matmul(w_t, g, out=geo.columns(dpatches, images)), dx_pad, images)
            return _weight_grad(geo.columns(cols, images), g)            # [dL/dW | dL/db]

        for grads in in_parts(part, geo.n, cols.size):  # in part order: reproducible sums
            self.weight.grad += grads[:, : geo.patch_rows].reshape(self.weight.data.shape)
            if self.bias is not None:
                self.bias.grad += grads[:, -1]
        return geo.interior(dx_pad) if input_grad else None

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

