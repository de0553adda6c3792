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

from ml2dl.lessons import images as lesson
from ml2dl.web import jobs, prepared
from ml2dl.web.deps import SettingsDep
from ml2dl.web.jobroutes import JobSpec, add_job_routes
from ml2dl.web.schemas import ImageViewResult, ShuffleSnapshot, ViewQuery

router = APIRouter(prefix="/api/images", tags=["images"])
JOB = "shuffle"


@dataclass(frozen=True)
class Experiment:
    """What defines the experiment: its data, its budget, and so its job's fingerprint."""

    data: lesson.ChestData
    budget: lesson.Budget
    fp: str


def _experiment_on(settings, data) -> Experiment:
    b = settings.training_budget or lesson.Budget()
    return Experiment(data, b, jobs.fingerprint("shuffle", data.fingerprint, b.as_dict()))


def experiment_of(settings) -> Experiment:
    return _experiment_on(settings, prepared.step_images(settings))


async def _experiment(settings: SettingsDep) -> Experiment:
    return _experiment_on(settings, await prepared.step_images_async(settings))


ExperimentDep = Annotated[Experiment, Depends(_experiment)]


def spec(_req, settings) -> JobSpec:
    """The class's shuffle experiment on this server's images: its fingerprint and its run."""
    exp = experiment_of(settings)

    def run(report: jobs.Report) -> dict:
        return lesson.run_shuffle_experiment(
            exp.data, exp.budget, progress=lambda f, msg, extra: report.progress(f, msg, **extra))

    return JobSpec(exp.fp, run)


@router.get("/view", response_model=ImageViewResult)
async def view(q: Annotated[ViewQuery, Query()], exp: ExperimentDep) -> dict:
    """A held-out chest image beside its pixel-shuffled twin (one fixed permutation)."""
    return lesson.image_view(exp.data, q.index)


# The experiment the first students will ask for starts with the server (prestart): the class
# follows it, so a student's cancel only stops that student following it.
add_job_routes(router, JOB, snapshot=ShuffleSnapshot, spec=spec, start="/experiment", state="/experiment",
               cancel="/experiment/cancel", what="the four trainings of the experiment", prestart=True)
