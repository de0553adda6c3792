"""Request and response models of the web module: one base (``base``), one module per topic.

Every route names its request model (body or query) and its response model, so
``/openapi.json`` documents every answer of the API.
"""

from .base import Grid, JSONObject, Model, Number, Request, Result, Value, Values
from .cnn import (ExamplesResult, ExplainQuery, ExplainResult, ImageViewResult, JobSnapshot, PipelineSnapshot,
                  ShuffleSnapshot, ViewQuery)
from .kernels import (ApplyRequest, ApplyResult, PixelRequest, PixelResult, PresetsResult, SamplesResult,
                      UploadResult)
from .meta import HealthResult
from .playground import OptionsResult, PlaygroundSettings, TrainRequest, TrainResult
from .steps import (ActivationRequest, ActivationResult, ConvolutionQuizRequest, ConvolutionRequest,
                    ConvolutionResult, LayersRequest, LayersResult, NeuronRequest, NeuronResult, PoolingRequest,
                    PoolingResult, QuizResult, StackRequest, StackResult)

__all__ = [
    "ActivationRequest", "ActivationResult", "ApplyRequest", "ApplyResult", "ConvolutionQuizRequest",
    "ConvolutionRequest", "ConvolutionResult", "ExamplesResult", "ExplainQuery", "ExplainResult", "Grid", "HealthResult",
    "ImageViewResult", "JSONObject", "JobSnapshot", "LayersRequest", "LayersResult", "Model", "NeuronRequest",
    "NeuronResult", "Number", "OptionsResult", "PipelineSnapshot", "PixelRequest", "PixelResult",
    "PlaygroundSettings", "PoolingRequest", "PoolingResult", "PresetsResult", "QuizResult", "Request", "Result",
    "SamplesResult", "ShuffleSnapshot", "StackRequest", "StackResult", "TrainRequest", "TrainResult",
    "UploadResult", "Value", "Values", "ViewQuery",
]
