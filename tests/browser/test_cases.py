"""cases in a real browser: a short phantom run; the page shows Gulshan's points (ours on test against
scikit-learn on the run's scores computed here, and a link that opens clinic-roc at our point), McKinney's
first reader and CheXNet's F1 at the chosen operating point; changing the point changes them; hide=.
Screenshots at 1280 and 390 px."""

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from ml2dl import nn
from ml2dl.data import phantom_splits
from ml2dl.train import predict_proba

pytestmark = pytest.mark.browser
sk = pytest.importorskip("sklearn.metrics")

@pytest.fixture(scope="module")
def trained(tmp_path_factory, browser):
    from servers import clinic_with_a_run

    cache = tmp_path_factory.mktemp("cases-cache")
    with clinic_with_a_run(cache, browser) as (url, run):
        yield url, cache, run


def run_test_scores(cache, run):
    model = nn.load(Path(cache) / "runs" / run / "best.npz")
    model.eval()
    ds = phantom_splits(96, 300, 300, size=28, seed=0).test
    return ds.labels.reshape(-1), predict_proba(model, ds.images).reshape(-1)


def pct(x):
    return f"{100 * x:.1f}%"


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_the_cases_show_the_runs_numbers_and_follow_the_point(trained, browser, shot, width, height):
    url, cache, run = trained
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=url, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/?step=cases&run={run}")
    page.wait_for_selector("#step-root[data-step='cases'][data-ready='true']", timeout=60_000)
    y, s = run_test_scores(cache, run)
    thresholds = {}
    for point in ("balanced", "screening"):
        if point != "balanced":
            page.get_by_test_id(f"point-{point}").click()
            page.wait_for_selector(f"#step-root[data-point='{point}']")
        api = page.request.get(f"{url}/api/clinic/cases?run={run}&point={point}").json()
        t = thresholds[point] = api["threshold"]
        called = (s >= t).astype(int)
        tn, fp, fn, tp = sk.confusion_matrix(y, called, labels=[0, 1]).ravel()
        assert page.get_by_test_id("f1").inner_text() == f"{sk.f1_score(y, called):.3f}"
        assert page.get_by_test_id("cleared-share").inner_text() == pct((tn + fn) / len(y))
        assert page.get_by_test_id("missed-share").inner_text() == pct(fn / (tp + fn))
        assert f"the {tp + fp} it flagged" in page.get_by_test_id("mckinney-words").inner_text()
        summary = page.get_by_test_id("summary")
        assert f"F1 {sk.f1_score(y, called):.3f}" in summary.inner_text() and summary.bounding_box()["y"] < height
        if width == 1280 and point == "balanced":
            shot(page, f"cases-{width}", full_page=False)
    if width == 390:
        shot(page, f"cases-{width}", full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Gulshan: ours on test; the link opens clinic-roc at our high-sensitivity point
    screening = [p for p in page.request.get(f"{url}/api/clinic/cases?run={run}").json()["gulshan"]["points"]
                 if p["name"] == "screening"][0]
    called = (s >= screening["threshold"]).astype(int)
    sens, spec = sk.recall_score(y, called), sk.recall_score(1 - y, 1 - called)
    assert page.get_by_test_id("gulshan-screening").inner_text() == f"{100 * sens:.1f} / {100 * spec:.1f}"
    page.get_by_test_id("to-roc-screening").click()
    page.wait_for_selector("#step-root[data-step='clinic-roc'][data-ready='true']", timeout=60_000)
    q = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert float(q["threshold"]) == pytest.approx(screening["threshold"], abs=1e-12)
    assert errors == []
    context.close()


def test_hide_removes_the_point_choice(trained, browser):
    url, cache, run = trained
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url, bypass_csp=True)
    page = context.new_page()
    page.goto(f"/?step=cases&run={run}&hide=point,run")
    page.wait_for_selector("#step-root[data-step='cases'][data-ready='true']", timeout=60_000)
    assert page.locator("[data-control=point]").count() == 0
    assert page.locator("[data-control=run]").count() == 0
    assert page.get_by_test_id("f1").is_visible()
    context.close()


def test_the_shortcut_experiment_runs_from_the_page_and_shows_what_it_measured(trained, browser, shot):
    url, cache, run = trained
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url, bypass_csp=True)
    page = context.new_page()
    page.goto(f"/?step=cases&run={run}&sc_n=200&sc_epochs=2")
    page.wait_for_selector("#step-root[data-step='cases'][data-ready='true']", timeout=60_000)
    page.wait_for_selector("[data-testid=case-shortcut][data-status=none]")
    page.get_by_test_id("shortcut-run").click()
    page.wait_for_selector("[data-testid=case-shortcut][data-status=done]", timeout=300_000)
    r = page.request.get(f"{url}/api/clinic/cases/shortcut/status?n_train=200&epochs=2&seed=0").json()["result"]
    y = phantom_splits(200, 300, 300, size=28, seed=0).test.labels.reshape(-1)
    for model in ("marked", "control"):
        for where in ("internal", "new"):
            auc = sk.roc_auc_score(y, r[model][f"scores_{where}"])
            assert page.get_by_test_id(f"{model}-{where}").inner_text() == f"{auc:.3f}"
    assert page.get_by_test_id("shortcut-words").inner_text().startswith("Trained at hospital A")
    page.get_by_test_id("case-shortcut").scroll_into_view_if_needed()
    shot(page, "cases-shortcut-1280", full_page=False)
    context.close()


SHARED_NPZ = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pneumoniamnist_trainval.npz"


def test_pretraining_says_it_needs_real_data(trained, browser):
    url, cache, run = trained
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url, bypass_csp=True)
    page = context.new_page()
    page.goto(f"/?step=cases&run={run}")
    page.wait_for_selector("#step-root[data-step='cases'][data-ready='true']", timeout=60_000)
    assert "start it with real X-rays" in page.get_by_test_id("pretrain-needs-data").inner_text()
    assert page.get_by_test_id("pretrain-run").count() == 0
    context.close()


@pytest.mark.skipif(not SHARED_NPZ.is_file(), reason="no PneumoniaMNIST file on this machine")
def test_pretraining_runs_from_the_page_on_a_server_with_real_xrays(trained, browser, shot):
    from servers import running

    from ml2dl.lessons.clinic import data as clinic_data
    from ml2dl.web.app import create_app

    _, cache, run = trained
    with running(create_app(cache_dir=cache, data_path=SHARED_NPZ.resolve())) as url:  # the same runs folder
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url, bypass_csp=True)
        page = context.new_page()
        page.goto(f"/?step=cases&run={run}&pt_real=100")
        page.wait_for_selector("#step-root[data-step='cases'][data-ready='true']", timeout=60_000)
        page.wait_for_selector("[data-testid=case-pretrain][data-status=none]")
        page.get_by_test_id("pretrain-run").click()
        page.wait_for_selector("[data-testid=case-pretrain][data-status=done]", timeout=400_000)
        r = page.request.get(f"{url}/api/clinic/cases/pretrain/status?n_real=100&n_synthetic=1000&epochs=4&seed=0").json()["result"]
        src = [s for s in clinic_data.sources(SHARED_NPZ.resolve()) if s.id == "file"][0]
        y = clinic_data.load(src, 100, 0).test.labels.reshape(-1)
        for m in ("finetuned", "scratch", "pretrained"):
            assert page.get_by_test_id(f"pretrain-{m}").inner_text() == f"{sk.roc_auc_score(y, r[m]['scores']):.3f}"
        assert page.get_by_test_id("pretrain-words").inner_text().startswith(f"On {len(y)} real test X-rays")
        page.get_by_test_id("case-pretrain").scroll_into_view_if_needed()
        shot(page, "cases-pretrain-1280", full_page=False)
        context.close()
