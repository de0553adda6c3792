"""Beyond images: steps ``data``, ``architectures`` and ``quiz`` (and the check at the end of a step).

The lessons are ``ml2dl.lessons.data``, ``ml2dl.lessons.architectures`` and ``ml2dl.lessons.quiz``;
their limits are the lessons' constants, so a limit is written once.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ml2dl.lessons import quiz as quiz_lesson

from .base import Number, Request, Result

# ------------------------------------------------------------------------------ quiz

KindName = Literal[tuple(quiz_lesson.KINDS)]  # type: ignore[valid-type]
Seed = Field(0, ge=0, le=quiz_lesson.MAX_SEED, description="which variant: 0 is the course's own numbers")


class QuestionRequest(Request):
    kind: KindName = Field(description="the kind of question (GET /api/quiz/kinds)")
    seed: int = Seed


class CheckRequest(QuestionRequest):
    answer: str | Number = Field(description="the student's answer: a number, or one of the question's choices")


class SetRequest(Request):
    seed: int = Field(0, ge=0, le=quiz_lesson.MAX_SEED, description="which set: 0 starts with the course's questions")
    count: int = Field(8, ge=1, le=quiz_lesson.MAX_SET)


class ScoreRequest(Request):
    answers: list[CheckRequest] = Field(max_length=quiz_lesson.MAX_SET, description="the answers of one set")


class KindInfo(Result):
    kind: str
    title: str
    step: str = Field(description="the URL name of the step it belongs to")
    answer_type: Literal["int", "number", "choice"]
    choices: list[str]
    course: bool = Field(description="seed 0 is the course's own question")


class KindsResult(Result):
    kinds: list[KindInfo]


class Question(Result):
    """A question: its numbers and wording, never its answer."""

    kind: str
    seed: int
    next_seed: int | None = Field(description="the next seed whose numbers differ ('new numbers')")
    title: str
    step: str
    answer_type: Literal["int", "number", "choice"]
    choices: list[str]
    numbers: dict[str, Number | str | list[Number] | list[list[Number]]]
    text: str
    course: bool


class CheckResult(Question):
    answer: str | Number = Field(description="the answer as read")
    correct: bool
    right_answer: str | Number = Field(description="rounded as asked (two decimals for numbers)")
    exact: str | Number
    working: list[str] = Field(description="how the answer is worked out, line by line")


class QuizSet(Result):
    seed: int
    count: int
    questions: list[Question]


class ScoreResult(Result):
    right: int
    total: int
    fraction: Number | None
    results: list[CheckResult]


# ------------------------------------------------------------------------------ architectures


class LayerRow(Result):
    layer: str = Field(description="the layer's class (or 'last step' for the RNN's read-out)")
    description: str
    output_shape: list[int] | None = Field(description="one example's shape after the layer (no batch axis)")
    params: int


class ModelFacts(Result):
    available: bool = Field(description="False while the engine lacks the layer (the RNN before nn.RNN)")
    input_shape: list[int]
    layers: list[LayerRow]
    total_params: int | None
    output_shape: list[int] | None


class InputFacts(Result):
    what: str
    shape: list[int]


class ArchitectureKind(Result):
    key: Literal["tabular", "image", "sequence"]
    data: str
    examples: list[str]
    input: InputFacts
    network: str
    reason: str
    step: str = Field(description="the URL name of the step where the student trains one")
    model: ModelFacts


class ArchitecturesResult(Result):
    kinds: list[ArchitectureKind]


# ------------------------------------------------------------------------------ data

from ml2dl.lessons import data as data_lesson  # noqa: E402
from ml2dl.lessons import words as words_lesson  # noqa: E402

from .base import Values, WholeGrid  # noqa: E402


class Feature(Result):
    name: str
    value: Number


class RowResult(Result):
    features: list[Feature]
    vector: list[Number]
    shape: list[int]


class PixelsRequest(Request):
    source: Literal[data_lesson.SOURCES] = Field("chest", description="the server's chest images or a bundled sample")  # type: ignore[valid-type]
    index: int = Field(0, ge=0, le=100_000, description="which held-out chest image")
    row: int | None = Field(None, ge=0, le=100_000, description="the crop's top row (None: centred; clamped)")
    col: int | None = Field(None, ge=0, le=100_000, description="the crop's left column (None: centred; clamped)")
    size: int = Field(data_lesson.LECTURE_CROP, ge=data_lesson.MIN_CROP, le=data_lesson.MAX_CROP,
                      description="the crop's side in pixels")


class Crop(Result):
    row: int
    col: int
    size: int
    numbers: int = Field(description="size × size")
    values: WholeGrid
    min: int
    max: int
    mean: Number


class PixelsResult(Result):
    title: str
    synthetic: bool
    source: str
    source_name: str
    index: int
    count: int
    label_name: str | None
    height: int
    width: int
    shape: list[int]
    numbers: int = Field(description="height × width")
    image: WholeGrid = Field(description="grey levels 0 (black) to 255 (white), height rows of width values")
    crop: Crop
    lecture_crop: int
    min_crop: int
    max_crop: int


class Channel(Result):
    name: Literal["red", "green", "blue"]
    values: WholeGrid
    mean: Number = Field(description="over the whole real photograph")


class PixelExample(Result):
    row: int
    col: int
    rgb: list[int]


class ColourResult(Result):
    title: str
    source: str
    real_shape: list[int]
    real_numbers: int
    shown_shape: list[int]
    channels: list[Channel]
    pixel_example: PixelExample


class WordPoint(Result):
    word: str
    x: Number
    y: Number
    count: int
    featured: bool


class HowMade(Result):
    sentences: int
    tokens: int
    vocabulary: int
    window: int
    min_count: int
    dimensions: int
    alpha: Number
    explained_percent: Values = Field(description="% of the spread along each of the two PCA axes")
    corpus: str
    licence: str


class WordsResult(Result):
    words: list[WordPoint]
    featured: list[str]
    x_range: Values = Field(description="the picture's axis ranges, with room for the labels")
    y_range: Values
    how: HowMade


class NeighboursRequest(Request):
    word: str = Field(max_length=40)
    k: int = Field(5, ge=1, le=words_lesson.MAX_NEIGHBOURS)


class Neighbour(Result):
    word: str
    cosine: Number


class NeighboursResult(Result):
    word: str
    vector: Values
    neighbours: list[Neighbour]
