"""Step ``vanishing`` API: gradients through deep sigmoid, tanh and ReLU stacks (``ml2dl.lessons.vanishing``).

    GET  /api/vanishing/options                     the choices the page may offer, the limits, the defaults
    POST /api/vanishing  {depth, epochs, lr, seed}  → per network: loss curve, gradient norms per layer
                                                      at initialisation and after training
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.lessons import vanishing as lesson
from ml2dl.web.schemas.wrong import VanishingOptions, VanishingRequest, VanishingResult

router = APIRouter(prefix="/api/vanishing", tags=["vanishing"])


@router.post("", response_model=VanishingResult)
def vanishing(req: VanishingRequest) -> dict:
    """Train the three deep stacks with SGD (a fraction of a second) and measure their gradients."""
    return lesson.compare(**req.model_dump())


@router.get("/options", response_model=VanishingOptions)
def options() -> dict:
    """The limits of the request model, the choices the page offers, and the defaults."""
    fields = VanishingRequest.model_json_schema()["properties"]
    limits = {name: {"min": fields[name]["minimum"], "max": fields[name]["maximum"]} for name in ("depth", "seed")}
    return {**limits, "epochs": [e for e in lesson.EPOCH_CHOICES if e <= fields["epochs"]["maximum"]],
            "lr": list(lesson.LR_CHOICES), "defaults": VanishingRequest().model_dump(), "width": lesson.WIDTH,
            "points": lesson.POINTS}
