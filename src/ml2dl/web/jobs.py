"""Long jobs for the web module (training the CNNs of steps 5 and 9): a small bounded pool.

A job is a function ``fn(report) -> dict`` run in a worker thread. It calls
``report.progress(fraction, message, **extra)`` now and then, and ``report.check()``
(raises :class:`JobCancelled` when the job was cancelled or the server is stopping).
Its JSON-ready result is written atomically to ``<cache_dir>/jobs/<key>.json``; the
next request for the same key — from this process or a new one — is answered from
disk instantly. Artefacts a job writes itself (checkpoints) go into ``report.workdir``.

Jobs are keyed by ``name`` + a ``fingerprint`` of everything that defines the result
(the data file's hash, the training budget), so asking twice never trains twice: the
second caller gets the running job. At most ``max_pending`` jobs wait or run at once;
beyond that :class:`PoolFull` (the route answers 503).

    pool = get_pool(app)
    job = pool.submit("pipeline", fingerprint, train_fn)   # or the cached/running one
    job.snapshot()   # {"status": "running", "progress": 0.4, "message": "epoch 2/5", ...}
    pool.cancel("pipeline", fingerprint)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from ..files import atomic_write

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


class JobCancelled(Exception):
    """Raised inside a job by ``report.check()`` once the job has been cancelled."""


class PoolFull(RuntimeError):
    """Too many jobs waiting or running; try again when one has finished."""


def fingerprint(*parts: Any) -> str:
    """A short stable hash of JSON-able parts (settings, data hashes)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_fingerprint(path: str | os.PathLike) -> str:
    """sha256 (first 16 hex digits) of a file's bytes: the same data gives the same key."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


class Report:
    """What a running job sees: progress reporting, cancellation, its work folder."""

    def __init__(self, job: "Job", workdir: Path):
        self._job = job
        self.workdir = workdir

    def progress(self, fraction: float, message: str = "", **extra: Any) -> None:
        """Record progress in [0, 1] and a message for the page; ``extra`` (JSON-able) is shown too."""
        with self._job._lock:
            self._job.progress = min(1.0, max(0.0, float(fraction)))
            if message:
                self._job.message = message
            self._job.extra.update(extra)
        self.check()

    @property
    def cancelled(self) -> bool:
        # The main thread is gone while the interpreter shuts down: stop instead of
        # keeping the process alive until training ends.
        return self._job._cancel.is_set() or not threading.main_thread().is_alive()

    def check(self) -> None:
        if self.cancelled:
            raise JobCancelled(self._job.key)


class Job:
    """One job's state; read it with :meth:`snapshot` (thread-safe)."""

    def __init__(self, name: str, key: str):
        self.name = name
        self.key = key
        self.status = QUEUED
        self.progress = 0.0
        self.message = "waiting for a free worker"
        self.extra: dict[str, Any] = {}
        self.result: dict | None = None
        self.error: str | None = None
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None
        self.cached = False
        self._cancel = threading.Event()
        self._lock = threading.Lock()

    def snapshot(self) -> dict:
        with self._lock:
            now = self.finished or time.time()
            return {
                "name": self.name,
                "key": self.key,
                "status": self.status,
                "progress": round(self.progress, 4),
                "percent": round(100 * self.progress, 1),
                "message": self.message,
                "extra": dict(self.extra),
                "error": self.error,
                "cached": self.cached,
                "elapsed_s": round(now - self.started, 2) if self.started else 0.0,
                "result": self.result if self.status == DONE else None,
            }


_KEY_RE = re.compile(r"^[a-z0-9_-]{1,40}$")


class JobPool:
    """A bounded thread pool with a registry of jobs by key and a disk cache of results.

    Args:
        cache_dir: results go to ``cache_dir/jobs/<key>.json``, artefacts to ``cache_dir/<name>/``.
        max_workers: jobs that run at once (1–2: the machine is shared with the web server).
        max_pending: jobs that may wait or run at once; more raise :class:`PoolFull`.
    """

    def __init__(self, cache_dir: str | os.PathLike, *, max_workers: int = 1, max_pending: int = 4):
        if not isinstance(max_workers, int) or not 1 <= max_workers <= 4:
            raise ValueError(f"max_workers must be an int in 1..4, got {max_workers!r}")
        if not isinstance(max_pending, int) or max_pending < max_workers:
            raise ValueError(f"max_pending must be an int ≥ max_workers ({max_workers}), got {max_pending!r}")
        self.cache_dir = Path(cache_dir)
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ml2dl-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    # -- keys and the disk cache ----------------------------------------------------------
    @staticmethod
    def key(name: str, fp: str) -> str:
        if not _KEY_RE.match(name) or not _KEY_RE.match(fp):
            raise ValueError(f"job name and fingerprint must be 1–40 of [a-z0-9_-], got {name!r}, {fp!r}")
        return f"{name}-{fp}"

    def result_path(self, key: str) -> Path:
        return self.cache_dir / "jobs" / f"{key}.json"

    def workdir(self, name: str) -> Path:
        return self.cache_dir / name

    def _from_disk(self, name: str, key: str) -> Job | None:
        path = self.result_path(key)
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return None
        job = Job(name, key)
        job.status, job.progress, job.message, job.result, job.cached = DONE, 1.0, "done (cached)", result, True
        job.started = job.finished = time.time()
        return job

    # -- the registry -----------------------------------------------------------------------
    def get(self, name: str, fp: str) -> Job | None:
        """The job for this key: running, finished in this process, or cached on disk (or None)."""
        key = self.key(name, fp)
        with self._lock:
            job = self._jobs.get(key)
            if job is None:
                job = self._from_disk(name, key)
                if job is not None:
                    self._jobs[key] = job
            return job

    def submit(self, name: str, fp: str, fn: Callable[[Report], dict]) -> Job:
        """Start ``fn`` unless a job with this key is already queued, running or done.

        A failed or cancelled job is started again. Raises :class:`PoolFull` when
        ``max_pending`` jobs are already waiting or running.
        """
        key = self.key(name, fp)
        with self._lock:
            job = self._jobs.get(key) or self._from_disk(name, key)
            if job is not None and job.status not in (FAILED, CANCELLED):
                self._jobs[key] = job
                return job
            pending = sum(j.status in (QUEUED, RUNNING) for j in self._jobs.values())
            if pending >= self.max_pending:
                raise PoolFull(f"at most {self.max_pending} training jobs may wait or run at once, "
                               f"got {pending} already; try again in a minute")
            job = Job(name, key)
            self._jobs[key] = job
        self._executor.submit(self._run, job, fn)
        return job

    def cancel(self, name: str, fp: str) -> Job | None:
        """Ask the job to stop at its next ``report.check()``; a queued job never starts."""
        job = self._jobs.get(self.key(name, fp))
        if job is not None and job.status in (QUEUED, RUNNING):
            job._cancel.set()
            with job._lock:
                if job.status == QUEUED:
                    job.status, job.message, job.finished = CANCELLED, "cancelled", time.time()
                else:
                    job.message = "cancelling…"
        return job

    def forget(self, name: str, fp: str) -> None:
        """Drop a finished job and its cached result (its artefacts have gone stale)."""
        key = self.key(name, fp)
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.status in (QUEUED, RUNNING):
                raise RuntimeError(f"job {key} is still {job.status}; cancel it first")
            self._jobs.pop(key, None)
            self.result_path(key).unlink(missing_ok=True)

    def shutdown(self) -> None:
        """Cancel every job and wait for the workers (tests; the server's exit)."""
        for job in list(self._jobs.values()):
            job._cancel.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- a worker ---------------------------------------------------------------------------
    def _run(self, job: Job, fn: Callable[[Report], dict]) -> None:
        with job._lock:
            if job._cancel.is_set():
                job.status, job.message, job.finished = CANCELLED, "cancelled", time.time()
                return
            job.status, job.message, job.started = RUNNING, "starting", time.time()
        report = Report(job, self.workdir(job.name))
        try:
            result = fn(report)
            report.check()
            text = json.dumps(result, allow_nan=False)
            atomic_write(self.result_path(job.key), lambda f: f.write(text), binary=False)
        except JobCancelled:
            with job._lock:
                job.status, job.message, job.finished = CANCELLED, "cancelled", time.time()
            return
        except Exception as err:  # a job's failure is shown on the page, not raised in a thread
            with job._lock:
                job.status, job.error, job.finished = FAILED, f"{type(err).__name__}: {err}", time.time()
                job.message = "failed"
            return
        with job._lock:
            job.result = json.loads(text)
            job.status, job.progress, job.message, job.finished = DONE, 1.0, "done", time.time()


_POOL_LOCK = threading.Lock()


# -- what the routes of a job-backed step share ------------------------------------------------


def snapshot(pool: JobPool, name: str, fp: str) -> dict:
    """The job's snapshot, or ``status: "none"`` when nobody has started it."""
    job = pool.get(name, fp)
    return job.snapshot() if job else {"name": name, "status": "none", "progress": 0.0, "percent": 0.0,
                                       "result": None}


def submit_snapshot(pool: JobPool, name: str, fp: str, fn: Callable[[Report], dict]) -> dict:
    """Start (or find) the job and return its snapshot; a full pool answers 503."""
    from fastapi import HTTPException

    try:
        return pool.submit(name, fp, fn).snapshot()
    except PoolFull as err:
        raise HTTPException(503, detail=str(err)) from None


def cancel_snapshot(pool: JobPool, name: str, fp: str) -> dict:
    pool.cancel(name, fp)
    return snapshot(pool, name, fp)


def progress_response(pool: JobPool, name: str, fp: str):
    """Server-sent events: the job's snapshot on every change, until it has finished."""
    from fastapi.responses import StreamingResponse

    def current():
        job = pool.get(name, fp)
        return job.snapshot() if job else None

    return StreamingResponse(sse_stream(current), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})


def get_pool(app) -> JobPool:
    """The app's job pool, created on first use under ``app.state.settings.cache_dir``."""
    with _POOL_LOCK:
        pool = getattr(app.state, "job_pool", None)
        if pool is None:
            pool = JobPool(app.state.settings.cache_dir)
            app.state.job_pool = pool
        return pool


async def sse_stream(get_snapshot: Callable[[], dict | None], *, interval: float = 0.25, timeout: float = 900.0):
    """Server-sent events: the job's snapshot whenever it changes, until it has finished.

    Yields ``data: {json}\\n\\n`` blocks. An async generator: a page watching a long job
    holds no worker thread, only a coroutine that wakes up every ``interval`` seconds.
    """
    last = None
    deadline = time.monotonic() + timeout
    while True:
        snap = get_snapshot()
        if snap is None:
            yield "event: missing\ndata: {}\n\n"
            return
        text = json.dumps(snap)
        if text != last:
            yield f"data: {text}\n\n"
            last = text
        if snap["status"] in FINISHED or time.monotonic() > deadline:
            return
        await asyncio.sleep(interval)
