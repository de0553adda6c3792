"""The clinic, page clinic-roc: read a run as a clinician reads a test (``ml2dl.lessons.clinic.roc``).

    GET /api/clinic/roc?run=NAME[&prevalence=0.01]        everything the page shows, with the threshold table
    GET /api/clinic/roc/table?run=NAME[&prevalence=0.01]  the threshold table alone (another prevalence)

The table holds every validation score as a threshold, with the confusion matrix and the four
rates (with intervals) on both splits: the page's slider reads it and asks nothing while it moves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ml2dl.lessons.clinic import roc as lesson
from ml2dl.lessons.clinic.runs import judged
from ml2dl.web.deps import SettingsDep
from ml2dl.web.routes.clinic import folder_of
from ml2dl.web.schemas.clinic import RocQuery, RocResult, ThresholdTable

router = APIRouter(prefix="/api/clinic/roc", tags=["clinic"])


@router.get("", response_model=RocResult, response_model_exclude_unset=True)
def roc(q: Annotated[RocQuery, Query()], settings: SettingsDep) -> dict:
    """ROC, AUC (bootstrap and DeLong intervals), operating points on validation and test, PR curve,
    calibration, decision curve, and the threshold table."""
    run, data = judged(folder_of(settings), q.run, settings.data_path)
    return lesson.roc_page(run, data, prevalence=q.prevalence)


@router.get("/table", response_model=ThresholdTable, response_model_exclude_unset=True)
def table(q: Annotated[RocQuery, Query()], settings: SettingsDep) -> dict:
    """The threshold table at a prevalence (PPV and NPV of a population with that share of pneumonia)."""
    run, data = judged(folder_of(settings), q.run, settings.data_path)
    return lesson.threshold_table(run, data, prevalence=q.prevalence)
