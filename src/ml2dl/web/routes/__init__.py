"""Every step's router, in step order. ``create_app`` includes each of ``ROUTERS``.

One module per step topic, each with
``router = APIRouter(prefix="/api/<topic>", tags=["<topic>"])``.

How a route runs. A step's call is a few milliseconds of work, so its route is ``async def``:
FastAPI runs it on the worker's event loop, one request after another. A plain ``def`` route
runs in a thread of a pool instead, and under a class's load that hop costs far more than the
work: every thread wants the worker's one GIL, and each hand-over waits for the thread that
holds it (200 students, 2 workers, ``benchmarks/classroom_load.py``: small calls p95 168 ms in
threads, 15 ms on the loop). ``def`` is kept for routes that may take long when first asked,
where a thread keeps the worker's other students going: the clinic's own (they evaluate a
trained network, read runs from disk) and the overfitting step's options (a data folder's names).
Work an ``async`` route needs that takes long only now and then is awaited in a thread
(``prepared.chest_data_async``, an upload's decoding, a job's ``spec``: ``ml2dl.web.jobroutes``). ``tests/test_web_route_threads.py``
holds every route to this rule.
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
