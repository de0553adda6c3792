"""Step 8 API: 2×2 max and average pooling of a random grid (``ml2dl.lessons.pooling``)."""

from fastapi import APIRouter

from ml2dl.lessons import pooling as lesson
from ml2dl.web.schemas import PoolingRequest, PoolingResult

router = APIRouter(prefix="/api/pooling", tags=["pooling"])


@router.post("", response_model=PoolingResult)
async def pooling(req: PoolingRequest) -> dict:
    """The grid, the pooled outputs, the survivors and the size progression."""
    return lesson.pooling(req.size, req.seed, req.start)
