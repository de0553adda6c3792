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

from fastapi import APIRouter

from ml2dl.lessons import vanishing as lesson
from ml2dl.web import jobs
from ml2dl.web.jobroutes import JobSpec, add_job_routes
from ml2dl.web.schemas.wrong import VanishingOptions, VanishingRequest, VanishingSnapshot

router = APIRouter(prefix="/api/vanishing", tags=["vanishing"])
JOB = "vanishing"
VERSION = "vanishing-v1"  # change it when the lesson's results change, so old cached results are not reused


def _fp(req: VanishingRequest) -> str:
    """The job's key: the settings that define the result, and the code version."""
    return jobs.fingerprint(VERSION, req.model_dump())


def spec(req: VanishingRequest, settings=None) -> JobSpec:
    """The training of the three stacks of these settings: its fingerprint and its run."""
    def run(report: jobs.Report) -> dict:
        return lesson.compare(**req.model_dump(), progress=lambda f, msg, extra: report.progress(f, msg, **extra))

    return JobSpec(_fp(req), run)


@router.get("/options", response_model=VanishingOptions)
async def options() -> dict:
    """The limits of the request model, the choices the page offers, the defaults, and the three networks."""
    fields = VanishingRequest.model_json_schema()["properties"]
    limits = {name: {"min": fields[name]["minimum"], "max": fields[name]["maximum"]} for name in ("depth", "seed")}
    return {**limits, "epochs": [e for e in lesson.EPOCH_CHOICES if e <= fields["epochs"]["maximum"]],
            "lr": list(lesson.LR_CHOICES), "defaults": VanishingRequest().model_dump(), "width": lesson.WIDTH,
            "points": lesson.POINTS,
            "networks": [{"activation": a, "init": i, "label": label} for a, i, label in lesson.ARMS]}


# The defaults (the page's first view) are trained when the server starts, for the class (prestart).
add_job_routes(router, JOB, request=VanishingRequest, snapshot=VanishingSnapshot, spec=spec, start="/train",
               state="/train", cancel="/train/cancel", what="the training of the three stacks of these settings",
               prestart=True)
