"""A class of students on one server: latency per route, errors, throughput, peak memory.

Starts ``ml2dl serve`` itself on 127.0.0.1 (``--workers``, default: the usable cores), waits
until the default trainings of steps 5 and 9 are ready (as a teacher would start the server
before the lecture), then simulates ``--students`` students for ``--seconds``:

- three in four *walk* the steps: open a step (the page and its static files — the browser
  revalidates them with their ETag), make the step's calls, think 2–8 s, go on to the next.
  The nine steps of the first chapters make the calls below (STEP_CALLS); every other step
  (``--steps all``, the default: 26 in all) makes the calls ``module_latency.py`` times for it,
  the clinic's on a small run trained before the class, as a teacher's demo run would be;
- one in four *plays* step 2: training requests as the page sends them (10 steps each, the
  state sent back, at most 10 a second), in bouts of 10–30 s with a pause between.

With ``--trainings K``, K students also start a training of their own on the clinic step just
before the class (30 epochs, so they run throughout): the class works beside the trainings, as
it would after "now train your model". Their state is printed at the end.

Each student has its own keep-alive connection. Everything is bounded: the run stops after
``--seconds`` (and ``--max-requests``), the server is stopped at the end.

Printed: p50 / p95 / p99 / max latency per route (as the client saw it, ms), the server's own
time per route (its ``Server-Timing``), errors, throughput, the server's CPU time, and the peak
memory of all server processes (sum of RSS and of PSS over the process tree, sampled every
0.2 s), with the targets of issue 13:

    small calls p95 ≤ 100 ms · playground updates p95 ≤ 150 ms · 0 errors · peak memory ≤ 600 MB

    .venv/bin/python benchmarks/classroom_load.py                        # 200 students, 60 s
    .venv/bin/python benchmarks/classroom_load.py --students 50 --seconds 30 --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from module_latency import CASES  # the calls each newer step's page makes (this folder)



def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

PLAY = "POST /api/playground/train"
STATIC = ["/", "/static/app.js", "/static/style.css", "/vendor/plotly.min.js"]
# The calls a step's page makes when a student opens it (its default look) and moves a control.
STEP_CALLS: dict[int, list[tuple[str, str, dict | None]]] = {
    1: [("POST", "/api/neuron", {}), ("POST", "/api/neuron", {"x1": 3, "w1": 2})],
    2: [("GET", "/api/playground/options", None)],
    3: [("POST", "/api/activations", {"fn": "sigmoid"}), ("POST", "/api/activations/stack", {"fn": "tanh", "width": 3})],
    4: [("POST", "/api/layers", {}), ("POST", "/api/layers", {"sizes": [10, 10, 10, 10]})],
    5: [("GET", "/api/images/view?index=0", None), ("GET", "/api/images/experiment", None)],
    6: [("POST", "/api/convolution", {}), ("POST", "/api/convolution", {"size": 28, "neurons": 32})],
    7: [("GET", "/api/kernels/presets", None), ("GET", "/api/kernels/samples", None),
        ("POST", "/api/kernels/apply", {"image": "sample:ct_small", "kernel": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]})],
    8: [("POST", "/api/pooling", {}), ("POST", "/api/pooling", {"size": 16, "seed": 1})],
    9: [("GET", "/api/pipeline/status", None), ("GET", "/api/pipeline/examples", None),
        ("GET", "/api/pipeline/explain?index=0", None)],
}


Call = tuple[str, str, "dict | None"]


def later_steps() -> tuple[dict[str, list[Call]], list[tuple[str, dict]]]:
    """The calls of every step after the first nine (``module_latency.CASES`` by step, in its
    order), and the jobs they need done first (POST path, body), each once."""
    steps: dict[str, list[Call]] = {}
    needs: list[tuple[str, dict]] = []
    for case in CASES:
        if isinstance(case.step, int):
            continue
        steps.setdefault(case.step, []).append(("GET" if case.body is None else "POST", case.path, case.body))
        if case.job is not None and case.job not in needs:
            needs.append(case.job)
    return steps, needs


# ------------------------------------------------------------------------------ a tiny HTTP/1.1 client


class Connection:
    """One keep-alive HTTP/1.1 connection (the load generator must cost little CPU itself)."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: dict | None = None,
                      headers: dict | None = None) -> tuple[int, dict, bytes]:
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            data = b"" if body is None else json.dumps(body).encode()
            head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept-Encoding: gzip"]
            if body is not None:
                head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
            head += [f"{k}: {v}" for k, v in (headers or {}).items()]
            try:
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed")
                status = int(status_line.split()[1])
                got: dict[str, str] = {}
                while (line := await self.reader.readline()) not in (b"\r\n", b""):
                    k, _, v = line.decode("latin-1").partition(":")
                    got[k.strip().lower()] = v.strip()
                length = int(got.get("content-length", "0"))
                payload = await self.reader.readexactly(length) if length else b""
                return status, got, payload
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# ------------------------------------------------------------------------------ the students


class Stats:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.server: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.count = 0

    def record(self, route: str, seconds: float, status: int, headers: dict) -> None:
        self.count += 1
        self.latency[route].append(seconds * 1e3)
        timing = headers.get("server-timing", "")
        if "dur=" in timing:
            self.server[route].append(float(timing.split("dur=")[1].split(",")[0]))
        if status >= 400:
            self.errors[f"{route} → {status}"] += 1


async def call(conn: Connection, stats: Stats, method: str, path: str, body=None, headers=None, route=None):
    t = time.perf_counter()
    try:
        status, got, payload = await conn.request(method, path, body, headers)
    except (OSError, asyncio.IncompleteReadError, ValueError) as err:
        stats.errors[f"{route or path}: {type(err).__name__}"] += 1
        conn.close()
        return None, {}, b""
    stats.record(route or f"{method} {path.split('?')[0]}", time.perf_counter() - t, status, got)
    return status, got, payload


async def walker(port: int, stats: Stats, end: float, rng: random.Random, steps: list[list[Call]]) -> None:
    conn = Connection(port)
    etags: dict[str, str] = {}
    step = rng.randrange(len(steps))
    try:
        while time.monotonic() < end:
            for path in STATIC:  # the page: the browser revalidates what it has
                headers = {"If-None-Match": etags[path]} if path in etags else None
                status, got, _ = await call(conn, stats, "GET", path, headers=headers,
                                            route=f"GET {path} ({'revalidate' if headers else 'first'})")
                if status == 200 and "etag" in got:
                    etags[path] = got["etag"]
            for method, path, body in steps[step]:
                await call(conn, stats, method, path, body)
                await asyncio.sleep(rng.uniform(0.2, 1.0))  # reading, moving a control
            await asyncio.sleep(rng.uniform(2, 8))  # thinking
            step = (step + 1) % len(steps)
    finally:
        conn.close()


async def player(port: int, stats: Stats, end: float, rng: random.Random, max_rate: float = 10.0) -> None:
    conn = Connection(port)
    try:
        while time.monotonic() < end:
            settings = {"problem": rng.choice(["xor", "circle", "spiral"]), "hidden": [4]}
            _, _, payload = await call(conn, stats, "POST", "/api/playground/train",
                                       {"settings": settings, "steps": 0}, route=PLAY)
            state = json.loads(payload)["state"] if payload else None
            bout = time.monotonic() + rng.uniform(10, 30)
            while state is not None and time.monotonic() < min(bout, end):
                sent = time.monotonic()
                status, _, payload = await call(conn, stats, "POST", "/api/playground/train",
                                                {"settings": settings, "state": state, "steps": 10,
                                                 "include_points": False}, route=PLAY)
                state = json.loads(payload)["state"] if status == 200 else None
                await asyncio.sleep(max(0.0, sent + 1 / max_rate - time.monotonic()))
            await asyncio.sleep(rng.uniform(3, 8))
    finally:
        conn.close()


async def classroom(port: int, students: int, seconds: float, ramp: float, stats: Stats, seed: int,
                    steps: list[list[Call]]) -> float:
    rng = random.Random(seed)
    start = time.monotonic()
    end = start + seconds
    tasks = []
    for i in range(students):
        await asyncio.sleep(ramp / students)  # students arrive over the first `ramp` seconds
        student = random.Random(rng.random())
        if i % 4 == 3:  # one in four plays
            tasks.append(asyncio.create_task(player(port, stats, end, student)))
        else:
            tasks.append(asyncio.create_task(walker(port, stats, end, student, steps)))
    await asyncio.gather(*tasks)
    return time.monotonic() - start


# ------------------------------------------------------------------------------ the server


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _memory_mb(pids: list[int]) -> tuple[float, float]:
    """(sum of RSS, sum of PSS) of the processes, in MB (PSS shares shared pages fairly)."""
    rss = pss = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


class MemoryWatch(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.stop = pid, 0.0, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            rss, pss = _memory_mb(_tree(self.pid))
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.stop.wait(0.2)


@contextmanager
def server(workers: int, home: Path, extra: list[str]):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HOME": str(home), "NO_PROXY": "127.0.0.1",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "ml2dl.cli", "serve", "--port", str(port), "--no-browser",
                             "--workers", str(workers), *extra], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield port, proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass


async def jobs_done(port: int, needs: list[tuple[str, dict]], timeout: float) -> dict[str, str]:
    """Start each job the later steps read and wait until it is done; the clinic run's name
    (for "{run}" in their paths)."""
    conn, t0, names = Connection(port), time.monotonic(), {}
    for path, body in needs:
        while True:
            status, _, payload = await conn.request("POST", path, body)
            answer = json.loads(payload) if payload else {}
            state = answer.get("status") or answer.get("snapshot", {}).get("status")
            if status != 200 or state in ("failed", "cancelled"):
                raise SystemExit(f"the job {path} {body} did not run: {status} {payload[:200]!r}")
            if state == "done":
                break
            if time.monotonic() - t0 > timeout:
                raise SystemExit(f"the job {path} {body} did not finish within {timeout:.0f} s")
            await asyncio.sleep(0.5)
        if "run" in answer:
            names["run"] = answer["run"]
    conn.close()
    return names


async def wait_ready(port: int, timeout: float, wait_jobs: bool) -> float:
    conn, t0 = Connection(port), time.monotonic()
    while True:
        try:
            status, _, _ = await conn.request("GET", "/api/health")
            if status == 200:
                break
        except OSError:
            conn.close()
        if time.monotonic() - t0 > 60:
            raise SystemExit("the server did not start within 60 s")
        await asyncio.sleep(0.2)
    jobs = {"/api/images/experiment": "/api/images/experiment", "/api/pipeline/status": "/api/pipeline/train"}
    while wait_jobs:
        done = []
        for path, start in jobs.items():
            _, _, payload = await conn.request("GET", path)
            done.append(json.loads(payload)["status"])
            if done[-1] == "none":  # a server that does not start them itself (or not yet)
                await conn.request("POST", start, {})
        if all(s == "done" for s in done):
            break
        if time.monotonic() - t0 > timeout or any(s in ("failed", "cancelled") for s in done):
            raise SystemExit(f"the default trainings did not finish: {done}")
        await asyncio.sleep(1)
    conn.close()
    return time.monotonic() - t0


TRAINING = {"n_train": 2000, "epochs": 30}  # a clinic training that outlasts the class


async def start_trainings(port: int, k: int) -> list[dict]:
    """K clinic trainings, each sent over its own connection (any worker may take it). Their seeds
    are new each run (a run of the same settings would be found finished, or resumed)."""
    started, first = [], 1 + int(time.time()) % 9000
    for seed in range(first, first + k):
        conn = Connection(port)
        status, _, payload = await conn.request("POST", "/api/clinic/train", {**TRAINING, "seed": seed})
        conn.close()
        if status != 200:
            raise SystemExit(f"starting training {seed} answered {status}: {payload[:200]!r}")
        started.append(json.loads(payload))
    return started


async def training_states(port: int) -> list[str]:
    conn = Connection(port)
    _, _, payload = await conn.request("GET", "/api/clinic/runs")
    conn.close()
    active = json.loads(payload).get("active", [])
    return [f"{a['run']}: {a['snapshot']['status']} {a['snapshot'].get('percent', 0):.0f} %" for a in active] or ["none active"]


# ------------------------------------------------------------------------------ the report


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def report(stats: Stats, seconds: float, cpu: float, rss: float, pss: float, workers: int, students: int) -> bool:
    print(f"\n{students} students ({students // 4} playing), {workers} worker(s), {seconds:.0f} s, "
          f"{stats.count} requests = {stats.count / seconds:.0f}/s; server CPU {cpu:.1f} s "
          f"({cpu / seconds:.2f} cores); load average {os.getloadavg()[0]:.1f}")
    print(f"{'route':58} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  server p50/p95 (ms)")
    for route in sorted(stats.latency):
        v, srv = stats.latency[route], stats.server.get(route, [])
        print(f"{route[:58]:58} {len(v):6d} {pct(v, .5):7.1f} {pct(v, .95):7.1f} {pct(v, .99):7.1f} {max(v):7.1f}"
              f"  {pct(srv, .5):5.2f} / {pct(srv, .95):5.2f}")
    small = [x for r, v in stats.latency.items() if r != PLAY and r.startswith(("GET /api", "POST /api")) for x in v]
    play = stats.latency.get(PLAY, [])
    errors = sum(stats.errors.values())
    for what, n in sorted(stats.errors.items()):
        print(f"error: {what} ×{n}")
    checks = [("small calls p95 ≤ 100 ms", pct(small, .95), 100), ("playground p95 ≤ 150 ms", pct(play, .95), 150),
              ("errors = 0", errors, 0), ("peak memory (PSS) ≤ 600 MB", pss, 600)]
    print(f"\nsmall calls: n {len(small)}, p50 {pct(small, .5):.1f} p95 {pct(small, .95):.1f} p99 {pct(small, .99):.1f} ms; "
          f"playground: n {len(play)}, p50 {pct(play, .5):.1f} p95 {pct(play, .95):.1f} p99 {pct(play, .99):.1f} ms; "
          f"peak memory: RSS {rss:.0f} MB, PSS {pss:.0f} MB")
    ok = True
    for name, value, limit in checks:
        met = value <= limit
        ok &= met
        print(f"  {'met ' if met else 'MISS'}  {name}: {value:.1f}")
    return ok


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=200)
    p.add_argument("--seconds", type=float, default=60.0, help="length of the class (after the ramp starts)")
    p.add_argument("--ramp", type=float, default=10.0, help="seconds over which the students arrive")
    p.add_argument("--workers", type=int, default=usable_cores())
    p.add_argument("--max-rate", type=float, default=10.0, help="a playing student's requests per second at most")
    p.add_argument("--home", default="/tmp/ml2dl-classroom-bench",
                   help="HOME of the server (its cache: trained results are kept between runs)")
    p.add_argument("--no-wait", action="store_true", help="do not wait for the default trainings first")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", choices=["all", "nine"], default="all",
                   help="the steps students walk: all of them, or the nine of the first chapters")
    p.add_argument("--trainings", type=int, default=0,
                   help="clinic trainings students start just before the class (0..4)")
    args = p.parse_args(argv)
    if not 1 <= args.students <= 1000 or not 1 <= args.seconds <= 600 or not 0 <= args.trainings <= 4:
        p.error("students must be in 1..1000, seconds in 1..600 and trainings in 0..4")
    home = Path(args.home)
    home.mkdir(parents=True, exist_ok=True)
    with server(args.workers, home, []) as (port, proc):
        ready = asyncio.run(wait_ready(port, 900, not args.no_wait))
        print(f"server ready (default trainings done) after {ready:.1f} s")
        steps = [STEP_CALLS[k] for k in sorted(STEP_CALLS)]
        if args.steps == "all":
            later, needs = later_steps()
            t0 = time.monotonic()
            names = asyncio.run(jobs_done(port, needs, 900))
            steps += [[(m, path.replace("{run}", names.get("run", "")), body) for m, path, body in calls]
                      for calls in later.values()]
            print(f"{len(steps)} steps; the jobs their pages read done after {time.monotonic() - t0:.1f} s")
        pids = _tree(proc.pid)
        watch = MemoryWatch(proc.pid)
        watch.start()
        cpu0 = _cpu_seconds(pids)
        own0 = time.process_time()
        if args.trainings:
            started = asyncio.run(start_trainings(port, args.trainings))
            print(f"{len(started)} clinic training(s) started: "
                  + ", ".join(f"{t['run']} {t['snapshot']['status']}" for t in started))
        stats = Stats()
        took = asyncio.run(asyncio.wait_for(classroom(port, args.students, args.seconds, args.ramp, stats, args.seed, steps),
                                            timeout=args.seconds + args.ramp + 60))
        cpu = _cpu_seconds(_tree(proc.pid)) - cpu0
        print(f"load generator CPU {time.process_time() - own0:.1f} s")
        if args.trainings:
            print("the trainings at the end: " + "; ".join(asyncio.run(training_states(port))))
        watch.stop.set()
        watch.join()
    return 0 if report(stats, took, cpu, watch.peak_rss, watch.peak_pss, args.workers, args.students) else 1


if __name__ == "__main__":
    sys.exit(main())
