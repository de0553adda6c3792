"""When learning goes wrong: steps ``overfitting`` and ``vanishing`` (each a background job).

The lessons are ``ml2dl.lessons.overfitting`` and ``ml2dl.lessons.vanishing``; their choices
(training-set sizes, epochs, cure strengths, depths) are the lessons' constants, so a limit is
written once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ml2dl.lessons import overfitting as over
from ml2dl.lessons import vanishing as van

from .base import Number, Request, Result, Values
from .cnn import JobSnapshot



def one_of(name: str, choices: tuple):
    """A validator: the value must be one of ``choices`` (numbers from a query string are parsed first)."""
    def check(value):
        if value not in choices:
            raise ValueError(f"{name} must be one of {', '.join(f'{c:g}' for c in choices)}, got {value:g}")
        return value
    return AfterValidator(check)


NTrain = Annotated[int, one_of("n_train", over.N_TRAIN_CHOICES)]
Epochs = Annotated[int, one_of("epochs", over.EPOCH_CHOICES)]
Dropout = Annotated[float, one_of("dropout", over.DROPOUT_CHOICES)]
L2 = Annotated[float, one_of("l2", over.L2_CHOICES)]
LearningRate = Annotated[float, one_of("lr", van.LR_CHOICES)]


# ------------------------------------------------------------------------------ overfitting


class OverfittingRequest(Request):
    """The experiment: training-set size, epochs, and the cures (0 / false switches one off)."""

    n_train: NTrain = Field(100, description="training images (a deliberately small set)")
    epochs: Epochs = Field(60, description="passes over the training images")
    dropout: Dropout = Field(0.5, description="dropout probability p after the hidden layer (0: off)")
    l2: L2 = Field(0.01, description="L2 weight decay λ (0: off)")
    augment: bool = Field(True, description="random rotation, zoom and shift of every training image, every epoch")


class DataSource(Result):
    """The chest images a step trains on (the server's ``--data``, else phantoms), said before it trains."""

    synthetic: bool
    source: str


class OverfittingOptions(Result):
    """What the page may offer: the request's choices and defaults."""

    n_train: list[int]
    epochs: list[int]
    dropout: Values
    l2: Values
    defaults: dict[str, Number | bool]
    n_val: int
    architecture: str
    data: DataSource



class Versus(Result):
    final_val_loss_change: Number
    final_val_loss_verdict: Literal["lower", "higher", "same"]
    best_val_loss_change: Number
    best_val_loss_verdict: Literal["lower", "higher", "same"]
    gap_change: Number
    gap_verdict: Literal["lower", "higher", "same"]
    final_accuracy_change_points: Number
    helped: bool = Field(description="its final validation loss is lower than without a cure")


class CureArm(Result):
    """One network: its cures, its curves per epoch, what they show (``lessons.overfitting.analyse``)."""

    key: Literal["none", "dropout", "l2", "augment", "all"]
    label: str
    cures: list[str]
    dropout: Number
    l2: Number
    augment: bool
    parameters: int
    seconds: Number
    train_loss: Values = Field(description="per epoch, on the training images with dropout off, not augmented")
    train_accuracy: Values
    val_loss: Values
    val_accuracy: Values
    best_epoch: int = Field(description="epoch (from 1) of the lowest validation loss")
    best_val_loss: Number
    best_val_accuracy: Number
    train_loss_at_best: Number
    final_val_loss: Number
    final_val_accuracy: Number
    final_train_loss: Number
    gap_at_best: Number
    gap: Number = Field(description="validation − training loss at the last epoch")
    rise: Number = Field(description="final − lowest validation loss")
    train_fell: bool
    overfits: bool = Field(description="validation loss turned up while training loss kept falling")
    versus_none: Versus | None = None


class Best(Result):
    at_best_epoch: str
    at_last_epoch: str


class Counts(Result):
    normal: int
    pneumonia: int


class OverfittingResult(Result):
    """The networks trained side by side (``lessons.overfitting.run_experiment``)."""

    arms: list[CureArm]
    best: Best
    baseline: dict[str, str | Number]
    n_train: int
    n_val: int
    train_counts: Counts
    val_counts: Counts
    parameters: int
    parameters_per_image: Number
    architecture: str
    batch_size: int
    lr: Number
    augment: dict[str, Number | Values]
    loss_tolerance: Number
    standardisation: dict[str, Number]
    settings: dict[str, Number | bool]
    synthetic: bool
    source: str


class OverfittingSnapshot(JobSnapshot):
    result: OverfittingResult | None = Field(description="when done")


# ------------------------------------------------------------------------------ vanishing


class VanishingRequest(Request):
    """The deep stacks: how deep, how long they train, SGD's step."""

    depth: int = Field(10, ge=2, le=van.MAX_DEPTH, description="hidden layers")
    epochs: int = Field(40, ge=1, le=van.MAX_EPOCHS, description="passes over the 256 points (8 SGD steps each)")
    lr: LearningRate = Field(0.1, description="SGD learning rate (no momentum)")
    seed: int = Field(0, ge=0, le=9999, description="data and initial weights")


class VanishingOptions(Result):
    """What the page may offer, and the defaults."""

    depth: dict[str, int] = Field(description="min, max")
    epochs: list[int]
    lr: Values
    seed: dict[str, int] = Field(description="min, max")
    defaults: dict[str, Number]
    width: int
    points: int
    networks: list[dict[str, str]] = Field(description="activation, init, label of each network, in the order trained")


class Gradients(Result):
    """One measurement (``lessons.vanishing.measure``), gradient norms to 4 significant figures."""

    trend: Literal["vanishes", "keeps", "explodes"] = Field(description="from delta_first_over_last: < 0.01, 0.01..100, > 100")
    loss: Number
    weight_grad: Values = Field(description="‖∂L/∂W_l‖ per Linear layer, input side first")
    delta: Values = Field(description="‖δ_l‖ = ‖∂L/∂z_l‖ per Linear layer")
    ratio: Values = Field(description="‖δ_l‖ / ‖δ_{l+1}‖ between consecutive hidden layers")
    ratio_typical: Number | None = Field(description="geometric mean of ratio: the factor per layer")
    slope_mean: Values = Field(description="mean f′(z_l) per hidden layer")
    slope_max: Values
    first_over_last: Number | None
    delta_first_over_last: Number | None = Field(description="‖δ₁‖ / ‖δ_L‖: what reaches the first hidden layer")


class StackArm(Result):
    activation: Literal["sigmoid", "tanh", "relu"]
    init: Literal["xavier", "he"]
    label: str
    slope_bound: Number = Field(description="the largest value of f′")
    loss: Values = Field(description="training loss at initialisation, then after every epoch")
    final_loss: Number
    accuracy: Number
    at_init: Gradients
    trained: Gradients


class VanishingResult(Result):
    """Three deep stacks trained side by side (``lessons.vanishing.compare``)."""

    arms: list[StackArm]
    layers: list[str]
    depth: int
    width: int
    epochs: int
    lr: Number
    seed: int
    points: int
    batch_size: int
    steps: int
    problem: str
    sigmoid_slope_max: Number
    quarter_power: Number


class VanishingProgress(Result):
    """Where the job is (``lessons.vanishing.compare``'s ``progress``), and the result so far; empty until
    the first epoch has been trained."""

    network: Literal["sigmoid", "tanh", "relu"] | None = Field(None, description="the network training, or just finished")
    epoch: int | None = None
    loss: Number | None = Field(None, description="its mean training loss in that epoch")
    partial: VanishingResult | None = Field(None, description="the result so far: the networks finished so far in arms")


class VanishingSnapshot(JobSnapshot):
    extra: VanishingProgress | None = Field(None, description="while running: where it is and the networks finished so far")
    result: VanishingResult | None = Field(None, description="when done")
