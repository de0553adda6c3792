"""Which routes run on the event loop and which in a thread (the rule: ``ml2dl.web.routes``).

A step's call is ``async def`` (on the loop: no hop to a thread and back, which under a class's
load cost more than the work), and so is every job route (``ml2dl.web.jobroutes`` computes a
job's spec in a thread); ``def`` only where the first call may take long: the clinic's own
routes (not its job routes) and the overfitting step's options (they read a data folder's names).
"""

from __future__ import annotations

import inspect

import pytest

from ml2dl.web.routes import ROUTERS

JOB_ROUTE_SUFFIXES = ("_start", "_state", "_progress", "_cancel")  # ml2dl.web.jobroutes names them so
DATA_LOADING_OPTIONS = {"/api/overfitting/options"}  # it reads a data folder's class folders
UPLOADS = {"/api/clinic/image/upload", "/api/kernels/upload", "/api/playground/csv"}  # async: decoded in a thread

ROUTES = [r for router in ROUTERS for r in router.routes]


def in_a_thread(route) -> bool:
    if route.path in UPLOADS or route.name.endswith(JOB_ROUTE_SUFFIXES):
        return False
    return route.path.startswith("/api/clinic") or route.path in DATA_LOADING_OPTIONS


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{sorted(r.methods)[0]} {r.path}")
def test_a_route_runs_on_the_loop_unless_its_first_call_may_take_long(route):
    assert inspect.iscoroutinefunction(route.endpoint) is not in_a_thread(route)


def test_the_calls_a_class_makes_most_run_on_the_loop():
    on_loop = {r.path for r in ROUTES if inspect.iscoroutinefunction(r.endpoint)}
    assert {"/api/playground/train", "/api/neuron", "/api/activations", "/api/layers", "/api/convolution",
            "/api/kernels/apply", "/api/pooling", "/api/images/view", "/api/pipeline/explain",
            "/api/quiz/check", "/api/descent/compare", "/api/rnn/patient"} <= on_loop
    assert {"/api/images/experiment", "/api/pipeline/status", "/api/vanishing/progress"} <= on_loop
    assert len(on_loop) >= 80
