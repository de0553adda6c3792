"""Step ``loss`` API: how wrong is the network? (``ml2dl.lessons.loss``)."""

from fastapi import APIRouter

from ml2dl.lessons import loss as lesson
from ml2dl.web.schemas.loss import (BinaryRequest, BinaryResult, RegressionRequest, RegressionResult,
                                    SetProbabilityRequest, SetProbabilityResult, TableRequest, TableResult)

router = APIRouter(prefix="/api/loss", tags=["loss"])


@router.post("/binary", response_model=BinaryResult)
async def binary(req: BinaryRequest) -> dict:
    """Cross-entropy, hinge and squared error: curves for y = 0 and 1, and the same predictions scored by each."""
    return lesson.binary_losses(req.predictions, req.labels)


@router.post("/regression", response_model=RegressionResult)
async def regression(req: RegressionRequest) -> dict:
    """Body weight → BMI: the student's line, each point's squared loss, the mean."""
    return lesson.regression(req.slope, req.intercept)


@router.post("/table", response_model=TableResult)
async def table(req: TableRequest) -> dict:
    """Multi-class cross-entropy of a table: −ln p(true class) per row, and the mean."""
    return lesson.cross_entropy_table(req.rows, req.true_classes, req.kind)


@router.get("/worked", response_model=TableResult)
async def worked() -> dict:
    """The two worked examples: p = (0.25, 0.60, 0.15) and (0.05, 0.90, 0.05), true class 2."""
    return lesson.worked_examples()


@router.post("/set-probability", response_model=SetProbabilityResult)
async def set_probability(req: SetProbabilityRequest) -> dict:
    """One probability set, the others rescaled in proportion: the row still sums to 1."""
    return lesson.set_probability(req.row, req.index, req.value)
