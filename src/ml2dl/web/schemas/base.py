"""The one base of every request and response model of the web module.

- :class:`Request`: a request body or query; unknown keys are refused (a typo in the page or
  the caller is said, not ignored), every limit is a ``Field`` bound, so a bad value gets a 422
  saying what was expected and what was received (``ml2dl.web.errors``).
- :class:`Result`: a response. Responses are the lesson functions' plain dicts; the model
  documents them in ``/openapi.json`` and checks them on the way out, but never changes them:
  keys a model does not name are passed through (``extra="allow"``; the tests check that
  every key *is* named), and numbers keep their type: a :data:`Number` is a strict
  ``int | float`` (1 stays 1 and 0.5 stays 0.5 — a plain ``float`` field would turn the int 1
  into 1.0). The items of long numeric arrays (:data:`Values`, :data:`Grid`: curves, maps,
  images) are documented as numbers and passed through unchecked: checking a union on every
  one of thousands of items would cost more than some lessons take to compute them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, WithJsonSchema

Number = StrictInt | StrictFloat
Value = Annotated[Any, WithJsonSchema({"type": "number"})]
Values = list[Value]
Grid = list[list[Value]]
Whole = Annotated[Any, WithJsonSchema({"type": "integer"})]  # an item of a long array of ints (pixels, indices)
Wholes = list[Whole]
WholeGrid = list[list[Whole]]


class Model(BaseModel):
    """Root of the module's models (one place for what they share)."""


class Request(Model):
    model_config = ConfigDict(extra="forbid")


class Result(Model):
    model_config = ConfigDict(extra="allow")


JSONObject = dict[str, Any]
