"""The clinic chapter: train a run, read its ROC, see its mistakes (``ml2dl.lessons.clinic``).

The limits of a training request are written once, here: ``GET /api/clinic/options`` reads them
from these ``Field`` bounds for the page's controls.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ml2dl.lessons.clinic.data import MIN_TRAIN
from ml2dl.lessons.clinic.runs import MAX_EPOCHS

from .base import FieldLimits, Grid, JSONObject, Number, Request, Result, Values, WholeGrid, Wholes
from .cnn import JobSnapshot

RUN_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


# ------------------------------------------------------------------------------ clinic-train


class ClinicTrainRequest(Request):
    """What to train: the data, the model and the main settings of its :class:`~ml2dl.train.Recipe`."""

    source: Literal["phantom", "file", "folder"] = Field("phantom", description="data the server offers")
    n_train: int = Field(600, ge=MIN_TRAIN, le=100_000, description="training images (≤ the source's max_train)")
    architecture: Literal["strong", "lesson"] = "strong"
    width: int = Field(8, ge=4, le=32, description="filters of the first convolution")
    epochs: int = Field(5, ge=1, le=MAX_EPOCHS, description="passes over the training images (bounded per job)")
    batch_size: int = Field(32, ge=8, le=256)
    lr: float = Field(0.01, gt=0, le=0.1, description="learning rate (the peak of the one-cycle schedule)")
    optimizer: Literal["adamw", "adam", "sgd"] = "adamw"
    schedule: Literal["onecycle", "cosine", "constant"] = "onecycle"
    class_weight: Literal["balanced", "none"] = "balanced"
    augment: bool = Field(False, description="random affine augmentation of the training images")
    seed: int = Field(0, ge=0, le=9999, description="initial weights, shuffling, augmentation, the data draw")


class RunRequest(Request):
    run: str = Field(..., pattern=RUN_NAME, description="a run in the server's runs folder")


class RunQuery(RunRequest):
    pass


class SourceInfo(Result):
    id: str
    label: str
    synthetic: bool
    max_train: int
    min_train: int
    test_from: str


class ClinicOptions(Result):
    """What the server can train on, its architectures, and the request's limits."""

    sources: list[SourceInfo]
    architectures: dict[str, str]
    request: dict[str, FieldLimits] = Field(description="each field of ClinicTrainRequest: default, min/max, choices")
    max_runs: int
    max_epochs: int
    runs_folder: str


class HistoryRow(Result):
    epoch: int
    train_loss: Number | None = None
    val_loss: Number | None = None
    train_auc: Number | None = None
    val_auc: Number | None = None
    val_accuracy: Number | None = None
    epoch_seconds: Number | None = None


class RunSummary(Result):
    """A run in the runs folder (``lessons.clinic.runs.run_summary``)."""

    name: str
    origin: Literal["clinic", "ml2dl train"]
    data: str
    source: str | None
    synthetic: bool
    n_train: int | None
    architecture: str
    width: int | None
    parameters: int | None
    recipe: JSONObject
    epochs: int
    epochs_done: int
    complete: bool
    state: str
    best_epoch: int | None
    best_val_auc: Number | None
    history: list[HistoryRow]
    created: str | None
    modified: Number
    seconds: Number | None = None


class ClinicExtra(Result):
    history: list[HistoryRow] = Field(default_factory=list, description="one row per finished epoch")
    epochs: int | None = None


class ClinicSnapshot(JobSnapshot):
    extra: ClinicExtra | None = None
    result: RunSummary | None = Field(None, description="when done")


class ActiveRun(Result):
    run: str
    snapshot: ClinicSnapshot


class RunsResult(Result):
    runs: list[RunSummary] = Field(description="newest first")
    active: list[ActiveRun] = Field(description="clinic runs queued or training now")
    max_runs: int


class ClinicTrainResult(Result):
    run: str = Field(description="the run's name: clinic-<fingerprint of data, model and recipe>")
    reused: bool = Field(description="a finished run with these very settings was found: nothing is trained")
    summary: RunSummary | None = Field(None, description="the run, when reused")
    snapshot: ClinicSnapshot


class DeleteResult(Result):
    deleted: str
    runs: int


# ------------------------------------------------------------------------------ clinic-roc


class RocQuery(RunQuery):
    prevalence: float | None = Field(None, gt=0, lt=1, description="PPV and NPV for this share of pneumonia "
                                                                    "(default: each split's own)")


class Curve(Result):
    fpr: Values
    tpr: Values


class PrCurve(Result):
    precision: Values
    recall: Values
    average_precision: Number | None
    baseline: Number


class Calibration(Result):
    centres: Values
    observed: Values
    counts: Wholes
    ece: Number
    slope: Number | None
    intercept: Number | None
    words: str


class DecisionCurve(Result):
    thresholds: Values
    model: Values
    treat_all: Values
    treat_none: Values
    words: str


class SplitFigures(Result):
    n: int
    n_normal: int
    n_pneumonia: int
    prevalence: Number
    auc: Number | None
    auc_ci_bootstrap: list[Number | None]
    auc_ci_delong: list[Number | None]
    auc_se_delong: Number | None
    auc_words: str
    roc: Curve
    pr: PrCurve
    calibration: Calibration
    decision: DecisionCurve
    at_half: JSONObject


class PointOnSplit(Result):
    tp: int
    fp: int
    tn: int
    fn: int
    sensitivity: Number | None
    sensitivity_low: Number | None
    sensitivity_high: Number | None
    specificity: Number | None
    specificity_low: Number | None
    specificity_high: Number | None
    ppv: Number | None
    ppv_low: Number | None
    ppv_high: Number | None
    npv: Number | None
    npv_low: Number | None
    npv_high: Number | None


class OperatingPoint(Result):
    name: str
    label: str
    rule: str
    threshold: Number | None
    target: str | None
    why: str | None
    validation: PointOnSplit
    test: PointOnSplit | None = None
    row: int = Field(description="the threshold table's row of this threshold")
    shift: dict[str, Number | None] | None = Field(None, description="test − validation, percentage points")
    words: str | None = None


class TableSplit(Result):
    tp: Wholes
    fp: Wholes
    tn: Wholes
    fn: Wholes
    sensitivity: Values
    sensitivity_low: Values
    sensitivity_high: Values
    specificity: Values
    specificity_low: Values
    specificity_high: Values
    ppv: Values
    ppv_low: Values
    ppv_high: Values
    npv: Values
    npv_low: Values
    npv_high: Values
    fpr: Values = Field(description="1 − specificity: the point's x on the ROC curve")
    sample_prevalence: Number


class ThresholdTable(Result):
    """Row i: the threshold[i] (a validation score) on each split; the slider reads it."""

    threshold: Values
    prevalence: Number | None
    rows: int
    validation: TableSplit
    test: TableSplit | None = None


class Gulshan(Result):
    source: str
    points: list[JSONObject]


class RocResult(Result):
    run: str
    synthetic: bool
    source: str
    test_from: str
    has_test: bool
    points_chosen_on: str | None
    splits: dict[str, SplitFigures]
    points: list[OperatingPoint]
    why_points_move: str | None
    gulshan: Gulshan
    why: dict[str, str]
    prevalences: list[Number]
    table: ThresholdTable


# ------------------------------------------------------------------------------ clinic-mistakes


class MistakesQuery(RunQuery):
    split: Literal["validation", "test"] = "test"
    threshold: float = Field(0.5, ge=0, le=1, description="score ≥ threshold is called pneumonia")
    cell: Literal["fn", "fp", "tp", "tn"] = "fn"
    limit: int = Field(12, ge=1, le=24)


class Case(Result):
    index: int
    label: int
    probability: Number
    image: WholeGrid
    heatmap: Grid | None


class MistakesResult(Result):
    split: str
    threshold: Number
    cell: str
    cell_words: str
    counts: dict[str, int]
    sensitivity: Number | None
    specificity: Number | None
    total: int
    shown: int
    cases: list[Case]
    heatmap: str
    caveat: str
    synthetic: bool
