"""Step 9 API: the full CNN pipeline (``ml2dl.lessons.pipeline``).

    POST /api/pipeline/train         train the CNN in the background (or join / reuse it) → job snapshot
    GET  /api/pipeline/status        the training job's state (result when done; cached on disk)
    GET  /api/pipeline/progress      the same as server-sent events until it finishes
    POST /api/pipeline/cancel        stop training
    GET  /api/pipeline/examples      held-out images to choose from (normal and pneumonia)
    GET  /api/pipeline/explain?index=i   one image through the trained CNN: every stage's output

The checkpoint is written with ``nn.save`` to ``<cache_dir>/pipeline/<job key>.npz``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from ml2dl.lessons import images as data_lesson
from ml2dl.lessons import pipeline as lesson
from ml2dl.web import jobs

router = APIRouter(prefix="/api/pipeline", tags=["pipeline"])
JOB = "pipeline"
# A model keeps each layer's last output (for the feature maps): one forward pass at a time.
_FORWARD_LOCK = threading.Lock()


def budget(request: Request) -> data_lesson.Budget:
    return request.app.state.settings.training_budget or lesson.PIPELINE_BUDGET


def _context(request: Request):
    b = budget(request)
    data = data_lesson.load_chest_data(request.app.state.settings.data_path, n_train=b.n_train,
                                       n_val=b.n_val, seed=b.seed)
    fp = jobs.fingerprint("pipeline-v1", data.fingerprint, b.as_dict())
    return jobs.get_pool(request.app), fp, b, data


@router.post("/train")
def train(request: Request) -> dict:
    """Start training the pipeline CNN unless it is already trained (cached) or training."""
    pool, fp, b, data = _context(request)
    checkpoint = pool.workdir(JOB) / f"{JOB}-{fp}.npz"
    job = pool.get(JOB, fp)
    if job is not None and job.status == jobs.DONE and not checkpoint.is_file():
        pool.forget(JOB, fp)  # the result was cached but its checkpoint has been deleted: train again

    def run(report: jobs.Report) -> dict:
        report.workdir.mkdir(parents=True, exist_ok=True)
        return lesson.train_pipeline(data, b, checkpoint,
                                     progress=lambda f, msg, extra: report.progress(f, msg, **extra))

    return jobs.submit_snapshot(pool, JOB, fp, run)


@router.get("/status")
def status(request: Request) -> dict:
    pool, fp, _, _ = _context(request)
    return jobs.snapshot(pool, JOB, fp)


@router.get("/progress")
def progress(request: Request) -> StreamingResponse:
    """Server-sent events: the training job's snapshot on every change, until it has finished."""
    pool, fp, _, _ = _context(request)
    return jobs.progress_response(pool, JOB, fp)


@router.post("/cancel")
def cancel(request: Request) -> dict:
    pool, fp, _, _ = _context(request)
    return jobs.cancel_snapshot(pool, JOB, fp)


@router.get("/examples")
def examples(request: Request) -> dict:
    """Held-out images (never seen in training), normal and pneumonia, for the student to pick."""
    _, _, _, data = _context(request)
    return {"examples": lesson.examples(data), "synthetic": data.synthetic, "source": data.source,
            "stages": [{"name": s["name"], "short": s["short"], "title": s["title"]} for s in lesson.STAGES]}


@router.get("/explain")
def explain(request: Request, index: int = Query(..., ge=0, le=99_999, description="a held-out image")) -> dict:
    """Every stage's output for one held-out image, from the trained network (409 until trained)."""
    pool, fp, _, data = _context(request)
    job = pool.get(JOB, fp)
    if job is None or job.status != jobs.DONE:
        raise HTTPException(409, detail="the CNN is not trained yet: POST /api/pipeline/train first")
    checkpoint = pool.workdir(JOB) / job.result["checkpoint"]
    if not Path(checkpoint).is_file():
        raise HTTPException(409, detail="the trained CNN's checkpoint is missing: train it again")
    model, meta = lesson.load_model(checkpoint)
    with _FORWARD_LOCK:
        result = lesson.explain_example(model, meta, data, index)
    result["training"] = {k: job.result[k] for k in ("accuracy", "accuracy_percent", "baseline", "baseline_percent",
                                                      "n_train", "n_val", "seconds")}
    return result
