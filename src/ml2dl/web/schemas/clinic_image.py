"""clinic-image: a student's own image read by a run (``ml2dl.lessons.clinic.image``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Number, Request, Result, Values, WholeGrid
from .clinic import RUN_NAME
from .cnn import JobSnapshot

KEY = r"^[0-9a-f]{24}$"


class ScanHeader(Result):
    """The header fields a student needs; nothing that identifies a patient is ever read out."""

    modality: str
    rows: int
    columns: int
    pixel_spacing_mm: Values | None = Field(None, description="[row spacing, column spacing] in mm")
    unit: str


class Preset(Result):
    name: str
    centre: Number
    width: Number


class UploadScanResult(Result):
    image: str = Field(description="the key of the kept pixel values (24 hex digits)")
    kind: Literal["dicom", "picture"]
    header: ScanHeader
    centre: Number = Field(description="the window the image opens with (the file's own, or its full range)")
    width: Number
    low: Number = Field(description="the smallest value in the image")
    high: Number
    presets: list[Preset]
    ttl_minutes: int


class ExampleRequest(Request):
    name: Literal["ct_small", "mr_small"] = Field(..., description="a DICOM file shipped with pydicom")


class ReadRequest(Request):
    image: str = Field(..., pattern=KEY)
    run: str = Field(..., pattern=RUN_NAME)
    point: Literal["screening", "high_specificity", "balanced", ""] = ""
    centre: float = Field(..., ge=-1e6, le=1e6, description="window centre, in the image's units")
    width: float = Field(..., gt=0, le=1e7, description="window width, in the image's units")


class PointChoice(Result):
    name: str
    label: str
    threshold: Number


class ReadResult(Result):
    probability: Number
    point: str | None
    threshold: Number
    rule: str
    label: Literal["normal", "pneumonia"]
    points: list[PointChoice]
    centre: Number
    width: Number
    display: WholeGrid = Field(description="the windowed image, grey 0–255, longer side ≤ 256")
    model_input: WholeGrid = Field(description="what the model saw: H × W grey 0–255")
    heatmap: list[Values] | None
    heatmap_words: str
    words: list[str]


class ForgetRequest(Request):
    image: str = Field(..., pattern=KEY)


class KeptRequest(Request):
    image: str = Field(..., pattern=KEY, description="the key an upload returned")


class ForgetResult(Result):
    forgotten: bool


# ------------------------------------------------------------------------------ cases


class CasesQuery(Request):
    run: str = Field(..., pattern=RUN_NAME)
    point: Literal["screening", "high_specificity", "balanced"] = "balanced"


class PointInfo(Result):
    name: str
    label: str
    threshold: Number | None
    rule: str


class Counts(Result):
    tp: int
    fp: int
    tn: int
    fn: int


class GulshanPoint(Result):
    name: str
    label: str
    threshold: Number | None
    rule: str
    validation: dict[str, Number | None]
    test: dict[str, Number | None] | None = None
    theirs: dict[str, Number]


class Gulshan(Result):
    source: str
    points: list[GulshanPoint]
    words: list[str]


class Rajpurkar(Result):
    source: str
    theirs: dict[str, Number]
    f1: Number | None
    low: Number | None
    high: Number | None
    n_boot: int
    used: int
    n: int
    words: list[str]


class McKinney(Result):
    source: str
    second_reader_saving: Number
    n: int
    read: int
    cleared: int
    read_share: Number | None
    cleared_share: Number | None
    missed: int
    missed_share: Number | None
    false_alarms: int
    words: list[str]


class CasesResult(Result):
    run: str
    split: Literal["validation", "test"]
    synthetic: bool
    point: str
    points: list[PointInfo]
    threshold: Number | None
    counts: Counts
    gulshan: Gulshan
    rajpurkar: Rajpurkar
    mckinney: McKinney


class ShortcutRequest(Request):
    n_train: int = Field(400, ge=64, le=2000, description="training films at hospital A")
    epochs: int = Field(4, ge=1, le=10)
    seed: int = Field(0, ge=0, le=10_000)


class ShortcutModel(Result):
    auc_internal: Number | None
    auc_new: Number | None
    scores_internal: Values
    scores_new: Values


class ShortcutExample(Result):
    label: int
    probability: Number
    image: WholeGrid
    heatmap: list[Values]


class ShortcutResult(Result):
    source: str
    n_train: int
    epochs: int
    seed: int
    p_marked: Values
    p_new: Number
    train_marked_share: dict[str, Number]
    labels: list[int]
    marks_internal: list[bool]
    marks_new: list[bool]
    marked: ShortcutModel
    control: ShortcutModel
    cam_share_in_marker: Number | None
    marker_area_share: Number
    pull: dict[str, Number]
    examples: list[ShortcutExample]
    words: list[str]


class ShortcutSnapshot(JobSnapshot):
    result: ShortcutResult | None = Field(None, description="when done")


class ShortcutQuery(ShortcutRequest):
    pass


class PretrainRequest(Request):
    n_real: int = Field(200, ge=32, le=2000, description="real X-rays to fine-tune on (and to train from scratch on)")
    n_synthetic: int = Field(1000, ge=100, le=3000, description="phantom films to pre-train on")
    epochs: int = Field(4, ge=1, le=10, description="epochs of each of the three trainings")
    seed: int = Field(0, ge=0, le=10_000)


class PretrainQuery(PretrainRequest):
    pass


class JudgedModel(Result):
    auc: Number | None
    low: Number | None
    high: Number | None
    scores: Values


class PretrainResult(Result):
    source: str
    data: str
    split: Literal["validation", "test"]
    n_test: int
    n_real: int
    n_synthetic: int
    epochs: int
    seed: int
    labels: list[int]
    pretrained: JudgedModel
    finetuned: JudgedModel
    scratch: JudgedModel
    words: list[str]


class PretrainSnapshot(JobSnapshot):
    result: PretrainResult | None = Field(None, description="when done")
