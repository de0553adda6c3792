"""What :func:`~ml2dl.train.fit` tells its callers: events while it trains, and its result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import nn
from .recipe import Recipe


class StopTraining(Exception):
    """Raise from a callback to end training cleanly after the current batch.

    The current (partial) epoch is validated, the best checkpoint kept, and :func:`fit`
    returns normally with ``result.stopped == "callback"``.
    """


@dataclass
class TrainEvent:
    """What a callback receives.

    Attributes:
        stage: ``"start"`` (before the first batch), ``"batch"`` (after each batch),
            ``"epoch"`` (after each validation, with ``row``) or ``"end"``.
        epoch: the current epoch, from 1. ``epochs``: how many are planned.
        batch, batches: the batch just done in this epoch (from 1) and batches per epoch.
        loss: mean training loss of this epoch so far.
        lr: the learning rate of the last step.
        elapsed: seconds of training in this run (including before a resume).
        row: the history row of the epoch just validated (``"epoch"`` stage).
        best_epoch, best_val_auc: the best checkpoint so far.
        stopped: why training ended (``"end"`` stage): completed, early_stopping,
            time_budget, callback, interrupted.
        batch_loss: the loss of the batch just done (``"batch"`` stage).
    """

    stage: str
    epoch: int
    epochs: int
    batch: int = 0
    batches: int = 0
    loss: float | None = None
    lr: float | None = None
    elapsed: float = 0.0
    row: dict | None = None
    best_epoch: int | None = None
    best_val_auc: float | None = None
    stopped: str | None = None
    batch_loss: float | None = None


@dataclass
class FitResult:
    """What :func:`fit` returns. ``model`` holds the best weights unless ``restore_best=False``."""

    model: nn.Sequential
    history: list[dict]
    best_epoch: int | None
    best_val_auc: float | None
    stopped: str
    seconds: float
    run_dir: Path | None = None
    operating_points: dict | None = None
    recipe: Recipe | None = None
    pos_weight: float | None = None
    classes: int = 2  # K > 2: a K-class model (cross-entropy)
