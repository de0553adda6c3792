"""Step ``overfitting`` API: a small training set, overfitting, and three cures (``ml2dl.lessons.overfitting``).

    GET  /api/overfitting/options                       the choices the page may offer, and the defaults
    POST /api/overfitting/experiment  {settings}        start (or join) the trainings → job snapshot
    GET  /api/overfitting/experiment?<settings>         their state (result when done; cached on disk by settings)
    GET  /api/overfitting/progress?<settings>           the same as server-sent events until it finishes
    POST /api/overfitting/experiment/cancel {settings}  stop it

The images: the ``.npz`` given with ``ml2dl serve --data``, else synthetic phantoms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from ml2dl.lessons import images as data_lesson
from ml2dl.lessons import overfitting as lesson
from ml2dl.web import jobs, sse
from ml2dl.web.deps import PoolDep, SettingsDep
from ml2dl.web.schemas.wrong import OverfittingOptions, OverfittingRequest, OverfittingSnapshot

router = APIRouter(prefix="/api/overfitting", tags=["overfitting"])
JOB = "overfitting"


@dataclass(frozen=True)
class Experiment:
    data: data_lesson.ChestData
    settings: lesson.Settings
    fp: str


def _experiment(req: OverfittingRequest, server: SettingsDep) -> Experiment:
    settings = lesson.Settings(**req.model_dump())
    data = data_lesson.load_chest_data(server.data_path, n_train=settings.n_train, n_val=lesson.N_VAL, seed=0)
    return Experiment(data, settings, jobs.fingerprint("overfitting-v1", data.fingerprint, settings.as_dict()))


@router.get("/options", response_model=OverfittingOptions)
def options() -> dict:
    """The choices of every setting (the request model's), and the defaults."""
    return {"n_train": list(lesson.N_TRAIN_CHOICES), "epochs": list(lesson.EPOCH_CHOICES),
            "dropout": list(lesson.DROPOUT_CHOICES), "l2": list(lesson.L2_CHOICES),
            "defaults": OverfittingRequest().model_dump(), "n_val": lesson.N_VAL,
            "architecture": f"784 → {lesson.HIDDEN} (ReLU) → 1"}


@router.post("/experiment", response_model=OverfittingSnapshot, response_model_exclude_unset=True)
def start(req: OverfittingRequest, server: SettingsDep, pool: PoolDep) -> dict:
    """Start the trainings in the background (or return the running / cached job of these settings)."""
    exp = _experiment(req, server)

    def run(report: jobs.Report) -> dict:
        return lesson.run_experiment(exp.data, exp.settings,
                                     progress=lambda f, msg, extra: report.progress(f, msg, **extra))

    pool.submit(JOB, exp.fp, run)
    return pool.snapshot(JOB, exp.fp)


@router.get("/experiment", response_model=OverfittingSnapshot, response_model_exclude_unset=True)
def experiment(req: Annotated[OverfittingRequest, Query()], server: SettingsDep, pool: PoolDep) -> dict:
    """The state of the trainings of these settings: ``status`` is ``none`` until someone starts them."""
    return pool.snapshot(JOB, _experiment(req, server).fp)


@router.get("/progress", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/OverfittingSnapshot"}}},
                             "description": "one `data: <OverfittingSnapshot JSON>` event per change, until it finishes"}})
def progress(req: Annotated[OverfittingRequest, Query()], server: SettingsDep, pool: PoolDep) -> StreamingResponse:
    """Server-sent events: the job's snapshot on every change, until it has finished."""
    return sse.progress_response(pool, JOB, _experiment(req, server).fp)


@router.post("/experiment/cancel", response_model=OverfittingSnapshot, response_model_exclude_unset=True)
def cancel(req: OverfittingRequest, server: SettingsDep, pool: PoolDep) -> dict:
    """Ask the trainings of these settings to stop (whichever worker runs them); their snapshot."""
    exp = _experiment(req, server)
    pool.cancel(JOB, exp.fp)
    return pool.snapshot(JOB, exp.fp)
