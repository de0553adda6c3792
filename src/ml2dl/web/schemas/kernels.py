"""Step 7: the kernel explorer (``ml2dl.lessons.kernels``, images from ``ml2dl.data.uploads``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ml2dl.data.uploads import MAX_SIDE
from ml2dl.lessons import kernels as lesson

from .base import Grid, Number, Request, Result

Kernel = list[Annotated[list[float], Field(min_length=3, max_length=3)]]


class ApplyRequest(Request):
    image: str = Field("sample:retina", max_length=64, description="'sample:<name>' or 'upload:<id>'")
    kernel: Kernel = Field(default_factory=lambda: lesson.PRESETS["sharpen"]["kernel"], min_length=3, max_length=3,
                           description="3×3 weights, each within ±100")
    display: Literal["auto", "clip", "signed"] = "auto"
    include_original: bool = False
    sigma: float | None = Field(None, ge=lesson.SIGMA_RANGE[0], le=lesson.SIGMA_RANGE[1],
                                description="blur with the Gaussian of this σ (pixels) instead of the 3×3 kernel")


class PixelRequest(ApplyRequest):
    row: int = Field(..., ge=0, le=MAX_SIDE - 1)
    col: int = Field(..., ge=0, le=MAX_SIDE - 1)
    include_original: bool = False


class Padding(Result):
    mode: Literal["reflect", "nearest"] = Field(description="how the image is extended beyond its border (SciPy's names)")
    about: str


class Preset(Result):
    name: str
    label: str
    kernel: Grid
    about: str
    sum: Number = Field(description="the weights' sum (1: brightness kept, 0: an edge detector)")
    display: Literal["clip", "signed"]


class PresetsResult(Result):
    presets: list[Preset]
    limit: Number = Field(description="largest |weight| accepted")
    sigma: dict[str, Number] = Field(description="the Gaussian blur's σ range (pixels) and the notebook's σ")


class Sample(Result):
    name: str
    title: str
    modality: str
    source: str
    attribution: str
    note: str
    image: str | None = Field(None, description="the image reference when it is not 'sample:<name>' (the server's chest X-ray)")


class SamplesResult(Result):
    samples: list[Sample]
    max_upload_bytes: int
    max_upload_mb: int
    max_side: int


class DisplayScale(Result):
    """How filtered values map to grey levels: value ``black`` → 0, ``white`` → 255."""

    mode: Literal["clip", "signed"]
    black: Number
    white: Number


class FilterStats(Result):
    min: Number
    max: Number
    mean: Number
    outside_0_255: Number = Field(description="share of outputs outside 0..255")


class ApplyResult(Result):
    """The filtered image as a PNG data URL, and its statistics (``lessons.kernels.apply_kernel``)."""

    height: int
    width: int
    kernel: Grid
    kernel_size: int = Field(description="3, or 2r + 1 for the Gaussian σ blur")
    kernel_sum: Number
    sigma: Number | None = Field(description="the Gaussian's σ, or null for the 3×3 kernel")
    padding: Padding
    parameters: int
    display: DisplayScale
    stats: FilterStats
    filtered_png: str
    original_png: str | None = Field(None, description="the input image (only with include_original)")
    image: str = Field(description="the image reference asked for")


class PixelResult(Result):
    """The 9 products behind one output pixel (``lessons.kernels.explain_pixel``)."""

    row: int
    col: int
    patch: Grid = Field(description="the k×k input values (the extended border outside the image)")
    inside: list[list[bool]]
    kernel: Grid
    products: Grid
    sum: Number
    conv_output: Number
    shown_grey: int
    display: DisplayScale
    padding: Padding


class UploadResult(Result):
    image: str = Field(description="'upload:<id>', for apply and pixel")
    name: str
    height: int
    width: int
    original_png: str
