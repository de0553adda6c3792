"""Step ``quiz`` API and the check at the end of a step (``ml2dl.lessons.quiz``).

    GET  /api/quiz/kinds                         the kinds of question, with the step each belongs to
    POST /api/quiz/question {kind, seed}         the question's numbers and wording (no answer)
    POST /api/quiz/check    {kind, seed, answer} recomputed from (kind, seed): right or wrong, and why
    POST /api/quiz/set      {seed, count}        a mixed set of questions
    POST /api/quiz/score    {answers}            every answer checked and counted (nothing is stored)
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.lessons import quiz as lesson
from ml2dl.web.schemas.beyond import (CheckRequest, CheckResult, KindsResult, Question, QuestionRequest, QuizSet,
                                      ScoreRequest, ScoreResult, SetRequest)

router = APIRouter(prefix="/api/quiz", tags=["quiz"])


@router.get("/kinds", response_model=KindsResult)
async def kinds() -> dict:
    """Every kind of question."""
    return {"kinds": lesson.kinds()}


@router.post("/question", response_model=Question)
async def question(req: QuestionRequest) -> dict:
    """One question, drawn from its seed."""
    return lesson.question(req.kind, req.seed)


@router.post("/check", response_model=CheckResult)
async def check(req: CheckRequest) -> dict:
    """The answer checked against the engine's, with the working."""
    return lesson.check(req.kind, req.seed, req.answer)


@router.post("/set", response_model=QuizSet)
async def quiz_set(req: SetRequest) -> dict:
    """A mixed set of questions."""
    return lesson.quiz_set(req.seed, req.count)


@router.post("/score", response_model=ScoreResult)
async def score(req: ScoreRequest) -> dict:
    """Every answer of a set checked; the count of right ones."""
    return lesson.score([a.model_dump() for a in req.answers])
