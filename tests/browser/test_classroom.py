"""The module under its security headers, and a playing student who paces the server.

Every step is opened under the Content-Security-Policy the server sends (no inline script):
each mounts and draws, and the browser reports no CSP violation.
"""

import time

import pytest

pytestmark = pytest.mark.browser


def _steps(page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('#step-list a')].map(a => new URL(a.href).search)")


def test_every_step_works_under_the_content_security_policy(page, base_url):
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto("/?step=1")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and response.headers["x-content-type-options"] == "nosniff"
    page.wait_for_selector("#step-root[data-ready='true']")
    searches = _steps(page)
    assert len(searches) >= 9
    for search in searches:
        page.goto(f"/{search}")
        page.wait_for_selector("#step-root[data-ready='true']", timeout=30_000)
        assert page.locator("#step-root").inner_text().strip(), search
    # plotly drew its charts (its styles are allowed; its scripts come from this server)
    page.goto("/?step=3")
    page.wait_for_selector("#step-root[data-ready='true']")
    page.wait_for_selector(".js-plotly-plot")
    assert violations == []


def test_a_playing_student_sends_at_most_ten_requests_a_second(page, open_step):
    sent: list[float] = []
    page.on("request", lambda r: sent.append(time.monotonic()) if r.url.endswith("/api/playground/train") else None)
    open_step(page, 2, "problem=xor&hidden=4")
    page.get_by_test_id("play").click()
    page.wait_for_timeout(3000)
    page.get_by_test_id("play").click()
    page.wait_for_function("!document.querySelector('[data-testid=play]').dataset.running")
    playing = sent[1:]  # the first request drew the fresh network
    # in any one second, at most 10 requests left (11 timestamps span at least a second)
    gaps = [b - a for a, b in zip(playing, playing[10:])]
    assert len(playing) >= 5 and min(gaps, default=1.0) >= 0.95, (len(playing), gaps)
    steps = int(page.get_by_test_id("step-count").inner_text().replace(",", ""))
    assert steps >= 10 * 5  # each request took its steps: the boundary moved on
