"""ml2dl.files: the strict-JSON conversion (jsonable) and its fast path for arrays."""

import json
import math

import numpy as np

from ml2dl.files import json_text, jsonable


def _slow(value):
    """The obvious conversion, element by element: what jsonable must equal."""
    if isinstance(value, dict):
        return {str(k): _slow(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_slow(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(float(value)) else None
    return value


def test_arrays_of_every_kind_convert_as_element_by_element(rng):
    cases = [rng.integers(0, 256, (3, 4)).astype(np.uint8), rng.integers(-5, 5, 7), rng.random((2, 3)) > 0.5,
             rng.standard_normal((4, 2)).astype(np.float32), rng.standard_normal(5),
             np.array([1.5, np.nan, -np.inf, np.inf, 2.0]), np.zeros((0, 3))]
    for a in cases:
        got = jsonable({"a": a, "nested": [a, (1, np.float64(np.nan))]})
        assert got == _slow({"a": a, "nested": [a, (1, np.float64(np.nan))]})
        text = json_text(got)  # strict JSON: NaN and ±inf are null
        assert json.loads(text) == got
    out = jsonable(np.array([1.5, np.nan, np.inf], dtype=np.float32))
    assert out == [1.5, None, None] and all(type(v) in (float, type(None)) for v in out)
    assert all(type(v) is int for v in jsonable(np.arange(3, dtype=np.uint8)))
    assert all(type(v) is bool for v in jsonable(np.array([True, False])))
