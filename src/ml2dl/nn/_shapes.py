"""The engine's checks of the arrays it is given; argument checks are :mod:`ml2dl.checks`' (one home)."""

from __future__ import annotations

import numpy as np

from ..checks import InputError


def as_float_array(x, layer: str) -> np.ndarray:
    """The input as a floating array (float32 unless already floating)."""
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    return x


def input_ndim(x: np.ndarray, ndims: tuple[int, ...], layer: str, layout: str) -> None:
    """Raise :class:`InputError` unless ``x`` has one of ``ndims`` dimensions (``layout`` names them)."""
    if x.ndim not in ndims:
        raise InputError(f"{layer} expects input of shape {layout}, got shape {x.shape}")


def compact_pair(p: tuple[int, int]):
    """(3, 3) → 3, (3, 5) → [3, 5]: how a pair is written in a config or repr."""
    return p[0] if p[0] == p[1] else list(p)
