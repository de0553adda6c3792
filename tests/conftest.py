"""Fixtures shared by the tests: the engine's thread layouts, the web app's client."""

from contextlib import contextmanager

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.nn.kernels import threads as _parallel


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


# ------------------------------------------------------------------------------ the web app

# The background trainings of steps 5 and 9 in tests: a few dozen images, one epoch.
TINY_BUDGET = dict(n_train=64, n_val=32, epochs=1, batch_size=32)


@contextmanager
def _open_client(cache_dir, *, raise_server_exceptions: bool = True, **app_options):
    from fastapi.testclient import TestClient

    from ml2dl.lessons.images import Budget
    from ml2dl.web.app import create_app

    app = create_app(cache_dir=cache_dir, **{"training_budget": Budget(**TINY_BUDGET), **app_options})
    # entering the client runs the app's lifespan: leaving it stops the app's background jobs
    with TestClient(app, raise_server_exceptions=raise_server_exceptions) as client:
        yield client


@pytest.fixture(scope="session")
def open_client():
    """``with open_client(cache_dir, data_path=..., ...) as client``: a TestClient on a new app
    (``create_app`` options; the tiny training budget unless given), its jobs stopped on exit.
    Two clients on one cache folder are two workers of one server."""
    return _open_client


@pytest.fixture
def client(open_client, tmp_path):
    """A TestClient on a fresh app whose cache folder is the test's ``tmp_path``."""
    with open_client(tmp_path) as c:
        yield c
