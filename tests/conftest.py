"""Fixtures shared by the engine's tests."""

import pytest

from ml2dl import nn
from ml2dl.nn import _parallel


@pytest.fixture(params=["one part", "three parts"])
def engine_parts(request, monkeypatch):
    """Run a test twice: the engine in one thread, then cutting every batch — however small —
    into three parts on three threads, so the tests' small arrays take the parallel paths."""
    if request.param == "three parts":
        monkeypatch.setattr(_parallel, "MIN_PARALLEL_SIZE", 0)
        with nn.num_threads(3):
            yield request.param
    else:
        with nn.num_threads(1):
            yield request.param
