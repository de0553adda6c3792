"""Convolution kernels: im2col, col2im, and the matrix products around them.

A convolution is one matrix product once every patch is a column (im2col):

    cols[(c, u, v), (n, i, j)] = x_pad[n, c, i·s + u, j·s + v]      (C·kh·kw, N·L), L = Ho·Wo
    out = W.reshape(O, C·kh·kw) @ cols                                (O, N·L)

The patches are gathered by a loop over the kh·kw kernel offsets, never over pixels, and the
whole batch is ONE product, the shape BLAS is fastest at; it also makes dL/dW one product.

Memory is channel-major throughout: the padded input is (C, N, Hp, Wp) and the product
(O, N·L) *is* the output, returned as an (N, O, Ho, Wo) view (see memory.py). With a bias,
cols gets a last row of ones and W a last column b, so the product adds the bias (and the
gradient's product sums dL/db) without another pass.

Every kernel cuts the batch into parts that run on separate cores (threads.py); a part is a
range of images, i.e. of columns. The padded input and the patch matrices live in the
layer's :class:`~.memory.Workspace`: the padding border stays zero from call to call.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .memory import Workspace
from .threads import in_parts


class ConvShape(NamedTuple):
    """The sizes of one convolution call."""

    n: int
    c: int
    h: int
    w: int
    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    ho: int
    wo: int

    @property
    def length(self) -> int:
        """L, output positions per image."""
        return self.ho * self.wo

    @property
    def patch_rows(self) -> int:
        return self.c * self.kh * self.kw

    def images(self, cols: np.ndarray, images: slice) -> np.ndarray:
        """The columns of a (rows, N·L) matrix that belong to ``images``, as a view."""
        return cols[:, images.start * self.length : images.stop * self.length]

    def patch(self, x_pad: np.ndarray, u: int, v: int, images: slice) -> np.ndarray:
        """The (C, n, Ho, Wo) values that kernel offset (u, v) multiplies, a view of (C, N, Hp, Wp)."""
        rows = slice(u, u + (self.ho - 1) * self.sh + 1, self.sh)
        cols = slice(v, v + (self.wo - 1) * self.sw + 1, self.sw)
        return x_pad[:, images, rows, cols]

    def interior(self, x_pad: np.ndarray) -> np.ndarray:
        """The unpadded (N, C, H, W) image inside a (C, N, Hp, Wp) padded buffer, as a view."""
        return x_pad[:, :, self.ph : self.ph + self.h, self.pw : self.pw + self.w].transpose(1, 0, 2, 3)

    @property
    def padded(self) -> tuple[int, int, int, int]:
        return self.c, self.n, self.h + 2 * self.ph, self.w + 2 * self.pw


def conv_shape(x_shape, kernel, stride, padding, out_hw) -> ConvShape:
    return ConvShape(*x_shape, *kernel, *stride, *padding, *out_hw)


def im2col(x: np.ndarray, s: ConvShape, work: Workspace, *, ones_row: bool, name: str = "x") -> np.ndarray:
    """Every patch of ``x`` (N, C, H, W) as a column: (C·kh·kw [+ 1], N·L), row c·kh·kw + u·kw + v
    matching ``W.reshape(O, -1)``; with ``ones_row`` a last row of ones (the bias's input).

    The matrix is the layer's working memory (kept under ``name``): it stays valid until the
    layer's next call.
    """
    x_pad = work.array(name + "_pad", s.padded, x.dtype, zeros=True)  # only the interior is ever written
    cols = work.array(name + "_cols", (s.patch_rows + ones_row, s.n * s.length), x.dtype)
    patches = cols[: s.patch_rows].reshape(s.c, s.kh, s.kw, s.n, s.ho, s.wo)
    # windows[c, u, v, n, i, j] = x_pad[c, n, i·sh + u, j·sw + v]: every kernel offset's patch, a view
    c_, n_, h_, w_ = x_pad.strides
    windows = np.ndarray((s.c, s.kh, s.kw, s.n, s.ho, s.wo), x_pad.dtype, x_pad,  # (as_strided, but cheaper)
                         strides=(c_, h_, w_, n_, h_ * s.sh, w_ * s.sw))

    def part(images):
        s.interior(x_pad)[images] = x[images]
        patches[:, :, :, images] = windows[:, :, :, images]  # one copy, offset by offset in memory
        if ones_row:
            s.images(cols, images)[-1] = 1

    in_parts(part, s.n, cols.size)
    return cols


def col2im(dcols: np.ndarray, s: ConvShape) -> np.ndarray:
    """The adjoint of :func:`im2col`: each column's values added back where its patch came from.

    ``dcols`` (C·kh·kw, N·L) → (N, C, H, W) (a view of a channel-major padded array): where
    patches overlap, their values add up.
    """
    dx_pad = np.empty(s.padded, dtype=dcols.dtype)  # zeroed part by part below

    def part(images):
        dx_pad[:, images] = 0  # written zeros, not np.zeros (see memory.written_zeros)
        d = s.images(dcols, images).reshape(s.c, s.kh, s.kw, -1, s.ho, s.wo)
        for u in range(s.kh):
            for v in range(s.kw):
                s.patch(dx_pad, u, v, images)[...] += d[:, u, v]

    in_parts(part, s.n, dcols.size)
    return s.interior(dx_pad)


def input_grad(g: np.ndarray, weight: np.ndarray, s: ConvShape, work: Workspace) -> np.ndarray:
    """dL/dx = col2im(Wᵀ · g) for g = dL/dout (N, O, Ho, Wo) and W (O, C, kh, kw): (N, C, H, W).

    With stride 1 the same sums are one convolution of g, padded by k − 1 − p, with the
    kernel flipped and its in/out channels swapped (the "full" correlation):

        dL/dx[n, c, y, x] = Σ_o Σ_u Σ_v W[o, c, u, v] · g[n, o, y + p − u, x + p − v]

    computed as im2col of g and one matrix product, whose sums over the kernel offsets happen
    inside BLAS. Measured (one core, batch 64, 3×3): 16→16 channels at 28×28 7 ms instead of
    9, 32→32 at 14×14 5 ms instead of 7.5, but 16→32 at 14×14 4 ms instead of 3: the patches
    of g have O·kh·kw rows, those of Wᵀ · g C·kh·kw. So it is taken when O ≤ C (and the
    stride is 1); otherwise the product Wᵀ · g is folded back by kh·kw strided additions.
    """
    o, c, kh, kw = weight.shape
    flipped_pad = (kh - 1 - s.ph, kw - 1 - s.pw)
    if (s.sh, s.sw) != (1, 1) or min(flipped_pad) < 0 or o > c:
        dcols = matmul_columns(weight.reshape(o, -1).T, as_columns(g), s, work=work)  # Wᵀ · g
        return col2im(dcols, s)
    gs = ConvShape(s.n, o, s.ho, s.wo, kh, kw, 1, 1, *flipped_pad, s.h, s.w)
    g_cols = im2col(g, gs, work, ones_row=False, name="g")                         # (O·kh·kw, N·H·W)
    w_flipped = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(c, -1)       # (C, O·kh·kw)
    return as_images(matmul_columns(w_flipped, g_cols, gs), gs)


def matmul_columns(a: np.ndarray, cols: np.ndarray, s: ConvShape, work: Workspace | None = None) -> np.ndarray:
    """``a @ cols`` for a (rows, N·L) matrix of images' columns, the images split across cores.

    ``work``: the product is working memory kept there (valid until the layer's next call);
    default a new array.
    """
    a = np.ascontiguousarray(a)  # OpenBLAS is ~4× slower for a transposed view (Wᵀ) than for a copy
    shape, dtype = (a.shape[0], cols.shape[1]), np.result_type(a, cols)
    out = np.empty(shape, dtype=dtype) if work is None else work.array("product", shape, dtype)

    def part(images):
        np.matmul(a, s.images(cols, images), out=s.images(out, images))

    in_parts(part, s.n, cols.size + out.size, flops=out.size * a.shape[1])
    return out


WEIGHT_GRAD_PIECE = 4096  # positions per piece of dL/dW = Σ_p g[:, p] cols[:, p]ᵀ


def _summed_in_pieces(g: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """g colsᵀ as (O, rows), summed over pieces of WEIGHT_GRAD_PIECE positions.

    One product over all N·L positions is ~3× slower in OpenBLAS when the result is tiny
    (a first layer: 16 × 9 from 53,760 positions) than the same sum taken in pieces.
    cols @ gᵀ (then transposed) was measured faster than g @ colsᵀ.
    """
    total = cols[:, :WEIGHT_GRAD_PIECE] @ g[:, :WEIGHT_GRAD_PIECE].T
    for start in range(WEIGHT_GRAD_PIECE, cols.shape[1], WEIGHT_GRAD_PIECE):
        total += cols[:, start : start + WEIGHT_GRAD_PIECE] @ g[:, start : start + WEIGHT_GRAD_PIECE].T
    return total.T


def weight_grad(g: np.ndarray, cols: np.ndarray, s: ConvShape) -> np.ndarray:
    """dL/dW = g colsᵀ = Σ over the N·L positions p of g[:, p] cols[:, p]ᵀ: (O, rows).

    Each core sums its images; the parts are added in order, so a thread count always gives
    the same bits.
    """
    parts = in_parts(lambda images: _summed_in_pieces(s.images(g, images), s.images(cols, images)), s.n, cols.size,
                     flops=g.size * cols.shape[0])
    total = parts[0]
    for more in parts[1:]:
        total += more
    return total


def as_columns(grad: np.ndarray) -> np.ndarray:
    """(N, O, Ho, Wo) → (O, N·L): a view when channel-major (what follows a convolution), else a copy."""
    return grad.transpose(1, 0, 2, 3).reshape(grad.shape[1], -1)


def as_images(out: np.ndarray, s: ConvShape) -> np.ndarray:
    """(O, N·L) → (N, O, Ho, Wo), a channel-major view."""
    return out.reshape(-1, s.n, s.ho, s.wo).transpose(1, 0, 2, 3)
