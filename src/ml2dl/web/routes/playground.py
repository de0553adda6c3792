"""Step 2 API: train a small network live on a 2-D problem (``ml2dl.lessons.playground``).

Stateless: the page sends the training state it got last time; the server keeps nothing.

    POST /api/playground/train  {settings, state|null, steps, resolution}  → new state, metrics, boundary
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ml2dl.lessons import playground as lesson

router = APIRouter(prefix="/api/playground", tags=["playground"])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlaygroundSettings(_Strict):
    """The problem, the network and the optimiser (limits = what the page offers)."""

    problem: Literal["linear", "xor", "circle", "spiral"] = "xor"
    noise: float = Field(0.1, ge=0, le=0.5, description="std of the jitter added to each point")
    seed: int = Field(0, ge=0, le=9999, description="seed of the data and the initial weights")
    points: int = Field(400, ge=20, le=lesson.MAX_POINTS, description="train + test points")
    test_fraction: float = Field(0.5, ge=0.1, le=0.9, description="share of points held out for testing")
    hidden: list[int] = Field(default_factory=lambda: [4], max_length=lesson.MAX_HIDDEN_LAYERS,
                              description="neurons per hidden layer ([] = one neuron: logistic regression)")
    activation: Literal["tanh", "relu", "sigmoid", "linear"] = "tanh"
    optimizer: Literal["sgd", "adam"] = "sgd"
    learning_rate: float = Field(0.3, gt=0, le=10, description="η in w ← w − η ∂L/∂w")
    batch_size: int = Field(10, ge=1, le=lesson.MAX_POINTS, description="points per gradient step")


class TrainRequest(_Strict):
    settings: PlaygroundSettings = Field(default_factory=PlaygroundSettings)
    state: dict[str, Any] | None = Field(None, description="the state returned last time; null starts a new run")
    steps: int = Field(10, ge=0, le=lesson.MAX_STEPS, description="gradient steps to take now")
    resolution: int = Field(48, ge=8, le=lesson.MAX_GRID, description="side of the boundary grid")
    include_points: bool = Field(True, description="send the train/test points (needed once per run)")


@router.post("/train")
def train(req: TrainRequest) -> dict:
    """Take ``steps`` gradient steps from ``state`` (or a fresh network) and describe the result."""
    s = req.settings
    for i, h in enumerate(s.hidden):
        if not 1 <= h <= lesson.MAX_NEURONS:
            raise ValueError(f"settings.hidden[{i}] must be between 1 and {lesson.MAX_NEURONS} neurons, got {h}")
    settings = lesson.Settings(**{**s.model_dump(), "hidden": tuple(s.hidden)})
    result = lesson.train(req.state, settings, req.steps, resolution=req.resolution)
    if not req.include_points:
        result.pop("points")
    return result


@router.get("/options")
def options() -> dict:
    """What the page may offer: problems, activations, optimisers and the limits."""
    return {"problems": list(lesson.PROBLEMS), "activations": list(lesson.ACTIVATIONS),
            "optimizers": list(lesson.OPTIMIZERS), "max_hidden_layers": lesson.MAX_HIDDEN_LAYERS,
            "max_neurons": lesson.MAX_NEURONS, "max_steps": lesson.MAX_STEPS}
