"""Step 5 API: images are special (``ml2dl.lessons.images``).

    GET  /api/images/view?index=0        an image and its pixel-shuffled twin, with every 3×3 neighbourhood
    POST /api/images/experiment          start (or join) the FC-vs-CNN shuffle experiment → job snapshot
    GET  /api/images/experiment          the experiment's state (result when done; cached on disk)
    GET  /api/images/progress            the same as server-sent events until it finishes
    POST /api/images/experiment/cancel   stop it

The images: the ``.npz`` given with ``ml2dl serve --data``, else synthetic phantoms.
The training budget is ``settings.training_budget`` if set (tests use a tiny one), else
``lessons.images.Budget()``.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from ml2dl.lessons import images as lesson
from ml2dl.web import jobs

router = APIRouter(prefix="/api/images", tags=["images"])
JOB = "shuffle"


def budget(request: Request) -> lesson.Budget:
    return request.app.state.settings.training_budget or lesson.Budget()


def chest_data(request: Request, b: lesson.Budget) -> lesson.ChestData:
    return lesson.load_chest_data(request.app.state.settings.data_path, n_train=b.n_train, n_val=b.n_val,
                                  seed=b.seed)


def _job_id(request: Request) -> tuple[jobs.JobPool, str, lesson.Budget]:
    b = budget(request)
    data = chest_data(request, b)
    return jobs.get_pool(request.app), jobs.fingerprint("shuffle-v1", data.fingerprint, b.as_dict()), b


@router.get("/view")
def view(request: Request, index: int = Query(0, ge=0, le=9999, description="which held-out image")) -> dict:
    """A held-out chest image beside its pixel-shuffled twin (one fixed permutation)."""
    b = budget(request)
    return lesson.image_view(chest_data(request, b), index)


@router.post("/experiment")
def start_experiment(request: Request) -> dict:
    """Start the four trainings in the background (or return the running / cached job)."""
    pool, fp, b = _job_id(request)
    data = chest_data(request, b)

    def run(report: jobs.Report) -> dict:
        return lesson.run_shuffle_experiment(
            data, b, progress=lambda f, msg, extra: report.progress(f, msg, **extra))

    return jobs.submit_snapshot(pool, JOB, fp, run)


@router.get("/experiment")
def experiment(request: Request) -> dict:
    """The experiment's state: ``status`` is ``none`` until someone starts it."""
    pool, fp, _ = _job_id(request)
    return jobs.snapshot(pool, JOB, fp)


@router.get("/progress")
def progress(request: Request) -> StreamingResponse:
    """Server-sent events: the job's snapshot on every change, until it has finished."""
    pool, fp, _ = _job_id(request)
    return jobs.progress_response(pool, JOB, fp)


@router.post("/experiment/cancel")
def cancel(request: Request) -> dict:
    pool, fp, _ = _job_id(request)
    return jobs.cancel_snapshot(pool, JOB, fp)
