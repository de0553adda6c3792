"""Step ``architectures`` API: which network for which data (``ml2dl.lessons.architectures``).

    GET /api/architectures   the three kinds of data, each with its network's layers, shapes and parameters
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.lessons import architectures as lesson
from ml2dl.web.schemas.beyond import ArchitecturesResult

router = APIRouter(prefix="/api/architectures", tags=["architectures"])


@router.get("", response_model=ArchitecturesResult)
async def architectures() -> dict:
    """Feed-forward for rows, CNN for images, RNN for sequences, as the engine builds them."""
    return lesson.architectures()
