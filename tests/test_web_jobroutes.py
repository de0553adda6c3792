"""The job routes' factory (``ml2dl.web.jobroutes``) on a job of its own that runs until the test lets it
finish: start, join, state, progress, cancel (detached while others follow), by fingerprint, the class's job."""

import json
import threading
import time

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import Field

from ml2dl.web import errors, jobclass, jobs
from ml2dl.web.jobroutes import JobSpec, add_job_routes
from ml2dl.web.schemas.base import Request
from ml2dl.web.schemas.cnn import JobSnapshot
from ml2dl.web.settings import Settings


class DemoRequest(Request):
    size: int = Field(3, ge=1, le=9)


class DemoSnapshot(JobSnapshot):
    fp: str | None = None


GATES: dict[int, threading.Event] = {}
RUNS: list[int] = []


def spec(req, settings) -> JobSpec:
    size = req.size if req is not None else 0

    def run(report: jobs.Report) -> dict:
        RUNS.append(size)
        while not GATES[size].wait(0.01):
            report.check()
        return {"square": size * size}

    return JobSpec(jobs.fingerprint("demo", size), run)


@pytest.fixture
def app_of(tmp_path):
    pools = []

    def make(server_prestart: bool = False, **options) -> TestClient:
        router = APIRouter(prefix="/api/demo")
        add_job_routes(router, "demo", snapshot=DemoSnapshot, spec=spec, **options)
        app = FastAPI()
        app.state.settings = Settings.make(cache_dir=tmp_path, prestart=server_prestart)
        app.state.job_pool = jobs.JobPool(tmp_path, started_at=app.state.settings.started_at)
        pools.append(app.state.job_pool)
        errors.install(app)
        app.include_router(router)
        return TestClient(app)

    GATES.clear()
    RUNS.clear()
    yield make
    for gate in GATES.values():
        gate.set()
    for pool in pools:
        pool.shutdown()


def _until(client, url, statuses, timeout=60.0):
    deadline = time.monotonic() + timeout  # a bound on the wait, not a timing claim
    while (snap := client.get(url).json())["status"] not in statuses:
        assert time.monotonic() < deadline, snap
        time.sleep(0.02)
    return snap


def test_start_join_state_progress_and_cancel_when_the_last_follower_leaves(app_of):
    client = app_of(request=DemoRequest, start="/run", state="/run", cancel="/run/cancel", what="the demo")
    GATES[4] = threading.Event()
    assert client.get("/api/demo/run?size=4").json() == {"name": "demo", "status": "none", "progress": 0.0,
                                                         "percent": 0.0, "result": None}
    first = client.post("/api/demo/run", json={"size": 4}).json()
    assert first["status"] in ("queued", "running") and first["key"] == "demo-" + jobs.fingerprint("demo", 4)
    _until(client, "/api/demo/run?size=4", ("running",))
    client.post("/api/demo/run", json={"size": 4})  # a second student joins: nothing starts twice
    client.post("/api/demo/run", json={"size": 4})  # and a third
    left = client.post("/api/demo/run/cancel", json={"size": 4}).json()
    assert left["status"] == "running" and left["detached"] is True and left["others"] == 2
    assert left["message"] == "2 others are following this training: it keeps running for them"
    left = client.post("/api/demo/run/cancel", json={"size": 4}).json()
    assert left["others"] == 1 and left["message"] == "1 other is following this training: it keeps running for them"
    last = client.post("/api/demo/run/cancel", json={"size": 4}).json()
    assert "detached" not in last and last["status"] in ("running", "cancelled")
    assert _until(client, "/api/demo/run?size=4", jobs.FINISHED)["status"] == "cancelled"
    assert RUNS == [4]
    # started again, it runs to the end; the progress stream ends with the result
    GATES[4].set()
    client.post("/api/demo/run", json={"size": 4})
    r = client.get("/api/demo/progress?size=4")
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]
    assert events[-1]["status"] == "done" and events[-1]["result"] == {"square": 16}
    assert RUNS == [4, 4]
    # bad settings: 422 from every route, naming what was expected and what was received
    for r in (client.post("/api/demo/run", json={"size": 10}), client.get("/api/demo/run?size=0"),
              client.get("/api/demo/progress?size=x"), client.post("/api/demo/run/cancel", json={"size": 10})):
        assert r.status_code == 422 and "size" in r.json()["message"], r.text


def test_by_fingerprint_every_answer_names_the_job(app_of):
    client = app_of(request=DemoRequest, start="/run", state="/run/{fp}", progress="/run/{fp}/progress",
                    cancel="/run/{fp}/cancel", by_fp=True)
    GATES[2] = threading.Event()
    fp = client.post("/api/demo/run", json={"size": 2}).json()["fp"]
    assert fp == jobs.fingerprint("demo", 2)
    assert _until(client, f"/api/demo/run/{fp}", ("running",))["fp"] == fp
    snap = client.post(f"/api/demo/run/{fp}/cancel").json()
    assert snap["fp"] == fp and "detached" not in snap
    assert _until(client, f"/api/demo/run/{fp}", jobs.FINISHED)["status"] == "cancelled"
    assert client.get("/api/demo/run/0123456789abcdef").json()["status"] == "none"
    assert client.get("/api/demo/run/not-a-fp").status_code == 422


def test_the_class_job_runs_to_completion_whoever_started_it(app_of):
    before = len(jobclass._DEFAULT_JOBS)
    client = app_of(prestart=True, start="/train", state="/status")
    starter = jobclass._DEFAULT_JOBS.pop()  # registered by the factory: the server would call it
    assert len(jobclass._DEFAULT_JOBS) == before
    GATES[0] = threading.Event()
    snap = client.post("/api/demo/train").json()  # a student starts the class's job before the server does
    assert snap["status"] in ("queued", "running")
    starter(client.app.state.settings, client.app.state.job_pool)  # the server's start joins it
    left = client.post("/api/demo/cancel").json()
    assert left["detached"] is True and left["others"] == 0
    assert left["message"] == "this training is shared by the class: it keeps running for the others"
    assert client.get("/api/demo/status").json()["status"] in ("queued", "running")
    GATES[0].set()
    assert _until(client, "/api/demo/status", jobs.FINISHED)["result"] == {"square": 0}
    assert RUNS == [0]


def test_the_routes_are_documented(app_of):
    client = app_of(request=DemoRequest, start="/run", state="/run", cancel="/run/cancel", what="the demo")
    paths = client.app.openapi()["paths"]
    ref = {"$ref": "#/components/schemas/DemoSnapshot"}
    assert paths["/api/demo/run"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] == ref
    assert paths["/api/demo/run"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DemoRequest"}
    assert [p["name"] for p in paths["/api/demo/run"]["get"]["parameters"]] == ["size"]
    assert paths["/api/demo/progress"]["get"]["responses"]["200"]["content"]["text/event-stream"]["schema"] == ref
    assert paths["/api/demo/run/cancel"]["post"]["summary"] == "Stop following the demo"


@pytest.mark.parametrize("server_prestart", [True, False])
def test_with_settings_only_the_default_settings_job_is_the_classs(app_of, server_prestart):
    client = app_of(server_prestart, request=DemoRequest, prestart=True, start="/run", state="/run",
                    cancel="/run/cancel")
    jobclass._DEFAULT_JOBS.pop()
    GATES[3], GATES[5] = threading.Event(), threading.Event()
    for size in (3, 5):  # 3: the request model's default
        client.post("/api/demo/run", json={"size": size})
        _until(client, f"/api/demo/run?size={size}", ("running",))
        snap = client.post("/api/demo/run/cancel", json={"size": size}).json()
        if size == 3 and server_prestart:  # a server that does not prestart has no class's job
            assert snap["detached"] is True and snap["status"] == "running"
            GATES[3].set()
            assert _until(client, "/api/demo/run?size=3", jobs.FINISHED)["status"] == "done"
        else:
            assert "detached" not in snap
            assert _until(client, f"/api/demo/run?size={size}", jobs.FINISHED)["status"] == "cancelled"


def test_a_job_s_fingerprint_is_computed_once_per_request_for_half_a_minute(tmp_path, monkeypatch):
    """The state route needs only the fingerprint: spec (which may prepare data) runs in a thread
    on the first ask, and the answer is kept FP_KEEP_SECONDS for that request and server."""
    from ml2dl.web import jobroutes

    asked = []
    clock = [5000.0]
    monkeypatch.setattr(jobroutes, "monotonic", lambda: clock[0])
    router = APIRouter(prefix="/api/demo")
    add_job_routes(router, "demo", snapshot=DemoSnapshot, request=DemoRequest, start="/run", state="/run",
                   cancel="/run/cancel", spec=lambda req, settings: asked.append(req.size) or spec(req, settings))
    app = FastAPI()
    app.state.settings = Settings.make(cache_dir=tmp_path)
    app.state.job_pool = jobs.JobPool(tmp_path)
    app.include_router(router)
    client = TestClient(app)
    for size in (4, 4, 5, 4):
        assert client.get(f"/api/demo/run?size={size}").json()["status"] == "none"
    assert asked == [4, 5]
    clock[0] += jobroutes.FP_KEEP_SECONDS
    client.get("/api/demo/run?size=4")
    assert asked == [4, 5, 4]  # kept no longer than that: the data behind it may have changed
    app.state.job_pool.shutdown()
