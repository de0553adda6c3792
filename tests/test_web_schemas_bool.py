"""schemas.base: booleans refused where numbers belong — the fast scan finds exactly what a walk
over every element finds (lists three levels deep)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ml2dl.web.schemas.base import _has_bool


def _walk(value, depth=0):
    """The obvious definition: a bool here, or in a list or tuple at most three levels down."""
    if isinstance(value, bool):
        return True
    if isinstance(value, (list, tuple)) and depth < 3:
        return any(_walk(v, depth + 1) for v in value)
    return False


leaves = st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False), st.none(), st.text(max_size=3))
values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=6), st.tuples(inner, inner)),
                      max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_fast_scan_agrees_with_the_walk(value):
    assert _has_bool(value) == _walk(value)


def test_depth_and_position():
    assert _has_bool([[1.0, 2.0], [3.0, True]]) and _has_bool((True,)) and not _has_bool([[[[True]]]])
    assert not _has_bool([[1, 2], [3, 4.5]]) and not _has_bool("true") and _has_bool(False)
