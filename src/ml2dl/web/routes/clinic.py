"""The clinic, page clinic-train: train a run on the server, watch it, keep it (``ml2dl.lessons.clinic``).

    GET  /api/clinic/options           what the server can train on; the request's limits
    GET  /api/clinic/runs              the runs folder (newest first) and the clinic runs training now
    POST /api/clinic/train             start a run (or join it, or reuse the finished run with these settings)
    GET  /api/clinic/status?run=NAME   the training job's snapshot
    GET  /api/clinic/progress?run=NAME the same as server-sent events (loss and AUC per epoch) until it ends
    POST /api/clinic/cancel            leave a run: it stops at its next batch when nobody else follows it
                                       (it keeps its finished epochs)
    POST /api/clinic/delete            remove a run from the runs folder

Runs live in ``<cache_dir>/runs`` (:func:`~ml2dl.lessons.clinic.runs.runs_folder`); ``ml2dl train
--out <that folder>/NAME`` adds runs the pages list too. A clinic run's name is
``clinic-<fingerprint>`` and its job key the same, so any worker finds the run of a request.
"""

from __future__ import annotations

from pathlib import Path
from fastapi import APIRouter

from ml2dl.checks import InputError
from ml2dl.lessons.clinic import data as clinic_data
from ml2dl.lessons.clinic import runs as clinic_runs
from ml2dl.train import Recipe, RunDir
from ml2dl.web import jobs
from ml2dl.web.deps import PoolDep, SettingsDep
from ml2dl.web.jobroutes import STARTS_TRAINING, JobSpec, add_job_routes
from ml2dl.web.schemas.base import field_limits
from ml2dl.web.schemas.clinic import (ClinicOptions, ClinicSnapshot, ClinicTrainRequest, ClinicTrainResult,
                                      DeleteResult, RunQuery, RunRequest, RunsResult)

router = APIRouter(prefix="/api/clinic", tags=["clinic"])
JOB = "clinic"


def folder_of(settings) -> Path:
    return clinic_runs.runs_folder(settings.cache_dir)


def job_fp(name: str) -> str:
    """The job fingerprint of a clinic run's name (InputError for a run not made by the clinic)."""
    m = clinic_runs.CLINIC_NAME_RE.match(name)
    if not m:
        raise InputError(f"only runs trained here have a training job (named clinic-<16 hex digits>), got {name!r}")
    return m.group(1)


@router.get("/options", response_model=ClinicOptions)
def options(settings: SettingsDep) -> dict:
    """The data this server offers, the architectures, and every limit of a training request."""
    return {"sources": [s.as_dict() for s in clinic_data.sources(settings.data_path)],
            "architectures": clinic_runs.ARCHITECTURES, "request": field_limits(ClinicTrainRequest),
            "max_runs": clinic_runs.MAX_RUNS, "max_epochs": clinic_runs.MAX_EPOCHS,
            "runs_folder": str(folder_of(settings))}


@router.get("/runs", response_model=RunsResult, response_model_exclude_unset=True)
def runs(settings: SettingsDep, pool: PoolDep) -> dict:
    """Every run in the runs folder (finished or stopped) and the clinic runs queued or training."""
    active = []
    for state in sorted(pool.store.folder.glob(f"{JOB}-*.state.json")) if pool.store.folder.is_dir() else []:
        name = state.name.removesuffix(".state.json")
        if clinic_runs.CLINIC_NAME_RE.match(name):
            snap = pool.snapshot(JOB, job_fp(name))
            if snap["status"] in (jobs.QUEUED, jobs.RUNNING):
                active.append({"run": name, "snapshot": snap})
    return {"runs": clinic_runs.list_runs(folder_of(settings)), "active": active, "max_runs": clinic_runs.MAX_RUNS}


@router.post("/train", response_model=ClinicTrainResult, response_model_exclude_unset=True,
             openapi_extra=STARTS_TRAINING)
def train(req: ClinicTrainRequest, settings: SettingsDep, pool: PoolDep) -> dict:
    """Start training (bounded pool), or join the run training with these settings, or reuse the
    finished run with these very settings (``reused``: nothing is trained)."""
    src = clinic_data.source(req.source, settings.data_path)
    if req.n_train > src.max_train:
        raise InputError(f"n_train must be ≤ {src.max_train} for {src.label}, got {req.n_train}")
    recipe = Recipe(epochs=req.epochs, batch_size=req.batch_size, lr=req.lr, optimizer=req.optimizer,
                    schedule=req.schedule, class_weight=req.class_weight, augment="default" if req.augment else None,
                    seed=req.seed)
    plan = clinic_runs.Plan(req.source, req.n_train, req.architecture, req.width, recipe)
    name = plan.name(clinic_data.fingerprint(src, req.n_train, req.seed))
    fp = job_fp(name)
    folder = folder_of(settings)
    path = clinic_runs.run_path(folder, name)
    snap = pool.snapshot(JOB, fp)
    busy = snap["status"] in (jobs.QUEUED, jobs.RUNNING)
    if not busy and (path / "operating_points.json").is_file():
        return {"run": name, "reused": True, "summary": clinic_runs.run_summary(RunDir(path)), "snapshot": snap}
    if not busy:
        clinic_runs.check_room(folder, name)
        if snap["status"] == jobs.DONE:  # its result is on record but the run folder was deleted
            pool.forget(JOB, fp)

    def run(report: jobs.Report) -> dict:
        data = clinic_data.load(src, req.n_train, req.seed)
        return clinic_runs.train_run(plan, src, data, path, lambda f, msg, extra: report.progress(f, msg, **extra))

    pool.submit(JOB, fp, run)
    return {"run": name, "reused": False, "snapshot": pool.snapshot(JOB, fp)}


# GET /status?run=, GET /progress?run= (loss and AUC of every finished epoch), POST /cancel {run}: a
# cancelled run stops at its next batch and keeps its finished epochs on disk.
add_job_routes(router, JOB, request=RunRequest, query=RunQuery, snapshot=ClinicSnapshot, start=None,
               spec=lambda req, settings: JobSpec(job_fp(req.run)), state="/status", what="the run's training")


@router.post("/delete", response_model=DeleteResult)
def delete(req: RunRequest, settings: SettingsDep, pool: PoolDep) -> dict:
    """Remove a run (its folder) from the runs folder; a run still training must be cancelled first."""
    folder = folder_of(settings)
    if clinic_runs.CLINIC_NAME_RE.match(req.run):
        fp = job_fp(req.run)
        if pool.snapshot(JOB, fp)["status"] in (jobs.QUEUED, jobs.RUNNING):
            raise InputError(f"run {req.run} is still training: cancel it before deleting it")
    clinic_runs.delete_run(folder, req.run)
    if clinic_runs.CLINIC_NAME_RE.match(req.run) and pool.snapshot(JOB, job_fp(req.run))["status"] != "none":
        pool.forget(JOB, job_fp(req.run))
    return {"deleted": req.run, "runs": len(clinic_runs.run_names(folder))}
