"""Steps 5 and 9: CNNs trained in the background (``ml2dl.lessons.images``, ``ml2dl.lessons.pipeline``).

A training is a job (``ml2dl.web.jobs``); every job route answers its :class:`JobSnapshot`.
Before anyone has started the job the snapshot is only ``{name, status: "none", progress,
percent, result: null}``: the routes send the fields that are set (``response_model_exclude_unset``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Grid, JSONObject, Number, Request, Result, Values, WholeGrid, Wholes

JobStatus = Literal["none", "queued", "running", "done", "failed", "cancelled"]


class JobSnapshot(Result):
    """A long job's state, the same from every worker of the server."""

    name: str
    key: str | None = Field(None, description="name-fingerprint: the data and budget the job trains on")
    status: JobStatus
    progress: Number = Field(description="0..1")
    percent: Number = Field(description="0..100, one decimal")
    message: str | None = None
    extra: JSONObject | None = Field(None, description="partial results shown while the job runs")
    error: str | None = Field(None, description="why the job failed")
    cached: bool | None = Field(None, description="the result comes from an earlier run of the server")
    elapsed_s: Number | None = Field(None, description="seconds since it started running (0 while it waits)")
    waited_s: Number | None = Field(None, description="while queued: seconds since it was asked for")
    ahead: list[str] | None = Field(None, description="while queued: the jobs of this worker it waits for")
    detached: bool | None = Field(None, description="this student stopped following a job others still follow "
                                                    "(it runs on for them)")
    others: int | None = Field(None, ge=0, description="when detached: how many other students still follow it "
                                                       "(besides the class, for a job the server started)")


class BudgetInfo(Result):
    n_train: int
    n_val: int
    epochs: int
    batch_size: int
    lr: Number
    seed: int


# ------------------------------------------------------------------------------ step 5


class ViewQuery(Request):
    index: int = Field(0, ge=0, le=9999, description="which held-out image")


class FcParameters(Result):
    height: int
    width: int
    neurons: int
    inputs: int
    weights: int
    biases: int
    parameters: int


class Pair(Result):
    original: Number
    shuffled: Number


class ImageViewResult(Result):
    """A held-out image and its pixel-shuffled twin, with every 3×3 neighbourhood (``lessons.images.image_view``)."""

    index: int
    count: int = Field(description="held-out images to choose from")
    height: int
    width: int
    label: int
    label_name: str
    synthetic: bool
    source: str
    original: WholeGrid
    shuffled: WholeGrid
    perm: Wholes = Field(description="shuffled pixel p is original pixel perm[p]")
    moved_to: Wholes = Field(description="original pixel i sits at moved_to[i]")
    neighbour_index: WholeGrid = Field(description="per pixel, its 3×3 neighbours' indices (-1 outside)")
    neighbourhoods: dict[str, WholeGrid] = Field(description="per pixel, its 3×3 neighbours' grey levels (null outside)")
    neighbour_difference: Pair = Field(description="mean |difference| between adjacent pixels")
    fc_parameters: FcParameters
    fc_parameters_here: FcParameters


class Arm(Result):
    model: Literal["fc", "cnn"]
    pixels: Literal["original", "shuffled"]
    label: str
    accuracy: Number
    percent: Number
    train_loss: Values
    parameters: int
    seconds: Number


class ArmSummary(Result):
    original: Number
    shuffled: Number
    change_points: Number
    lost: bool


class Baseline(Result):
    label: str
    accuracy: Number
    percent: Number


class ShiftPoint(Result):
    shift: int = Field(description="pixels every held-out image was moved by (random direction)")
    percent: Number = Field(description="held-out accuracy (%) on the moved images")


class Translation(Result):
    shifts: list[int]
    curves: dict[str, list[ShiftPoint]] = Field(description="per network trained on original images (fc, cnn)")


class Findings(Result):
    shuffle: dict[str, str] = Field(description="fc, cnn: what the shuffle did, in words computed from the accuracies")
    shift: dict[str, str] = Field(description="fc, cnn, comparison: what moving the images did, in words")


class BrightnessRule(Result):
    threshold: Number = Field(description="mean grey level t chosen on the training images")
    pneumonia_when: Literal["brighter", "darker"]
    percent: Number = Field(description="held-out accuracy (%) of the rule")


class ShuffleResult(Result):
    """The four trainings: FC and CNN, on original and shuffled pixels (``lessons.images.run_shuffle_experiment``)."""

    arms: list[Arm]
    summary: dict[str, ArmSummary]
    translation: Translation
    brightness_rule: BrightnessRule
    findings: Findings
    baseline: Baseline
    n_train: int
    n_val: int
    val_counts: dict[str, int]
    budget: BudgetInfo
    standardisation: dict[str, Number]
    synthetic: bool
    source: str


class ShuffleSnapshot(JobSnapshot):
    result: ShuffleResult | None = Field(description="when done")


# ------------------------------------------------------------------------------ step 9


class ExplainQuery(Request):
    index: int = Field(..., ge=0, le=99_999, description="a held-out image")


class PipelineResult(Result):
    """The trained CNN (``lessons.pipeline.train_pipeline``)."""

    checkpoint: str = Field(description="file name of the nn.save checkpoint in the cache folder")
    accuracy: Number
    accuracy_percent: Number
    baseline: Number
    baseline_percent: Number
    n_train: int
    n_val: int
    train_loss: Values
    mean: Number
    std: Number
    seconds: Number
    parameters: int
    budget: BudgetInfo
    synthetic: bool
    source: str


class PipelineSnapshot(JobSnapshot):
    result: PipelineResult | None = Field(description="when done")


class StageName(Result):
    name: str
    short: str
    title: str


class Example(Result):
    index: int
    label: int
    label_name: str
    image: WholeGrid


class ExamplesResult(Result):
    """Held-out images (normal and pneumonia) to push through the CNN."""

    examples: list[Example]
    synthetic: bool
    source: str
    stages: list[StageName]


class StageScale(Result):
    signed: bool
    min: Number
    max: Number


class Stage(StageName):
    """One stage's output; which of the optional fields are sent depends on the stage."""

    what: str
    shape: list[int]
    maps: list[Grid] | None = Field(None, description="feature maps (C, H, W)")
    scale: StageScale | None = None
    map_max: Values | None = None
    map_min: Values | None = None
    kernels: list[Grid] | None = Field(None, description="conv1's learned 3×3 filters")
    parameters: int | None = None
    values: Values | None = Field(None, description="flatten: the 784 numbers")
    groups: int | None = None
    logit: Number | None = None
    bias: Number | None = None
    contributions: Values | None = Field(None, description="linear: each map's share of the logit")
    probability: Number | None = None


class TrainingSummary(Result):
    accuracy: Number
    accuracy_percent: Number
    baseline: Number
    baseline_percent: Number
    n_train: int
    n_val: int
    seconds: Number


class ExplainResult(Result):
    """One held-out image through the trained CNN, stage by stage (``lessons.pipeline.explain_example``)."""

    stages: list[Stage]
    logit: Number
    probability: Number
    probability_percent: Number
    prediction: int
    prediction_name: str
    index: int
    label: int
    label_name: str
    correct: bool
    image: WholeGrid
    synthetic: bool
    source: str
    training: TrainingSummary
