"""The clinic, page cases: published studies beside the same idea measured on a run (``ml2dl.lessons.clinic.cases``).

    GET  /api/clinic/cases?run=NAME&point=balanced       Gulshan, CheXNet, McKinney measured on a run
    POST /api/clinic/cases/shortcut {n_train, epochs, seed}  the hospital-marker experiment (a job, cached)
    GET  /api/clinic/cases/shortcut/status|progress?…       its snapshot (progress: server-sent events)
    POST /api/clinic/cases/shortcut/cancel                  stop it
    POST /api/clinic/cases/pretrain {n_real, n_synthetic, epochs, seed}, …/status, …/progress, …/cancel:
                                                            pre-training on phantoms vs scratch (needs real data)
    POST /api/clinic/cases/esteva {n_train, epochs, seed}, …/status, …/progress, …/cancel:
                                                            Esteva: fine-grained probabilities summed vs binary
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from ml2dl.lessons.clinic import cases as lesson
from ml2dl.lessons.clinic import esteva, pretrain, shortcut
from ml2dl.lessons.clinic.runs import judged
from ml2dl.web import jobs, sse
from ml2dl.web.deps import PoolDep, SettingsDep
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


@router.post("/shortcut", response_model=ShortcutSnapshot, response_model_exclude_unset=True)
def shortcut_start(req: ShortcutRequest, pool: PoolDep) -> dict:
    """Start the hospital-marker experiment (two models through fit), or join it, or its cached result."""
    def run(report: jobs.Report) -> dict:
        return shortcut.experiment(req.n_train, req.epochs, req.seed, lambda f, msg: report.progress(f, msg))

    pool.submit(SHORTCUT, shortcut_fp(req), run)
    return pool.snapshot(SHORTCUT, shortcut_fp(req))


@router.get("/shortcut/status", response_model=ShortcutSnapshot, response_model_exclude_unset=True)
def shortcut_status(q: Annotated[ShortcutQuery, Query()], pool: PoolDep) -> dict:
    return pool.snapshot(SHORTCUT, shortcut_fp(q))


@router.get("/shortcut/progress", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/ShortcutSnapshot"}}},
                             "description": "one `data: <ShortcutSnapshot JSON>` event per change, until it finishes"}})
def shortcut_progress(q: Annotated[ShortcutQuery, Query()], pool: PoolDep) -> StreamingResponse:
    """Server-sent events: the experiment's snapshot on every change, until it ends."""
    return sse.progress_response(pool, SHORTCUT, shortcut_fp(q))


@router.post("/shortcut/cancel", response_model=ShortcutSnapshot, response_model_exclude_unset=True)
def shortcut_cancel(req: ShortcutRequest, pool: PoolDep) -> dict:
    pool.cancel(SHORTCUT, shortcut_fp(req))
    return pool.snapshot(SHORTCUT, shortcut_fp(req))


# ------------------------------------------------------------------------------ pre-training (a job)

PRETRAIN = "clinic-pretrain"


def pretrain_fp(req, settings) -> str:
    import hashlib

    src = pretrain.real_source(settings.data_path)  # InputError (422) on a server without real data
    text = f"pretrain-v1|{src.spec}|{req.n_real}|{req.n_synthetic}|{req.epochs}|{req.seed}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@router.post("/pretrain", response_model=PretrainSnapshot, response_model_exclude_unset=True)
def pretrain_start(req: PretrainRequest, settings: SettingsDep, pool: PoolDep) -> dict:
    """Start pre-training on phantoms, fine-tuning and training from scratch (or join it, or its result)."""
    fp = pretrain_fp(req, settings)

    def run(report: jobs.Report) -> dict:
        return pretrain.experiment(settings.data_path, n_real=req.n_real, n_synthetic=req.n_synthetic,
                                   epochs=req.epochs, seed=req.seed, on_event=lambda f, msg: report.progress(f, msg))

    pool.submit(PRETRAIN, fp, run)
    return pool.snapshot(PRETRAIN, fp)


@router.get("/pretrain/status", response_model=PretrainSnapshot, response_model_exclude_unset=True)
def pretrain_status(q: Annotated[PretrainQuery, Query()], settings: SettingsDep, pool: PoolDep) -> dict:
    return pool.snapshot(PRETRAIN, pretrain_fp(q, settings))


@router.get("/pretrain/progress", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/PretrainSnapshot"}}},
                             "description": "one `data: <PretrainSnapshot JSON>` event per change, until it finishes"}})
def pretrain_progress(q: Annotated[PretrainQuery, Query()], settings: SettingsDep, pool: PoolDep) -> StreamingResponse:
    return sse.progress_response(pool, PRETRAIN, pretrain_fp(q, settings))


@router.post("/pretrain/cancel", response_model=PretrainSnapshot, response_model_exclude_unset=True)
def pretrain_cancel(req: PretrainRequest, settings: SettingsDep, pool: PoolDep) -> dict:
    fp = pretrain_fp(req, settings)
    pool.cancel(PRETRAIN, fp)
    return pool.snapshot(PRETRAIN, fp)


# ------------------------------------------------------------------------------ Esteva: fine-grained classes summed (a job)

def esteva_spec(req, settings) -> JobSpec:
    """The two trainings of these settings on sub-typed phantoms: their fingerprint and how to run them."""
    def run(report: jobs.Report) -> dict:
        return esteva.experiment(req.n_train, req.epochs, req.seed, lambda f, msg: report.progress(f, msg))

    return JobSpec(jobs.fingerprint("clinic-esteva-v1", req.model_dump()), run)


add_job_routes(router, "clinic-esteva", request=EstevaRequest, query=EstevaQuery, snapshot=EstevaSnapshot,
               spec=esteva_spec, start="/esteva", state="/esteva/status", progress="/esteva/progress",
               cancel="/esteva/cancel", what="the fine-grained and the binary training of these settings")
