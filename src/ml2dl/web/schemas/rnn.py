"""Beyond images, step ``rnn``: a recurrent network on a patient's vital signs (``ml2dl.lessons.rnn``).

The choices (hidden units, epochs) are the lesson's constants, so a limit is written once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ml2dl.lessons import rnn as lesson

from .base import Grid, Number, Request, Result, Values
from .cnn import JobSnapshot


def one_of(name: str, choices: tuple):
    def check(value):
        if value not in choices:
            raise ValueError(f"{name} must be one of {', '.join(str(c) for c in choices)}, got {value}")
        return value
    return AfterValidator(check)


class RnnTrainRequest(Request):
    """The networks' settings (hidden units, epochs, seed): one training job each."""

    hidden: Annotated[int, one_of("hidden", lesson.HIDDEN_CHOICES)] = Field(12, description="hidden units H of both networks")
    epochs: Annotated[int, one_of("epochs", lesson.EPOCH_CHOICES)] = Field(20, description="passes over the training patients")
    seed: int = Field(0, ge=0, le=lesson.MAX_SEED, description="the patients and the initial weights")


class RnnRequest(RnnTrainRequest):
    """The trained networks' settings and the validation patient to show."""

    patient: int = Field(0, ge=0, le=lesson.N_VAL - 1, description="which validation patient to show")


class RnnOptions(Result):
    hidden: list[int]
    epochs: list[int]
    seed: dict[str, int] = Field(description="min, max")
    patient: dict[str, int] = Field(description="min, max")
    defaults: dict[str, Number]


class Patient(Result):
    index: int
    hours: list[int]
    signals: Grid = Field(description="heart rate (bpm), respiratory rate (/min), SpO₂ (%) per hour")
    label: Literal[0, 1] = Field(description="1: deteriorates after hour 24")
    onset: int = Field(description="first hour of the drift (0: stable patient)")
    hidden: Grid = Field(description="hₜ: one row per hidden unit, one column per hour")
    risk: Values = Field(description="σ(w·hₜ + b) after every hour")
    risk_last_hour: Number = Field(description="the last-hour network's probability")


class Accuracy(Result):
    rnn: Number
    last_hour: Number
    difference_points: Number
    verdict: Literal["better", "worse", "same"]
    same_within_points: Number


class Fall(Result):
    norm: Values = Field(description="‖∂L/∂hₜ‖ by lag 24 − t = 0..23")
    hour1_over_hour24: Number | None
    per_hour: Number | None
    trend: Literal["vanishes", "keeps", "explodes"] = Field(description="hour1_over_hour24 < 0.01, 0.01..100, > 100")


class Gradient(Result):
    lag: list[int]
    at_init: Fall
    trained: Fall


class RnnTrained(Result):
    """What the training job measured: both accuracies, the gradient through time, the losses."""

    accuracy: Accuracy
    gradient: Gradient
    loss: dict[str, Values]
    data: dict[str, int | list[str] | Values | list[int]]
    hidden: int
    epochs: int
    seed: int
    lr: Number
    batch_size: int
    parameters: dict[str, int]
    checkpoints: dict[str, str] = Field(description="file names of the nn.save checkpoints in the cache folder")


class RnnSnapshot(JobSnapshot):
    result: RnnTrained | None = Field(description="when done")


class RnnPatientResult(Result):
    """One validation patient through the trained networks."""

    patient: Patient
    hidden: int
    epochs: int
    seed: int
