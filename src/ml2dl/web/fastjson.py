"""The module's JSON responses, encoded by pydantic-core (Rust) instead of ``json.dumps``.

A step's answer is mostly long lists of numbers (a 48 × 48 boundary, neuron maps, curves):
``json.dumps`` spends ~0.5 ms on the playground's, pydantic-core ~0.14 ms, the same JSON
(floats in their shortest round-trip form). Lessons never return NaN or infinity (``ml2dl.files.jsonable``
turns them into ``None``); should one slip through, it is sent as ``null``, never as invalid JSON.

``create_app`` makes :class:`FastJSONResponse` the default response class of every route.
"""

from __future__ import annotations

from typing import Any

import pydantic_core
from starlette.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content, inf_nan_mode="null")
