"""Jobs in a child process at low priority (``JobPool(in_processes=True)``, what ``ml2dl serve`` uses).

The child shares nothing in memory with the test, so the jobs here coordinate through files:
a job waits for a gate file, and tells what it saw in its result.
"""

from __future__ import annotations

import fcntl
import os
import signal
import time

import pytest

from ml2dl.web import jobprocess, jobs

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="jobs run in forked processes only where fork exists")


def _wait(pool, name, fp, statuses=jobs.FINISHED, timeout=30.0):
    deadline = time.monotonic() + timeout
    while (snap := pool.snapshot(name, fp))["status"] not in statuses:
        if time.monotonic() > deadline:
            raise TimeoutError(snap)
        time.sleep(0.02)
    return snap


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped) counts as gone
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def _gated(gate, extra=None):
    """A job that says it runs, waits for ``gate`` to exist (checking for a cancel), then answers."""
    def work(report):
        while not gate.exists():  # progress is written to disk at most every 0.2 s: say it again
            report.progress(0.5, "waiting for the gate", pid=os.getpid(), **(extra or {}))
            time.sleep(0.01)
        return {"pid": os.getpid(), "niceness": os.nice(0)}
    return work


@pytest.fixture
def pool(tmp_path):
    p = jobs.JobPool(tmp_path / "cache", in_processes=True)
    yield p
    p.shutdown()


def test_a_job_runs_in_a_child_process_at_low_priority_and_its_progress_shows(pool, tmp_path):
    gate = tmp_path / "gate"
    pool.submit("demo", "one", _gated(gate, {"curve": [1, 2, 3]}))
    running = _wait(pool, "demo", "one", statuses=("running",))
    while running["message"] != "waiting for the gate":  # the child's progress, read from disk
        running = pool.snapshot("demo", "one")
    child = running["extra"]["pid"]
    assert child != os.getpid() and _alive(child)
    gate.touch()
    done = _wait(pool, "demo", "one")
    assert done["status"] == "done" and done["progress"] == 1.0
    assert done["result"] == {"pid": child, "niceness": os.nice(0) + jobprocess.NICENESS}
    assert done["extra"] == {"pid": child, "curve": [1, 2, 3]}  # what the child reported stays
    assert not _alive(child)
    assert not pool._children


def test_a_cancel_reaches_the_child_and_the_job_can_run_again(pool, tmp_path):
    gate = tmp_path / "gate"
    pool.submit("demo", "two", _gated(gate))
    while "pid" not in (extra := pool.snapshot("demo", "two")["extra"]):
        time.sleep(0.01)
    assert pool.cancel("demo", "two").anyone is False
    snap = _wait(pool, "demo", "two")
    assert snap["status"] == "cancelled" and snap["message"] == "cancelled"
    assert not _alive(extra["pid"])
    assert not (tmp_path / "cache" / "jobs" / "demo-two.cancel").exists()
    gate.touch()
    pool.submit("demo", "two", _gated(gate))  # started again: the lock was released
    assert _wait(pool, "demo", "two")["status"] == "done"


def test_a_failure_in_the_child_is_the_job_s_error(pool):
    def work(report):
        raise ValueError("the data has 3 classes, expected 2")

    snap = _wait(pool, "demo", "three") if pool.submit("demo", "three", work) else None
    assert snap["status"] == "failed"
    assert snap["error"] == "ValueError: the data has 3 classes, expected 2"


def test_a_child_that_dies_fails_its_job_with_how_it_ended(pool):
    def work(report):
        os.kill(os.getpid(), signal.SIGKILL)

    pool.submit("demo", "four", work)
    snap = _wait(pool, "demo", "four")
    assert snap["status"] == "failed"
    assert snap["error"] == "the training's process was stopped by SIGKILL"


def test_a_child_stopped_by_ctrl_c_is_cancelled_not_failed(pool, tmp_path):
    """A Ctrl+C reaches the whole process group, the child too, maybe before the worker's shutdown."""
    pool.submit("demo", "eight", _gated(tmp_path / "never"))
    while "pid" not in (extra := pool.snapshot("demo", "eight")["extra"]):
        time.sleep(0.01)
    os.kill(extra["pid"], signal.SIGINT)
    snap = _wait(pool, "demo", "eight")
    assert snap["status"] == "cancelled" and snap["message"] == "cancelled (the server stopped)"


def test_shutdown_stops_a_running_child_at_once(tmp_path):
    pool = jobs.JobPool(tmp_path / "cache", in_processes=True)
    pool.submit("demo", "five", _gated(tmp_path / "never"))
    while "pid" not in (extra := pool.snapshot("demo", "five")["extra"]):
        time.sleep(0.01)
    pool.shutdown()  # returns: the child does not wait for its gate
    snap = pool.snapshot("demo", "five")
    assert snap["status"] == "cancelled" and snap["message"] == "cancelled (the server stopped)"
    assert not _alive(extra["pid"])


def test_the_child_keeps_no_file_of_its_parent_open(pool, tmp_path):
    """A lock (or a connection) the parent holds must not stay held by the child after the parent closes it."""
    held = os.open(tmp_path / "a.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)

    def work(report):
        try:
            os.fstat(held)
        except OSError:
            return {"open": False}
        return {"open": True}

    pool.submit("demo", "six", work)
    assert _wait(pool, "demo", "six")["result"] == {"open": False}
    os.close(held)
    again = os.open(tmp_path / "a.lock", os.O_RDWR)
    fcntl.flock(again, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: nobody else holds it
    os.close(again)


def test_the_same_job_from_a_thread_pool_and_from_a_process_pool_gives_the_same_result(tmp_path):
    def work(report):
        report.progress(0.5, "half", part=1)
        return {"sum": sum(range(1000))}

    answers = []
    for in_processes in (False, True):
        pool = jobs.JobPool(tmp_path / str(in_processes), in_processes=in_processes)
        pool.submit("demo", "seven", work)
        snap = _wait(pool, "demo", "seven")
        answers.append({k: snap[k] for k in ("status", "result", "extra", "progress", "message")})
        pool.shutdown()
    assert answers[0] == answers[1] == {"status": "done", "result": {"sum": 499500}, "extra": {"part": 1},
                                        "progress": 1.0, "message": "done"}


def test_a_job_whose_process_cannot_start_fails_and_frees_its_lock(pool, monkeypatch):
    def no_fork():
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(jobprocess.os, "fork", no_fork)
    pool.submit("demo", "nine", lambda report: {"never": True})
    snap = _wait(pool, "demo", "nine")
    assert snap["status"] == "failed"
    assert snap["error"] == "no process could be started for the training (Cannot allocate memory)"
    monkeypatch.undo()
    pool.submit("demo", "nine", lambda report: {"ran": True})  # the lock is free: it runs again
    assert _wait(pool, "demo", "nine")["result"] == {"ran": True}
