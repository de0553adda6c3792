"""Step ``vanishing`` API: gradients through deep sigmoid, tanh and ReLU stacks (``ml2dl.lessons.vanishing``).

    POST /api/vanishing  {depth, epochs, lr, seed}  → per network: loss curve, gradient norms per layer
                                                      at initialisation and after training
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.lessons import vanishing as lesson
from ml2dl.web.schemas.wrong import VanishingRequest, VanishingResult

router = APIRouter(prefix="/api/vanishing", tags=["vanishing"])


@router.post("", response_model=VanishingResult)
def vanishing(req: VanishingRequest) -> dict:
    """Train the three deep stacks with SGD (a fraction of a second) and measure their gradients."""
    return lesson.compare(**req.model_dump())
