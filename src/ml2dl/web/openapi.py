"""/openapi.json tells the truth about errors, for every route (added or not yet written).

FastAPI documents only the 422 of its own validation, in a shape the module never sends. Here
every ``/api`` operation gets the statuses the module can answer, all in its one error shape
(:class:`ErrorBody`, what ``ml2dl.web.errors`` and ``ml2dl.web.guard`` send):

- every operation: 401 (access code), 421 (Host), 422 (bad input), 500 (a bug, with an id);
- operations that take a body: 403 (another site), 413 (too large), 415 (not JSON);
- operations that use the job pool: 503 (pool full); the upload store: 404 (unknown image).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from .deps import get_pool, get_uploads

STATUS_TEXT = {401: "the class access code is missing", 403: "a state-changing request from another site",
               404: "no such image on this server", 413: "the request body (or an upload) is too large",
               415: "the request body is not JSON", 421: "the Host header names another server",
               422: "bad input: what was expected and what was received", 500: "a bug (the message has an error id)",
               503: "the job pool is full: try again in a minute"}


class ErrorBody(BaseModel):
    """Every error the module answers: show ``message``; ``detail`` is the message, or one item per field."""

    message: str = Field(description="what was expected and what was received (≤ 600 characters)")
    detail: Any = Field(description="the message again, or [{loc, type, msg}] for a request the models refused")


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` document every error status of every ``/api`` operation."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            _document_errors(spec, app)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _api_routes(routes, prefix: str = ""):
    """(full path, APIRoute) of every route, through included routers."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield prefix + r.path, r
        elif hasattr(r, "original_router"):  # a router included in the app
            yield from _api_routes(r.original_router.routes,
                                   prefix + (getattr(getattr(r, "include_context", None), "prefix", "") or ""))


def _uses(route: APIRoute, dependency) -> bool:
    todo = [route.dependant]
    while todo:
        d = todo.pop()
        if d.call is dependency:
            return True
        todo += d.dependencies
    return False


def _document_errors(spec: dict, app: FastAPI) -> None:
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorBody"] = ErrorBody.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    routes = {(path, m.lower()): r for path, r in _api_routes(app.routes) for m in r.methods}
    for path, item in spec.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, op in item.items():
            route = routes.get((path, method))
            codes = {401, 421, 422, 500}
            if "requestBody" in op or method in ("post", "put", "patch", "delete"):
                codes |= {403, 413, 415}
            if route is not None and _uses(route, get_pool):
                codes.add(503)
            if route is not None and _uses(route, get_uploads):
                codes.add(404)
            for code in sorted(codes):
                text = op["responses"].get(str(code), {}).get("description") or STATUS_TEXT[code]
                op["responses"][str(code)] = {"description": text, "content": ref}
            for code, response in op["responses"].items():  # a route's own errors (409…) share the shape
                if code[0] in "45" and "content" not in response:
                    response["content"] = ref
