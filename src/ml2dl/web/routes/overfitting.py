"""Step ``overfitting`` API: a small training set, overfitting, and three cures (``ml2dl.lessons.overfitting``).

    GET  /api/overfitting/options                       the choices the page may offer, and the defaults
    POST /api/overfitting/experiment  {settings}        start (or join) the trainings → job snapshot
    GET  /api/overfitting/experiment?<settings>         their state (result when done; cached on disk by settings)
    GET  /api/overfitting/progress?<settings>           the same as server-sent events until it finishes
    POST /api/overfitting/experiment/cancel {settings}  leave them (they stop when nobody else follows them)

The images: the ``.npz`` given with ``ml2dl serve --data``, else synthetic phantoms.
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.lessons import chest
from ml2dl.lessons import overfitting as lesson
from ml2dl.web import jobs, prepared
from ml2dl.web.deps import SettingsDep
from ml2dl.web.jobroutes import JobSpec, add_job_routes
from ml2dl.web.schemas.wrong import OverfittingOptions, OverfittingRequest, OverfittingSnapshot

router = APIRouter(prefix="/api/overfitting", tags=["overfitting"])
JOB = "overfitting"


def spec(req: OverfittingRequest, server) -> JobSpec:
    """The trainings of these settings on the server's images: their fingerprint and how to run them."""
    settings = lesson.Settings(**req.model_dump())
    data = prepared.chest_data(server, n_train=settings.n_train, n_val=lesson.N_VAL, seed=0)  # once per server

    def run(report: jobs.Report) -> dict:
        return lesson.run_experiment(data, settings, progress=lambda f, msg, extra: report.progress(f, msg, **extra))

    return JobSpec(jobs.fingerprint("overfitting-v1", data.fingerprint, settings.as_dict()), run)


@router.get("/options", response_model=OverfittingOptions)
def options(server: SettingsDep) -> dict:
    """The choices of every setting (the request model's), the defaults, and the data it trains on."""
    return {"n_train": list(lesson.N_TRAIN_CHOICES), "epochs": list(lesson.EPOCH_CHOICES),
            "dropout": list(lesson.DROPOUT_CHOICES), "l2": list(lesson.L2_CHOICES),
            "defaults": OverfittingRequest().model_dump(), "n_val": lesson.N_VAL,
            "architecture": f"784 → {lesson.HIDDEN} (ReLU) → 1", "data": chest.describe(server.data_path)}


add_job_routes(router, JOB, request=OverfittingRequest, snapshot=OverfittingSnapshot, spec=spec,
               start="/experiment", state="/experiment", cancel="/experiment/cancel",
               what="the trainings of these settings")
