"""Fixtures shared by the engine's tests."""

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.nn import _parallel


@pytest.fixture
def three_parts(monkeypatch):
    """The engine cuts every batch, however small, into three parts on three threads, so
    that the tests' small arrays take the parallel paths."""
    monkeypatch.setattr(_parallel, "MIN_PARALLEL_SIZE", 0)
    with nn.num_threads(3):
        yield


@pytest.fixture(params=["one part", "three parts"])
def engine_parts(request):
    """Run a test twice: the engine in one thread, then in three parts (see three_parts)."""
    if request.param == "three parts":
        request.getfixturevalue("three_parts")
        yield request.param
    else:
        with nn.num_threads(1):
            yield request.param


@pytest.fixture
def rng():
    """This test's own generator (seed 0): its numbers do not depend on which tests ran before
    it, as they would with one module-level generator shared by every test."""
    return np.random.default_rng(0)
