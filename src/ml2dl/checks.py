"""One home for checking what a user gave us, and the one error type that says it was wrong.

Every layer of the house (the engine, data, training, the web app, the CLI) checks its
arguments with these functions, so every message has the same shape — what was expected and
what was received::

    >>> positive_int("kernel_size", 0)
    Traceback (most recent call last):
    InputError: kernel_size must be a positive int, got 0

:class:`InputError` is a :class:`ValueError`, so ``except ValueError`` keeps working. The web
app answers it with a 4xx and its message; the CLI prints it on one line and exits with 2.
Any other exception is a bug and is reported as one (a 500 without internals, a traceback).

This module imports NumPy and nothing else of ours, so every package (``nn`` included) may
import it without making a circle.
"""

from __future__ import annotations

import math
from typing import Iterable, TypeVar

import numpy as np

T = TypeVar("T")


class InputError(ValueError):
    """Bad input from a user: a value, a file or a request that ml2dl cannot use.

    The message says what was expected and what was received.
    """


def _is_int(value) -> bool:
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, np.integer))


def _is_number(value) -> bool:
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, float, np.integer, np.floating))


def positive_int(name: str, value) -> int:
    """``value`` as an int ≥ 1."""
    if not _is_int(value) or value <= 0:
        raise InputError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def non_negative_int(name: str, value) -> int:
    """``value`` as an int ≥ 0."""
    if not _is_int(value) or value < 0:
        raise InputError(f"{name} must be a non-negative int, got {value!r}")
    return int(value)


def int_in_range(name: str, value, low: int, high: int | None = None) -> int:
    """``value`` as an int with ``low ≤ value ≤ high`` (no upper bound when ``high`` is None)."""
    if not _is_int(value) or value < low or (high is not None and value > high):
        bound = f"≥ {low}" if high is None else f"in [{low}, {high}]"
        raise InputError(f"{name} must be an int {bound}, got {value!r}")
    return int(value)


def finite(name: str, value) -> float:
    """``value`` as a finite float (no NaN, no ±inf)."""
    if not _is_number(value) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def number_in_range(name: str, value, low: float | None = None, high: float | None = None, *,
                    low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float in the interval given (``None`` = unbounded on that side).

    ``low_open``/``high_open`` exclude the end: ``number_in_range("lr", x, 0, low_open=True)``
    is ``x > 0``.
    """
    if not _is_number(value) or not math.isfinite(value) \
            or (low is not None and (value <= low if low_open else value < low)) \
            or (high is not None and (value >= high if high_open else value > high)):
        left = "-inf" if low is None else f"{low:g}"
        right = "inf" if high is None else f"{high:g}"
        bound = f"{'(' if low_open or low is None else '['}{left}, {right}{')' if high_open or high is None else ']'}"
        raise InputError(f"{name} must be a number in {bound}, got {value!r}")
    return float(value)


def positive_number(name: str, value) -> float:
    """``value`` as a finite float > 0."""
    if not _is_number(value) or not math.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def fraction(name: str, value, *, inclusive_high: bool = False) -> float:
    """``value`` as a float in [0, 1) (or [0, 1] with ``inclusive_high``): a probability, a share."""
    return number_in_range(name, value, 0.0, 1.0, high_open=not inclusive_high)


def choice(name: str, value: T, options: Iterable[T]) -> T:
    """``value`` if it is one of ``options``."""
    options = tuple(options)
    if value not in options:
        raise InputError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def pair(name: str, value, check=positive_int) -> tuple[int, int]:
    """An int or a pair of ints, as PyTorch's ``_pair``: 3 → (3, 3); (3, 5) → (3, 5)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise InputError(f"{name} must be an int or a pair of ints, got {value!r}")
        return check(name, value[0]), check(name, value[1])
    v = check(name, value)
    return v, v


def rng(seed_or_generator=None, name: str = "rng") -> np.random.Generator:
    """A NumPy Generator from a seed, a Generator, or ``None`` (fresh entropy).

    A seed is an int ≥ 0 or a non-empty tuple/list of them (``(seed, 1)``: a second stream
    of ``seed`` that never overlaps the first); it gives exactly ``np.random.default_rng(seed)``.
    The one way ml2dl makes random generators: no global state, so a seed reproduces.
    """
    if isinstance(seed_or_generator, np.random.Generator):
        return seed_or_generator
    if seed_or_generator is None:
        return np.random.default_rng()
    if isinstance(seed_or_generator, (tuple, list)) and seed_or_generator:
        return np.random.default_rng([non_negative_int(f"{name}[{i}]", s) for i, s in enumerate(seed_or_generator)])
    return np.random.default_rng(non_negative_int(name, seed_or_generator))
