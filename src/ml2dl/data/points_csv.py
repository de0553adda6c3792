"""A small CSV of labelled 2-D points ("my own data" for the playground): read, checked, scaled, encoded.

The file: one point per line, ``x1,x2,label`` — two numbers and a label 0 or 1 — with an optional
header line naming the columns (a first line whose fields are not all numbers). The separator is a
comma, or a semicolon or a tab when the first line has one. Blank lines are skipped.

    bytes ── ≤ MAX_BYTES ──► UTF-8 text ──► lines ──► 3 fields each ──► finite numbers, label 0/1
          ──► ≤ MAX_ROWS rows, ≥ MIN_PER_CLASS of each label ──► :class:`PointsCSV`

Every problem is a :class:`CsvError` (an :class:`~ml2dl.checks.InputError`, a 422 at the web edge;
:class:`CsvTooLarge`, a 413, for the byte and row limits) naming the line and what was expected and
received.

The playground's plane shows [-1.5, 1.5]² and its built-in problems lie in [-1, 1]²; a user's columns
can be in any unit, so :func:`scale_to_plane` maps each column linearly onto [-1, 1]:
x' = 2 (x − min) / (max − min) − 1 (a constant column becomes 0).

:func:`encode` packs the scaled points into a short URL-safe text (the playground's state carries
it, and a link can): x' quantised to int16 (x' · 32767, steps of 3·10⁻⁵), the labels as bits, the
columns' names and ranges, zlib, base64url. :func:`decode` checks everything it unpacks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from ..checks import InputError

MAX_BYTES = 64 * 1024
MAX_ROWS = 1000
MIN_PER_CLASS = 2          # a train and a test point of each label, at least
MAX_NAME = 24              # characters of a column name kept
MAX_TOKEN = 8000           # characters of an encoded data set a request may carry (1,000 rows need ≤ ~5,700)
LINK_LIMIT = 8000          # characters of a whole link: RFC 9110 asks every client and server to take 8,000
_VERSION = 1
_Q = 32767                 # int16 quantisation of [-1, 1]


class CsvError(InputError):
    """A points file (or an encoded data set) that is not what the playground can train on."""


class CsvTooLarge(CsvError):
    """A points file over the byte or the row limit."""


@dataclass(frozen=True)
class PointsCSV:
    """A checked file: ``X`` (n, 2) float64 as written, ``y`` (n,) int64 0/1, the columns' names."""

    X: np.ndarray
    y: np.ndarray
    names: tuple[str, str]
    header: bool


def _show(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def read_points_csv(data: bytes) -> PointsCSV:
    """Parse and check a points file (see the module's docstring for the format and the limits)."""
    if len(data) > MAX_BYTES:
        raise CsvTooLarge(f"the file must be at most {MAX_BYTES // 1024} KB, got {len(data) / 1024:,.1f} KB or more")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise CsvError(f"line {line}: expected UTF-8 text (a CSV file), got the byte 0x{data[err.start]:02x}") from None
    lines = [(k, line.strip()) for k, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise CsvError("the file is empty: expected lines of x1,x2,label (two numbers and a label 0 or 1)")
    first = lines[0][1]
    sep = ";" if ";" in first else "\t" if "\t" in first else ","
    header = not all(_is_number(f) for f in first.split(sep))
    names = ("x1", "x2")
    if header:
        fields = [f.strip().strip('"') for f in first.split(sep)]
        _check_columns(lines[0][0], fields, first, "header")
        names = (fields[0][:MAX_NAME] or "x1", fields[1][:MAX_NAME] or "x2")
        lines = lines[1:]
    if len(lines) > MAX_ROWS:
        raise CsvTooLarge(f"the file must have at most {MAX_ROWS:,} rows of points, got {len(lines):,}")
    X = np.empty((len(lines), 2))
    y = np.empty(len(lines), dtype=np.int64)
    for i, (k, line) in enumerate(lines):
        fields = [f.strip().strip('"') for f in line.split(sep)]
        _check_columns(k, fields, line, "row")
        for j in range(2):
            X[i, j] = _number(k, fields[j], names[j])
        label = _number(k, fields[2], "the label")
        if label not in (0.0, 1.0):
            raise CsvError(f"line {k}: the label must be 0 or 1, got {_show(fields[2])}")
        y[i] = int(label)
    if len(y) == 0:
        raise CsvError("the file has a header and no points: expected lines of x1,x2,label below it")
    counts = np.bincount(y, minlength=2)
    if min(counts) == 0:
        raise CsvError(f"the labels must include both 0 and 1 (two classes to separate), got only {int(y[0])}s "
                       f"({len(y)} rows)")
    if min(counts) < MIN_PER_CLASS:
        raise CsvError(f"each label needs at least {MIN_PER_CLASS} points (one to train on, one to test), "
                       f"got {int(counts[0])} of label 0 and {int(counts[1])} of label 1")
    return PointsCSV(X, y, names, header)


def _is_number(field: str) -> bool:
    try:
        float(field.strip().strip('"'))
    except ValueError:
        return False
    return True


def _check_columns(k: int, fields: list[str], line: str, what: str) -> None:
    if len(fields) != 3:
        expected = "3 column names (x1, x2, label)" if what == "header" else "3 columns (x1, x2, label)"
        raise CsvError(f"line {k}: expected {expected}, got {len(fields)}: {_show(line)}")


def _number(k: int, field: str, name: str) -> float:
    try:
        v = float(field)
    except ValueError:
        raise CsvError(f"line {k}: {name} must be a number, got {_show(field)}") from None
    if not math.isfinite(v):
        raise CsvError(f"line {k}: {name} must be a finite number, got {_show(field)}")
    return v


def scale_to_plane(X: np.ndarray) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Each column onto [-1, 1]: x' = 2 (x − min) / (max − min) − 1; a constant column → 0.
    Returns the scaled (n, 2) float64 array and each column's (min, max)."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    scaled = np.where(hi > lo, 2 * (X - lo) / span - 1, 0.0)
    return scaled, [(float(a), float(b)) for a, b in zip(lo, hi)]


# ------------------------------------------------------------------------------ encoded data sets


@dataclass(frozen=True)
class Encoded:
    """A data set as the playground carries it: points in [-1, 1]² (float32, quantised), labels,
    the columns' names and original ranges."""

    X: np.ndarray
    y: np.ndarray
    names: tuple[str, str]
    ranges: tuple[tuple[float, float], tuple[float, float]]

    def digest(self) -> str:
        """16 hex digits naming the data set (in a run's state, instead of the whole data set)."""
        h = hashlib.sha256(self.X.tobytes() + self.y.tobytes() + repr((self.names, self.ranges)).encode())
        return h.hexdigest()[:16]


def encode(points: PointsCSV) -> str:
    """The file's points, scaled onto the plane, as base64url text (no padding)."""
    scaled, ranges = scale_to_plane(points.X)
    q = np.clip(np.rint(scaled * _Q), -_Q, _Q).astype("<i2")
    names = "\x00".join(points.names).encode("utf-8")
    head = struct.pack("<BHH4d", _VERSION, len(points.y), len(names), *ranges[0], *ranges[1])
    raw = head + names + q.tobytes() + np.packbits(points.y.astype(np.uint8)).tobytes()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def decode(token: str) -> Encoded:
    """Unpack :func:`encode`'s text, checking each part (a link may have been cut or edited)."""
    bad = "data must be a data set this page encoded from a CSV file"
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        raise CsvError(f"{bad}, of at most {MAX_TOKEN:,} characters; got {len(token) if isinstance(token, str) else token!r}")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        z = zlib.decompressobj()
        raw = z.decompress(packed, 64 * 1024)  # bounded: a real one is ≤ ~4.3 KB
        if z.unconsumed_tail or not z.eof:
            raise ValueError("truncated or too long")
        version, n, name_len, a0, b0, a1, b1 = struct.unpack_from("<BHH4d", raw)
    except (binascii.Error, zlib.error, ValueError, struct.error) as err:
        raise CsvError(f"{bad}; got text that does not decode ({err})") from None
    head = struct.calcsize("<BHH4d")
    if version != _VERSION or not 0 < n <= MAX_ROWS or len(raw) != head + name_len + 4 * n + (n + 7) // 8:
        raise CsvError(f"{bad}; got version {version} with {n} rows in {len(raw)} bytes")
    names = tuple(raw[head:head + name_len].decode("utf-8", "replace").split("\x00"))
    if len(names) != 2 or not all(math.isfinite(v) for v in (a0, b0, a1, b1)):
        raise CsvError(f"{bad}; got columns {names!r}")
    q = np.frombuffer(raw, dtype="<i2", count=2 * n, offset=head + name_len).reshape(n, 2)
    y = np.unpackbits(np.frombuffer(raw, dtype=np.uint8, offset=head + name_len + 4 * n))[:n].astype(np.int64)
    counts = np.bincount(y, minlength=2)
    if min(counts) < MIN_PER_CLASS:
        raise CsvError(f"{bad}; got {int(counts[0])} points of label 0 and {int(counts[1])} of label 1")
    X = (q.astype(np.float32) / _Q).astype(np.float32)
    return Encoded(X, y, (names[0], names[1]), ((a0, b0), (a1, b1)))
