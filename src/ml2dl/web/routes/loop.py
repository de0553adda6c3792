"""The training loop step's API (``ml2dl.lessons.loop``).

    GET  /api/loop/options                 limits, the server's images, the loop's six steps
    POST /api/loop/plan                    batches per epoch and the budget of a run and a search (small, fast)
    POST /api/loop/run                     start (or join, or reuse) one run → its job snapshot, with ``fp``
    GET  /api/loop/run/{fp}                its state (result when done; cached on disk by its settings)
    GET  /api/loop/run/{fp}/progress       the same as server-sent events until it finishes
    POST /api/loop/run/{fp}/cancel         stop it
    POST /api/loop/search, GET /api/loop/search/{fp}, …/progress, …/cancel: the same for the lr × width search

A job's fingerprint is a hash of its settings and the images' fingerprint, so the same settings
give the same job: asking again joins the running one or returns the cached result. The budget
(``lessons.loop.check_budget``) is checked here, before a job is queued: a 422 says what was
expected and what was received. The images: ``ml2dl serve --data`` or synthetic phantoms, the
pool of ``settings.training_budget`` (tests use a tiny one) or ``lessons.images.Budget()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Callable

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse

from ml2dl.lessons import images as data_lesson
from ml2dl.lessons import loop as lesson
from ml2dl.web import jobs, sse
from ml2dl.web.deps import PoolDep, SettingsDep
from ml2dl.web.schemas.base import field_limits
from ml2dl.web.schemas.loop import (OptionsResult, PlanRequest, PlanResult, RunRequest, RunSnapshot,
                                    SearchRequest, SearchSnapshot)

router = APIRouter(prefix="/api/loop", tags=["loop"])
RUN, SEARCH = "looprun", "loopsearch"
VERSION = "loop-v1"  # change it when the lesson's results change, so old cached results are not reused
LR_CHOICES = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
WIDTH_CHOICES = (2, 4, 8, 16)
Fp = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$", description="the job's fingerprint")]


@dataclass(frozen=True)
class Images:
    data: data_lesson.ChestData


def images_of(settings: SettingsDep) -> Images:
    b = settings.training_budget or data_lesson.Budget()
    return Images(data_lesson.load_chest_data(settings.data_path, n_train=b.n_train, n_val=b.n_val, seed=b.seed))


ImagesDep = Annotated[Images, Depends(images_of)]


_RUN_LIMITS, _SEARCH_LIMITS = field_limits(RunRequest), field_limits(SearchRequest)  # read once: the models do not change


@router.get("/options", response_model=OptionsResult)
def options(img: ImagesDep) -> dict:
    """What the page may offer: the request models' limits, the pool of images, the choices of the search."""
    d = img.data
    return {"run": _RUN_LIMITS, "search": _SEARCH_LIMITS,
            "pool": {"n_train": len(d.train_images), "n_val": len(d.val_images)},
            "synthetic": d.synthetic, "source": d.source, "lr_choices": list(LR_CHOICES),
            "width_choices": list(WIDTH_CHOICES), "steps": list(lesson.LOOP_STEPS)}


@router.post("/plan", response_model=PlanResult)
def plan(req: PlanRequest) -> dict:
    """Batches per epoch = ⌈N / b⌉, updates, images trained on, and the budget, for a run and a search."""
    return {"run": lesson.plan(req.n_train, req.batch_size, req.epochs),
            "search": lesson.plan(req.n_train, req.batch_size, req.epochs, runs=len(req.lrs) * len(req.widths))}


# ------------------------------------------------------------------------------ jobs


def _start(pool: jobs.JobPool, name: str, fp: str, work: Callable[[jobs.Report], dict]) -> dict:
    pool.submit(name, fp, work)
    return _snapshot(pool, name, fp)


def _snapshot(pool: jobs.JobPool, name: str, fp: str) -> dict:
    return {**pool.snapshot(name, fp), "fp": fp}


def _reporter(report: jobs.Report):
    return lambda fraction, message, extra: report.progress(fraction, message, **extra)


@router.post("/run", response_model=RunSnapshot, response_model_exclude_unset=True)
def start_run(req: RunRequest, img: ImagesDep, pool: PoolDep) -> dict:
    """Start one run of the loop (or join the running one, or return the cached result)."""
    s = lesson.check_settings(**req.model_dump(), pool=len(img.data.train_images))
    lesson.check_budget(s["n_train"], s["batch_size"], s["epochs"])
    fp = jobs.fingerprint(VERSION, RUN, img.data.fingerprint, s)
    return _start(pool, RUN, fp, lambda report: lesson.run_loop(img.data, **s, progress=_reporter(report)))


@router.post("/search", response_model=SearchSnapshot, response_model_exclude_unset=True)
def start_search(req: SearchRequest, img: ImagesDep, pool: PoolDep) -> dict:
    """Start the learning rate × width search (or join it, or return the cached result)."""
    s = req.model_dump()
    lesson.check_settings(s["n_train"], s["batch_size"], s["epochs"], patience=s["patience"],
                          pool=len(img.data.train_images))
    lesson.check_budget(s["n_train"], s["batch_size"], s["epochs"], runs=len(s["lrs"]) * len(s["widths"]))
    fp = jobs.fingerprint(VERSION, SEARCH, img.data.fingerprint, s)
    return _start(pool, SEARCH, fp, lambda report: lesson.run_search(img.data, **s, progress=_reporter(report)))


def _job_routes(kind: str, name: str, snapshot_model) -> None:
    """GET /<kind>/{fp}, GET /<kind>/{fp}/progress (server-sent events), POST /<kind>/{fp}/cancel."""

    @router.get(f"/{kind}/{{fp}}", response_model=snapshot_model, response_model_exclude_unset=True,
                name=f"{kind}_status", summary=f"The {kind}'s state")
    def status(fp: Fp, pool: PoolDep) -> dict:
        """The job's state, the same from every worker: ``status`` is ``none`` for an unknown fingerprint."""
        return _snapshot(pool, name, fp)

    schema = {"$ref": f"#/components/schemas/{snapshot_model.__name__}"}

    @router.get(f"/{kind}/{{fp}}/progress", response_class=StreamingResponse, name=f"{kind}_progress",
                summary=f"The {kind}'s progress as server-sent events",
                responses={200: {"content": {"text/event-stream": {"schema": schema}},
                                 "description": "one `data: <snapshot JSON>` event per change, until it finishes"}})
    def progress(fp: Fp, pool: PoolDep) -> StreamingResponse:
        """Server-sent events: the job's snapshot on every change, until it has finished."""
        return sse.progress_response(pool, name, fp)

    @router.post(f"/{kind}/{{fp}}/cancel", response_model=snapshot_model, response_model_exclude_unset=True,
                 name=f"{kind}_cancel", summary=f"Stop the {kind}")
    def cancel(fp: Fp, pool: PoolDep) -> dict:
        """Ask the job to stop (whichever worker runs it); its snapshot."""
        pool.cancel(name, fp)
        return _snapshot(pool, name, fp)


_job_routes("run", RUN, RunSnapshot)
_job_routes("search", SEARCH, SearchSnapshot)
