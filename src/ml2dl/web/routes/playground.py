"""Step 2 API: train a small network live on a 2-D problem (``ml2dl.lessons.playground``).

Stateless: the page sends the training state it got last time; the server keeps nothing.

    POST /api/playground/train  {settings, state|null, steps, resolution}  → new state, metrics, boundary
    GET  /api/playground/options                                          → what the page may offer
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.checks import InputError
from ml2dl.lessons import playground as lesson
from ml2dl.web.schemas import OptionsResult, TrainRequest, TrainResult

router = APIRouter(prefix="/api/playground", tags=["playground"])


@router.post("/train", response_model=TrainResult, response_model_exclude_unset=True)
def train(req: TrainRequest) -> dict:
    """Take ``steps`` gradient steps from ``state`` (or a fresh network) and describe the result."""
    s = req.settings
    for i, h in enumerate(s.hidden):
        if not 1 <= h <= lesson.MAX_NEURONS:
            raise InputError(f"settings.hidden[{i}] must be between 1 and {lesson.MAX_NEURONS} neurons, got {h}")
    settings = lesson.Settings(**{**s.model_dump(), "hidden": tuple(s.hidden)})
    result = lesson.train(req.state, settings, req.steps, resolution=req.resolution)
    if not req.include_points:
        result.pop("points")
    return result


@router.get("/options", response_model=OptionsResult)
def options() -> dict:
    """What the page may offer: problems, activations, optimisers and the limits."""
    return {"problems": list(lesson.PROBLEMS), "activations": list(lesson.ACTIVATIONS),
            "optimizers": list(lesson.OPTIMIZERS), "max_hidden_layers": lesson.MAX_HIDDEN_LAYERS,
            "max_neurons": lesson.MAX_NEURONS, "max_steps": lesson.MAX_STEPS}
