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

No message quotes more than a short prefix of what was received (:data:`QUOTE_LIMIT`), and no
message shows a path of the server (an absolute path is cut to its file name: :func:`public`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ml2dl.checks import InputError
from ml2dl.data.points_csv import CsvTooLarge
from ml2dl.data.uploads import UnknownUpload, UploadTooLarge

from .jobs import PoolFull

log = logging.getLogger("ml2dl.web")

# InputErrors whose status says more than 422 does; the most specific class wins (MRO order).
INPUT_ERROR_STATUS: dict[type, int] = {UploadTooLarge: 413, UnknownUpload: 404, CsvTooLarge: 413}


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(PoolFull, _pool_full)
    app.add_exception_handler(Exception, _bug)


QUOTE_LIMIT = 60  # characters of a received value a message may quote
MESSAGE_LIMIT = 600  # characters of a whole message
_ROOTS: set[str] = set()


def hide_paths_under(*folders: Any) -> None:
    """Add server folders whose paths messages must not show (the cache folder, the data's folder)."""
    for f in folders:
        if f:
            _ROOTS.add(os.path.realpath(os.path.expanduser(str(f))))
            _ROOTS.add(os.path.abspath(os.path.expanduser(str(f))))


def _roots_pattern() -> re.Pattern:
    roots = sorted((r for r in _ROOTS if len(r) > 1), key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(r) for r in roots) + r")(?:/[^\s'\"(),;]*)?")


hide_paths_under(Path.home(), tempfile.gettempdir(), os.getcwd(), sys.prefix, sys.base_prefix,
                 Path(__file__).parents[3])


def public(text: str) -> str:
    """``text`` fit for the client: a server path cut to its file name, at most :data:`MESSAGE_LIMIT` chars."""
    text = _roots_pattern().sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1] or "…", text)
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT - 1] + "…"


def _public_detail(detail: Any) -> Any:
    if isinstance(detail, str):
        return public(detail)
    if isinstance(detail, list):
        return [_public_detail(d) for d in detail[:20]]
    if isinstance(detail, dict):
        return {public(str(k))[:QUOTE_LIMIT]: _public_detail(v) for k, v in list(detail.items())[:20]}
    return detail


def error_body(message: str, detail: Any = None) -> dict:
    message = public(message)
    return {"detail": message if detail is None else _public_detail(detail), "message": message}


def status_of(exc: InputError) -> int:
    for cls in type(exc).__mro__:
        if cls in INPUT_ERROR_STATUS:
            return INPUT_ERROR_STATUS[cls]
    return 422


async def _input_error(request: Request, exc: InputError) -> JSONResponse:
    status = status_of(exc)
    # the message may name what the user sent (a file name): the log keeps only what happened
    log.info("%d on %s %s (%s)", status, request.method, request.url.path, type(exc).__name__)
    return JSONResponse(status_code=status, content=error_body(str(exc)))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    text = exc.detail if isinstance(exc.detail, str) else str(exc.detail)[:MESSAGE_LIMIT]
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
    detail = [{"loc": [p if isinstance(p, int) else str(p)[:QUOTE_LIMIT] for p in e.get("loc", ())],
               "type": e.get("type"), "msg": m} for e, m in zip(errors[:20], messages)]
    message = "; ".join(messages[:5]) + (f"; and {len(messages) - 5} more" if len(messages) > 5 else "")
    return JSONResponse(status_code=422, content=error_body(message, detail))


# ------------------------------------------------------------------------------ pydantic → words


def _field_name(loc: tuple | list) -> str:
    """('body', 'layers', 2) -> 'layers[2]'; the leading 'body'/'query' is where, not what."""
    parts = [p for p in loc if p not in ("body", "query", "path")]
    name = ""
    for p in parts:
        p = p if isinstance(p, int) else str(p)[:QUOTE_LIMIT]
        name += f"[{p}]" if isinstance(p, int) else (f".{p}" if name else p)
    return name or "request body"


def _fmt(v: Any) -> str:
    """A received value as the message quotes it: at most :data:`QUOTE_LIMIT` characters."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, str) and len(v) > QUOTE_LIMIT:
        return repr(v[:QUOTE_LIMIT - 10]) + f"… ({len(v):,} characters)"
    if isinstance(v, (dict, list)) and len(v) > 20:
        return f"{type(v).__name__} of {len(v):,} items"
    text = repr(v)
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT - 3] + "..."


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
        return f"{name} must have {what} {bound} item{'' if bound == 1 else 's'}, got {ctx.get('actual_length')}"
    if kind == "extra_forbidden":
        return f"{name} is not a known setting, got {got}"
    if kind == "bool_as_number":
        return str(error.get("msg"))
    if kind == "json_invalid":
        return f"request body must be valid JSON ({error.get('msg')})"
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if kind == "value_error":  # our own validators already say expected vs received
        return msg if msg.startswith(name.split("[")[0]) else f"{name}: {msg}"
    return f"{name}: {msg}, got {got}"
