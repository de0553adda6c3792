"""The training loop step (``lessons.loop``): a run, a search, their plan and their jobs' snapshots."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ml2dl.lessons import loop as lesson

from .base import FieldLimits, JSONObject, Number, Request, Result
from .cnn import JobSnapshot

LO, HI = lesson.LR_RANGE


class Sizes(Request):
    """What every run shares: how much data, how it is cut into batches, how long, when to stop."""

    n_train: int = Field(600, ge=lesson.MIN_TRAIN, le=100_000,
                         description="training images (at most the server's pool; see /api/loop/options)")
    batch_size: int = Field(32, ge=1, le=lesson.MAX_BATCH)
    epochs: int = Field(20, ge=1, le=lesson.MAX_EPOCHS)
    patience: int = Field(3, ge=0, le=lesson.MAX_PATIENCE, description="0: never stop early")


class RunRequest(Sizes):
    """One run of the loop (``lessons.loop.run_loop``)."""

    lr: float = Field(3e-3, ge=LO, le=HI, description="Adam's learning rate")
    width: int = Field(8, ge=1, le=lesson.MAX_WIDTH, description="filters of the first convolution")


class SearchRequest(Sizes):
    """A grid search: one run per (learning rate, width) (``lessons.loop.run_search``)."""

    lrs: list[float] = Field([1e-3, 3e-3, 1e-2], min_length=1, max_length=lesson.MAX_RUNS)
    widths: list[int] = Field([4, 8], min_length=1, max_length=lesson.MAX_RUNS)


class PlanRequest(Request):
    n_train: int = Field(600, ge=1, le=100_000)
    batch_size: int = Field(32, ge=1, le=lesson.MAX_BATCH)
    epochs: int = Field(20, ge=1, le=lesson.MAX_EPOCHS)
    lrs: list[float] = Field([1e-3, 3e-3, 1e-2], min_length=1, max_length=20,
                             description="the search's learning rates (runs = learning rates × widths)")
    widths: list[int] = Field([4, 8], min_length=1, max_length=20, description="the search's widths")


class Plan(Result):
    """What a run or a search will do: batches per epoch = ⌈N / b⌉, and whether it is within the budget."""

    n_train: int
    batch_size: int
    epochs: int
    runs: int
    batches_per_epoch: int
    full_batches: int = Field(description="batches of exactly batch_size images: ⌊N / b⌋")
    last_batch: int
    updates_per_run: int
    images: int = Field(description="images trained on: N · epochs (· runs)")
    limit: int
    within_budget: bool
    message: str | None = Field(description="why it is over the budget")


class PlanResult(Result):
    run: Plan
    search: Plan


class OptionsResult(Result):
    """What the page may offer: the request models' limits and the server's images."""

    run: dict[str, FieldLimits]
    search: dict[str, FieldLimits]
    pool: dict[str, int] = Field(description="n_train, n_val: the images this server trains on")
    synthetic: bool
    source: str
    lr_choices: list[Number]
    width_choices: list[int]
    steps: list[str] = Field(description="the six steps of the loop, in order")


class Counts(Result):
    normal: int
    pneumonia: int


class DataInfo(Result):
    n_train: int
    n_val: int
    pool: int
    image_size: int
    train_counts: Counts
    val_counts: Counts
    synthetic: bool
    source: str


class EpochRow(Result):
    epoch: int
    train_loss: Number | None
    val_loss: Number | None
    train_accuracy: Number | None
    val_accuracy: Number | None
    val_auc: Number | None
    saved: bool = Field(description="a new highest validation AUC: this epoch's weights were saved")
    batches: int


class ModelInfo(Result):
    name: str
    width: int
    parameters: int
    layers: str


class RunResult(Result):
    settings: JSONObject
    plan: Plan
    data: DataInfo
    model: ModelInfo
    history: list[EpochRow]
    best_epoch: int
    best: EpochRow
    stopped: Literal["completed", "early_stopping"]
    epochs_run: int
    updates: int
    seconds: Number
    text: dict[str, str]


class SearchRow(Result):
    trial: int
    lr: Number
    width: int
    parameters: int
    val_auc: Number | None
    val_accuracy: Number | None
    val_loss: Number | None
    best_epoch: int | None
    epochs_run: int | None
    stopped: str | None
    seconds: Number
    chosen: bool


class SearchResult(Result):
    settings: JSONObject
    plan: Plan
    data: DataInfo
    runs: list[SearchRow]
    chosen: SearchRow
    text: dict[str, str]


class LoopSnapshot(JobSnapshot):
    fp: str = Field(description="the job's fingerprint: /api/loop/<run|search>/<fp>/progress and /cancel")


class RunSnapshot(LoopSnapshot):
    result: RunResult | None = Field(description="when done")


class SearchSnapshot(LoopSnapshot):
    result: SearchResult | None = Field(description="when done")
