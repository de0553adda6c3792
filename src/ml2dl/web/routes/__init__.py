"""Every step's router, in step order. ``create_app`` includes each of ``ROUTERS``.

One module per step topic, each with
``router = APIRouter(prefix="/api/<topic>", tags=["<topic>"])``.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import (activations, convolution, images, kernels, layers, neuron, pipeline, playground,
               pooling)
from . import perceptron  # neurons and networks
from . import backprop, descent, loop, loss  # how a network learns
from . import overfitting, vanishing  # when learning goes wrong
from . import architectures, data, quiz, rnn  # beyond images
from . import clinic, clinic_cases, clinic_image, clinic_mistakes, clinic_roc  # the clinic

# step 1 … 9, then the newer steps (their URL names)
STEP_MODULES = [neuron, playground, activations, layers, images, convolution, kernels, pooling, pipeline]
STEP_MODULES += [perceptron]  # neurons and networks
STEP_MODULES += [loss, descent, backprop, loop]  # how a network learns
STEP_MODULES += [overfitting, vanishing]  # when learning goes wrong
STEP_MODULES += [data, rnn, architectures, quiz]  # beyond images
STEP_MODULES += [clinic, clinic_roc, clinic_mistakes]  # the clinic (clinic-train, clinic-roc, clinic-mistakes)
STEP_MODULES += [clinic_image, clinic_cases]  # clinic-image, cases
TOPICS: list[str] = [m.__name__.rsplit(".", 1)[1] for m in STEP_MODULES]
ROUTERS: list[APIRouter] = [m.router for m in STEP_MODULES]
