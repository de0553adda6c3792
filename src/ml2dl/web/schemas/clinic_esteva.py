"""cases, Esteva 2017: fine-grained probabilities summed, against a binary model (``ml2dl.lessons.clinic.esteva``)."""

from __future__ import annotations

from pydantic import Field

from .base import Number, Request, Result, Values, WholeGrid
from .cnn import JobSnapshot


class EstevaRequest(Request):
    n_train: int = Field(400, ge=64, le=2000, description="training films (half normal, the rest four kinds)")
    epochs: int = Field(4, ge=1, le=10, description="epochs of each of the two trainings")
    seed: int = Field(0, ge=0, le=10_000)


class EstevaQuery(EstevaRequest):
    pass


class EstevaPaper(Result):
    images: int
    diseases: int
    classes: int


class EstevaModel(Result):
    auc: Number | None
    low: Number | None = Field(description="95% bootstrap interval of the AUC")
    high: Number | None
    accuracy: Number = Field(description="at P(abnormal) = 0.5")
    specificity: Number
    detected: Values = Field(description="share of each kind called abnormal at 0.5, in the order of `kinds`")
    scores: Values = Field(description="P(abnormal) of each test film")


class EstevaDifference(Result):
    diff: Number = Field(description="AUC of the fine-grained model minus AUC of the binary one")
    se: Number = Field(description="DeLong's paired standard error")
    low: Number
    high: Number
    p: Number


class EstevaExample(Result):
    kind: str
    image: WholeGrid = Field(description="28 × 28 grey levels 0–255")


class EstevaResult(Result):
    source: str
    paper: EstevaPaper
    n_train: int
    epochs: int
    seed: int
    n_test: int
    kinds: list[str]
    class_names: list[str]
    labels: list[int] = Field(description="the test films' kinds (0 normal)")
    fine: EstevaModel
    binary: EstevaModel
    difference: EstevaDifference
    confusion: list[list[int]] = Field(description="fine-grained model: truth in rows, its most probable class in columns")
    fine_accuracy: Number
    examples: list[EstevaExample] = Field(description="one patient, normal and with each kind")
    words: list[str]


class EstevaSnapshot(JobSnapshot):
    result: EstevaResult | None = Field(None, description="when done")
