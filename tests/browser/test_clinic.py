"""The clinic in a real browser: train a short run on the phantoms, see it listed (a second tab too),
move the threshold on clinic-roc and read the confusion matrix and sensitivity shown against the run's
scores computed here, switch the prevalence, jump to an operating point, click a cell to see its images.

The clinic runs on its own server (a fresh runs folder), so the session server's steps are untouched.
"""

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.data import phantom_splits
from ml2dl.train import predict_proba

pytestmark = pytest.mark.browser
sk = pytest.importorskip("sklearn.metrics")

SETTINGS = "n_train=96&epochs=2&width=4&lr=0.01&batch_size=32"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    from servers import running

    from ml2dl.web.app import create_app

    cache = tmp_path_factory.mktemp("clinic-cache")
    app = create_app(cache_dir=cache)
    with running(app) as url:
        yield url, cache


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def ready(page, name, timeout=60_000):
    page.wait_for_selector(f"#step-root[data-step='{name}'][data-ready='true']", timeout=timeout)


def scores(cache, run, split="test"):
    """The run's scores, computed here from its checkpoint and the phantom films drawn again."""
    model = nn.load(Path(cache) / "runs" / run / "best.npz")
    model.eval()
    splits = phantom_splits(96, 300, 300, size=28, seed=0)
    ds = splits.test if split == "test" else splits.val
    return ds.labels, predict_proba(model, ds.images).reshape(-1)


def percent(x: float) -> str:
    return f"{100 * x:.1f}%"


@pytest.fixture(scope="module")
def trained(clinic, browser):
    """Train once through the page; (base url, cache, run name)."""
    url, cache = clinic
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url)
    page = context.new_page()
    page.goto(f"/?step=clinic-train&{SETTINGS}")
    ready(page, "clinic-train")
    page.get_by_test_id("train").click()
    page.wait_for_selector("[data-testid=status][data-status=done], [data-testid=status][data-status=reused]",
                           timeout=120_000)  # selectors, not wait_for_function: the CSP forbids eval
    run = query(page)["run"]
    context.close()
    return url, cache, run


def test_a_short_run_trains_live_and_is_listed_in_a_second_tab(trained, browser, shot):
    url, cache, run = trained
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=url)
        page = context.new_page()
        page.goto(f"/?step=clinic-train&{SETTINGS}")
        ready(page, "clinic-train")
        assert page.get_by_test_id(f"run-{run}").is_visible()  # the runs folder, as any tab sees it
        assert page.get_by_test_id("epoch").inner_text() == "2 / 2"
        history = (Path(cache) / "runs" / run / "history.json").read_text()
        assert f"{__import__('json').loads(history)[-1]['val_auc']:.3f}" == page.get_by_test_id("val-auc").inner_text()
        # the same settings again: reused, nothing trained
        page.get_by_test_id("train").click()
        page.wait_for_selector("[data-testid=status][data-status=reused]")
        assert run in page.get_by_test_id("status").inner_text()
        shot(page, f"clinic-train-{width}", full_page=False)
        context.close()


def test_moving_the_threshold_updates_the_confusion_matrix_and_sensitivity(trained, page, shot):
    url, cache, run = trained
    page.goto(f"{url}/?step=clinic-roc&run={run}")
    ready(page, "clinic-roc")
    y, s = scores(cache, run)
    slider = page.get_by_test_id("threshold-slider")
    slider.focus()
    for key, presses in (("Home", 1), ("ArrowRight", 40), ("ArrowLeft", 7)):
        for _ in range(presses):
            slider.press(key)
        page.wait_for_timeout(300)  # the URL follows once the slider rests
        t = float(query(page)["threshold"])
        assert page.locator("#step-root").get_attribute("data-row") == slider.input_value()
        called = (s >= t).astype(int)
        tn, fp, fn, tp = sk.confusion_matrix(y, called, labels=[0, 1]).ravel()
        shown = {k: int(page.get_by_test_id(f"cm-{k}").inner_text()) for k in ("tp", "fp", "tn", "fn")}
        assert shown == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}, t
        assert page.get_by_test_id("sensitivity-test").inner_text().startswith(percent(sk.recall_score(y, called)))
        assert page.get_by_test_id("specificity-test").inner_text().startswith(percent(tn / (tn + fp)))
    shot(page, "clinic-roc-1280")

    # the prevalence control: the same test where 1% have pneumonia
    page.get_by_test_id("prevalence-0.01").click()
    page.locator("[data-testid=prevalence-note]:has-text('where 1%')").wait_for()
    w = np.where(y == 1, 0.01 / y.sum(), 0.99 / (len(y) - y.sum()))
    ppv = sk.precision_score(y, (s >= t).astype(int), sample_weight=w)
    assert page.get_by_test_id("ppv-test").inner_text().startswith(percent(ppv))

    # the screening point, chosen on validation: at least 97.5% of validation pneumonia found
    page.get_by_test_id("point-screening").click()
    page.wait_for_timeout(300)
    yv, sv = scores(cache, run, "validation")
    t = float(query(page)["threshold"])
    assert np.mean(sv[yv == 1] >= t) >= 0.975
    assert page.get_by_test_id("sensitivity-validation").inner_text().startswith(percent(np.mean(sv[yv == 1] >= t)))
    assert "Saporta" not in page.locator("#step-root").inner_text()  # that caveat belongs to the mistakes


def test_a_cell_opens_its_images_false_negatives_first(trained, page, shot):
    url, cache, run = trained
    page.goto(f"{url}/?step=clinic-roc&run={run}&split=test")
    ready(page, "clinic-roc")
    slider = page.get_by_test_id("threshold-slider")
    slider.focus()
    slider.press("End")
    for _ in range(20):
        slider.press("ArrowLeft")  # a high threshold: pneumonias are missed
    page.get_by_test_id("cell-fn").click()
    ready(page, "clinic-mistakes")
    q = query(page)
    assert q["cell"] == "fn" and q["split"] == "test"
    t = float(q["threshold"])
    y, s = scores(cache, run)
    missed = np.sort(s[(y == 1) & (s < t)])
    assert int(page.get_by_test_id("cm-fn").inner_text()) == missed.size > 0
    cases = page.get_by_test_id("case")
    assert cases.count() == min(12, missed.size)
    shown = [float(cases.nth(i).get_attribute("data-probability")) for i in range(cases.count())]
    np.testing.assert_allclose(shown, missed[:12])  # the most confidently missed first
    assert "Saporta" in page.get_by_test_id("caveat").inner_text()
    shot(page, "clinic-mistakes-1280")
    # another cell: the false alarms
    page.get_by_test_id("cell-fp").click()
    page.wait_for_selector("#step-root[data-cell=fp]")
    assert query(page)["cell"] == "fp"
    assert page.get_by_test_id("cell-title").inner_text().startswith("FP")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "clinic-mistakes-390")


def test_the_roc_page_on_a_phone_and_hide(trained, browser, shot):
    url, cache, run = trained
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=url)
    page = context.new_page()
    page.goto(f"/?step=clinic-roc&run={run}&hide=prevalence,run")
    ready(page, "clinic-roc")
    assert page.locator("[data-control=prevalence]").count() == 0 or not page.locator("[data-control=prevalence]").is_visible()
    assert page.locator("[data-control=run]").count() == 0
    assert page.get_by_test_id("threshold-slider").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shot(page, "clinic-roc-390")
    context.close()
