"""Step ``perceptron`` API: the perceptron and logic (``ml2dl.lessons.perceptron``)."""

from functools import cache

from fastapi import APIRouter

from ml2dl.lessons import perceptron as lesson
from ml2dl.web.schemas.perceptron import (CheckRequest, CheckResult, LearnRequest, LearnResult, PerceptronRequest,
                                          PerceptronResult, PresetsResult, XorResult)

router = APIRouter(prefix="/api/perceptron", tags=["perceptron"])


@router.post("", response_model=PerceptronResult)
async def perceptron(req: PerceptronRequest) -> dict:
    """Truth table for 00, 01, 10, 11 and the line w₁x₁ + w₂x₂ + b = 0."""
    return lesson.perceptron(req.w1, req.w2, req.b)


@router.get("/presets", response_model=PresetsResult)
async def presets() -> dict:
    """AND, OR, NAND and NOR: the weights that compute each."""
    return lesson.presets()


@router.post("/check", response_model=CheckResult)
async def check(req: CheckRequest) -> dict:
    """Mark the student's four outputs against the perceptron's."""
    return lesson.check_answer(req.w1, req.w2, req.b, req.answers)


@router.get("/xor", response_model=XorResult)
async def xor() -> dict:
    """XOR: the best single line (by search over a grid of lines) and the two-layer network that does it."""
    return _xor()


@cache  # the same every time (no input): search the 4,913 lines once per process
def _xor() -> dict:
    return {"search": lesson.xor_best_line(), "two_layers": lesson.two_layer_xor(), "box": list(lesson.BOX)}


@router.post("/learn", response_model=LearnResult)
async def learn(req: LearnRequest) -> dict:
    """One update of the perceptron learning rule."""
    state = req.state.model_dump() if req.state is not None else None
    return lesson.learn_step(state, req.data, req.lr)
