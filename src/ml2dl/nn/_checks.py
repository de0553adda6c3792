"""Argument checks that say what was expected and what was received."""

from __future__ import annotations

import numpy as np


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def non_negative_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return int(value)


def pair(name: str, value, check=positive_int) -> tuple[int, int]:
    """An int or a pair of ints, as PyTorch's ``_pair``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return check(name, value[0]), check(name, value[1])
    v = check(name, value)
    return v, v


def probability(name: str, value, *, inclusive_high: bool = False) -> float:
    ok = 0 <= value <= 1 if inclusive_high else 0 <= value < 1
    if not isinstance(value, (int, float, np.floating)) or not ok:
        bound = "[0, 1]" if inclusive_high else "[0, 1)"
        raise ValueError(f"{name} must be a number in {bound}, got {value!r}")
    return float(value)


def as_float_array(x, layer: str) -> np.ndarray:
    """The input as a floating array (float32 unless already floating)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float32)
    return x


def input_ndim(x: np.ndarray, ndims: tuple[int, ...], layer: str, layout: str) -> None:
    if x.ndim not in ndims:
        raise ValueError(f"{layer} expects input of shape {layout}, got shape {x.shape}")


def compact_pair(p: tuple[int, int]):
    """(3, 3) → 3, (3, 5) → [3, 5]: how a pair is written in a config or repr."""
    return p[0] if p[0] == p[1] else list(p)
