"""Long jobs for the web module (training the CNNs of steps 5 and 9): run once per server.

A job is a function ``fn(report) -> dict`` run by a worker thread, in that thread or (a pool
made with ``in_processes``, as ``ml2dl serve`` makes it) in a child process at low priority
(``ml2dl.web.jobprocess``: the class's requests keep the CPU and the worker's GIL). It calls
``report.progress(fraction, message, **extra)`` now and then, and ``report.check()``
(raises :class:`JobCancelled` when the job was cancelled or the server is stopping).
Artefacts a job writes itself (checkpoints) go into ``report.workdir``.

Jobs are keyed by ``name`` + a ``fingerprint`` of everything that defines the result
(the data file's hash, the training budget, and — always, added by :func:`fingerprint` — the
:func:`code_version` of the code that computes results, so a result cached by an older
training loop is never reused), so asking twice never trains twice — not
even when the two requests reach two worker processes: the process that starts a job holds
its lock file until the job ends, keeps its status on disk, and writes the result there
(see ``ml2dl.web.jobstore``). Every worker answers a status request from the disk, so all
of them report the same thing; a cancel from any worker reaches the job through a marker file.

At most ``max_pending`` jobs wait or run at once in one process; beyond that
:class:`PoolFull` (the app answers 503).

A job's files (checkpoints) are named with ``report.keep(path)``: their sha256 goes into the
result (``artefacts``), and a result whose files are missing or changed is not trusted (the
job runs again). A step whose default job the first students should find ready registers a
starter with :func:`default_job`; ``serve`` runs them all when the server starts.

    pool = JobPool(cache_dir)
    pool.submit("pipeline", fingerprint, train_fn)   # starts it, or finds it queued/running/done
    pool.snapshot("pipeline", fingerprint)   # {"status": "running", "progress": 0.4, "message": "epoch 2/5", ...}
    pool.cancel("pipeline", fingerprint)    # one follower leaves; it stops when nobody follows it

Everyone who starts or joins a queued or running job follows it; a cancel removes one follower
and stops the job only when none is left (else the answer is :func:`detached`: it runs on for
the others). A default job is followed by the class for good. The count is on disk too
(``<key>.followers``), so the workers of a server count together.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable


from ..checks import InputError
from .jobkeys import RESULT_CODE, code_version, file_fingerprint, fingerprint  # noqa: F401  (the pool's keys)
from .jobclass import (CANCELLED, DONE, FAILED, FINISHED, INTERRUPTED, QUEUED, RUNNING,  # noqa: F401
                       JobCancelled, PoolFull, default_job, detached, start_defaults)
from .jobprocess import DIED, run_in_child
from .jobstore import Followers, JobStore

STATE_WRITE_INTERVAL = 0.2  # seconds between progress writes to disk (status changes are written at once)

log = logging.getLogger("ml2dl.web.jobs")


class Report:
    """What a running job sees: progress reporting, cancellation, its work folder."""

    def __init__(self, job: "Job", workdir: Path):
        self._job = job
        self.workdir = workdir
        self.artefacts: list[Path] = []

    def keep(self, path: str | os.PathLike) -> None:
        """Name a file the result needs (a checkpoint): its checksum is recorded with the result."""
        self.artefacts.append(Path(path))

    def progress(self, fraction: float, message: str = "", **extra: Any) -> None:
        """Record progress in [0, 1] and a message for the page; ``extra`` (JSON-able) is shown too."""
        state = {"progress": min(1.0, max(0.0, float(fraction)))}
        if message:
            state["message"] = message
        self._job._update(state, extra=extra)
        self.check()

    @property
    def cancelled(self) -> bool:
        # The main thread is gone while the interpreter shuts down: stop instead of
        # keeping the process alive until training ends.
        job = self._job
        return (job._cancel.is_set() or job._pool.store.cancel_requested(job.key)
                or not threading.main_thread().is_alive())

    def check(self) -> None:
        if self.cancelled:
            raise JobCancelled(self._job.key)


class Job:
    """A handle on one job; :meth:`snapshot` reads its state from disk, like every worker does.

    The process running the job holds ``_fd`` (the job's lock) and writes its state.
    """

    def __init__(self, pool: "JobPool", name: str, key: str, fd: int | None = None):
        self._pool = pool
        self.name = name
        self.key = key
        self._fd = fd
        self._cancel = threading.Event()
        self._lock = threading.RLock()  # _finish may run inside _start/cancel's critical section
        self._state: dict[str, Any] = {}
        self._written = 0.0

    @property
    def active(self) -> bool:
        """Queued or running in this process."""
        return self._fd is not None

    def snapshot(self) -> dict:
        return self._pool.snapshot_key(self.name, self.key)

    @property
    def status(self) -> str:
        return self.snapshot()["status"]

    @property
    def result(self) -> dict | None:
        return self._pool.store.read_result(self.key)

    # -- used by the process that runs it --------------------------------------------------------
    def _update(self, state: dict, *, extra: dict | None = None, force: bool = False) -> None:
        with self._lock:
            self._state.update(state)
            if extra:
                self._state["extra"] = {**self._state.get("extra", {}), **extra}
            now = time.monotonic()
            if force or now - self._written >= STATE_WRITE_INTERVAL:
                self._pool.store.write_state(self.key, self._state)
                self._written = now

    def _start(self) -> bool:
        """Queued → running; False (and nothing runs) if it was cancelled while it waited."""
        with self._lock:
            if self._fd is None:
                return False
            if self._cancel.is_set() or self._pool.store.cancel_requested(self.key):
                self._finish(CANCELLED, "cancelled")
                return False
            self._update({"status": RUNNING, "message": "starting", "started": time.time()}, force=True)
            self._pool.store.journal(self.key, RUNNING)
            return True

    def _cancel_here(self) -> None:
        """Cancel from this process: a queued job ends now, a running one at its next check."""
        with self._lock:
            self._cancel.set()
            if self._fd is not None and self._state.get("status") == QUEUED:
                self._finish(CANCELLED, "cancelled")

    def _finish(self, status: str, message: str, **state: Any) -> bool:
        """Write the final state, release the lock; False if the job had already finished."""
        with self._lock:
            if self._fd is None:
                return False
            self._state.update(status=status, message=message, finished=time.time(), **state)
            store = self._pool.store
            with store.guard():  # a join (under the guard too) finds it running, or finished and nobody's
                store.clear_followers(self.key)
                store.journal(self.key, status)  # before the state: whoever sees it sees the event
                store.write_state(self.key, self._state)
            self._pool.store.clear_cancel(self.key)
            self._pool.store.unlock(self._fd)
            self._fd = None
            return True


_KEY_RE = re.compile(r"^[a-z0-9_-]{1,40}$")


class JobPool:
    """A bounded thread pool for long jobs, coordinated with other processes through ``cache_dir``.

    Args:
        cache_dir: job files go to ``cache_dir/jobs/``, artefacts to ``cache_dir/<name>/``.
        max_workers: jobs that run at once in this process (1–2: the machine is shared with the web server).
        max_pending: jobs that may wait or run at once in this process; more raise :class:`PoolFull`.
        started_at: when the server started; results finished before are reported as ``cached``.
        in_processes: run each job in a child process at low priority (``ml2dl.web.jobprocess``)
            instead of in the worker thread itself; the job function and what it reaches are
            inherited, not pickled, but in-memory objects it shares with this process (an Event
            it waits on) are copies there.
    """

    def __init__(self, cache_dir: str | os.PathLike, *, max_workers: int = 1, max_pending: int = 4,
                 started_at: float | None = None, in_processes: bool = False):
        if not isinstance(max_workers, int) or not 1 <= max_workers <= 4:
            raise InputError(f"max_workers must be an int in 1..4, got {max_workers!r}")
        if not isinstance(max_pending, int) or max_pending < max_workers:
            raise InputError(f"max_pending must be an int ≥ max_workers ({max_workers}), got {max_pending!r}")
        self.cache_dir = Path(cache_dir)
        self.store = JobStore(self.cache_dir)
        self.max_pending = max_pending
        self.started_at = time.time() if started_at is None else started_at
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ml2dl-job")
        self._jobs: dict[str, Job] = {}  # the jobs this process has run or runs
        self._lock = threading.Lock()
        self.in_processes = bool(in_processes) and hasattr(os, "fork")  # no fork (Windows): threads
        self._children: dict[str, int] = {}  # job key → pid of the child process running it
        self._stopping = False

    @staticmethod
    def key(name: str, fp: str) -> str:
        if not _KEY_RE.match(name) or not _KEY_RE.match(fp):
            raise ValueError(f"job name and fingerprint must be 1–40 of [a-z0-9_-], got {name!r}, {fp!r}")
        return f"{name}-{fp}"

    def result_path(self, key: str) -> Path:
        return self.store.result_path(key)

    def workdir(self, name: str) -> Path:
        return self.cache_dir / name

    # -- asking about a job -------------------------------------------------------------------
    def snapshot(self, name: str, fp: str) -> dict:
        """The job's state as every worker sees it; ``status: "none"`` when nobody has started it."""
        return self.snapshot_key(name, self.key(name, fp))

    def get(self, name: str, fp: str) -> Job | None:
        """A handle on the job (queued, running or finished, here or in another worker), or None."""
        key = self.key(name, fp)
        if self.snapshot_key(name, key)["status"] == "none":
            return None
        return self._jobs.get(key) or Job(self, name, key)

    def snapshot_key(self, name: str, key: str, *, _again: bool = False) -> dict:
        result = self.store.read_result(key)
        state = self.store.read_state(key) or {}
        recorded = state.get("status")
        active = False
        if result is not None:
            status = DONE
            if recorded != DONE:  # the result written a moment ago, or left by a worker that died
                with self.store.guard():
                    active = self.store.is_locked(key)
                if active:  # its final state is not written yet: still finishing
                    status = RUNNING
                else:  # the result stands on its own: what state there is belongs to no run
                    state, recorded = {}, None
        else:
            with self.store.guard():
                active = self.store.is_locked(key)
            if not active and recorded in (QUEUED, RUNNING) and not _again:
                # The job may have finished between reading its state and seeing its lock free:
                # its result and final state are written before the lock is released, so read again.
                return self.snapshot_key(name, key, _again=True)
            if active:
                status = recorded if recorded in (QUEUED, RUNNING) else QUEUED
            elif recorded in (FAILED, CANCELLED):
                status = recorded
            elif recorded in (QUEUED, RUNNING):  # nobody holds the lock: its process has gone
                status, state = FAILED, {**state, "message": "failed", "error": INTERRUPTED}
            else:
                return {"name": name, "status": "none", "progress": 0.0, "percent": 0.0, "result": None}
        finished = state.get("finished") if recorded == DONE else None
        cached = status == DONE and (not state or (finished is not None and finished < self.started_at))
        progress = 1.0 if status == DONE else float(state.get("progress", 0.0))
        if status == DONE:
            message = "done (cached)" if cached else "done"
        elif active and self.store.cancel_requested(key):
            message = "cancelling…"
        else:
            message = state.get("message", "")
        started = state.get("started")
        end = state.get("finished") or time.time()
        waiting = {}
        if status == QUEUED:  # how long it has waited, and for which jobs of this process
            created = state.get("created")
            ahead = self._ahead_of(key, created)
            waiting = {"waited_s": float(int(time.time() - created)) if created else 0.0, "ahead": ahead}
            if ahead:
                message = (f"waiting for a free worker: {len(ahead)} job{'s' if len(ahead) > 1 else ''} "
                           f"ahead of it ({', '.join(ahead)})")
        return {
            **waiting,
            "name": name,
            "key": key,
            "status": status,
            "progress": round(progress, 4),
            "percent": round(100 * progress, 1),
            "message": message,
            "extra": dict(state.get("extra", {})),
            "error": state.get("error"),
            "cached": cached,
            "elapsed_s": round(end - started, 2) if started else 0.0,
            # the checksums stay on the server: the page gets what the job computed
            "result": {k: v for k, v in result.items() if k != "artefacts"} if status == DONE else None,
        }

    def _ahead_of(self, key: str, created: float | None) -> list[str]:
        """Names of this process's jobs that run, or wait since before ``created``, besides ``key``."""
        ahead = []
        for other in list(self._jobs.values()):
            if other.key == key or not other.active:
                continue
            st = other._state
            if st.get("status") == RUNNING or (created is not None and st.get("created", created) < created):
                ahead.append(other.name)
        return ahead

    # -- starting, cancelling, forgetting -------------------------------------------------------
    def submit(self, name: str, fp: str, fn: Callable[[Report], dict], *, for_class: bool = False) -> Job:
        """Start ``fn`` unless a job with this key is queued, running (in any worker) or done.

        A failed or cancelled job is started again. Whoever starts or joins a queued or running job
        follows it (:meth:`cancel`): a student, or with ``for_class`` the class (a job the server
        starts for everyone, which then runs to completion). Raises :class:`PoolFull` when
        ``max_pending`` jobs are already waiting or running in this process.
        """
        key = self.key(name, fp)
        with self._lock:
            job = self._jobs.get(key)
            with self.store.guard():
                if job is not None and job.active:
                    self._follow(key, for_class)
                    return job
                if self.store.read_result(key) is not None:
                    return job or Job(self, name, key)
                fd = self.store.try_lock(key)
                if fd is None:  # another worker process is on it: join it
                    self._follow(key, for_class)
                    return job or Job(self, name, key)
                pending = sum(j.active for j in self._jobs.values())
                if pending >= self.max_pending:
                    self.store.unlock(fd)
                    raise PoolFull(f"at most {self.max_pending} training jobs may wait or run at once, "
                                   f"got {pending} already; try again in a minute")
                self.store.clear_cancel(key)
                self.store.set_followers(key, Followers(0 if for_class else 1, for_class))
                job = Job(self, name, key, fd)
                job._update({"status": QUEUED, "progress": 0.0, "message": "waiting for a free worker",
                             "extra": {}, "error": None, "created": time.time()}, force=True)
                self.store.journal(key, QUEUED)
                self._jobs[key] = job
        self._executor.submit(self._run, job, fn)
        return job

    def _follow(self, key: str, for_class: bool) -> None:
        """One more follower of the job ``key`` if it is queued or running (under the guard)."""
        if (self.store.read_state(key) or {}).get("status") not in (QUEUED, RUNNING):
            return  # it has just finished: nothing to follow
        was = self.store.followers(key)
        self.store.set_followers(key, Followers(was.students + (not for_class), was.for_class or for_class))

    def cancel(self, name: str, fp: str) -> Followers:
        """One follower leaves the job; it stops only when nobody follows it any more.

        Returns who still follows it: then it runs on for them (:func:`detached` says so). Nobody:
        it stops at its next ``report.check()``, whichever worker runs it (a job still queued in
        this process is cancelled at once and never starts), or it was not queued or running.
        The count is shared by the workers (``<key>.followers``, under the guard); the class
        (``for_class``) never leaves.
        """
        key = self.key(name, fp)
        job = self._jobs.get(key)
        here = job is not None and job.active
        with self.store.guard():
            if not self.store.is_locked(key):
                return Followers()
            was = self.store.followers(key)
            left = Followers(max(0, was.students - 1), was.for_class)
            self.store.set_followers(key, left)
            if left.anyone:
                return left
            if not here or self.in_processes:  # another process runs it (another worker, or our child)
                self.store.request_cancel(key)
        if here:
            job._cancel_here()
        return left

    def forget(self, name: str, fp: str) -> None:
        """Drop a finished job's result and state (its artefacts have gone stale)."""
        key = self.key(name, fp)
        with self.store.guard():
            if self.store.is_locked(key):
                raise RuntimeError(f"job {key} is still queued or running; cancel it first")
            self.store.forget(key)
        with self._lock:
            self._jobs.pop(key, None)

    def shutdown(self) -> None:
        """Cancel this process's jobs and wait for its workers (tests; the server's exit)."""
        self._stopping = True
        for job in list(self._jobs.values()):
            job._cancel.set()
        with self._lock:
            children = list(self._children.values())
        for pid in children:  # a child stops at once (its default SIGTERM); its job is cancelled
            _stop(pid)
        self._executor.shutdown(wait=True, cancel_futures=True)
        for job in list(self._jobs.values()):  # queued ones whose turn never came
            job._finish(CANCELLED, "cancelled (the server stopped)")

    # -- a worker thread -------------------------------------------------------------------------
    def _run(self, job: Job, fn: Callable[[Report], dict]) -> None:
        if not job._start():
            return
        report = Report(job, self.workdir(job.name))
        if not self.in_processes:
            outcome = self._compute(job, report, fn)
        else:
            try:
                outcome = run_in_child(lambda: self._compute_in_child(job, report, fn),
                                       lambda pid: self._child_started(job.key, pid))
            except OSError as err:
                outcome = {DIED: f"no process could be started for the training ({err.strerror or err})",
                           "signal": None}
            with self._lock:
                self._children.pop(job.key, None)
            if DIED in outcome:  # SIGINT/SIGTERM: a Ctrl+C or the end of the server reached it first
                stopped = self._stopping or outcome["signal"] in (signal.SIGINT, signal.SIGTERM)
                outcome = ({"status": CANCELLED, "message": "cancelled (the server stopped)"} if stopped
                           else {"status": FAILED, "message": "failed", "error": outcome[DIED]})
            with job._lock:  # the child's last progress and extra, which it wrote to disk
                job._state = {**job._state, **(self.store.read_state(job.key) or {})}
        job._finish(outcome.pop("status"), outcome.pop("message"), **outcome)

    def _compute(self, job: Job, report: Report, fn: Callable[[Report], dict]) -> dict:
        """Run ``fn`` and store its result; the outcome: status, message and state to finish with."""
        try:
            result = fn(report)
            report.check()
            self.store.write_result(job.key, result, artefacts=report.artefacts)
        except JobCancelled:
            return {"status": CANCELLED, "message": "cancelled"}
        except Exception as err:  # a job's failure is shown on the page, not raised in a thread
            if not isinstance(err, InputError):
                log.exception("job %s failed", job.key)
            return {"status": FAILED, "message": "failed", "error": f"{type(err).__name__}: {err}"}
        finally:
            job._update({}, force=True)  # its last progress on disk (where a child's is read back)
        return {"status": DONE, "message": "done", "progress": 1.0}

    def _compute_in_child(self, job: Job, report: Report, fn: Callable[[Report], dict]) -> dict:
        # another thread of the parent may have held the job's lock when it forked: a fresh one
        job._lock = threading.RLock()
        return self._compute(job, report, fn)

    def _child_started(self, key: str, pid: int) -> None:
        with self._lock:
            self._children[key] = pid
            stopping = self._stopping
        if stopping:  # shutdown() came between the fork and now
            _stop(pid)


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
