"""The clinic, page cases: published studies beside the same idea measured on a run (``ml2dl.lessons.clinic.cases``).

    GET /api/clinic/cases?run=NAME&point=balanced
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ml2dl.lessons.clinic import cases as lesson
from ml2dl.lessons.clinic.runs import judged
from ml2dl.web.deps import SettingsDep
from ml2dl.web.routes.clinic import folder_of
from ml2dl.web.schemas.clinic_image import CasesQuery, CasesResult

router = APIRouter(prefix="/api/clinic/cases", tags=["clinic"])


@router.get("", response_model=CasesResult, response_model_exclude_unset=True)
def cases(q: Annotated[CasesQuery, Query()], settings: SettingsDep) -> dict:
    """Gulshan's two operating points, CheXNet's F1 and McKinney's first reader, each measured on the run."""
    run, data = judged(folder_of(settings), q.run, settings.data_path)
    return lesson.run_cases(run, data, point=q.point)
