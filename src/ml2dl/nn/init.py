"""Weight initialisation: PyTorch's defaults, He (Kaiming) and Xavier (Glorot).

Every function fills a :class:`Parameter` (or array) in place from an explicit
``np.random.Generator`` and returns it. ``fan_in`` of a weight of shape
(out, in, *kernel) is ``in * prod(kernel)``; ``fan_out`` is ``out * prod(kernel)``.

Why initialisation matters (the vanishing-gradient lecture): with weights too small the
signal shrinks layer after layer, too large and it explodes. He keeps the variance of
ReLU activations constant (Var w = 2 / fan_in); Xavier keeps it for tanh/sigmoid
(Var w = 2 / (fan_in + fan_out)).
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import InputError, choice, rng as generator
from .module import Parameter


def _array(p):
    return p.data if isinstance(p, Parameter) else p


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape (out, in, *kernel)."""
    if len(shape) < 2:
        raise InputError(f"fan in/out need a weight with at least 2 dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for an activation, as ``torch.nn.init.calculate_gain``."""
    gains = {"linear": 1.0, "identity": 1.0, "conv2d": 1.0, "sigmoid": 1.0,
             "tanh": 5.0 / 3, "relu": math.sqrt(2.0)}
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    return gains[choice("nonlinearity", nonlinearity, sorted(gains))]


def uniform_(p, low: float, high: float, rng=None):
    a = _array(p)
    a[...] = generator(rng).uniform(low, high, size=a.shape)
    return p


def normal_(p, mean: float = 0.0, std: float = 1.0, rng=None):
    a = _array(p)
    a[...] = generator(rng).normal(mean, std, size=a.shape)
    return p


def constant_(p, value: float):
    _array(p)[...] = value
    return p


def zeros_(p):
    return constant_(p, 0.0)


def ones_(p):
    return constant_(p, 1.0)


def kaiming_uniform_(p, a: float = 0.0, nonlinearity: str = "leaky_relu", rng=None):
    """He uniform: U(−bound, bound), bound = gain · √(3 / fan_in)."""
    fan_in, _ = fans(_array(p).shape)
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan_in)
    return uniform_(p, -bound, bound, rng)


def kaiming_normal_(p, a: float = 0.0, nonlinearity: str = "relu", rng=None):
    """He normal: N(0, std²), std = gain / √fan_in (gain √2 for ReLU)."""
    fan_in, _ = fans(_array(p).shape)
    return normal_(p, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan_in), rng)


def xavier_uniform_(p, gain: float = 1.0, rng=None):
    """Glorot uniform: U(−a, a), a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(_array(p).shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(p, -bound, bound, rng)


def xavier_normal_(p, gain: float = 1.0, rng=None):
    """Glorot normal: N(0, std²), std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(_array(p).shape)
    return normal_(p, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def torch_default_(weight, bias=None, rng=None):
    """PyTorch's default for Linear and Conv2d.

    ``kaiming_uniform_(a=√5)`` on the weight, which works out to U(−1/√fan_in, 1/√fan_in),
    and the same bound for the bias.
    """
    rng = generator(rng)
    fan_in, _ = fans(_array(weight).shape)
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    uniform_(weight, -bound, bound, rng)
    if bias is not None:
        uniform_(bias, -bound, bound, rng)
    return weight


INITIALISERS = {
    "default": None,  # torch_default_
    "he": "kaiming_normal_",
    "he_uniform": "kaiming_uniform_",
    "xavier": "xavier_uniform_",
    "xavier_normal": "xavier_normal_",
}


def initialise(weight, bias, scheme: str, rng) -> None:
    """Apply a named scheme: ``default`` (PyTorch's), ``he``, ``he_uniform``, ``xavier``, ``xavier_normal``.

    He and Xavier set biases to zero, as is customary.
    """
    if choice("init", scheme, sorted(INITIALISERS)) == "default":
        torch_default_(weight, bias, rng)
        return
    globals()[INITIALISERS[scheme]](weight, rng=rng)
    if bias is not None:
        zeros_(bias)
