"""2-D convolution by im2col: unfold patches into a matrix, then one matrix product.

Like PyTorch (and every CNN library) this computes a *cross-correlation*:

    out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v  W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v]

The patches are gathered into ``cols`` of shape (C·kh·kw, N·L), L output positions per
image — a loop over the kh·kw kernel offsets, never over pixels — and the whole batch is
then ONE matrix product ``W.reshape(O, C·kh·kw) @ cols``, the shape BLAS is fastest at.
Keeping the batch inside the columns also makes dL/dW one product, with no copy of ``cols``.

Stride 1 (the common case) uses "wide rows": flatten each padded image to Hp·Wp values;
patch element (u, v) of output (i, j) sits at flat position (i·Wp + j) + (u·Wp + v), so
each kernel offset is ONE contiguous slice of the flat image. Outputs are computed on an
Ho × Wp grid and the Wp − Wo extra columns of each row are dropped (a few percent more
arithmetic, in exchange for contiguous copies and adds).

Backward, from g = dL/dout laid out as (O, N·L) (zeros in the dropped columns):
    dL/dW = g colsᵀ        dL/db = Σ g        dL/dcols = Wᵀ g
then "col2im": each kernel offset adds its slice of dL/dcols back into dL/dx_pad.
"""

from __future__ import annotations

import numpy as np

from . import init
from ._checks import as_float_array, compact_pair, input_ndim, non_negative_int, pair, positive_int
from .module import DEFAULT_DTYPE, Module, Parameter


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


class _Geometry:
    """Sizes of one convolution call, and the patch gathering/scattering that goes with them."""

    def __init__(self, x_shape, kernel, stride, padding, out_hw, out_channels):
        self.n, self.c, self.h, self.w = x_shape
        (self.kh, self.kw), (self.sh, self.sw), (self.ph, self.pw) = kernel, stride, padding
        self.ho, self.wo = out_hw
        self.hp, self.wp = self.h + 2 * self.ph, self.w + 2 * self.pw
        # Wide rows make the C·kh·kw patch copies contiguous, at the price of one compacting
        # pass over the O output channels: worth it when the patches outnumber the outputs
        # (a 16 → 32 layer: 144 rows against 32), not for a first layer (9 rows against 16).
        self.wide = stride == (1, 1) and self.c * self.kh * self.kw > out_channels
        # output positions per image: the wide Ho × Wp grid, or the exact Ho × Wo one
        self.length = self.ho * (self.wp if self.wide else self.wo)
        grid = (self.length,) if self.wide else (self.ho, self.wo)
        self.cols_shape = (self.c, self.kh, self.kw, self.n, *grid)  # one block per kernel offset

    def padded(self, dtype) -> np.ndarray:
        """Zeros of the padded batch, channel-major (C, N, rows, Wp): the order of ``cols`` and
        of this layer's output, so the copies below run along memory, not across it.
        One spare row at the bottom keeps the wide path's last slice (kw − 1 values past the
        end of an image) inside the array."""
        rows = self.hp + 1 if self.wide else self.hp
        return np.zeros((self.c, self.n, rows, self.wp), dtype=dtype)

    def interior(self, x_pad: np.ndarray) -> np.ndarray:
        """The unpadded (N, C, H, W) image inside a channel-major padded buffer, as a view."""
        return x_pad[:, :, self.ph : self.ph + self.h, self.pw : self.pw + self.w].transpose(1, 0, 2, 3)

    def offsets(self):
        return [(u, v) for u in range(self.kh) for v in range(self.kw)]

    def patch(self, x_pad: np.ndarray, u: int, v: int) -> np.ndarray:
        """The (C, N, L) values that kernel offset (u, v) multiplies, as a view of ``x_pad``."""
        if self.wide:
            start = u * self.wp + v
            return x_pad.reshape(self.c, self.n, -1)[:, :, start : start + self.length]
        rows = slice(u, u + (self.ho - 1) * self.sh + 1, self.sh)
        cols = slice(v, v + (self.wo - 1) * self.sw + 1, self.sw)
        return x_pad[:, :, rows, cols]

    def unfold(self, x: np.ndarray) -> np.ndarray:
        """Patches as a contiguous (C·kh·kw, N·L) matrix; row c·kh·kw + u·kw + v matches W.reshape(O, −1)."""
        x_pad = self.padded(x.dtype)
        self.interior(x_pad)[...] = x
        cols = np.empty(self.cols_shape, dtype=x.dtype)
        for u, v in self.offsets():
            cols[:, u, v] = self.patch(x_pad, u, v)
        return cols.reshape(self.c * self.kh * self.kw, self.n * self.length)

    def fold(self, dcols: np.ndarray) -> np.ndarray:
        """Adjoint of :meth:`unfold`: add each offset's gradient slice back into dL/dx."""
        dcols = dcols.reshape(self.cols_shape)
        dx_pad = self.padded(dcols.dtype)
        for u, v in self.offsets():
            self.patch(dx_pad, u, v)[...] += dcols[:, u, v]
        return self.interior(dx_pad)

    def to_image(self, out: np.ndarray, o: int, bias: np.ndarray | None) -> np.ndarray:
        """(O, N·L) product (+ bias) → (N, O, Ho, Wo), channel-major in memory and compact:
        the wide grid's extra columns are dropped in the same pass that adds the bias, so the
        layers after this one work on one unbroken block (NumPy is several times slower on
        arrays with gaps, whose every short row is a separate inner loop)."""
        grid = out.reshape(o, self.n, self.ho, -1)
        if self.wide:
            image = np.empty((o, self.n, self.ho, self.wo), dtype=out.dtype)
            if bias is None:
                np.copyto(image, grid[..., : self.wo])
            else:
                np.add(grid[..., : self.wo], bias[:, None, None, None], out=image)
        else:
            image = grid
            if bias is not None:
                image += bias[:, None, None, None]
        return image.transpose(1, 0, 2, 3)

    def from_image(self, grad: np.ndarray, o: int) -> np.ndarray:
        """(N, O, Ho, Wo) gradient → (O, N·L), zeros in the wide grid's extra columns.
        No copy when the gradient is already channel-major and exact (the usual case)."""
        if not self.wide:
            return np.ascontiguousarray(grad.transpose(1, 0, 2, 3)).reshape(o, self.n * self.length)
        g = np.empty((o, self.n, self.ho, self.wp), dtype=grad.dtype)
        g[..., : self.wo] = grad.transpose(1, 0, 2, 3)
        g[..., self.wo :] = 0
        return g.reshape(o, self.n * self.length)


WEIGHT_GRAD_PIECE = 4096  # positions per piece of dL/dW = Σ_p g[:, p] cols[:, p]ᵀ


def _weight_grad(cols: np.ndarray, g: np.ndarray) -> np.ndarray:
    """dL/dW as (O, C·kh·kw) = g colsᵀ, summed over pieces of WEIGHT_GRAD_PIECE positions.

    One product over all N·L positions is ~3× slower in OpenBLAS when the result is tiny
    (a first layer: 16 × 9 from 53,760 positions) than the same sum taken in pieces.
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
        geo = _Geometry(x.shape, self.kernel_size, self.stride, self.padding, self._out_hw(*x.shape[2:]),
                        self.out_channels)
        cols = geo.unfold(x)
        out = self.weight.data.reshape(self.out_channels, -1) @ cols  # (O, N·L): one product
        self._cache = (geo, cols)
        return geo.to_image(out, self.out_channels, None if self.bias is None else self.bias.data)

    can_skip_input_grad = True

    def backward(self, grad_out, *, input_grad: bool = True):
        """dL/dx, or None when ``input_grad`` is False (a first layer needs no input gradient)."""
        geo, cols = self._cache
        g = geo.from_image(grad_out, self.out_channels)                  # (O, N·L)
        # Operand orders below were measured: OpenBLAS is ~4× slower for Wᵀ as a transposed
        # view than for a contiguous copy, and cols @ gᵀ beats g @ colsᵀ (long inner axis).
        self.weight.grad += _weight_grad(cols, g).reshape(self.weight.data.shape)
        if self.bias is not None:
            self.bias.grad += g.sum(axis=1)
        if not input_grad:
            return None
        w_t = np.ascontiguousarray(self.weight.data.reshape(self.out_channels, -1).T)
        return geo.fold(w_t @ g)                                         # dL/dcols: (C·kh·kw, N·L)

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

