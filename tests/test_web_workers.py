"""Several uvicorn worker processes on one cache folder: a long job runs once, all report the same.

Real processes, started on 127.0.0.1 on free ports and stopped by the tests; the job is step 9's
CNN with a tiny budget (a fraction of a second of training).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

import ml2dl
from ml2dl.web.settings import ENV_VAR

SRC = Path(ml2dl.__file__).resolve().parents[1]  # this tree's sources, in the child processes too
TINY = {"n_train": 64, "n_val": 32, "epochs": 1, "batch_size": 32}

pytestmark = pytest.mark.skipif(os.name != "posix",
                                reason="needs POSIX processes and signals")


def _free_ports(n: int) -> list[int]:
    """``n`` distinct ports free on 127.0.0.1 (all bound at once, then released for the servers)."""
    with ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]


@contextmanager
def _process(args: list[str], port: int, home: Path, timeout: float = 60.0):
    """Run ``python args`` until /api/health answers on ``port``; stop it (SIGINT, then kill) after."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "HOME": str(home), "NO_PROXY": "127.0.0.1"}
    env.pop(ENV_VAR, None)
    proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGINT)  # uvicorn's graceful stop, for the worker processes too
            proc.wait(timeout=20)
        except ProcessLookupError:  # it had stopped already
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        proc.stdout.close()


def _server(port: int, cache: Path, home: Path, workers: int = 1, prestart: bool = False):
    code = ("from ml2dl.lessons.images import Budget; from ml2dl.web.app import serve; "
            f"serve(port={port}, workers={workers}, cache_dir={str(cache)!r}, training_budget=Budget(**{TINY!r}), "
            f"prestart={prestart})")
    return _process(["-c", code], port, home)


def _wait_done(url: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while (snap := httpx.get(f"{url}/api/pipeline/status", timeout=10).json())["status"] not in (
            "done", "failed", "cancelled"):
        assert time.monotonic() < deadline, snap
        time.sleep(0.1)
    return snap


def test_a_job_sent_to_two_workers_runs_once_and_both_report_it(tmp_path):
    cache = tmp_path / "cache"
    ports = _free_ports(2)
    with ExitStack() as stack:
        pids = [stack.enter_context(_server(port, cache, tmp_path)).pid for port in ports]
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        with ThreadPoolExecutor(2) as pool:  # the same request to both workers at once
            first = list(pool.map(lambda u: httpx.post(f"{u}/api/pipeline/train", timeout=30).json(), urls))
        assert first[0]["key"] == first[1]["key"]
        assert {s["status"] for s in first} <= {"queued", "running", "done"}
        snaps = [_wait_done(u) for u in urls]
        assert snaps[0]["status"] == "done", snaps[0]
        assert snaps[0] == snaps[1]  # the same status, result and times from both workers
        assert snaps[0]["cached"] is False  # trained while both servers were up
        events = [json.loads(line) for line in (cache / "jobs" / f"{snaps[0]['key']}.log").read_text().splitlines()]
        assert [e["event"] for e in events] == ["queued", "running", "done"]  # one run
        assert len({e["pid"] for e in events}) == 1 and events[0]["pid"] in pids  # by one of the two
        # both workers explain with the checkpoint that one of them wrote
        for url in urls:
            r = httpx.get(f"{url}/api/pipeline/explain?index=0", timeout=30)
            assert r.status_code == 200 and r.json()["training"]["accuracy"] == snaps[0]["result"]["accuracy"]
        # asking again, from either worker, starts nothing
        again = [httpx.post(f"{u}/api/pipeline/train", timeout=30).json() for u in urls]
        assert [s["status"] for s in again] == ["done", "done"]
        assert len((cache / "jobs" / f"{snaps[0]['key']}.log").read_text().splitlines()) == 3


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    out.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counts worker processes through /proc")
def test_ml2dl_serve_workers_starts_that_many_worker_processes(tmp_path):
    (port,) = _free_ports(1)
    args = ["-m", "ml2dl.cli", "serve", "--port", str(port), "--workers", "2", "--no-browser", "--no-prestart"]
    with _process(args, port, tmp_path) as proc:
        deadline = time.monotonic() + 30
        while len(workers := [c for c in _children(proc.pid) if "spawn_main" in c]) < 2:
            assert time.monotonic() < deadline, _children(proc.pid)
            time.sleep(0.1)
        assert len(workers) == 2
        health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10).json()
        assert health["version"] == ml2dl.__version__
