"""Step 2 API: train a small network live on a 2-D problem (``ml2dl.lessons.playground``).

Stateless: the page sends the training state it got last time; the server keeps nothing.

    POST /api/playground/train  {settings, state|null, steps, resolution}  → new state, metrics, boundary
    POST /api/playground/csv    multipart file (x1,x2,label rows)           → the points encoded as settings.data
    GET  /api/playground/options                                          → what the page may offer, and the limits
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, UploadFile
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel

from ml2dl.checks import InputError
from ml2dl.data import points_csv
from ml2dl.lessons import playground as lesson
from ml2dl.lessons.playground_features import LABELS as FEATURE_LABELS, SPIRAL_CHALLENGE
from ml2dl.web.fastjson import FastJSONResponse
from ml2dl.web.schemas.base import field_limits
from ml2dl.web.schemas import OptionsResult, PlaygroundSettings, TrainRequest, TrainResult
from ml2dl.web.schemas.playground import CsvResult

router = APIRouter(prefix="/api/playground", tags=["playground"])


@router.post("/train", response_model=None, responses={200: {"model": TrainResult, "description": "the new state"}})
async def train(req: TrainRequest) -> FastJSONResponse:
    """Take ``steps`` gradient steps from ``state`` (or a fresh network) and describe the result."""
    # On the event loop, as every step's call (ml2dl.web.routes): an update is ~2 ms of work, and a
    # hop to a worker thread cost a class far more (GIL hand-overs: p95 123 ms in threads, 18 ms here).
    s = req.settings
    for i, h in enumerate(s.hidden):
        if not 1 <= h <= lesson.MAX_NEURONS:
            raise InputError(f"settings.hidden[{i}] must be between 1 and {lesson.MAX_NEURONS} neurons, got {h}")
    if len(set(s.features)) != len(s.features):
        raise InputError(f"settings.features must name each feature once, got {', '.join(s.features)}")
    settings = lesson.Settings(**{**s.model_dump(), "hidden": tuple(s.hidden), "features": tuple(s.features)})
    state = None if req.state is None else req.state.model_dump(exclude_none=True)
    # the points and the input features' maps do not change during a run: made only when asked for
    result = lesson.train(state, settings, req.steps, resolution=req.resolution, include_points=req.include_points)
    # Sent as it is: TrainResult documents it (the API tests check every key against it), and
    # re-validating ~3,000 numbers on the way out would cost a third of the update's time.
    return FastJSONResponse(result)


@router.post("/csv", response_model=CsvResult)
async def csv(file: UploadFile) -> dict:
    """A small CSV of x1,x2,label rows (header optional; ≤ 64 KB, ≤ 1,000 rows) → the points, scaled onto
    the plane and encoded as ``data`` for ``settings.data`` (problem ``csv``). A bad file is a 422 naming
    the line and what was expected; one over the limits a 413."""
    raw = await file.read(points_csv.MAX_BYTES + 1)  # one byte more than allowed tells "too large"

    def read() -> dict:
        points = points_csv.read_points_csv(raw)
        data = points_csv.encode(points)
        d = points_csv.decode(data)  # what training will see: the quantised points
        return {"data": data, "names": list(d.names), "ranges": [list(r) for r in d.ranges], "rows": len(d.y),
                "counts": [int((d.y == 0).sum()), int((d.y == 1).sum())], "header": points.header,
                "chars": len(data), "link_limit": points_csv.LINK_LIMIT}

    return await run_in_threadpool(read)  # parsing is CPU work: off the event loop


@router.get("/options", response_model=OptionsResult, response_model_exclude_unset=True)
async def options() -> dict:
    """What the page may offer, and the limits the request models enforce (so the page never restates them).

    ``settings`` and ``request`` map each field of ``PlaygroundSettings`` / ``TrainRequest`` to its
    ``default``, ``min``/``max`` (``min_exclusive``…), ``max_items`` and ``choices``; ``max_neurons``
    bounds each entry of ``settings.hidden``.
    """
    request = {k: v for k, v in field_limits(TrainRequest).items() if k not in ("settings", "state")}
    return {"problems": list(lesson.PROBLEMS), "activations": list(lesson.ACTIVATIONS),
            "optimizers": list(lesson.OPTIMIZERS), "features": list(lesson.FEATURES), "feature_labels": dict(FEATURE_LABELS),
            "spiral_challenge": SPIRAL_CHALLENGE,
            "csv": {"max_bytes": points_csv.MAX_BYTES, "max_rows": points_csv.MAX_ROWS, "link_limit": points_csv.LINK_LIMIT},
            "max_hidden_layers": lesson.MAX_HIDDEN_LAYERS,
            "max_neurons": lesson.MAX_NEURONS, "max_steps": lesson.MAX_STEPS,
            "settings": field_limits(PlaygroundSettings), "request": request}
