"""Step 5 API: images are special (``ml2dl.lessons.images``).

    GET  /api/images/view?index=0        an image and its pixel-shuffled twin, with every 3×3 neighbourhood
    POST /api/images/experiment          start (or join) the FC-vs-CNN shuffle experiment → job snapshot
    GET  /api/images/experiment          the experiment's state (result when done; cached on disk)
    GET  /api/images/progress            the same as server-sent events until it finishes
    POST /api/images/experiment/cancel   stop following it (the class shares it: it runs on)

The images: the ``.npz`` given with ``ml2dl serve --data``, else synthetic phantoms.
The training budget is ``settings.training_budget`` if set (tests use a tiny one), else
``lessons.images.Budget()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from ml2dl.lessons import images as lesson
from ml2dl.web import jobs, prepared, sse
from ml2dl.web.deps import PoolDep, SettingsDep
from ml2dl.web.schemas import ImageViewResult, ShuffleSnapshot, ViewQuery

router = APIRouter(prefix="/api/images", tags=["images"])
JOB = "shuffle"


@dataclass(frozen=True)
class Experiment:
    """What defines the experiment: its data, its budget, and so its job's fingerprint."""

    data: lesson.ChestData
    budget: lesson.Budget
    fp: str


def experiment_of(settings) -> Experiment:
    b = settings.training_budget or lesson.Budget()
    data = prepared.chest_data(settings, n_train=b.n_train, n_val=b.n_val, seed=b.seed)
    return Experiment(data, b, jobs.fingerprint("shuffle", data.fingerprint, b.as_dict()))


async def _experiment(settings: SettingsDep) -> Experiment:
    b = settings.training_budget or lesson.Budget()
    data = await prepared.chest_data_async(settings, n_train=b.n_train, n_val=b.n_val, seed=b.seed)
    return Experiment(data, b, jobs.fingerprint("shuffle", data.fingerprint, b.as_dict()))


ExperimentDep = Annotated[Experiment, Depends(_experiment)]


def _start(exp: Experiment, pool: jobs.JobPool) -> None:
    def run(report: jobs.Report) -> dict:
        return lesson.run_shuffle_experiment(
            exp.data, exp.budget, progress=lambda f, msg, extra: report.progress(f, msg, **extra))

    pool.submit(JOB, exp.fp, run, for_class=True)  # the one experiment of the class: it runs to completion


@jobs.default_job
def start_default(settings, pool: jobs.JobPool) -> None:
    """The experiment the first students will ask for, started with the server."""
    _start(experiment_of(settings), pool)


@router.get("/view", response_model=ImageViewResult)
def view(q: Annotated[ViewQuery, Query()], exp: ExperimentDep) -> dict:
    """A held-out chest image beside its pixel-shuffled twin (one fixed permutation)."""
    return lesson.image_view(exp.data, q.index)


@router.post("/experiment", response_model=ShuffleSnapshot, response_model_exclude_unset=True)
def start_experiment(exp: ExperimentDep, pool: PoolDep) -> dict:
    """Start the four trainings in the background (or return the running / cached job)."""
    _start(exp, pool)
    return pool.snapshot(JOB, exp.fp)


@router.get("/experiment", response_model=ShuffleSnapshot, response_model_exclude_unset=True)
def experiment(exp: ExperimentDep, pool: PoolDep) -> dict:
    """The experiment's state: ``status`` is ``none`` until someone starts it."""
    return pool.snapshot(JOB, exp.fp)


@router.get("/progress", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/ShuffleSnapshot"}}},
                             "description": "one `data: <ShuffleSnapshot JSON>` event per change, until it finishes"}})
def progress(exp: ExperimentDep, pool: PoolDep) -> StreamingResponse:
    """Server-sent events: the job's snapshot on every change, until it has finished."""
    return sse.progress_response(pool, JOB, exp.fp)


@router.post("/experiment/cancel", response_model=ShuffleSnapshot, response_model_exclude_unset=True)
def cancel(exp: ExperimentDep, pool: PoolDep) -> dict:
    """Stop following the experiment. The class shares it, so it runs to completion for the others."""
    return jobs.detached(pool.snapshot(JOB, exp.fp))
