"""Browser tests: the module served by uvicorn in a thread, driven by headless Debian Chromium.

Fixtures:
    base_url   http://127.0.0.1:<free port> (one server per session, tmp cache dir)
    page       a fresh Playwright page (1280×900); fails the test if the page throws a JS error
    open_step  open_step(page, "loss", "a=1") or open_step(page, 3, "fn=tanh") -> page, waits until
               the step has mounted (a name, or the old number of steps 1–9)
    shot       shot(page, "step1-default") -> saves test-output/screenshots/step1-default.png
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip install playwright)")
    from ml2dl.lessons.images import Budget
    from ml2dl.web.app import create_app
    from servers import TINY, running

    # the session server trains tiny CNNs: visiting step 5 or 9 starts their background jobs
    app = create_app(cache_dir=tmp_path_factory.mktemp("module-cache"), training_budget=Budget(**TINY))
    with running(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    # bypass_csp: the app's Content-Security-Policy (web/guard.py) forbids eval, which Playwright's
    # polling wait_for_function needs in the page; the policy itself is tested without a browser
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _wait_ready(page, step: int | str) -> None:
    """Wait until the step has mounted: `step` is its URL name ("loss") or, for steps 1–9, its old number."""
    attr = "data-number" if isinstance(step, int) else "data-step"
    page.wait_for_selector(f"#step-root[{attr}='{step}'][data-ready='true']")


@pytest.fixture
def open_step():
    def open_step(page, step: int | str, query: str = ""):
        page.goto(f"/?step={step}" + (f"&{query}" if query else ""))
        _wait_ready(page, step)
        return page

    return open_step


@pytest.fixture
def wait_ready():
    return _wait_ready


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return shot


def pytest_configure(config):
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
