"""The words the job layer shares with the routes: statuses, errors, the class's jobs.

- the statuses of a job and its two exceptions (:class:`JobCancelled` inside a job, :class:`PoolFull`
  → 503);
- the class's default jobs: a step registers a starter with :func:`default_job`, ``serve`` runs
  them all at start (:func:`start_defaults`); such a job is followed by the class for good, so
  it always runs to completion;
- :func:`detached`: what a student's cancel answers while others still follow the job.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Callable

from .jobstore import Followers

if TYPE_CHECKING:
    from .jobs import JobPool

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
INTERRUPTED = "the server stopped while this job was running; start it again"

log = logging.getLogger("ml2dl.web.jobs")


class JobCancelled(Exception):
    """Raised inside a job by ``report.check()`` once the job has been cancelled."""


class PoolFull(RuntimeError):
    """Too many jobs waiting or running; try again when one has finished."""


_DEFAULT_JOBS: list[Callable[[Any, "JobPool"], None]] = []


def default_job(start: Callable[[Any, "JobPool"], None]) -> Callable[[Any, "JobPool"], None]:
    """Register ``start(settings, pool)``, which submits a step's default job (a decorator).

    ``serve`` calls every registered starter when the server starts (``Settings.prestart``), in
    each worker; the job locks make one worker run each job. The starter submits with
    ``for_class=True``: the class follows the job, so no student's cancel stops it.
    """
    _DEFAULT_JOBS.append(start)
    return start


def start_defaults(settings: Any, pool: "JobPool") -> threading.Thread:
    """Call every :func:`default_job` starter in a background thread (the server starts at once)."""

    def run() -> None:
        for start in list(_DEFAULT_JOBS):
            try:
                start(settings, pool)
            except PoolFull:
                pass
            except Exception:  # one step's failure must not keep the others from starting
                log.exception("starting the default job %s failed", getattr(start, "__qualname__", start))

    thread = threading.Thread(target=run, name="ml2dl-prestart", daemon=True)
    thread.start()
    return thread


def detached(snapshot: dict, others: Followers = Followers(for_class=True)) -> dict:
    """What a student's cancel answers while ``others`` still follow the job (:meth:`JobPool.cancel`):
    it runs on for them; the message says for whom (``others`` also gives the number of students)."""
    if snapshot["status"] not in (QUEUED, RUNNING) or not others.anyone:
        return snapshot
    n = others.students
    who = f"{n} other{'s' if n != 1 else ''}"
    if others.for_class:
        message = ("this training is shared by the class" + (f" ({who} also started it)" if n else "")
                   + ": it keeps running for the others")
    else:
        message = f"{who} {'are' if n != 1 else 'is'} following this training: it keeps running for them"
    return {**snapshot, "detached": True, "others": n, "message": message}
