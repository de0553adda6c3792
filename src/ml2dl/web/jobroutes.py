"""A job-backed step's four routes, from one description (the jobs themselves: ``ml2dl.web.jobs``).

    POST <start>      {settings}    start the job, or join it while it runs, or its cached result → snapshot
    GET  <state>?<settings>         its snapshot: ``status`` is ``none`` until someone starts it
    GET  <progress>?<settings>      the same as server-sent events, one per change, until it finishes
    POST <cancel>     {settings}    leave it: it stops when nobody else follows it; else the answer
                                    is ``detached`` and says how many others still follow it

A step says what is its own — the job's name, its request and snapshot models, the paths, and
``spec(request, settings) → JobSpec(fingerprint, run)`` — and keeps its other routes beside these::

    add_job_routes(router, "rnn", request=RnnTrainRequest, snapshot=RnnSnapshot, spec=rnn_spec,
                   start="/train", state="/train", cancel="/train/cancel", what="the training of these settings")

``request`` is the body of the POSTs and, as query parameters (``query``, the same fields), the
settings of the GETs; a step without settings (one job for the class) has ``request=None``.
With ``by_fp`` the GETs and the cancel name the job by its fingerprint in the path instead
(``/run/{fp}``), and every answer carries ``fp``. With ``prestart`` the step's job at the default
settings is a :func:`~ml2dl.web.jobs.default_job`: the server starts it for the class, which
follows it for good, so it runs to completion. The same job started by a student is the class's
too when the server prestarts (``Settings.prestart``), and always for a step without settings:
its one job is the class's by design.
The error statuses (422, 503, …) are documented for every route by ``ml2dl.web.openapi``.

The routes run on the event loop (``ml2dl.web.routes``: a snapshot is a few small file reads).
``spec`` may take long the first time (it may prepare a step's data), so it runs in a thread;
the state, progress and cancel routes need only its fingerprint, which each worker keeps for
:data:`FP_KEEP_SECONDS` per request (the fingerprint follows the data, which a data folder's
rescan may change: ``prepared.FOLDER_RESCAN_SECONDS``).
"""

from time import monotonic
from dataclasses import dataclass
from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from . import jobs, sse
from .deps import PoolDep, SettingsDep

Fp = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$", description="the job's fingerprint")]


@dataclass(frozen=True)
class JobSpec:
    """What a request asks for: the job's fingerprint and the function that computes it
    (``run(report) → dict``; None where only the fingerprint is needed)."""

    fp: str
    run: Callable[[jobs.Report], dict] | None = None


Spec = Callable[[Any, Any], JobSpec]  # (request or None, settings) → JobSpec


# Marks an operation that starts a background training in the OpenAPI schema: clients (and the
# fuzzing test, which must not start trainings by the hundred) can tell it from a cheap call.
STARTS_TRAINING = {"x-starts-training": True}


def add_job_routes(router: APIRouter, name: str, *, snapshot: type[BaseModel], spec: Spec,
                   request: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
                   start: str | None = "", state: str = "", progress: str = "/progress", cancel: str = "/cancel",
                   what: str = "the job", by_fp: bool = False, prestart: bool = False) -> None:
    """Add the start, state, progress and cancel routes of job ``name`` to ``router`` (see the module).

    ``start=None`` leaves the start route to the step (one that answers more than a snapshot).
    """
    body, params = _settings_deps(request, query or request)
    fingerprint_of = Fingerprints(spec)

    async def for_class(settings, fp: str) -> bool:
        """Whether a student's start of job ``fp`` starts (or joins) the class's job."""
        if not prestart:
            return False
        return request is None or (settings.prestart and fp == await fingerprint_of(request(), settings))

    def answer(snap: dict, fp: str) -> dict:
        return {**snap, "fp": fp} if by_fp else snap

    if start is not None:
        @router.post(start, response_model=snapshot, response_model_exclude_unset=True, name=f"{name}_start",
                     summary=f"Start {what}", openapi_extra=STARTS_TRAINING)
        async def start_job(req: Annotated[Any, Depends(body)], settings: SettingsDep, pool: PoolDep) -> dict:
            job = await run_in_threadpool(spec, req, settings)
            pool.submit(name, job.fp, job.run, for_class=await for_class(settings, job.fp))
            return answer(pool.snapshot(name, job.fp), job.fp)

        start_job.__doc__ = (f"Start {what} in the background, or join it while it runs (a student who joins "
                             "follows it too), or return its cached result.")

    if prestart:
        @jobs.default_job
        def start_default(settings, pool: jobs.JobPool) -> None:
            job = spec(request() if request else None, settings)
            pool.submit(name, job.fp, job.run, for_class=True)

    if by_fp:
        locate = _by_fp
        locate_body = _by_fp
    else:
        async def locate(req: Annotated[Any, Depends(params)], settings: SettingsDep) -> str:
            return await fingerprint_of(req, settings)

        async def locate_body(req: Annotated[Any, Depends(body)], settings: SettingsDep) -> str:
            return await fingerprint_of(req, settings)

    @router.get(state, response_model=snapshot, response_model_exclude_unset=True, name=f"{name}_state",
                summary=f"The state of {what}")
    async def job_state(fp: Annotated[str, Depends(locate)], pool: PoolDep) -> dict:
        return answer(pool.snapshot(name, fp), fp)

    job_state.__doc__ = (f"The state of {what}, the same from every worker: ``status`` is ``none`` "
                         "until someone starts it (or for an unknown job).")

    schema = {"$ref": f"#/components/schemas/{snapshot.__name__}"}

    @router.get(progress, response_class=StreamingResponse, name=f"{name}_progress",
                summary=f"The progress of {what} as server-sent events",
                responses={200: {"content": {"text/event-stream": {"schema": schema}},
                                 "description": f"one `data: <{snapshot.__name__} JSON>` event per change, "
                                                "until it finishes"}})
    async def job_progress(fp: Annotated[str, Depends(locate)], pool: PoolDep) -> StreamingResponse:
        """Server-sent events: the job's snapshot on every change, until it has finished."""
        return sse.progress_response(pool, name, fp)

    @router.post(cancel, response_model=snapshot, response_model_exclude_unset=True, name=f"{name}_cancel",
                 summary=f"Stop following {what}")
    async def cancel_job(fp: Annotated[str, Depends(locate_body)], pool: PoolDep) -> dict:
        return answer(leave(pool, name, fp), fp)

    cancel_job.__doc__ = (f"Leave {what}: it stops at its next batch (whichever worker runs it) when nobody "
                          "else follows it; else it runs on for them and the answer is ``detached``, with "
                          "``others``: how many students still follow it.")


FP_KEEP_SECONDS = 30.0
FP_KEPT = 256  # requests per route whose fingerprint a worker keeps


class Fingerprints:
    """``spec(request, settings).fp``, computed in a thread and kept :data:`FP_KEEP_SECONDS` per
    request and server settings (the state of a job is asked for far more often than it starts)."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.known: dict[tuple[str, str], tuple[float, str]] = {}

    async def __call__(self, req: BaseModel | None, settings) -> str:
        key = (settings.to_json(), req.model_dump_json() if req is not None else "")
        found = self.known.get(key)
        if found is not None and monotonic() - found[0] < FP_KEEP_SECONDS:
            return found[1]
        fp = (await run_in_threadpool(self.spec, req, settings)).fp
        if len(self.known) >= FP_KEPT:
            self.known.pop(next(iter(self.known)))  # the oldest
        self.known[key] = (monotonic(), fp)
        return fp


def leave(pool: jobs.JobPool, name: str, fp: str) -> dict:
    """One follower leaves the job (:meth:`~ml2dl.web.jobs.JobPool.cancel`): its snapshot, detached
    while others still follow it."""
    others = pool.cancel(name, fp)
    return jobs.detached(pool.snapshot(name, fp), others)


async def _by_fp(fp: Fp) -> str:
    return fp


async def _nothing() -> None:
    return None


def _settings_deps(request: type[BaseModel] | None, query: type[BaseModel] | None):
    """Dependencies giving the settings of a POST (``request``, the body) and of a GET (``query``).

    async: they only hand over what FastAPI has validated (no thread hop for that)."""
    if request is None:
        return _nothing, _nothing

    async def body(req: request) -> BaseModel:  # type: ignore[valid-type]
        return req

    async def params(req: Annotated[query, Query()]) -> BaseModel:  # type: ignore[valid-type]
        return req

    return body, params
