"""Step 4 API: parameter counts of a fully connected network (``ml2dl.lessons.layers``)."""

from fastapi import APIRouter

from ml2dl.lessons import layers as lesson
from ml2dl.web.schemas import LayersRequest, LayersResult

router = APIRouter(prefix="/api/layers", tags=["layers"])


@router.post("", response_model=LayersResult)
async def layers(req: LayersRequest) -> dict:
    """Per layer: inputs × neurons + neurons; and the total."""
    return lesson.layers(req.sizes)
