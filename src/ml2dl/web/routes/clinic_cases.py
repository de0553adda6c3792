"""The clinic, page cases: published studies beside the same idea measured on a run (``ml2dl.lessons.clinic.cases``).

    GET  /api/clinic/cases?run=NAME&point=balanced       Gulshan, CheXNet, McKinney measured on a run
    POST /api/clinic/cases/shortcut {n_train, epochs, seed}  the hospital-marker experiment (a job, cached)
    GET  /api/clinic/cases/shortcut/status|progress?…       its snapshot (progress: server-sent events)
    POST /api/clinic/cases/shortcut/cancel                  leave it (it stops when nobody else follows it)
    POST /api/clinic/cases/pretrain {n_real, n_synthetic, epochs, seed}, …/status, …/progress, …/cancel:
                                                            pre-training on phantoms vs scratch (needs real data)
    POST /api/clinic/cases/esteva {n_train, epochs, seed}, …/status, …/progress, …/cancel:
                                                            Esteva: fine-grained probabilities summed vs binary
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ml2dl.lessons.clinic import cases as lesson
from ml2dl.lessons.clinic import esteva, pretrain, shortcut
from ml2dl.lessons.clinic.runs import judged
from ml2dl.web import jobs
from ml2dl.web.deps import SettingsDep
from ml2dl.web.jobroutes import JobSpec, add_job_routes
from ml2dl.web.routes.clinic import folder_of
from ml2dl.web.schemas.clinic_image import (CasesQuery, CasesResult, PretrainQuery, PretrainRequest, PretrainSnapshot,
                                            ShortcutQuery, ShortcutRequest, ShortcutSnapshot)
from ml2dl.web.schemas.clinic_esteva import EstevaQuery, EstevaRequest, EstevaSnapshot

router = APIRouter(prefix="/api/clinic/cases", tags=["clinic"])


@router.get("", response_model=CasesResult, response_model_exclude_unset=True)
def cases(q: Annotated[CasesQuery, Query()], settings: SettingsDep) -> dict:
    """Gulshan's two operating points, CheXNet's F1 and McKinney's first reader, each measured on the run."""
    run, data = judged(folder_of(settings), q.run, settings.data_path)
    return lesson.run_cases(run, data, point=q.point)


# ------------------------------------------------------------------------------ shortcut learning (a job)

SHORTCUT = "clinic-shortcut"


def shortcut_fp(req) -> str:
    import hashlib

    return hashlib.sha256(f"shortcut-v1|{req.n_train}|{req.epochs}|{req.seed}".encode()).hexdigest()[:16]


def shortcut_spec(req, settings=None) -> JobSpec:
    """The hospital-marker experiment (two models through fit) of these settings."""
    def run(report: jobs.Report) -> dict:
        return shortcut.experiment(req.n_train, req.epochs, req.seed, lambda f, msg: report.progress(f, msg))

    return JobSpec(shortcut_fp(req), run)


add_job_routes(router, SHORTCUT, request=ShortcutRequest, query=ShortcutQuery, snapshot=ShortcutSnapshot,
               spec=shortcut_spec, start="/shortcut", state="/shortcut/status", progress="/shortcut/progress",
               cancel="/shortcut/cancel", what="the hospital-marker experiment")


# ------------------------------------------------------------------------------ pre-training (a job)

PRETRAIN = "clinic-pretrain"


def pretrain_fp(req, settings) -> str:
    import hashlib

    src = pretrain.real_source(settings.data_path)  # InputError (422) on a server without real data
    text = f"pretrain-v1|{src.spec}|{req.n_real}|{req.n_synthetic}|{req.epochs}|{req.seed}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pretrain_spec(req, settings) -> JobSpec:
    """Pre-training on phantoms, fine-tuning and training from scratch, of these settings (needs real data: 422)."""
    def run(report: jobs.Report) -> dict:
        return pretrain.experiment(settings.data_path, n_real=req.n_real, n_synthetic=req.n_synthetic,
                                   epochs=req.epochs, seed=req.seed, on_event=lambda f, msg: report.progress(f, msg))

    return JobSpec(pretrain_fp(req, settings), run)


add_job_routes(router, PRETRAIN, request=PretrainRequest, query=PretrainQuery, snapshot=PretrainSnapshot,
               spec=pretrain_spec, start="/pretrain", state="/pretrain/status", progress="/pretrain/progress",
               cancel="/pretrain/cancel", what="the pre-training experiment")


# ------------------------------------------------------------------------------ Esteva: fine-grained classes summed (a job)

def esteva_spec(req, settings) -> JobSpec:
    """The two trainings of these settings on sub-typed phantoms: their fingerprint and how to run them."""
    def run(report: jobs.Report) -> dict:
        return esteva.experiment(req.n_train, req.epochs, req.seed, lambda f, msg: report.progress(f, msg))

    return JobSpec(jobs.fingerprint("clinic-esteva-v1", req.model_dump()), run)


add_job_routes(router, "clinic-esteva", request=EstevaRequest, query=EstevaQuery, snapshot=EstevaSnapshot,
               spec=esteva_spec, start="/esteva", state="/esteva/status", progress="/esteva/progress",
               cancel="/esteva/cancel", what="the fine-grained and the binary training of these settings")
