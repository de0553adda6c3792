"""What names a job's result: a fingerprint of its settings and data, and of the code that computes it.

A job's key is ``name`` + :func:`fingerprint` of everything that defines its result (settings,
the data file's :func:`file_fingerprint`) and, always, the :func:`code_version` of the code that
computes results — so a result cached by an older training loop or lesson is never reused.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import ml2dl


# The code whose change can change a job's result: the engine, the training loop, the data, the lessons.
RESULT_CODE = ("nn", "optim.py", "train", "data", "lessons", "metrics", "explain.py", "checks.py", "files.py")


@functools.cache
def code_version() -> str:
    """sha256 (16 hex digits) of the source of :data:`RESULT_CODE` and the package version."""
    root = Path(ml2dl.__file__).parent
    h = hashlib.sha256(ml2dl.__version__.encode())
    for part in RESULT_CODE:
        path = root / part
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else []
        for f in files:
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def fingerprint(*parts: Any) -> str:
    """A short stable hash of JSON-able parts (settings, data hashes) and of :func:`code_version`."""
    text = json.dumps([code_version(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_fingerprint(path: str | os.PathLike) -> str:
    """sha256 (first 16 hex digits) of a file's bytes: the same data gives the same key."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]
