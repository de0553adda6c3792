"""Every step's router, in step order. ``create_app`` includes each of ``ROUTERS``.

One module per step topic, each with
``router = APIRouter(prefix="/api/<topic>", tags=["<topic>"])``.
To add a step, add its topic to ``TOPICS`` (a one-line edit).

A topic whose module does not exist yet is skipped with a warning, so the module
keeps working while a step is being written; any other import error is raised.
"""

from __future__ import annotations

import importlib
import logging

from fastapi import APIRouter

log = logging.getLogger(__name__)

TOPICS: list[str] = [
    "neuron",        # 1  (A)
    "playground",    # 2  (B)
    "activations",   # 3  (A)
    "layers",        # 4  (A)
    "images",        # 5  (B)
    "convolution",   # 6  (A)
    "kernels",       # 7  (B)
    "pooling",       # 8  (A)
    "pipeline",      # 9  (B)
]


def _load_routers(topics: list[str]) -> list[APIRouter]:
    routers = []
    for topic in topics:
        name = f"{__name__}.{topic}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists but something it imports does not
                raise
            log.warning("step router %s not written yet; skipped", name)
            continue
        routers.append(module.router)
    return routers


ROUTERS: list[APIRouter] = _load_routers(TOPICS)
