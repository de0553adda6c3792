"""Step ``vanishing`` API: gradients through deep sigmoid, tanh and ReLU stacks (``ml2dl.lessons.vanishing``).

    GET  /api/vanishing/options                           the choices the page may offer, the limits, the defaults
    POST /api/vanishing/train  {depth, epochs, lr, seed}  start (or join) the training of the three stacks → job snapshot
    GET  /api/vanishing/train?<settings>                  its state (result when done; cached on disk by settings)
    GET  /api/vanishing/progress?<settings>               the same as server-sent events until it finishes
    POST /api/vanishing/train/cancel  {settings}          stop following it (it stops when nobody follows it)

The job (under a second at the defaults, several on a busy machine; up to ten at 12 layers and
100 epochs) reports after every epoch of every network, with the networks finished so far
(``extra.partial``), so the page draws them as they come. The defaults are trained when the
server starts (:func:`ml2dl.web.jobs.default_job`), for the class: no student's cancel stops them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from ml2dl.lessons import vanishing as lesson
from ml2dl.web import jobs, sse
from ml2dl.web.deps import PoolDep
from ml2dl.web.schemas.wrong import VanishingOptions, VanishingRequest, VanishingSnapshot

router = APIRouter(prefix="/api/vanishing", tags=["vanishing"])
JOB = "vanishing"
VERSION = "vanishing-v1"  # change it when the lesson's results change, so old cached results are not reused


def _fp(req: VanishingRequest) -> str:
    """The job's key: the settings that define the result, and the code version."""
    return jobs.fingerprint(VERSION, req.model_dump())


def _start(req: VanishingRequest, pool: jobs.JobPool, *, for_class: bool = False) -> str:
    fp = _fp(req)

    def run(report: jobs.Report) -> dict:
        return lesson.compare(**req.model_dump(), progress=lambda f, msg, extra: report.progress(f, msg, **extra))

    pool.submit(JOB, fp, run, for_class=for_class)
    return fp


@jobs.default_job
def start_default(settings, pool: jobs.JobPool) -> None:
    """The stacks the first students will ask for (the page's defaults), trained when the server starts."""
    _start(VanishingRequest(), pool, for_class=True)


@router.get("/options", response_model=VanishingOptions)
def options() -> dict:
    """The limits of the request model, the choices the page offers, the defaults, and the three networks."""
    fields = VanishingRequest.model_json_schema()["properties"]
    limits = {name: {"min": fields[name]["minimum"], "max": fields[name]["maximum"]} for name in ("depth", "seed")}
    return {**limits, "epochs": [e for e in lesson.EPOCH_CHOICES if e <= fields["epochs"]["maximum"]],
            "lr": list(lesson.LR_CHOICES), "defaults": VanishingRequest().model_dump(), "width": lesson.WIDTH,
            "points": lesson.POINTS,
            "networks": [{"activation": a, "init": i, "label": label} for a, i, label in lesson.ARMS]}


@router.post("/train", response_model=VanishingSnapshot, response_model_exclude_unset=True)
def start(req: VanishingRequest, pool: PoolDep) -> dict:
    """Train the three stacks in the background (or return the running / cached job of these settings)."""
    return pool.snapshot(JOB, _start(req, pool))


@router.get("/train", response_model=VanishingSnapshot, response_model_exclude_unset=True)
def state(req: Annotated[VanishingRequest, Query()], pool: PoolDep) -> dict:
    """The state of the training of these settings: ``status`` is ``none`` until someone starts it."""
    return pool.snapshot(JOB, _fp(req))


@router.get("/progress", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/VanishingSnapshot"}}},
                             "description": "one `data: <VanishingSnapshot JSON>` event per change, until it finishes"}})
def progress(req: Annotated[VanishingRequest, Query()], pool: PoolDep) -> StreamingResponse:
    """Server-sent events: the job's snapshot on every change, until it has finished."""
    return sse.progress_response(pool, JOB, _fp(req))


@router.post("/train/cancel", response_model=VanishingSnapshot, response_model_exclude_unset=True)
def cancel(req: VanishingRequest, pool: PoolDep) -> dict:
    """Stop following the training of these settings: it stops (whichever worker runs it) when nobody
    else follows it, else it runs on for them (``detached``); its snapshot."""
    fp = _fp(req)
    others = pool.cancel(JOB, fp)
    return jobs.detached(pool.snapshot(JOB, fp), others)
