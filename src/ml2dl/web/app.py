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

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

from ml2dl import __version__
from ml2dl.checks import InputError, int_in_range
from ml2dl.data.uploads import UploadStore

from . import errors, hosts, jobs, openapi
from .assets import Assets, safe_path
from .fastjson import FastJSONResponse
from .guard import Guard
from .jobs import JobPool
from .schemas import HealthResult
from .settings import DEFAULT_CACHE_DIR, ENV_VAR, MAX_WORKERS, Settings

STATIC_DIR = Path(__file__).parent / "static"

__all__ = ["DEFAULT_CACHE_DIR", "Settings", "create_app", "create_app_from_env", "serve"]

log = logging.getLogger("ml2dl.web")


def create_app(*, data_path: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None,
               training_budget=None, settings: Settings | None = None, **options) -> FastAPI:
    """Build the app: static files, the plotly.js vendor route, every step's router, the guard.

    Every request passes :class:`~ml2dl.web.guard.Guard` (security headers, Host and origin
    checks, body limits, the access code), whatever its route.

    Args:
        data_path: optional ``.npz`` or folder of two class folders of real images for the steps.
        cache_dir: folder for job results and uploads; default ``~/.cache/ml2dl/module``.
        training_budget: a ``Budget`` for the background trainings (tests pass a tiny one).
        settings: all of the above at once (what each worker of ``serve`` passes); overrides them.
        options: the other fields of :class:`~ml2dl.web.settings.Settings` (``allowed_hosts``,
            ``embed_from``, ``access_code``, ``prestart``, ``job_processes``).
    """
    from ml2dl.web.routes import ROUTERS  # imported here so a broken step module fails loudly at build

    if settings is None:
        settings = Settings.make(data_path=data_path, cache_dir=cache_dir, training_budget=training_budget,
                                 **options)
    app = FastAPI(
        title="ml2dl — the module",
        description="From one neuron to a CNN that reads chest X-rays. Every figure is computed here.",
        version=__version__,
        lifespan=_lifespan,
        default_response_class=FastJSONResponse,
        docs_url=None, redoc_url=None,  # FastAPI's pages load Swagger UI from a CDN: /docs below is local
    )
    app.state.settings = settings
    app.state.job_pool = JobPool(settings.cache_dir, started_at=settings.started_at,
                                 in_processes=settings.job_processes)
    app.state.uploads = UploadStore(settings.cache_dir / "uploads")
    errors.install(app)
    errors.hide_paths_under(settings.cache_dir, settings.data_path and Path(settings.data_path).parent)
    app.add_middleware(Guard, allowed_hosts=settings.allowed_hosts, embed_from=settings.embed_from,
                       access_code=settings.access_code, max_body=app.state.uploads.max_bytes + (1 << 20))

    for router in ROUTERS:
        app.include_router(router)
    openapi.install(app)  # every error status of every route, in the one error shape

    # The module's own files are revalidated on every load (an edited step shows on refresh; an
    # unchanged one costs a 304); all are gzipped once per process (ml2dl.web.assets).
    assets = app.state.assets = Assets()

    @app.api_route("/static/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def static(path: str, request: Request) -> Response:  # memory lookups: no thread hop
        found = safe_path(STATIC_DIR, path)
        if found is None:
            raise HTTPException(404, detail=f"no static file {path[:80]!r}")
        return assets.response(found, request, cache_control="no-cache")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def index(request: Request) -> Response:
        return assets.response(STATIC_DIR / "index.html", request, cache_control="no-cache")

    @app.api_route("/vendor/plotly.min.js", methods=["GET", "HEAD"], include_in_schema=False)
    async def plotly_js(request: Request) -> Response:
        # plotly.js ships inside the `plotly` Python package: no CDN, works offline. It changes
        # only with the installed package (and its ETag with it): a day in the browser's cache.
        return assets.response(_plotly_js_path(), request, cache_control="public, max-age=86400")

    # The API page: Swagger UI from the `swagger-ui-bundle-v2` Python package (as plotly.js from
    # `plotly`), started by static/docs.js: no CDN, no inline script, so it works offline under the CSP.
    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def docs(request: Request) -> Response:
        return assets.response(STATIC_DIR / "docs.html", request, cache_control="no-cache")

    @app.api_route("/vendor/swagger-ui/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    def swagger_ui(name: str, request: Request) -> Response:
        if name not in SWAGGER_UI_FILES:
            raise HTTPException(404, detail=f"no Swagger UI file {name[:80]!r}")
        return assets.response(_swagger_ui_dir() / name, request, cache_control="public, max-age=86400")

    @app.get("/api/health", tags=["meta"], response_model=HealthResult)
    def health() -> dict:
        """The server answers; its version and the API of every step."""
        return {"status": "ok", "version": __version__, "routers": [r.prefix for r in ROUTERS]}

    return app


def create_app_from_env() -> FastAPI:
    """The app factory each uvicorn worker calls: settings from :data:`~ml2dl.web.settings.ENV_VAR`."""
    return create_app(settings=Settings.from_env())


def serve(host: str = "127.0.0.1", port: int = 8000, data: str | os.PathLike | None = None,
          open_browser: bool = False, workers: int | None = None, *, cache_dir: str | os.PathLike | None = None,
          training_budget=None, embed_from: tuple[str, ...] = (), access_code: str | None = None,
          prestart: bool = True) -> None:
    """Run the module with uvicorn until interrupted (what ``ml2dl serve`` does).

    Each of ``workers`` processes builds its own app (:func:`create_app_from_env`) from the same
    settings; they share the cache folder, through which a long job runs once whichever worker
    gets the request (``ml2dl.web.jobs``).

    Args:
        host: interface to bind; the default keeps the module on this machine only.
        port: TCP port (1..65535).
        data: optional ``.npz`` of real images, or a folder of two class folders (see ``ml2dl.data``).
        open_browser: open the default browser on the module once the server is up.
        workers: worker processes (1..16; default: the cores this process may use); requests
            are stateless, so any worker may answer any.
        cache_dir: folder for job results and uploads (default ``~/.cache/ml2dl/module``).
        training_budget: a ``Budget`` for the background trainings (default: each step's own).
        embed_from: origins (``https://course.example.org``) allowed to show the module in a frame.
        access_code: a code every student must type once before the module opens (None = open).
        prestart: start the steps' default trainings at once, so the first students find them ready.
    """
    import uvicorn

    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise InputError(f"port must be an int in 1..65535, got {port!r}")
    workers = min(hosts.usable_cores(), MAX_WORKERS) if workers is None else workers
    int_in_range("workers", workers, 1, MAX_WORKERS)
    if data is not None and not (Path(data).expanduser().is_file() or Path(data).expanduser().is_dir()):
        raise InputError(f"data must be an existing .npz file or a folder of two class folders, got {str(data)!r}")
    embed_from = tuple(hosts.check_origin(o) for o in embed_from)
    names = hosts.served_names(host)
    settings = Settings.make(data_path=data, cache_dir=cache_dir, training_budget=training_budget,
                             allowed_hosts=names, embed_from=embed_from, access_code=access_code,
                             prestart=prestart, job_processes=True)  # trainings beside the class, not in its way
    os.environ[ENV_VAR] = settings.to_json()  # inherited by every worker process
    urls = hosts.urls(host, port)
    print(f"ml2dl module at {urls[0]}  ({workers} worker{'s' if workers > 1 else ''}; Ctrl+C to stop)")
    if hosts.is_public(host):
        print(f"warning: --host {host} lets every machine that can reach this one open the module"
              + (" (no --access-code set)" if not access_code else ""))
        for url in urls[1:]:
            print(f"  students can use {url}")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(urls[0],)).start()
    uvicorn.run("ml2dl.web.app:create_app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", server_header=False)


# ---------------------------------------------------------------------------- helpers


@asynccontextmanager
async def _lifespan(app: FastAPI):
    if app.state.settings.prestart:  # every worker asks; the job locks let one of them run each job
        jobs.start_defaults(app.state.settings, app.state.job_pool)
        # what every student's browser fetches first, compressed before they come
        app.state.assets.warm([STATIC_DIR / "index.html", STATIC_DIR / "app.js", STATIC_DIR / "style.css",
                               _plotly_js_path()])
    yield
    app.state.job_pool.shutdown()  # cancel this worker's background trainings so it stops promptly


SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")


def _swagger_ui_dir() -> Path:
    from swagger_ui_bundle import swagger_ui_path  # the `swagger-ui-bundle-v2` package

    return Path(swagger_ui_path)


def _plotly_js_path() -> Path:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found in the plotly package at {path}")
    return path
