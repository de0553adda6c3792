"""Checkpoints: one ``.npz`` file holding the arrays and a JSON description of the architecture.

The file is read with ``allow_pickle=False`` (a checkpoint can never run code) and written
atomically (a temporary file in the same folder, then ``os.replace``), so an interrupted
save leaves the previous checkpoint intact.

Layout: every ``state_dict`` array under its name (``"0.weight"``), plus ``__ml2dl__``: a
JSON string ``{"format": 1, "architecture": [{"type": "Conv2d", "config": {...}}, ...],
"metadata": {...}}``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from . import activation, conv, linear, normalization, pooling, recurrent
from ..checks import InputError
from ..files import atomic_write
from .module import Module
from .sequential import Sequential

FORMAT_VERSION = 1
SPEC_KEY = "__ml2dl__"

LAYER_TYPES = {cls.__name__: cls for cls in (
    linear.Linear, linear.Flatten, activation.Identity, linear.Dropout,
    conv.Conv2d, pooling.MaxPool2d, pooling.AvgPool2d, pooling.AdaptiveAvgPool2d,
    normalization.BatchNorm1d, normalization.BatchNorm2d,
    activation.Step, activation.Sigmoid, activation.Tanh, activation.ReLU, activation.LeakyReLU,
    activation.Softmax, recurrent.RNN,
)}


class CheckpointError(InputError):
    """A file that is not a readable ml2dl checkpoint."""


def architecture(model: Module) -> list[dict]:
    """The JSON-able description of a Sequential: each layer's type and constructor config."""
    layers = model.layers if isinstance(model, Sequential) else [model]
    spec = []
    for layer in layers:
        name = type(layer).__name__
        if name not in LAYER_TYPES:
            raise TypeError(f"cannot describe layer type {name}; supported: {sorted(LAYER_TYPES)}")
        spec.append({"type": name, "config": layer.config()})
    return spec


def weight_count(spec: list[dict]) -> int:
    """Parameters the architecture would allocate, counted from the description (nothing allocated)."""
    def whole(config, key, default=0):
        v = config.get(key, default)
        if isinstance(v, (list, tuple)):
            return int(np.prod([whole({"v": x}, "v") for x in v]))
        return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0

    total = 0
    for entry in spec if isinstance(spec, list) else []:
        c = entry.get("config", {}) if isinstance(entry, dict) else {}
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind == "Linear":
            total += whole(c, "in_features") * whole(c, "out_features") + whole(c, "out_features")
        elif kind == "Conv2d":
            k = c.get("kernel_size", 1)
            kk = whole({"k": k}, "k") if isinstance(k, (list, tuple)) else whole(c, "kernel_size", 1) ** 2
            total += whole(c, "in_channels") * whole(c, "out_channels") * kk + whole(c, "out_channels")
        elif kind == "RNN":
            h = whole(c, "hidden_size")
            total += h * (whole(c, "input_size") + h + 2)
        elif kind in ("BatchNorm1d", "BatchNorm2d"):
            total += 4 * whole(c, "num_features")
    return total


def _memory_bytes() -> int:
    try:
        import os

        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def build(spec: list[dict]) -> Sequential:
    """Rebuild a Sequential from :func:`architecture`'s description (weights at their initial values).

    An architecture whose weights (and their gradients, float32) would not fit in half of this
    machine's memory is refused before anything is allocated.
    """
    need, have = 8 * weight_count(spec), _memory_bytes()
    if need > have // 2:
        raise CheckpointError(f"the architecture would need {need / 2**30:,.1f} GB for its weights and gradients; "
                              f"this machine has {have / 2**30:,.1f} GB")
    layers = []
    for i, entry in enumerate(spec):
        try:
            cls = LAYER_TYPES[entry["type"]]
            layers.append(cls(**entry.get("config", {})))
        except (KeyError, TypeError, ValueError, MemoryError, AttributeError) as err:
            raise CheckpointError(f"layer {i} of the architecture is not valid: {str(entry)[:120]} "
                                  f"({type(err).__name__}: {str(err)[:120]})") from None
    return Sequential(*layers)


def save(model: Module, path, *, metadata: dict | None = None) -> Path:
    """Write ``model``'s architecture, weights and buffers (and JSON-able ``metadata``) to ``path``."""
    path = Path(path)
    spec = {"format": FORMAT_VERSION, "architecture": architecture(model), "metadata": metadata or {}}
    arrays = model.state_dict()
    if SPEC_KEY in arrays:
        raise ValueError(f"a parameter may not be called {SPEC_KEY!r}")
    arrays[SPEC_KEY] = np.array(json.dumps(spec))
    atomic_write(path, lambda f: np.savez(f, **arrays))
    return path


def load(path, *, with_metadata: bool = False):
    """Read a checkpoint written by :func:`save`; returns the model (and its metadata if asked).

    Raises:
        FileNotFoundError: no file at ``path``.
        CheckpointError: the file is not an ml2dl checkpoint (corrupt, truncated or foreign).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if SPEC_KEY not in npz.files:
                raise CheckpointError(f"{path} is not an ml2dl checkpoint: no {SPEC_KEY!r} entry "
                                      f"(found {sorted(npz.files)[:5]})")
            spec = json.loads(str(npz[SPEC_KEY]))
            arrays = {k: npz[k] for k in npz.files if k != SPEC_KEY}
    except CheckpointError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{path} is not a readable ml2dl checkpoint ({type(err).__name__}: {err})") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT_VERSION or "architecture" not in spec:
        raise CheckpointError(f"{path}: unsupported checkpoint description (expected format {FORMAT_VERSION})")
    model = build(spec["architecture"])
    try:
        dtypes = {a.dtype for k, a in arrays.items() if np.issubdtype(a.dtype, np.floating)}
        if dtypes == {np.dtype(np.float64)}:
            model.double()
        model.load_state_dict(arrays)
    except (KeyError, ValueError) as err:
        raise CheckpointError(f"{path}: weights do not match the architecture ({err})") from None
    return (model, spec.get("metadata", {})) if with_metadata else model
