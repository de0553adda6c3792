"""Run a module app with uvicorn in a thread, on a free port: the browser tests' servers.

Not a test module (no ``test_`` prefix): ``conftest.py`` starts the session server with it,
and test_step5 / test_step9 start servers whose background trainings use a tiny budget (a
few dozen images, one epoch), so the whole flow — start, progress, result, cache — runs in
seconds.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

TINY = dict(n_train=96, n_val=48, epochs=1, batch_size=32)


@contextmanager
def running(app):
    """Serve ``app`` on 127.0.0.1:<free port>; yields the base URL; stops the server and its jobs."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start for the browser tests")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        pool = getattr(app.state, "job_pool", None)
        if pool is not None:
            pool.shutdown()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def training_server(cache_dir, *, data_path=None, **budget):
    """A module server whose background trainings use the TINY budget (overridable)."""
    from ml2dl.lessons.images import Budget
    from ml2dl.web.app import create_app

    app = create_app(cache_dir=cache_dir, data_path=data_path, training_budget=Budget(**{**TINY, **budget}))
    with running(app) as url:
        yield url, app


SHORT_CLINIC_RUN = "n_train=96&epochs=2&width=4&lr=0.01&batch_size=32"  # clinic-train settings: seconds


@contextmanager
def clinic_with_a_run(cache, browser):
    """A fresh server on ``cache`` with one short clinic run trained through the clinic-train page,
    as a student would; yields (base URL, run name). Stops the server on exit."""
    from pathlib import Path

    from ml2dl.web.app import create_app

    with running(create_app(cache_dir=cache)) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url)
        page = context.new_page()
        page.goto(f"/?step=clinic-train&{SHORT_CLINIC_RUN}")
        page.wait_for_selector("#step-root[data-step='clinic-train'][data-ready='true']", timeout=60_000)
        page.get_by_test_id("train").click()
        page.wait_for_selector("[data-testid=status][data-status=done], [data-testid=status][data-status=reused]",
                               timeout=120_000)
        run = next(p.name for p in (Path(cache) / "runs").iterdir())
        context.close()
        yield url, run
