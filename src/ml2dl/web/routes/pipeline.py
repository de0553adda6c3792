"""Step 9 API: the full CNN pipeline (``ml2dl.lessons.pipeline``).

    POST /api/pipeline/train         train the CNN in the background (or join / reuse it) → job snapshot
    GET  /api/pipeline/status        the training job's state (result when done; cached on disk)
    GET  /api/pipeline/progress      the same as server-sent events until it finishes
    POST /api/pipeline/cancel        stop following the training (the class shares it: it runs on)
    GET  /api/pipeline/examples      held-out images to choose from (normal and pneumonia)
    GET  /api/pipeline/explain?index=i   one image through the trained CNN: every stage's output

The checkpoint is written with ``nn.save`` to ``<cache_dir>/pipeline/<job key>.npz``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import StreamingResponse

from ml2dl.lessons import images as data_lesson
from ml2dl.lessons import pipeline as lesson
from ml2dl.web import jobs, prepared, sse
from ml2dl.web.deps import PoolDep, SettingsDep
from ml2dl.web.schemas import ExamplesResult, ExplainQuery, ExplainResult, PipelineSnapshot

router = APIRouter(prefix="/api/pipeline", tags=["pipeline"])
JOB = "pipeline"


@dataclass(frozen=True)
class Training:
    """What defines the pipeline's training: its data, its budget, and so its job's fingerprint."""

    data: data_lesson.ChestData
    budget: data_lesson.Budget
    fp: str


def training_of(settings) -> Training:
    b = settings.training_budget or lesson.PIPELINE_BUDGET
    data = prepared.chest_data(settings, n_train=b.n_train, n_val=b.n_val, seed=b.seed)
    return Training(data, b, jobs.fingerprint("pipeline", data.fingerprint, b.as_dict()))


async def _training(settings: SettingsDep) -> Training:
    b = settings.training_budget or lesson.PIPELINE_BUDGET
    data = await prepared.chest_data_async(settings, n_train=b.n_train, n_val=b.n_val, seed=b.seed)
    return Training(data, b, jobs.fingerprint("pipeline", data.fingerprint, b.as_dict()))


TrainingDep = Annotated[Training, Depends(_training)]


def checkpoint_path(pool: jobs.JobPool, fp: str) -> Path:
    return pool.workdir(JOB) / f"{JOB}-{fp}.npz"


def _start(t: Training, pool: jobs.JobPool) -> None:
    """Train unless trained (a result whose checkpoint is missing or changed is not trusted: again)."""
    checkpoint = checkpoint_path(pool, t.fp)

    def run(report: jobs.Report) -> dict:
        report.workdir.mkdir(parents=True, exist_ok=True)
        result = lesson.train_pipeline(t.data, t.budget, checkpoint,
                                       progress=lambda f, msg, extra: report.progress(f, msg, **extra))
        report.keep(checkpoint)  # its checksum goes into the result
        return result

    pool.submit(JOB, t.fp, run, for_class=True)  # the one training of the class: it runs to completion


@jobs.default_job
def start_default(settings, pool: jobs.JobPool) -> None:
    """The training the first students will ask for, started with the server."""
    _start(training_of(settings), pool)


@router.post("/train", response_model=PipelineSnapshot, response_model_exclude_unset=True)
def train(t: TrainingDep, pool: PoolDep) -> dict:
    """Start training the pipeline CNN unless it is already trained (cached) or training."""
    _start(t, pool)
    return pool.snapshot(JOB, t.fp)


@router.get("/status", response_model=PipelineSnapshot, response_model_exclude_unset=True)
def status(t: TrainingDep, pool: PoolDep) -> dict:
    """The training job's state: ``status`` is ``none`` until someone starts it."""
    return pool.snapshot(JOB, t.fp)


@router.get("/progress", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/PipelineSnapshot"}}},
                             "description": "one `data: <PipelineSnapshot JSON>` event per change, until it finishes"}})
def progress(t: TrainingDep, pool: PoolDep) -> StreamingResponse:
    """Server-sent events: the training job's snapshot on every change, until it has finished."""
    return sse.progress_response(pool, JOB, t.fp)


@router.post("/cancel", response_model=PipelineSnapshot, response_model_exclude_unset=True)
def cancel(t: TrainingDep, pool: PoolDep) -> dict:
    """Stop following the training. The class shares it, so it runs to completion for the others."""
    return jobs.detached(pool.snapshot(JOB, t.fp))


@router.get("/examples", response_model=ExamplesResult)
def examples(t: TrainingDep) -> dict:
    """Held-out images (never seen in training), normal and pneumonia, for the student to pick."""
    return {"examples": lesson.examples(t.data), "synthetic": t.data.synthetic, "source": t.data.source,
            "stages": [{"name": s["name"], "short": s["short"], "title": s["title"]} for s in lesson.STAGES]}


@router.get("/explain", response_model=ExplainResult, response_model_exclude_unset=True,
            responses={409: {"description": "the CNN is not trained yet (or its checkpoint is missing)"}})
def explain(q: Annotated[ExplainQuery, Query()], t: TrainingDep, pool: PoolDep) -> dict:
    """Every stage's output for one held-out image, from the trained network (409 until trained)."""
    snap = pool.snapshot(JOB, t.fp)
    if snap["status"] != jobs.DONE:
        raise HTTPException(409, detail="the CNN is not trained yet: POST /api/pipeline/train first")
    trained = snap["result"]
    checkpoint = pool.workdir(JOB) / trained["checkpoint"]
    if not checkpoint.is_file():
        raise HTTPException(409, detail="the trained CNN's checkpoint is missing: train it again")
    model, meta = lesson.load_model(checkpoint)
    result = lesson.explain_example(model, meta, t.data, q.index)
    result["training"] = {k: trained[k] for k in ("accuracy", "accuracy_percent", "baseline", "baseline_percent",
                                                  "n_train", "n_val", "seconds")}
    return result
