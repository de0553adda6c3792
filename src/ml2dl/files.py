"""The one way ml2dl writes files: whole or not at all, and strict JSON.

:func:`atomic_write` writes into a temporary file beside the target, flushes it to disk and
then renames it over the target (``os.replace`` is atomic on one file system), so a crash or an
error mid-write leaves the previous file intact and never a half-written one. Checkpoints,
run histories, reports, caches and job results all go through it.

:func:`write_json` writes strict JSON (NaN and ±inf become ``null``, which browsers accept;
NumPy scalars and arrays become numbers and lists).

This module imports nothing of ours, so every package may use it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np


def atomic_write(path, write: Callable, *, binary: bool = True) -> Path:
    """Call ``write(file)`` on a temporary file beside ``path``, fsync it, then ``os.replace``.

    If ``write`` raises or the process dies, ``path`` keeps its previous content and the
    temporary file is removed (or, after a kill, left as a hidden ``.name.*.tmp``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    text_options = {} if binary else {"encoding": "utf-8", "newline": ""}
    try:
        with os.fdopen(fd, "wb" if binary else "w", **text_options) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda f: f.write(text), binary=False)


def jsonable(value: Any) -> Any:
    """``value`` with NumPy types as Python ones, NaN/±inf as ``None``, tuples as lists.

    Dataclasses are not unpacked here: callers pass ``dataclasses.asdict(...)``.
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        # fast path for the images and heatmaps lessons return: booleans, integers and all-finite
        # floats come out of tolist() as plain Python values with nothing left to clean
        if value.dtype.kind in "biu" or (value.dtype.kind == "f" and np.isfinite(value).all()):
            return value.tolist()
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    return value


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """Strict JSON for ``value`` (see :func:`jsonable`), ending with a newline when indented."""
    text = json.dumps(jsonable(value), indent=indent, allow_nan=False, ensure_ascii=False)
    return text + "\n" if indent is not None else text


def write_json(path, value: Any, *, indent: int | None = 2) -> Path:
    """Write ``value`` as strict JSON to ``path``, atomically."""
    return atomic_write_text(path, json_text(value, indent=indent))


def read_json(path) -> Any:
    """The JSON value stored in ``path`` (UTF-8)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
