"""Server-sent events: a page watches a long job without polling (``GET /api/<step>/progress``).

    data: {"status": "running", "progress": 0.4, ...}\n\n     (the job's snapshot, on every change)
    ...
    data: {"status": "done", ..., "result": {...}}\n\n         (then the stream ends)
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Callable

from fastapi.responses import StreamingResponse

from .jobs import FINISHED, JobPool


def progress_response(pool: JobPool, name: str, fp: str) -> StreamingResponse:
    """Server-sent events: the job's snapshot on every change, until it has finished."""
    def current():
        snap = pool.snapshot(name, fp)
        return None if snap["status"] == "none" else snap

    return StreamingResponse(sse_stream(current), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})


async def sse_stream(get_snapshot: Callable[[], dict | None], *, interval: float = 0.25, timeout: float = 900.0):
    """Server-sent events: the job's snapshot whenever it changes, until it has finished.

    Yields ``data: {json}\\n\\n`` blocks. An async generator: a page watching a long job
    holds no worker thread, only a coroutine that wakes up every ``interval`` seconds. The
    snapshot, a few small file reads, is read on the event loop: a hop to a thread and back
    would cost more under a class's load (``ml2dl.web.routes``).
    """
    last = None
    deadline = time.monotonic() + timeout
    while True:
        snap = get_snapshot()
        if snap is None:
            yield "event: missing\ndata: {}\n\n"
            return
        text = json.dumps(snap)
        if text != last:
            yield f"data: {text}\n\n"
            last = text
        if snap["status"] in FINISHED or time.monotonic() > deadline:
            return
        await asyncio.sleep(interval)
