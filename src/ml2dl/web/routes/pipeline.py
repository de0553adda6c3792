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
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from ml2dl.lessons import images as data_lesson
from ml2dl.lessons import pipeline as lesson
from ml2dl.web import jobs, prepared
from ml2dl.web.deps import PoolDep, SettingsDep
from ml2dl.web.jobroutes import JobSpec, add_job_routes
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


def spec(_req, settings) -> JobSpec:
    """The class's pipeline training: its fingerprint, and the run that writes the checkpoint
    (a result whose checkpoint is missing or changed is not trusted: it trains again)."""
    t = training_of(settings)

    def run(report: jobs.Report) -> dict:
        checkpoint = report.workdir / f"{JOB}-{t.fp}.npz"
        report.workdir.mkdir(parents=True, exist_ok=True)
        result = lesson.train_pipeline(t.data, t.budget, checkpoint,
                                       progress=lambda f, msg, extra: report.progress(f, msg, **extra))
        report.keep(checkpoint)  # its checksum goes into the result
        return result

    return JobSpec(t.fp, run)


# The training the first students will ask for starts with the server (prestart): the class
# follows it, so a student's cancel only stops that student following it.
add_job_routes(router, JOB, snapshot=PipelineSnapshot, spec=spec, start="/train", state="/status",
               cancel="/cancel", what="the pipeline CNN's training", prestart=True)


@router.get("/examples", response_model=ExamplesResult)
async def examples(t: TrainingDep) -> dict:
    """Held-out images (never seen in training), normal and pneumonia, for the student to pick."""
    return {"examples": lesson.examples(t.data), "synthetic": t.data.synthetic, "source": t.data.source,
            "stages": [{"name": s["name"], "short": s["short"], "title": s["title"]} for s in lesson.STAGES]}


@router.get("/explain", response_model=ExplainResult, response_model_exclude_unset=True,
            responses={409: {"description": "the CNN is not trained yet (or its checkpoint is missing)"}})
async def explain(q: Annotated[ExplainQuery, Query()], t: TrainingDep, pool: PoolDep) -> dict:
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
