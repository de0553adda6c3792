"""Step 3 API: activation functions and the stacking demo (``ml2dl.lessons.activations``)."""

from fastapi import APIRouter

from ml2dl.lessons import activations as lesson
from ml2dl.web.schemas import ActivationRequest, ActivationResult, StackRequest, StackResult

router = APIRouter(prefix="/api/activations", tags=["activations"])


@router.post("", response_model=ActivationResult)
async def activation(req: ActivationRequest) -> dict:
    """f(z), f′(z) over a range and at z, the output range and where the function is used."""
    return lesson.activation(req.fn, req.z, negative_slope=req.negative_slope, vector=req.vector)


@router.post("/stack", response_model=StackResult)
async def stack(req: StackRequest) -> dict:
    """A 1 → k → k → 1 network with the activation on and off, and the collapsed linear map."""
    return lesson.stack(req.fn, req.width, req.seed, negative_slope=req.negative_slope)
