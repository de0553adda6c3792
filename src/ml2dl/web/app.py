"""The web module: a FastAPI app that serves the nine steps and their APIs.

A request travels: browser control -> route (pydantic validation) -> lesson
function (``ml2dl.lessons.<topic>``) -> engine -> plain dict -> JSON -> the
step's ES module draws it. No maths here: this file only wires things up.

    app = create_app()                  # for tests: fastapi.testclient.TestClient(app)
    serve(host="127.0.0.1", port=8000)  # what `ml2dl serve` calls
"""

from __future__ import annotations

import logging
import os
import threading
import webbrowser
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
DEFAULT_CACHE_DIR = Path("~/.cache/ml2dl/module")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """What the routes may need to know about this server (``request.app.state.settings``).

    Args:
        data_path: a PneumoniaMNIST-style ``.npz`` given with ``ml2dl serve --data`` (or None).
        cache_dir: where long jobs keep their results (created on first use by whoever writes).
        training_budget: how much the background CNN trainings of steps 5 and 9 may use
            (an ``ml2dl.lessons.images.Budget``); None means each step's default.
    """

    data_path: Path | None
    cache_dir: Path
    training_budget: Any = None


def create_app(*, data_path: str | os.PathLike | None = None,
               cache_dir: str | os.PathLike | None = None, training_budget=None) -> FastAPI:
    """Build the app: static files, the plotly.js vendor route, every step's router.

    Args:
        data_path: optional ``.npz`` of real images for the steps that train on them.
        cache_dir: folder for job results; default ``~/.cache/ml2dl/module``.
        training_budget: a ``Budget`` for the background trainings (tests pass a tiny one).
    """
    from ml2dl.web.routes import ROUTERS  # imported here so a broken step module fails loudly at build

    app = FastAPI(
        title="ml2dl — the module",
        description="From one neuron to a CNN that reads chest X-rays. Every figure is computed here.",
        version="0.1.0",
        lifespan=_lifespan,
    )
    app.state.settings = Settings(
        data_path=Path(data_path).expanduser() if data_path is not None else None,
        cache_dir=Path(cache_dir if cache_dir is not None else DEFAULT_CACHE_DIR).expanduser(),
        training_budget=training_budget,
    )

    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(ValueError, _value_error_handler)

    for router in ROUTERS:
        app.include_router(router)

    app.mount("/static", _NoCacheStatic(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        # plotly.js ships inside the `plotly` Python package: no CDN, works offline.
        return FileResponse(_plotly_js_path(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        return {"status": "ok", "routers": [r.prefix for r in ROUTERS]}

    return app


def serve(host: str = "127.0.0.1", port: int = 8000, data: str | os.PathLike | None = None,
          open_browser: bool = False) -> None:
    """Run the module with uvicorn until interrupted (what ``ml2dl serve`` does).

    Args:
        host: interface to bind; the default keeps the module on this machine only.
        port: TCP port (1..65535).
        data: optional ``.npz`` of real images (see ``ml2dl.data``).
        open_browser: open the default browser on the module once the server is up.
    """
    import uvicorn

    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"port must be an int in 1..65535, got {port!r}")
    if data is not None and not Path(data).expanduser().is_file():
        raise ValueError(f"data must be an existing .npz file, got {str(data)!r}")
    app = create_app(data_path=data)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"ml2dl module at {url}  (Ctrl+C to stop)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")


# ---------------------------------------------------------------------------- helpers


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    pool = getattr(app.state, "job_pool", None)
    if pool is not None:  # cancel background trainings so the server stops promptly
        pool.shutdown()


class _NoCacheStatic(StaticFiles):
    """Static files revalidated on every load, so an edited step shows up on refresh."""

    async def get_response(self, path: str, scope):  # type: ignore[override]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        return response


def _plotly_js_path() -> Path:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found in the plotly package at {path}")
    return path


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


async def _validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    messages = [validation_message(e) for e in errors]
    detail = [{"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": m}
              for e, m in zip(errors, messages)]
    return JSONResponse(status_code=422, content={"detail": detail, "message": "; ".join(messages)})


async def _value_error_handler(request: Request, exc: ValueError) -> JSONResponse:
    # Lesson functions check their arguments up front and raise ValueError with an
    # expected-vs-received message; that is the user's input, so 422, not 500.
    log.info("422 from lesson on %s: %s", request.url.path, exc)
    message = str(exc)
    return JSONResponse(status_code=422, content={"detail": [{"msg": message}], "message": message})
