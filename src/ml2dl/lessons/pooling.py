"""Step 8 — pooling: shrink a feature map, keep what matters.

2 × 2 max pooling with stride 2 keeps the largest value of each window, so every
side halves and three values in four are dropped; average pooling keeps each
window's mean instead. Both computed by the engine (``nn.MaxPool2d(2)``,
``nn.AvgPool2d(2)``). Repeated, it gives a real CNN's size progression:
224 → 112 → 56 → 28 → 14 → 7.
"""

from __future__ import annotations

import numpy as np

from ml2dl import checks
from ml2dl.checks import InputError, int_in_range
from ml2dl import nn

KERNEL = 2
STRIDE = 2
MAX_POOLINGS = 5


def random_grid(size: int, seed: int) -> np.ndarray:
    """A size × size grid of whole numbers 0 … 99 (easy to compare by eye), from ``default_rng(seed)``."""
    return checks.rng(seed, "seed").integers(0, 100, size=(size, size)).astype(np.float64)


def progression(start: int = 224, poolings: int = MAX_POOLINGS) -> list[int]:
    """Side lengths after each 2 × 2 / stride 2 pooling: [start, ⌊start/2⌋, …] (stops below 2)."""
    sizes = [start]
    pool = nn.MaxPool2d(KERNEL, STRIDE)
    while len(sizes) <= poolings and sizes[-1] >= KERNEL:
        sizes.append(pool.output_shape((1, sizes[-1], sizes[-1]))[1])
    return sizes


def pooling(size: int = 8, seed: int = 0, start: int = 224) -> dict:
    """Max and average pooling (2 × 2, stride 2) of a random grid, window by window.

    Args:
        size: grid side, even, 4 to 16.
        seed: seed of the random grid.
        start: first side length of the size progression (2 to 4096).

    Returns:
        ``{"size", "kernel", "stride", "grid", "max", "avg", "winners", "windows", "progression",
        "kept", "dropped"}``: ``grid`` size × size, ``max``/``avg`` (size/2) × (size/2), ``winners`` a
        size × size 0/1 mask of the values max pooling kept (first maximum on ties, as PyTorch), and
        per window its output cell, input cells, max, mean and the winner's position.
    """
    size = int_in_range("size", size, 4, 16)
    if size % 2:
        raise InputError(f"size must be even so 2×2 windows tile the grid, got {size}")
    seed = int_in_range("seed", seed, 0, 2**32 - 1)
    start = int_in_range("start", start, 2, 4096)

    grid = random_grid(size, seed)
    x = grid[None, None]                      # (N=1, C=1, H, W)
    max_pool, avg_pool = nn.MaxPool2d(KERNEL, STRIDE), nn.AvgPool2d(KERNEL, STRIDE)
    out_max = max_pool(x)[0, 0]
    winners = max_pool.winners()[0, 0]
    out_avg = avg_pool(x)[0, 0]

    windows = []
    for i in range(out_max.shape[0]):
        for j in range(out_max.shape[1]):
            rows, cols = range(i * STRIDE, i * STRIDE + KERNEL), range(j * STRIDE, j * STRIDE + KERNEL)
            cells = [[r, c] for r in rows for c in cols]
            winner = next([r, c] for r, c in cells if winners[r, c])
            windows.append({"out": [i, j], "cells": cells, "max": float(out_max[i, j]),
                            "avg": float(out_avg[i, j]), "winner": winner})
    kept = int(winners.sum())
    return {
        "size": size,
        "seed": seed,
        "kernel": KERNEL,
        "stride": STRIDE,
        "grid": grid.tolist(),
        "max": out_max.tolist(),
        "avg": out_avg.tolist(),
        "winners": winners.astype(int).tolist(),
        "windows": windows,
        "kept": kept,
        "dropped": size * size - kept,
        "progression": progression(start),
    }
