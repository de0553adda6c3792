"""Two students and one clinic run: a page that finds a run training which it did not start only
watches it, so its Cancel stops the watching and never another student's run; the student who
started the run can still stop it, also after reloading the page.

The clinic runs on its own server (a fresh runs folder), so the session server's steps are untouched.
"""

import pytest

pytestmark = pytest.mark.browser

LONG = "n_train=600&epochs=30&width=8&seed=21"  # the longest run the page allows: it outlives the test's clicks


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    from servers import running

    from ml2dl.web.app import create_app

    app = create_app(cache_dir=tmp_path_factory.mktemp("clinic-followers"))
    with running(app) as url:
        yield url


def _open(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"/?step=clinic-train&{LONG}")
    page.wait_for_selector("#step-root[data-step='clinic-train'][data-ready='true']")
    return page


def _run_status(page, url, run):
    return page.request.get(f"{url}/api/clinic/status?run={run}").json()["status"]


def test_a_student_who_only_watches_a_run_cannot_stop_it(clinic, browser):
    url = clinic
    a = _open(browser, url)
    with a.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/clinic/train")) as started:
        a.get_by_test_id("train").click()
    run = started.value.json()["run"]
    a.wait_for_selector("[data-testid=status][data-status=running], [data-testid=status][data-status=queued]")

    b = _open(browser, url)  # student B opens the page while A's run trains: B sees it and watches it
    b.wait_for_selector("[data-testid=status][data-status=running], [data-testid=status][data-status=queued]")
    assert b.get_by_test_id("cancel").is_visible(), b.get_by_test_id("status").inner_text()
    b.get_by_test_id("cancel").click()
    b.wait_for_selector("[data-testid=status][data-status=watching-stopped]")
    assert f"You stopped watching run {run}" in b.get_by_test_id("status").inner_text()
    assert b.get_by_test_id("cancel").is_hidden()
    assert _run_status(b, url, run) in ("queued", "running")  # A's run goes on

    a.reload()  # A reloads: the tab still knows it started the run, so its Cancel stops it
    a.wait_for_selector("#step-root[data-step='clinic-train'][data-ready='true']")
    a.wait_for_selector("[data-testid=status][data-status=running], [data-testid=status][data-status=queued]")
    assert a.get_by_test_id("cancel").is_visible(), a.get_by_test_id("status").inner_text()
    a.get_by_test_id("cancel").click()
    a.wait_for_selector("[data-testid=status][data-status=cancelled]", timeout=120_000)
    assert _run_status(a, url, run) == "cancelled"
    a.context.close()
    b.context.close()
