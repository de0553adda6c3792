"""Step ``vanishing`` in a real browser: the training runs as a job (progress, the networks drawn as they
finish, cancel), the page shows the job's measurements, controls in the URL, hide=, keyboard and the phone."""

import pytest

pytestmark = pytest.mark.browser

SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# all three networks drawn from the finished job (while it runs, the status says which network trains)
DONE = ("() => ['The three networks trained', 'Trained earlier'].some("
        "(t) => document.querySelector('[data-testid=status]').innerText.startsWith(t))")
LONG = "depth=12&epochs=100&seed=11"  # the longest training the page offers: still running when cancelled


def sci(x: float) -> str:
    """The page's display of a small number: 2.3e-06 → "2.3 × 10⁻⁶"."""
    if 0.01 <= abs(x) < 1000:
        return f"{x:.2f}"
    m, e = f"{x:.1e}".split("e")
    return f"{m} × 10{str(int(e)).translate(SUPER)}"


def _result(page, base_url, query="depth=10&epochs=40&lr=0.1&seed=0"):
    """The finished job's result for these settings, from the API (the page showed it: it is done)."""
    snap = page.request.get(f"{base_url}/api/vanishing/train?{query}").json()
    assert snap["status"] == "done", snap
    return snap["result"]


def test_the_measurements_are_the_servers(page, base_url, open_step, shot):
    open_step(page, "vanishing")  # autostart: training begins on arrival
    page.wait_for_function(DONE, timeout=120_000)
    r = _result(page, base_url)
    for arm in r["arms"]:
        reach = arm["at_init"]["delta_first_over_last"]
        assert page.get_by_test_id(f"reach-{arm['activation']}").inner_text() == f"× {sci(reach)}"
    sig = r["arms"][0]["at_init"]
    assert "vanishes" in page.get_by_test_id("arm-sigmoid").inner_text()
    assert "keeps its size" in page.get_by_test_id("arm-relu").inner_text()
    why = page.get_by_test_id("why").inner_text()
    assert f"at most {max(sig['slope_mean']):.3f}" in why and sci(r["quarter_power"]) in why
    rows = page.locator("[data-testid=ratio-table] tbody tr")
    assert rows.count() == 10
    assert rows.nth(0).inner_text().split("\t")[1].strip() == f"{sig['slope_mean'][0]:.3f}"
    assert page.get_by_test_id("backprop-link").get_attribute("href") == "?step=backprop"
    loss = page.get_by_test_id("loss-relu").inner_text()
    assert f"{r['arms'][2]['final_loss']:.3f}" in loss
    # the per-layer gradient chart: one solid and one dotted line per network, a point per layer
    traces = page.eval_on_selector("[data-testid=gradient-chart]", "d => d.data.map((t) => [t.y, t.line.dash])")
    assert traces == [[a[when]["weight_grad"], dash] for a in r["arms"] for when, dash in (("at_init", "solid"), ("trained", "dot"))]
    assert page.get_by_test_id("gradient-chart").bounding_box()["y"] < 900  # the key result without scrolling
    assert page.get_by_test_id("cancel").is_hidden() and page.get_by_test_id("progress").is_hidden()
    shot(page, "vanishing-default")


@pytest.fixture
def paced(monkeypatch):
    """The vanishing job slowed to ≥ 20 ms an epoch (its 300 epochs take ≥ 6 s): still running when the
    test cancels it, however fast the machine (the server runs in this process, in threads)."""
    import time

    from ml2dl.web import jobs

    real = jobs.Report.progress

    def progress(self, *args, **kwargs):
        if self._job.name == "vanishing":
            time.sleep(0.02)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jobs.Report, "progress", progress)


def test_progress_partial_result_and_cancel(page, base_url, open_step, shot, paced):
    """Not started on arrival: Train shows progress, Cancel, and each network as it finishes; Cancel stops it;
    Train again by keyboard runs it to the end."""
    open_step(page, "vanishing", f"{LONG}&autostart=0")
    assert "press Train" in page.get_by_test_id("status").inner_text()
    assert page.get_by_test_id("reach-sigmoid").inner_text() == "…"  # nothing of these settings drawn
    page.get_by_test_id("start").click()
    page.get_by_test_id("cancel").wait_for(state="visible")
    assert page.get_by_test_id("progress").is_visible() and page.get_by_test_id("start").is_hidden()
    # the first network is drawn when it has finished, while the others still train
    page.wait_for_function("() => document.querySelector('[data-testid=reach-sigmoid]').innerText.startsWith('×')", timeout=120_000)
    assert page.get_by_test_id("reach-relu").inner_text() == "…"
    assert page.eval_on_selector("[data-testid=gradient-chart]", "d => d.data.length") == 2
    shot(page, "vanishing-training")
    page.get_by_test_id("cancel").click()
    page.wait_for_function("() => document.querySelector('[data-testid=status]').innerText.startsWith('Cancelled')", timeout=60_000)
    snap = page.request.get(f"{base_url}/api/vanishing/train?{LONG}&lr=0.1").json()
    assert snap["status"] == "cancelled"
    assert page.get_by_test_id("start").is_visible() and page.get_by_test_id("cancel").is_hidden()
    assert page.get_by_test_id("reach-relu").inner_text() == "…"  # not trained, not shown
    # Train again, by keyboard: the job runs to the end and its figures appear
    page.get_by_test_id("start").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(DONE, timeout=180_000)
    r = _result(page, base_url, f"{LONG}&lr=0.1")
    assert page.get_by_test_id("reach-relu").inner_text() == f"× {sci(r['arms'][2]['at_init']['delta_first_over_last'])}"
    assert page.locator("[data-testid=ratio-table] tbody tr").count() == 12


def test_depth_learning_rate_and_a_new_start(page, base_url, open_step):
    open_step(page, "vanishing")
    page.wait_for_function(DONE, timeout=120_000)
    box = page.get_by_test_id("depth")
    box.fill("4")
    box.press("Enter")
    page.wait_for_function(DONE + " && document.querySelector('[data-testid=setup]').innerText.startsWith('4 hidden layers')",
                           timeout=120_000)
    assert "depth=4" in page.url
    assert page.locator("[data-testid=ratio-table] tbody tr").count() == 4
    page.get_by_test_id("lr").select_option("0.3")
    page.wait_for_function(DONE + " && document.querySelector('[data-testid=setup]').innerText.includes('η = 0.3')", timeout=120_000)
    page.get_by_test_id("new-start").focus()  # by keyboard
    page.keyboard.press("Enter")
    page.wait_for_function(DONE + " && document.querySelector('[data-testid=setup]').innerText.includes('same seed (1)')",
                           timeout=120_000)
    assert "seed=1" in page.url and "lr=0.3" in page.url
    r = _result(page, base_url, "depth=4&epochs=40&lr=0.3&seed=1")
    assert page.get_by_test_id("reach-sigmoid").inner_text() == f"× {sci(r['arms'][0]['at_init']['delta_first_over_last'])}"


def test_hide_and_the_phone(page, open_step, shot):
    open_step(page, "vanishing", "depth=99&hide=depth,lr,seed")
    assert "depth=12" in page.url  # clamped and written back
    for name in ("depth", "lr", "seed"):
        loc = page.locator(f"[data-control={name}]")
        assert loc.count() == 0 or not loc.is_visible()
    assert page.get_by_test_id("epochs").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(DONE, timeout=120_000)
    page.wait_for_function("() => document.documentElement.scrollWidth <= 390")  # once the charts follow
    shot(page, "vanishing-phone")


def test_cancel_while_another_student_follows(page, base_url, open_step):
    """The training runs on for the other student: this page stops following it, and says so."""
    settings = {"depth": 12, "epochs": 100, "lr": 0.1, "seed": 12}
    open_step(page, "vanishing", "depth=12&epochs=100&seed=12&autostart=0")
    assert page.request.post(f"{base_url}/api/vanishing/train", data=settings).json()["status"] in ("queued", "running")
    page.get_by_test_id("start").click()  # joins it
    page.get_by_test_id("cancel").wait_for(state="visible")
    page.get_by_test_id("cancel").click()
    page.wait_for_function("() => document.querySelector('[data-testid=status]').innerText.startsWith('Stopped following')")
    assert "1 other is following this training" in page.get_by_test_id("status").inner_text()
    assert page.get_by_test_id("start").inner_text() == "Follow the training again"
    assert page.get_by_test_id("cancel").is_hidden() and page.get_by_test_id("progress").is_hidden()
    snap = page.request.post(f"{base_url}/api/vanishing/train/cancel", data=settings).json()  # the other student leaves
    assert snap["status"] in ("running", "cancelled", "done") and not snap.get("detached")  # nobody follows it now
