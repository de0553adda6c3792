"""The background job pool: one job per key, progress, cancel, failures, the disk cache."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
import json
import threading
import time

import pytest

from ml2dl.web import jobs, sse


def _wait(job, statuses=jobs.FINISHED, timeout=10.0):
    deadline = time.monotonic() + timeout
    while job.snapshot()["status"] not in statuses:
        if time.monotonic() > deadline:
            raise TimeoutError(job.snapshot())
        time.sleep(0.01)
    return job.snapshot()


@pytest.fixture
def pool(tmp_path):
    p = jobs.JobPool(tmp_path, max_workers=1, max_pending=2)
    yield p
    p.shutdown()


def test_a_job_reports_progress_and_its_result_is_cached_on_disk(pool, tmp_path):
    seen = []

    def work(report):
        for i in range(1, 5):
            report.progress(i / 4, f"part {i}/4", part=i)
            seen.append(i)
        (report.workdir / "artefact.txt").parent.mkdir(parents=True, exist_ok=True)
        return {"answer": 42, "parts": seen}

    job = pool.submit("demo", "abc", work)
    snap = _wait(job)
    assert snap["status"] == "done" and snap["progress"] == 1.0 and snap["percent"] == 100.0
    assert snap["result"] == {"answer": 42, "parts": [1, 2, 3, 4]}
    assert snap["extra"] == {"part": 4}
    path = tmp_path / "jobs" / "demo-abc.json"
    assert json.loads(path.read_text()) == {"answer": 42, "parts": [1, 2, 3, 4]}
    assert not list(path.parent.glob("*.tmp"))  # atomic: no temporary file left behind
    # a new pool (a restarted server) answers from the disk at once, without running anything
    other = jobs.JobPool(tmp_path)
    cached = other.get("demo", "abc")
    assert cached.snapshot()["status"] == "done" and cached.snapshot()["cached"] is True
    assert other.submit("demo", "abc", lambda r: pytest.fail("must not run again")).snapshot()["result"]["answer"] == 42
    other.shutdown()


def test_the_same_key_never_runs_twice(pool):
    runs = []
    gate = threading.Event()

    def work(report):
        runs.append(1)
        gate.wait(5)
        return {"ok": True}

    first = pool.submit("demo", "same", work)
    second = pool.submit("demo", "same", work)
    assert first is second
    gate.set()
    _wait(first)
    assert runs == [1]


def test_cancel_stops_a_running_job_and_it_can_start_again(pool):
    started = threading.Event()

    def slow(report):
        started.set()
        for i in range(1000):
            time.sleep(0.01)
            report.progress(i / 1000, "working")
        return {"finished": True}

    job = pool.submit("demo", "slow", slow)
    assert started.wait(5)
    pool.cancel("demo", "slow")
    snap = _wait(job)
    assert snap["status"] == "cancelled" and snap["result"] is None
    assert not pool.result_path("demo-slow").exists()
    again = pool.submit("demo", "slow", lambda r: {"finished": True})
    assert again is not job
    assert _wait(again)["result"] == {"finished": True}


def test_a_failure_is_reported_not_raised(pool):
    def broken(report):
        raise ValueError("the data file is empty")

    snap = _wait(pool.submit("demo", "broken", broken))
    assert snap["status"] == "failed"
    assert snap["error"] == "ValueError: the data file is empty"


def test_the_pool_is_bounded(pool):
    gate = threading.Event()
    pool.submit("demo", "a", lambda r: gate.wait(5) and {})
    pool.submit("demo", "b", lambda r: gate.wait(5) and {})
    with pytest.raises(jobs.PoolFull, match="at most 2 training jobs may wait or run at once, got 2"):
        pool.submit("demo", "c", lambda r: {})
    gate.set()


def test_a_queued_job_cancelled_never_runs(pool):
    gate = threading.Event()
    pool.submit("demo", "first", lambda r: gate.wait(5) and {})
    queued = pool.submit("demo", "second", lambda r: pytest.fail("must not run"))
    pool.cancel("demo", "second")
    assert queued.snapshot()["status"] == "cancelled"
    gate.set()


def test_a_queued_job_says_what_it_waits_for_and_for_how_long(pool):
    gate, started = threading.Event(), threading.Event()
    pool.submit("shuffle", "a", lambda r: started.set() or gate.wait(5) and {})
    started.wait(5)
    pool.submit("pipeline", "b", lambda r: {})
    snap = pool.snapshot("pipeline", "b")
    assert snap["status"] == "queued" and snap["ahead"] == ["shuffle"]
    assert snap["message"] == "waiting for a free worker: 1 job ahead of it (shuffle)"
    assert 0 <= snap["waited_s"] < 5 and snap["elapsed_s"] == 0.0
    assert "waited_s" not in pool.snapshot("shuffle", "a")  # running: it waits for nothing
    gate.set()


def test_keys_are_checked_and_fingerprints_are_stable(pool, tmp_path):
    with pytest.raises(ValueError, match="job name and fingerprint must be"):
        pool.submit("../evil", "x", lambda r: {})
    assert jobs.fingerprint({"a": 1, "b": 2}) == jobs.fingerprint({"b": 2, "a": 1})
    assert jobs.fingerprint("x", 1) != jobs.fingerprint("x", 2)
    f = tmp_path / "data.bin"
    f.write_bytes(b"abc")
    # sha256("abc") starts with ba7816bf8f01cfea
    assert jobs.file_fingerprint(f) == "ba7816bf8f01cfea"


def collect(stream) -> list:
    """All events of an async generator, run on a fresh event loop in its own thread
    (Playwright's sync API, used by the browser tests, keeps a loop in the main thread)."""
    async def gather():
        return [e async for e in stream]

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, gather()).result()


def test_sse_stream_sends_changes_until_finished():
    snaps = iter([{"status": "running", "progress": 0.1}, {"status": "running", "progress": 0.1},
                  {"status": "running", "progress": 0.5}, {"status": "done", "progress": 1.0}])
    events = collect(sse.sse_stream(lambda: next(snaps), interval=0))
    assert [json.loads(e[len("data: "):])["progress"] for e in events] == [0.1, 0.5, 1.0]
    assert all(e.endswith("\n\n") for e in events)
    assert collect(sse.sse_stream(lambda: None, interval=0)) == ["event: missing\ndata: {}\n\n"]


# -- two workers sharing one cache folder ----------------------------------------------------------


@pytest.fixture
def two_workers(tmp_path):
    """Two pools on one cache folder, as two worker processes of one server (same start time).

    flock locks belong to open files, so two pools in one process exclude each other exactly
    as two processes do (tests/test_web_workers.py runs two real uvicorn processes)."""
    started = time.time()
    a = jobs.JobPool(tmp_path, started_at=started)
    b = jobs.JobPool(tmp_path, started_at=started)
    yield a, b
    a.shutdown()
    b.shutdown()


def test_a_job_started_by_one_worker_is_not_started_by_another(two_workers):
    a, b = two_workers
    gate, started = threading.Event(), threading.Event()
    runs = []

    def work(report):
        runs.append(1)
        started.set()
        while not gate.wait(0.01):
            report.check()
        report.progress(0.5, "half way", part=1)
        return {"answer": 42}

    a.submit("demo", "shared", work)
    assert started.wait(5)
    other = b.submit("demo", "shared", lambda r: pytest.fail("the second worker must not run it"))
    assert other.snapshot()["status"] == "running"
    running = [{k: v for k, v in p.snapshot("demo", "shared").items() if k != "elapsed_s"} for p in (a, b)]
    assert running[0] == running[1]  # elapsed_s counts on while it runs
    gate.set()
    _wait(other)
    snap_a, snap_b = a.snapshot("demo", "shared"), b.snapshot("demo", "shared")
    assert snap_a == snap_b  # every worker reports the same, from the disk
    assert snap_a["status"] == "done" and snap_a["result"] == {"answer": 42} and snap_a["cached"] is False
    assert snap_a["extra"] == {"part": 1}
    assert runs == [1]
    assert [e["event"] for e in a.store.events("demo-shared")] == ["queued", "running", "done"]
    # asked again later, from either worker: the result, nothing runs
    assert b.submit("demo", "shared", lambda r: pytest.fail("must not run")).snapshot()["result"] == {"answer": 42}


def test_cancel_from_another_worker_stops_the_job(two_workers):
    a, b = two_workers
    started = threading.Event()

    def slow(report):
        started.set()
        for i in range(1000):
            time.sleep(0.01)
            report.progress(i / 1000, "working")
        return {"finished": True}

    job = a.submit("demo", "slow", slow)
    assert started.wait(5)
    b.cancel("demo", "slow")
    assert b.snapshot("demo", "slow")["message"] in ("cancelling…", "cancelled")
    snap = _wait(job)
    assert snap["status"] == "cancelled" and b.snapshot("demo", "slow") == snap
    assert not a.store.cancel_requested("demo-slow")  # the marker is cleared once the job has stopped
    # and it may be started again, by either worker
    assert _wait(b.submit("demo", "slow", lambda r: {"finished": True}))["result"] == {"finished": True}


def test_a_job_whose_worker_died_is_reported_failed_and_can_run_again(pool):
    # a state file saying "running" with nobody holding the job's lock: its process has gone
    pool.store.write_state("demo-ghost", {"status": "running", "progress": 0.3, "message": "epoch 1/3",
                                          "started": time.time() - 5})
    snap = pool.snapshot("demo", "ghost")
    assert snap["status"] == "failed" and snap["error"] == jobs.INTERRUPTED
    assert _wait(pool.submit("demo", "ghost", lambda r: {"ok": 1}))["result"] == {"ok": 1}


@pytest.mark.parametrize("final", ["cancelled", "done"])
def test_a_job_finishing_while_its_snapshot_is_read_is_not_reported_interrupted(pool, monkeypatch, final):
    # The snapshot reads "running", then the job writes its final state (and result) and frees
    # its lock before the snapshot looks at the lock: that is a finished job, not a dead worker.
    pool.store.write_state("demo-race", {"status": "running", "progress": 0.1, "started": time.time()})
    is_locked = pool.store.is_locked
    def finish_now(key):
        if final == "done":
            pool.store.write_result(key, {"ok": 1}, artefacts=[])
        pool.store.write_state(key, {"status": final, "message": final, "finished": time.time()})
        return is_locked(key)
    monkeypatch.setattr(pool.store, "is_locked", finish_now)
    snap = pool.snapshot("demo", "race")
    assert snap["status"] == final and snap.get("error") is None
    assert (snap["result"] == {"ok": 1}) if final == "done" else snap["result"] is None


def test_a_corrupt_result_is_not_trusted(pool):
    pool.result_path("demo-bad").parent.mkdir(parents=True, exist_ok=True)
    pool.result_path("demo-bad").write_text('{"half": ')
    assert pool.snapshot("demo", "bad")["status"] == "none"
    assert _wait(pool.submit("demo", "bad", lambda r: {"whole": True}))["result"] == {"whole": True}


# -- followers: a cancel stops a job only when nobody else follows it ------------------------------


def _gated(gate: threading.Event, started: threading.Event):
    """A job that runs until ``gate`` is set (checking for a cancel meanwhile)."""
    def work(report):
        started.set()
        while not gate.wait(0.01):
            report.check()
        return {"finished": True}
    return work


def test_a_cancel_detaches_while_others_follow_and_stops_the_job_when_the_last_one_leaves(two_workers):
    a, b = two_workers
    gate, started = threading.Event(), threading.Event()
    job = a.submit("demo", "shared", _gated(gate, started))   # student 1 starts it (worker a)
    assert started.wait(5)
    b.submit("demo", "shared", lambda r: pytest.fail("joined, never run twice"))  # student 2 (worker b)
    a.submit("demo", "shared", lambda r: pytest.fail("joined, never run twice"))  # student 3 (worker a)
    assert a.store.followers("demo-shared") == (3, False) == b.store.followers("demo-shared")
    # two leave, from either worker: each answer says how many still follow it; it runs on
    assert b.cancel("demo", "shared") == (2, False)
    assert a.cancel("demo", "shared") == (1, False)
    assert job.snapshot()["status"] == "running" and not a.store.cancel_requested("demo-shared")
    # the last one leaves (from the worker that does not run it): now it stops
    assert b.cancel("demo", "shared") == (0, False)
    assert _wait(job)["status"] == "cancelled"
    # the count ends with the run; the next run counts its own followers from one
    assert a.store.followers("demo-shared") == (0, False)
    job = b.submit("demo", "shared", _gated(gate, threading.Event()))
    assert a.store.followers("demo-shared") == (1, False)
    gate.set()
    assert _wait(job)["status"] == "done"
    assert a.store.followers("demo-shared") == (0, False)
    # a done job is nobody's to follow: asking for it again adds no follower, cancelling it changes nothing
    b.submit("demo", "shared", lambda r: pytest.fail("cached"))
    assert b.store.followers("demo-shared") == (0, False) and a.cancel("demo", "shared") == (0, False)
    assert a.snapshot("demo", "shared")["status"] == "done"


def test_a_job_the_server_started_for_the_class_runs_to_completion(two_workers):
    a, b = two_workers
    gate, started = threading.Event(), threading.Event()
    job = a.submit("demo", "default", _gated(gate, started), for_class=True)
    assert started.wait(5)
    assert b.store.followers("demo-default") == (0, True)
    assert b.cancel("demo", "default") == (0, True)  # nobody's cancel stops it, not even twice
    b.submit("demo", "default", lambda r: pytest.fail("joined"))
    assert a.cancel("demo", "default") == (0, True) and a.cancel("demo", "default") == (0, True)
    assert job.snapshot()["status"] == "running" and not a.store.cancel_requested("demo-default")
    gate.set()
    assert _wait(job)["status"] == "done"


def test_a_queued_job_someone_else_follows_is_not_cancelled(pool):
    gate = threading.Event()
    pool.submit("demo", "first", lambda r: gate.wait(5) and {})
    queued = pool.submit("demo", "second", lambda r: {"ran": True})
    pool.submit("demo", "second", lambda r: pytest.fail("joined"))
    assert pool.cancel("demo", "second") == (1, False)
    assert queued.snapshot()["status"] == "queued"
    gate.set()
    assert _wait(queued)["result"] == {"ran": True}


@pytest.mark.parametrize("others, message", [
    (jobs.Followers(1, False), "1 other is following this training: it keeps running for them"),
    (jobs.Followers(2, False), "2 others are following this training: it keeps running for them"),
    (jobs.Followers(0, True), "this training is shared by the class: it keeps running for the others"),
    (jobs.Followers(3, True), "this training is shared by the class (3 others also started it): "
                              "it keeps running for the others"),
])
def test_the_detached_answer_says_who_still_follows(others, message):
    running = {"name": "demo", "status": "running", "message": "epoch 2/4"}
    assert jobs.detached(running, others) == {**running, "detached": True, "others": others.students,
                                              "message": message}
    # nobody left, or a job no longer running: the snapshot as it is
    assert jobs.detached(running, jobs.Followers()) == running
    assert jobs.detached({**running, "status": "cancelled"}, others) == {**running, "status": "cancelled"}
