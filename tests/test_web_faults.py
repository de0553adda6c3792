"""``kill -9`` while a job runs and while a result is being written: on restart, nothing half-written
is used, finished results are intact, an interrupted job starts again cleanly.

Real processes on 127.0.0.1 (the helpers of test_web_workers), each stopped by the test.
"""

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from test_web_workers import SRC, _free_ports, _process

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX processes and signals")

# long enough to be killed in the middle (a few seconds of training), short enough for a test
SLOW = {"n_train": 256, "n_val": 32, "epochs": 6, "batch_size": 16}


def _server(port, cache, home):
    code = ("from ml2dl.lessons.images import Budget; from ml2dl.web.app import serve; "
            f"serve(port={port}, workers=1, cache_dir={str(cache)!r}, training_budget=Budget(**{SLOW!r}), "
            "prestart=False)")
    return _process(["-c", code], port, home, timeout=180)


def _status(url):
    return httpx.get(f"{url}/api/pipeline/status", timeout=10).json()


def test_kill_9_during_a_job_then_restart(tmp_path):
    cache = tmp_path / "cache"
    (port,) = _free_ports(1)
    url = f"http://127.0.0.1:{port}"
    with _server(port, cache, tmp_path) as proc:
        key = httpx.post(f"{url}/api/pipeline/train", timeout=30).json()["key"]
        deadline = time.monotonic() + 300  # a bound on the wait (a loaded machine is slow), not a timing claim
        while (snap := _status(url))["progress"] <= 0.05:
            assert snap["status"] in ("queued", "running") and time.monotonic() < deadline, snap
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # the whole server, mid-training
        proc.wait(timeout=10)
    jobs_dir = cache / "jobs"
    assert not (jobs_dir / f"{key}.json").exists()  # no result from a run that did not finish
    with _server(port, cache, tmp_path):
        health = httpx.get(f"{url}/api/health", timeout=10)
        assert "server" not in health.headers and health.headers["x-content-type-options"] == "nosniff"
        rebound = httpx.get(f"{url}/api/health", headers={"host": "evil.example"}, timeout=10)
        assert rebound.status_code == 421  # the served names only (DNS rebinding)
        snap = _status(url)
        assert snap["status"] == "failed" and "stopped while this job was running" in snap["error"]
        assert str(tmp_path) not in json.dumps(snap)
        httpx.post(f"{url}/api/pipeline/train", timeout=30)
        deadline = time.monotonic() + 400
        while (snap := _status(url))["status"] not in ("done", "failed", "cancelled"):
            assert time.monotonic() < deadline, snap
            time.sleep(0.2)
        assert snap["status"] == "done"
        r = httpx.get(f"{url}/api/pipeline/explain?index=0", timeout=30)
        assert r.status_code == 200 and r.json()["training"]["accuracy"] == snap["result"]["accuracy"]
    events = [json.loads(line)["event"] for line in (jobs_dir / f"{key}.log").read_text().splitlines()]
    assert events == ["queued", "running", "queued", "running", "done"]  # the killed run, then one clean run
    result = json.loads((jobs_dir / f"{key}.json").read_text())
    assert set(result["artefacts"]) == {f"pipeline/{result['checkpoint']}"}


WRITER = """
import sys, itertools
from ml2dl.web.jobstore import JobStore
store = JobStore(sys.argv[1])
store.write_result("demo-done", {"kept": list(range(1000))})
print("ready", flush=True)
for i in itertools.count():  # big results, one after another, until killed
    store.write_result("demo-busy", {"i": i, "payload": [i] * 200_000})
"""


def test_kill_9_during_a_cache_write_leaves_no_half_written_result(tmp_path):
    from ml2dl.web.jobstore import JobStore

    env = {**os.environ, "PYTHONPATH": str(SRC)}
    for delay in (0.05, 0.2, 0.45):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], env=env, stdout=subprocess.PIPE)
        try:
            assert proc.stdout.readline().strip() == b"ready"
            time.sleep(delay)
        finally:
            proc.kill()  # SIGKILL, wherever it was in a write
            proc.wait(timeout=10)
            proc.stdout.close()
        store = JobStore(tmp_path)
        busy = store.read_result("demo-busy")
        assert busy is None or busy["payload"] == [busy["i"]] * 200_000  # whole, or not there at all
        assert store.read_result("demo-done") == {"kept": list(range(1000))}  # the finished one is intact
        assert json.loads((tmp_path / "jobs" / "demo-busy.json").read_text())["i"] == busy["i"] if busy else True
