"""Step 1 API: one neuron's forward pass (``ml2dl.lessons.neuron``)."""

from fastapi import APIRouter

from ml2dl.lessons import neuron as lesson
from ml2dl.web.schemas import NeuronRequest, NeuronResult

router = APIRouter(prefix="/api/neuron", tags=["neuron"])


@router.post("", response_model=NeuronResult)
async def neuron(req: NeuronRequest) -> dict:
    """z = w₁x₁ + w₂x₂ + b and ŷ = σ(z), with the σ curve around z."""
    return lesson.neuron(**req.model_dump())
