"""The lessons' contract: a result is plain JSON — dicts, lists, str, int, finite float, bool, None."""

import json
import math


def assert_plain(obj, path="result"):
    """Fail at the first value that is not plain JSON (a NumPy scalar, NaN, infinity, a tuple …)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            assert isinstance(k, str), f"{path} has a key {k!r}"
            assert_plain(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            assert_plain(v, f"{path}[{i}]")
    else:
        assert obj is None or type(obj) in (str, int, float, bool), f"{path} is a {type(obj).__name__}"
        if type(obj) is float:
            assert math.isfinite(obj), f"{path} is {obj}"
    if path == "result":
        json.dumps(obj, allow_nan=False)
