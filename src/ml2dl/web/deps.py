"""What routes receive from the app, as FastAPI dependencies (never module-level singletons).

``create_app`` puts one of each on ``app.state``; a route declares what it needs::

    @router.post("/apply")
    def apply(req: ApplyRequest, uploads: UploadsDep) -> ApplyResult: ...

so a test can hand a route something else with ``app.dependency_overrides[get_uploads] = ...``,
and two apps in one process (two "workers" in a test) share nothing but the cache folder.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ml2dl.data.uploads import UploadStore

from .jobs import JobPool
from .settings import Settings


# async: a lookup on app.state; a plain `def` would cost each request a hop to a worker thread
# and back (and, on a busy machine, a wait for the GIL each way)
async def get_settings(request: Request) -> Settings:
    """This server's :class:`~ml2dl.web.settings.Settings`."""
    return request.app.state.settings


async def get_pool(request: Request) -> JobPool:
    """The pool that runs and remembers this server's long jobs (see ``ml2dl.web.jobs``)."""
    return request.app.state.job_pool


async def get_uploads(request: Request) -> UploadStore:
    """Uploaded images, decoded and kept under ``<cache_dir>/uploads`` (see ``ml2dl.data.uploads``)."""
    return request.app.state.uploads


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[JobPool, Depends(get_pool)]
UploadsDep = Annotated[UploadStore, Depends(get_uploads)]
