"""cases without a trained run, in a real browser: the run-judging cards say they need one, the experiments work
anyway. Esteva's card: the paper's figures, a tiny run started from the page (both AUCs and intervals as
scikit-learn computes them from the job's scores, the sentence that follows from them), cancel.
Screenshots at 1280 and 390 px."""

import pytest

from ml2dl.data.phantom import phantom_splits
from ml2dl.lessons.clinic import esteva

pytestmark = pytest.mark.browser
sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    from servers import running

    from ml2dl.web.app import create_app

    with running(create_app(cache_dir=tmp_path_factory.mktemp("cases-esteva-cache"))) as url:
        yield url


def open_cases(browser, url, width, height, query=""):
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=url, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/?step=cases{query}")
    page.wait_for_selector("#step-root[data-step='cases'][data-ready='true']", timeout=60_000)
    return context, page, errors


def test_without_a_run_the_experiments_still_work(server, browser, shot):
    context, page, errors = open_cases(browser, server, 1280, 900)
    note = page.get_by_test_id("no-runs").inner_text()
    assert "measured on a run you trained, and there is none yet" in note and "experiments below need no run" in note
    assert page.get_by_test_id("f1").count() == 0  # the run's cards are not drawn
    for card in ("esteva", "shortcut"):  # both look up their state and offer to run
        page.wait_for_selector(f"[data-testid=case-{card}][data-status=none]")
        assert page.get_by_test_id(f"{card}-run").is_enabled()
    assert page.get_by_test_id("pretrain-needs-data").count() == 1  # a server without real X-rays
    shot(page, "cases-no-run-1280", full_page=False)
    assert errors == []
    context.close()


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_the_esteva_experiment_runs_from_the_page_and_shows_what_it_measured(server, browser, shot, width, height):
    context, page, errors = open_cases(browser, server, width, height, "&es_n=200&es_epochs=1")
    for key, id_ in (("images", "esteva-images"), ("diseases", "esteva-diseases"), ("classes", "esteva-classes")):
        assert page.get_by_test_id(id_).inner_text() == f"{esteva.PAPER[key]:,}"
    page.wait_for_selector("[data-testid=case-esteva][data-status=none], [data-testid=case-esteva][data-status=done]")
    button = page.get_by_test_id("esteva-run")
    button.scroll_into_view_if_needed()
    if page.get_by_test_id("case-esteva").get_attribute("data-status") == "none":
        button.focus()
        page.keyboard.press("Enter")  # by keyboard
    page.wait_for_selector("[data-testid=case-esteva][data-status=done]", timeout=300_000)
    r = page.request.get(f"{server}/api/clinic/cases/esteva/status?n_train=200&epochs=1&seed=0").json()["result"]
    kinds = phantom_splits(200, esteva.N_VAL, esteva.N_TEST, size=28, seed=0, subtypes=True).test.labels
    assert r["labels"] == kinds.tolist()
    y = (kinds > 0).astype(int)
    aucs = {}
    for m in ("fine", "binary"):
        aucs[m] = sk.roc_auc_score(y, r[m]["scores"])
        assert page.get_by_test_id(f"esteva-{m}-auc").inner_text() == f"{aucs[m]:.3f}"
        assert page.get_by_test_id(f"esteva-{m}-ci").inner_text() == f"95% CI {r[m]['low']:.3f}–{r[m]['high']:.3f}"
    words = page.get_by_test_id("esteva-words").inner_text()
    assert words.startswith(f"On {len(y)} held-out films")
    diff = aucs["fine"] - aucs["binary"]
    if round(diff, 3):
        assert f"The {'fine-grained' if diff > 0 else 'binary'} model is ahead by {abs(diff):.3f} of AUC" in words
    assert page.get_by_test_id("esteva-confusion").locator("td").count() == 25
    page.get_by_test_id("esteva-fine-auc").scroll_into_view_if_needed()
    shot(page, f"cases-esteva-{width}", full_page=False)
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == []
    context.close()


def test_a_run_started_from_the_page_can_be_cancelled(server, browser):
    context, page, errors = open_cases(browser, server, 1280, 900, "&es_n=1600&es_epochs=6")
    page.wait_for_selector("[data-testid=case-esteva][data-status=none]")
    page.get_by_test_id("esteva-run").click()
    page.wait_for_selector("[data-testid=case-esteva][data-status=running], [data-testid=case-esteva][data-status=queued]",
                           timeout=60_000)
    page.get_by_test_id("esteva-cancel").click()
    page.wait_for_selector("[data-testid=case-esteva][data-status=cancelled]", timeout=120_000)
    assert page.get_by_test_id("esteva-run").is_enabled() and page.get_by_test_id("esteva-cancel").is_hidden()
    assert errors == []
    context.close()
