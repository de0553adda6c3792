"""The web module: a FastAPI app that serves the nine steps and their APIs.

A request travels: browser control -> route (pydantic validation) -> lesson
function (``ml2dl.lessons.<topic>``) -> engine -> plain dict -> JSON -> the
step's ES module draws it. No maths here: this file only wires things up.

    app = create_app()                  # for tests: fastapi.testclient.TestClient(app)
    serve(host="127.0.0.1", port=8000, workers=2)  # what `ml2dl serve` calls

What routes need from the app (settings, the job pool, the upload store) lives on
``app.state`` and reaches them as dependencies (``ml2dl.web.deps``); errors become
responses in ``ml2dl.web.errors``.
"""

from __future__ import annotations

import logging
import os
import threading
import webbrowser
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from ml2dl import __version__
from ml2dl.checks import InputError, int_in_range
from ml2dl.data.uploads import UploadStore

from . import errors
from .jobs import JobPool
from .schemas import HealthResult
from .settings import DEFAULT_CACHE_DIR, ENV_VAR, MAX_WORKERS, Settings

STATIC_DIR = Path(__file__).parent / "static"

__all__ = ["DEFAULT_CACHE_DIR", "Settings", "create_app", "create_app_from_env", "serve"]

log = logging.getLogger("ml2dl.web")


def create_app(*, data_path: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None,
               training_budget=None, settings: Settings | None = None) -> FastAPI:
    """Build the app: static files, the plotly.js vendor route, every step's router.

    Args:
        data_path: optional ``.npz`` of real images for the steps that train on them.
        cache_dir: folder for job results and uploads; default ``~/.cache/ml2dl/module``.
        training_budget: a ``Budget`` for the background trainings (tests pass a tiny one).
        settings: all of the above at once (what each worker of ``serve`` passes); overrides them.
    """
    from ml2dl.web.routes import ROUTERS  # imported here so a broken step module fails loudly at build

    if settings is None:
        settings = Settings.make(data_path=data_path, cache_dir=cache_dir, training_budget=training_budget)
    app = FastAPI(
        title="ml2dl — the module",
        description="From one neuron to a CNN that reads chest X-rays. Every figure is computed here.",
        version=__version__,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.job_pool = JobPool(settings.cache_dir, started_at=settings.started_at)
    app.state.uploads = UploadStore(settings.cache_dir / "uploads")
    errors.install(app)

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

    @app.get("/api/health", tags=["meta"], response_model=HealthResult)
    def health() -> dict:
        """The server answers; its version and the API of every step."""
        return {"status": "ok", "version": __version__, "routers": [r.prefix for r in ROUTERS]}

    return app


def create_app_from_env() -> FastAPI:
    """The app factory each uvicorn worker calls: settings from :data:`~ml2dl.web.settings.ENV_VAR`."""
    return create_app(settings=Settings.from_env())


def serve(host: str = "127.0.0.1", port: int = 8000, data: str | os.PathLike | None = None,
          open_browser: bool = False, workers: int = 1, *, cache_dir: str | os.PathLike | None = None,
          training_budget=None) -> None:
    """Run the module with uvicorn until interrupted (what ``ml2dl serve`` does).

    Each of ``workers`` processes builds its own app (:func:`create_app_from_env`) from the same
    settings; they share the cache folder, through which a long job runs once whichever worker
    gets the request (``ml2dl.web.jobs``).

    Args:
        host: interface to bind; the default keeps the module on this machine only.
        port: TCP port (1..65535).
        data: optional ``.npz`` of real images (see ``ml2dl.data``).
        open_browser: open the default browser on the module once the server is up.
        workers: worker processes (1..16); requests are stateless, so any worker may answer any.
        cache_dir: folder for job results and uploads (default ``~/.cache/ml2dl/module``).
        training_budget: a ``Budget`` for the background trainings (default: each step's own).
    """
    import uvicorn

    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise InputError(f"port must be an int in 1..65535, got {port!r}")
    int_in_range("workers", workers, 1, MAX_WORKERS)
    if data is not None and not Path(data).expanduser().is_file():
        raise InputError(f"data must be an existing .npz file, got {str(data)!r}")
    settings = Settings.make(data_path=data, cache_dir=cache_dir, training_budget=training_budget)
    os.environ[ENV_VAR] = settings.to_json()  # inherited by every worker process
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"ml2dl module at {url}  ({workers} worker{'s' if workers > 1 else ''}; Ctrl+C to stop)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run("ml2dl.web.app:create_app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


# ---------------------------------------------------------------------------- helpers


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    app.state.job_pool.shutdown()  # cancel this worker's background trainings so it stops promptly


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
