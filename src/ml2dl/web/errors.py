"""How the module answers when something goes wrong: the user's mistake or a bug.

Every error body has the same two keys, so the page shows ``message`` whatever happened::

    {"message": "x1 must be ≤ 10, got 42", "detail": ...}

- a request pydantic refuses → 422; ``detail`` is the list of errors, each with its
  expected-vs-received text (:func:`validation_message`);
- :class:`ml2dl.checks.InputError` raised by a lesson, the data layer or a route (bad input
  that only code could check, e.g. a kernel larger than the image) → 422 with its message
  (413 for an upload over a limit, 404 for an upload this server does not have);
- ``HTTPException`` → its status and text; a full job pool (:class:`~ml2dl.web.jobs.PoolFull`) → 503;
- anything else is a bug → 500 with a short message and an error id; the traceback goes to
  the server's log under that id, never to the client.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ml2dl.checks import InputError
from ml2dl.data.uploads import UnknownUpload, UploadTooLarge

from .jobs import PoolFull

log = logging.getLogger("ml2dl.web")

# InputErrors whose status says more than 422 does; the most specific class wins (MRO order).
INPUT_ERROR_STATUS: dict[type, int] = {UploadTooLarge: 413, UnknownUpload: 404}


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(PoolFull, _pool_full)
    app.add_exception_handler(Exception, _bug)


def error_body(message: str, detail: Any = None) -> dict:
    return {"detail": message if detail is None else detail, "message": message}


def status_of(exc: InputError) -> int:
    for cls in type(exc).__mro__:
        if cls in INPUT_ERROR_STATUS:
            return INPUT_ERROR_STATUS[cls]
    return 422


async def _input_error(request: Request, exc: InputError) -> JSONResponse:
    status = status_of(exc)
    log.info("%d on %s %s: %s", status, request.method, request.url.path, exc)
    return JSONResponse(status_code=status, content=error_body(str(exc)))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    text = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return JSONResponse(status_code=exc.status_code, content=error_body(text, exc.detail),
                        headers=getattr(exc, "headers", None))


async def _pool_full(request: Request, exc: PoolFull) -> JSONResponse:
    return JSONResponse(status_code=503, content=error_body(str(exc)), headers={"Retry-After": "60"})


async def _bug(request: Request, exc: Exception) -> JSONResponse:
    # The client learns that it was our fault and an id to quote; the log gets everything.
    error_id = secrets.token_hex(4)
    log.error("500 on %s %s (error id %s)", request.method, request.url.path, error_id, exc_info=exc)
    message = f"internal error {error_id}: the module hit a bug; the details are in the server's log"
    return JSONResponse(status_code=500, content=error_body(message))


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    messages = [validation_message(e) for e in errors]
    detail = [{"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": m}
              for e, m in zip(errors, messages)]
    return JSONResponse(status_code=422, content=error_body("; ".join(messages), detail))


# ------------------------------------------------------------------------------ pydantic → words


def _field_name(loc: tuple | list) -> str:
    """('body', 'layers', 2) -> 'layers[2]'; the leading 'body'/'query' is where, not what."""
    parts = [p for p in loc if p not in ("body", "query", "path")]
    name = ""
    for p in parts:
        name += f"[{p}]" if isinstance(p, int) else (f".{p}" if name else str(p))
    return name or "request body"


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, str):
        return repr(v)
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_message(error: dict[str, Any]) -> str:
    """One pydantic error -> 'x1 must be ≤ 10, got 42' (expected vs received)."""
    name = _field_name(error.get("loc", ()))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    got = _fmt(error.get("input"))
    bounds = {"less_than_equal": ("≤", "le"), "less_than": ("<", "lt"),
              "greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt")}
    if kind in bounds:
        sign, key = bounds[kind]
        return f"{name} must be {sign} {_fmt(ctx.get(key))}, got {got}"
    if kind == "missing":
        return f"{name} is required, got nothing"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{name} must be a whole number, got {got}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{name} must be a finite number, got {got}"
    if kind == "literal_error":
        return f"{name} must be one of {ctx.get('expected')}, got {got}"
    if kind in ("too_short", "too_long"):
        what = "at least" if kind == "too_short" else "at most"
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        return f"{name} must have {what} {bound} items, got {ctx.get('actual_length')}"
    if kind == "extra_forbidden":
        return f"{name} is not a known setting, got {got}"
    if kind == "json_invalid":
        return f"request body must be valid JSON ({error.get('msg')})"
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if kind == "value_error":  # our own validators already say expected vs received
        return msg if msg.startswith(name.split("[")[0]) else f"{name}: {msg}"
    return f"{name}: {msg}, got {got}"
