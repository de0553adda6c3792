"""Step 6 API: fully connected vs convolution parameter counts (``ml2dl.lessons.convolution``)."""

from fastapi import APIRouter

from ml2dl.lessons import convolution as lesson
from ml2dl.web.schemas import ConvolutionQuizRequest, ConvolutionRequest, ConvolutionResult, QuizResult

router = APIRouter(prefix="/api/convolution", tags=["convolution"])


@router.post("", response_model=ConvolutionResult)
async def convolution(req: ConvolutionRequest) -> dict:
    """H × W × neurons (fully connected) vs k × k × filters (convolution), with a series over sizes."""
    return lesson.convolution(req.size, req.neurons, req.kernel)


@router.post("/quiz", response_model=QuizResult)
async def quiz(req: ConvolutionQuizRequest) -> dict:
    """Check the quiz answers: 100 pixels into 10 nodes; a 3×3 convolution with 10 maps."""
    return lesson.quiz(req.fc_answer, req.conv_answer)
