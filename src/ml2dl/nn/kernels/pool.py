"""Pooling kernels: the maximum (and mean) of every window, and their backward passes.

Each kernel offset (u, v) selects, for every window at once, one strided plane of the input,
``x[:, :, u::sh, v::sw]`` cropped to Ho × Wo. Max and mean are then kh·kw elementwise
operations on whole planes: no Python loop over windows or pixels.

Max pooling has a faster, separable path when the windows tile the image exactly (stride =
kernel, H and W multiples of it) and the input is one compact block (in C order or
channel-major): the maximum is taken across the kw neighbours in each row (kw consecutive
values in memory), then down the kh row maxima. Taking the first maximum of the first row
that holds the window's maximum is the row-major first maximum, so ties go the same way as
in the planes path (and as in PyTorch). That path splits the outermost axis in memory
across cores and keeps its winner indices in the layer's :class:`~.memory.Workspace`.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from .memory import Workspace, inverse, memory_order, zeros_in_order
from .threads import in_parts


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


def planes(x_shape, kernel, stride, out_hw):
    """The index of every kernel offset's strided plane, offsets in row-major order."""
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_hw
    return [(slice(None), slice(None), slice(u, u + (ho - 1) * sh + 1, sh), slice(v, v + (wo - 1) * sw + 1, sw))
            for u in range(kh) for v in range(kw)]


class Winners(NamedTuple):
    """What :func:`max_pool_backward` needs: where each window's maximum was (or, when they
    were not looked for, the input to find them in)."""

    x: np.ndarray | None               # the input, when the winners are still to be found
    x_shape: tuple
    x_order: tuple
    kernel: tuple
    stride: tuple
    out_hw: tuple
    which: np.ndarray                  # planes path: the winning plane of each window
    row_winner: np.ndarray | None      # separable path: the winner within each row of a window …
    winning_row: np.ndarray | None     # … and the winning row of each window


def _tiled_block(x, kernel, stride, order):
    """x as a C-ordered (n0, n1, H, W) view of its memory, when the separable path applies; else None."""
    (kh, kw), (h, w) = kernel, x.shape[2:]
    if tuple(stride) != tuple(kernel) or h % kh or w % kw or order[2:] != (2, 3):
        return None
    blocks = x.transpose(order)
    return blocks if blocks.flags.c_contiguous else None


def max_pool(x: np.ndarray, kernel, stride, out_hw, work: Workspace, *,
             winners: bool = True) -> tuple[np.ndarray, Winners]:
    """out[n, c, i, j] = max over the window at (i·sh, j·sw); returns (out, winners), out in x's memory order.

    ``winners=False`` (inference): only the maxima are taken, and :func:`max_pool_backward`
    finds the winners from the kept input if it is ever asked.
    """
    order = memory_order(x)
    blocks = _tiled_block(x, kernel, stride, order)
    if not winners:
        if blocks is None:
            out = functools.reduce(np.maximum, [x[index] for index in planes(x.shape, kernel, stride, out_hw)])
        else:
            out = _tiled_maximum(blocks, kernel).transpose(inverse(order))
        return out, Winners(x, x.shape, order, kernel, stride, out_hw, None, None, None)
    if blocks is None:
        out, which = first_maximum([x[index] for index in planes(x.shape, kernel, stride, out_hw)])
        return out, Winners(None, x.shape, order, kernel, stride, out_hw, which, None, None)
    (kh, kw), (n0, n1, h, w) = kernel, blocks.shape
    ho, wo = h // kh, w // kw
    out = np.empty((n0, n1, ho, wo), dtype=x.dtype)
    row_winner = work.array("row_winner", (n0, n1, h, wo), np.uint8)     # per row of each window
    winning_row = work.array("winning_row", (n0, n1, ho, wo), np.uint8)

    def part(p):  # a slice of the outermost axis in memory
        neighbours = blocks[p].reshape(-1, kw)                  # each row of kw: one row of a window
        row_best, _ = first_maximum([neighbours[:, v] for v in range(kw)], which=row_winner[p].reshape(-1))
        rows = row_best.reshape(-1, n1, ho, kh, wo)             # each window's kh row maxima
        first_maximum([rows[:, :, :, u] for u in range(kh)], best=out[p], which=winning_row[p])

    in_parts(part, n0, x.size)
    return out.transpose(inverse(order)), Winners(None, x.shape, order, kernel, stride, out_hw, None,
                                                  row_winner, winning_row)


def _tiled_maximum(blocks: np.ndarray, kernel) -> np.ndarray:
    """The maxima alone of the separable path: across each row's kw neighbours, then down the kh rows."""
    (kh, kw), (n0, n1, h, w) = kernel, blocks.shape
    neighbours = blocks.reshape(-1, kw)
    row_best = functools.reduce(np.maximum, [neighbours[:, v] for v in range(kw)]).reshape(n0, n1, h // kh, kh, -1)
    return functools.reduce(np.maximum, [row_best[:, :, :, u] for u in range(kh)])


def max_pool_backward(grad: np.ndarray, won: Winners, work: Workspace) -> np.ndarray:
    """dL/dx: each window's gradient to the input that won it (the first maximum on ties), 0 elsewhere."""
    if won.x is not None:  # the forward pass did not look for the winners: find them now
        won = max_pool(won.x, won.kernel, won.stride, won.out_hw, work)[1]
    if won.row_winner is None:
        dx = zeros_in_order(won.x_shape, won.x_order, grad.dtype)
        overlapping = any(s < k for s, k in zip(won.stride, won.kernel))
        route(grad, won.which, [dx[index] for index in planes(won.x_shape, won.kernel, won.stride, won.out_hw)],
              overlapping)
        return dx
    dx = zeros_in_order(won.x_shape, won.x_order, grad.dtype, fill=False)  # every element written below
    (kh, kw), blocks = won.kernel, dx.transpose(won.x_order)
    n0, n1, h, w = blocks.shape
    g = grad.transpose(won.x_order)
    to_rows = work.array("to_rows", (n0, n1, h // kh, kh, w // kw), grad.dtype)  # dL/d(row maxima)

    def part(p):
        route(g[p], won.winning_row[p], [to_rows[p, :, :, u] for u in range(kh)])
        neighbours = blocks[p].reshape(-1, kw)
        route(to_rows[p].reshape(-1), won.row_winner[p].reshape(-1), [neighbours[:, v] for v in range(kw)])

    in_parts(part, n0, dx.size)
    return dx


def avg_pool(x: np.ndarray, kernel, stride, out_hw) -> np.ndarray:
    """out = the mean of each window: the sum of the kh·kw planes / (kh·kw), in x's memory order."""
    first, *rest = planes(x.shape, kernel, stride, out_hw)
    total = x[first].copy(order="K")
    for index in rest:
        total += x[index]
    return total / x.dtype.type(kernel[0] * kernel[1])


def avg_pool_backward(grad: np.ndarray, x_shape, kernel, stride, out_hw) -> np.ndarray:
    """dL/dx: every input of a window gets g / (kh·kw) (added up where windows overlap)."""
    share = grad / (kernel[0] * kernel[1])
    dx = zeros_in_order(x_shape, memory_order(grad), grad.dtype)
    for index in planes(x_shape, kernel, stride, out_hw):
        dx[index] += share
    return dx
