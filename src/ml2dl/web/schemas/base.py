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

import functools
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, WithJsonSchema, model_serializer, model_validator
from pydantic_core import PydanticCustomError

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
    """A request: unknown keys refused, and ``true``/``false`` never taken for a number.

    (pydantic would read ``true`` as 1 for an ``int`` or ``float`` field: every numeric field,
    and every number inside a list of numbers, refuses a boolean here, so a model written
    tomorrow gets this too.)
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_as_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in _numeric_fields(cls):
                value = data.get(name)
                if value is not None and _has_bool(value):
                    raise PydanticCustomError("bool_as_number", "{name} must hold numbers, got {got}",
                                              {"name": name, "got": str(value)[:40]})
        return data


class Result(Model):
    model_config = ConfigDict(extra="allow")


JSONObject = dict[str, Any]


@functools.cache
def _numeric_fields(cls: type) -> tuple[str, ...]:
    """Names of the fields whose type is a number, or a list/tuple of numbers (at any depth)."""
    return tuple(name for name, f in cls.model_fields.items() if _is_numeric(f.annotation))


def _is_numeric(annotation: Any) -> bool:
    if annotation in (int, float):
        return True
    if annotation is bool or isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_numeric(get_args(annotation)[0])
    if origin in (list, tuple, Union, UnionType):
        return any(_is_numeric(a) for a in get_args(annotation) if a is not type(None) and a is not Ellipsis)
    return False


def _has_bool(value: Any, depth: int = 0) -> bool:
    """A boolean in ``value`` or in its lists, three levels deep (JSON ``true`` where a number belongs)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, (list, tuple)) and depth < 3:
        # the element types in one pass at C speed: a playground state's weights are thousands of
        # numbers, and a Python call per number took 1.5 of an update's 5 ms of server time
        types = set(map(type, value))
        if bool in types:
            return True
        if list in types or tuple in types:
            return any(_has_bool(v, depth + 1) for v in value if isinstance(v, (list, tuple)))
    return False


class FieldLimits(Result):
    """One request field's default and bounds, as its model's ``Field`` declares them (:func:`field_limits`)."""

    default: Any = None
    min: Number | None = None
    max: Number | None = None
    min_exclusive: Number | None = None
    max_exclusive: Number | None = None
    min_items: int | None = None
    max_items: int | None = None
    choices: list[Any] | None = None

    @model_serializer(mode="wrap")
    def _only_the_bounds_it_has(self, handler):
        # A field without a maximum has no "max" key (not "max": null): the page tests for the key.
        return {k: v for k, v in handler(self).items() if v is not None}


_LIMIT_KEYS = {"default": "default", "minimum": "min", "maximum": "max", "exclusiveMinimum": "min_exclusive",
               "exclusiveMaximum": "max_exclusive", "minItems": "min_items", "maxItems": "max_items",
               "enum": "choices"}


@functools.cache
def field_limits(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Each field of a request model: its default and bounds, read from the model's own JSON schema.

    The one way an ``options`` route tells the page its limits, so a limit is written once, in
    the model's ``Field``, and the page never restates it. ``{"lr": {"default": 0.03, "min": 0.0001,
    "max": 3}, ...}``; keys absent where the field has no such bound. Cached: models do not change.
    """
    props = model.model_json_schema()["properties"]
    return {name: {_LIMIT_KEYS[k]: v for k, v in prop.items() if k in _LIMIT_KEYS} for name, prop in props.items()}
