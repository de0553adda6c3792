"""Step 5 in a real browser: the shuffled twin, the hover neighbourhoods, the four-network experiment."""

import pytest
from playwright.sync_api import expect

from servers import training_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, base_url):  # base_url: skips when Chromium is missing
    with training_server(tmp_path_factory.mktemp("step5-cache")) as (url, app):
        yield url, app


def _open(page, url, wait_ready, query=""):
    page.goto(f"{url}/?step=5{query}")
    wait_ready(page, 5)


def test_shuffle_and_neighbourhoods(page, tiny, wait_ready, shot):
    url, _ = tiny
    _open(page, url, wait_ready, "&autostart=0")
    assert page.get_by_test_id("synthetic-tag").is_visible()  # no --data: phantoms, labelled
    assert page.get_by_test_id("fc-weights").inner_text() == "6,422,528"
    assert "100,352" in page.get_by_test_id("fc-weights-28").inner_text()
    # neighbours differ far less in the original than after the shuffle
    orig = float(page.get_by_test_id("diff-original").inner_text())
    shuf = float(page.get_by_test_id("diff-shuffled").inner_text())
    assert 0 < orig < shuf / 2
    # hover a pixel: both 3×3 grids appear, the original's values are close to each other
    box = page.get_by_test_id("original").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.52)
    expect(page.get_by_test_id("nb-text")).to_contain_text("row 15, column 12")
    nb = [int(v) for v in page.locator("[data-testid=nb-original] div").all_inner_texts()]
    assert len(nb) == 9 and max(nb) - min(nb) < 80
    assert page.locator("[data-testid=nb-shuffled] div").count() == 9
    # the keyboard moves the pixel too
    page.get_by_test_id("shuffled").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("nb-text")).to_contain_text("column 13")
    assert "shuffled image" in page.get_by_test_id("nb-text").inner_text()
    shot(page, "step5-images")
    page.get_by_test_id("next-image").click()
    expect(page.get_by_test_id("image-counter")).to_contain_text("held-out image 2 ")
    assert "image=1" in page.url


def test_experiment_trains_shows_four_accuracies_and_is_cached(page, tiny, wait_ready, shot):
    url, app = tiny
    _open(page, url, wait_ready)  # autostart: training begins on the first visit
    page.wait_for_selector("[data-testid=verdict-cnn]", timeout=120_000)
    fc = page.get_by_test_id("verdict-fc").inner_text()
    assert "→" in fc and "%" in fc
    # the numbers shown are the job's result
    pool = app.state.job_pool
    (job,) = [j for j in pool._jobs.values() if j.name == "shuffle"]
    res = job.result
    assert f"{res['summary']['fc']['original']:.1f} %" in fc
    assert len(res["arms"]) == 4
    # every sentence is the job's, computed from its numbers (no fixed "destroys")
    assert res["findings"]["shuffle"]["cnn"] in page.get_by_test_id("verdict-cnn").inner_text()
    assert res["findings"]["shuffle"]["fc"] in fc
    assert page.get_by_test_id("shift-fc").inner_text() == res["findings"]["shift"]["fc"]
    assert page.get_by_test_id("shift-cnn").inner_text() == res["findings"]["shift"]["cnn"]
    assert page.get_by_test_id("shift-chart").locator(".scatterlayer .trace").count() == 3  # fc, cnn, baseline
    assert "destroy" not in page.locator("#step-root").inner_text()
    # equivariance, local invariance, position-specific dense layer: said precisely
    failures = page.get_by_text("A convolution slides one small filter everywhere").inner_text()
    assert "equivariant" in failures and "invariance" in failures and "not translation-invariant" in failures
    assert "Done" in page.get_by_test_id("progress-text").inner_text()
    shot(page, "step5-experiment-tiny")
    # a second visit is answered from the cache at once
    _open(page, url, wait_ready)
    page.wait_for_selector("[data-testid=verdict-fc]", timeout=5_000)
    assert page.get_by_test_id("start").is_hidden()


def test_cancel_leaves_no_empty_chart(page, base_url, tmp_path, wait_ready):
    # a budget long enough to cancel in the middle
    with training_server(tmp_path, n_train=512, n_val=32, epochs=5, batch_size=8) as (url, _):
        _open(page, url, wait_ready)
        page.wait_for_selector("[data-testid=cancel]:not([hidden])")
        assert page.get_by_test_id("chart").is_visible()  # drawn while training
        page.get_by_test_id("cancel").click()
        # the class's shared job keeps running for the others: this page stops following it
        expect(page.get_by_test_id("progress-text")).to_contain_text("Stopped watching")
        assert page.get_by_test_id("chart").is_hidden()
        assert page.get_by_test_id("start").is_visible()
