"""The clinic, page clinic-mistakes: the images of a confusion-matrix cell (``ml2dl.lessons.clinic.mistakes``).

    GET /api/clinic/mistakes?run=NAME&split=test&threshold=0.5&cell=fn&limit=12

The four counts at the threshold, and the cell's images (the surest calls first), each with its
probability and the Grad-CAM of the model's call, with the caveat that belongs beside them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ml2dl.lessons.clinic import mistakes as lesson
from ml2dl.lessons.clinic.runs import judged
from ml2dl.web.deps import SettingsDep
from ml2dl.web.routes.clinic import folder_of
from ml2dl.web.schemas.clinic import MistakesQuery, MistakesResult

router = APIRouter(prefix="/api/clinic/mistakes", tags=["clinic"])


@router.get("", response_model=MistakesResult)
def mistakes(q: Annotated[MistakesQuery, Query()], settings: SettingsDep) -> dict:
    """The confusion matrix at ``threshold`` and the images of ``cell`` with their heatmaps."""
    run, data = judged(folder_of(settings), q.run, settings.data_path)
    return lesson.cell_cases(run, data, split=q.split, threshold=q.threshold, cell=q.cell, limit=q.limit)
