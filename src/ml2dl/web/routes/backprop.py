"""Step ``backprop`` API: backpropagation node by node on a tiny network (``ml2dl.lessons.backprop``).

    POST /api/backprop          {x, y, params}       → the graph, forward values, backward steps, gradients
    POST /api/backprop/update   {x, y, params, lr}   → one gradient-descent step, loss before and after
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.lessons import backprop as lesson
from ml2dl.web.schemas.backprop import BackpropRequest, BackpropResult, UpdateRequest, UpdateResult

router = APIRouter(prefix="/api/backprop", tags=["backprop"])


def _params(req: BackpropRequest) -> dict | None:
    return None if req.params is None else req.params.model_dump()


@router.post("", response_model=BackpropResult)
async def backprop(req: BackpropRequest) -> dict:
    """Every node's value, the backward pass one node at a time, each gradient beside its finite difference."""
    return lesson.backprop(req.x, req.y, _params(req))


@router.post("/update", response_model=UpdateResult)
async def update(req: UpdateRequest) -> dict:
    """θ ← θ − η·∂L/∂θ on every weight, with the loss before and after."""
    return lesson.apply_update(req.x, req.y, _params(req), req.lr)
