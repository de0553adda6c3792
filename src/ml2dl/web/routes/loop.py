"""The training loop step's API (``ml2dl.lessons.loop``).

    GET  /api/loop/options                 limits, the server's images, the loop's six steps
    POST /api/loop/plan                    batches per epoch and the budget of a run and a search (small, fast)
    POST /api/loop/run                     start (or join, or reuse) one run → its job snapshot, with ``fp``
    GET  /api/loop/run/{fp}                its state (result when done; cached on disk by its settings)
    GET  /api/loop/run/{fp}/progress       the same as server-sent events until it finishes
    POST /api/loop/run/{fp}/cancel         leave it (it stops when nobody else follows it)
    POST /api/loop/search, GET /api/loop/search/{fp}, …/progress, …/cancel: the same for the lr × width search

A job's fingerprint is a hash of its settings and the images' fingerprint, so the same settings
give the same job: asking again joins the running one or returns the cached result. The budget
(``lessons.loop.check_budget``) is checked here, before a job is queued: a 422 says what was
expected and what was received. The images: ``ml2dl serve --data`` or synthetic phantoms, the
pool of ``settings.training_budget`` (tests use a tiny one) or ``lessons.images.Budget()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends

from ml2dl.lessons import images as data_lesson
from ml2dl.lessons import loop as lesson
from ml2dl.web import jobs, prepared
from ml2dl.web.deps import SettingsDep
from ml2dl.web.jobroutes import JobSpec, add_job_routes
from ml2dl.web.schemas.base import field_limits
from ml2dl.web.schemas.loop import (OptionsResult, PlanRequest, PlanResult, RunRequest, RunSnapshot,
                                    SearchRequest, SearchSnapshot)

router = APIRouter(prefix="/api/loop", tags=["loop"])
RUN, SEARCH = "looprun", "loopsearch"
VERSION = "loop-v1"  # change it when the lesson's results change, so old cached results are not reused
LR_CHOICES = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
WIDTH_CHOICES = (2, 4, 8, 16)


@dataclass(frozen=True)
class Images:
    data: data_lesson.ChestData


def images_of(settings) -> Images:
    """The server's images for the loop: step 5's, prepared once for the server (``ml2dl.web.prepared``)."""
    return Images(prepared.step_images(settings))


async def _images(settings: SettingsDep) -> Images:
    return Images(await prepared.step_images_async(settings))


ImagesDep = Annotated[Images, Depends(_images)]


_RUN_LIMITS, _SEARCH_LIMITS = field_limits(RunRequest), field_limits(SearchRequest)  # read once: the models do not change


@router.get("/options", response_model=OptionsResult)
async def options(img: ImagesDep) -> dict:
    """What the page may offer: the request models' limits, the pool of images, the choices of the search."""
    d = img.data
    return {"run": _RUN_LIMITS, "search": _SEARCH_LIMITS,
            "pool": {"n_train": len(d.train_images), "n_val": len(d.val_images)},
            "synthetic": d.synthetic, "source": d.source, "lr_choices": list(LR_CHOICES),
            "width_choices": list(WIDTH_CHOICES), "steps": list(lesson.LOOP_STEPS)}


@router.post("/plan", response_model=PlanResult)
async def plan(req: PlanRequest) -> dict:
    """Batches per epoch = ⌈N / b⌉, updates, images trained on, and the budget, for a run and a search."""
    return {"run": lesson.plan(req.n_train, req.batch_size, req.epochs),
            "search": lesson.plan(req.n_train, req.batch_size, req.epochs, runs=len(req.lrs) * len(req.widths))}


# ------------------------------------------------------------------------------ jobs


def _reporter(report: jobs.Report):
    return lambda fraction, message, extra: report.progress(fraction, message, **extra)


def run_spec(req: RunRequest, settings) -> JobSpec:
    """One run of the loop: its settings checked against the images and the budget (422), its fingerprint."""
    img = images_of(settings)
    s = lesson.check_settings(**req.model_dump(), pool=len(img.data.train_images))
    lesson.check_budget(s["n_train"], s["batch_size"], s["epochs"])
    return JobSpec(jobs.fingerprint(VERSION, RUN, img.data.fingerprint, s),
                   lambda report: lesson.run_loop(img.data, **s, progress=_reporter(report)))


def search_spec(req: SearchRequest, settings) -> JobSpec:
    """The learning rate × width search: its settings checked (422), its fingerprint."""
    img = images_of(settings)
    s = req.model_dump()
    lesson.check_settings(s["n_train"], s["batch_size"], s["epochs"], patience=s["patience"],
                          pool=len(img.data.train_images))
    lesson.check_budget(s["n_train"], s["batch_size"], s["epochs"], runs=len(s["lrs"]) * len(s["widths"]))
    return JobSpec(jobs.fingerprint(VERSION, SEARCH, img.data.fingerprint, s),
                   lambda report: lesson.run_search(img.data, **s, progress=_reporter(report)))


# POST /run starts (or joins, or reuses) it; GET /run/{fp}, …/progress, POST …/cancel name it by fingerprint.
add_job_routes(router, RUN, request=RunRequest, snapshot=RunSnapshot, spec=run_spec, start="/run", state="/run/{fp}",
               progress="/run/{fp}/progress", cancel="/run/{fp}/cancel", what="the run", by_fp=True)
add_job_routes(router, SEARCH, request=SearchRequest, snapshot=SearchSnapshot, spec=search_spec, start="/search",
               state="/search/{fp}", progress="/search/{fp}/progress", cancel="/search/{fp}/cancel",
               what="the search", by_fp=True)
