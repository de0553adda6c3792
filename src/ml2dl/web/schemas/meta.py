"""The server itself: health and version."""

from __future__ import annotations

from pydantic import Field

from .base import Result


class HealthResult(Result):
    status: str = Field(description="'ok' when the server answers")
    version: str = Field(description="ml2dl's version (ml2dl.__version__)")
    routers: list[str] = Field(description="the API prefix of every step, in step order")
