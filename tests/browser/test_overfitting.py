"""Step ``overfitting`` in a real browser: the trainings run as a job, the page shows the job's numbers and words."""

import re

import pytest

pytestmark = pytest.mark.browser

SMALL = "n=50&epochs=20&dropout=0.2&l2=0&augment=0"
BODY = {"n_train": 50, "epochs": 20, "dropout": 0.2, "l2": 0, "augment": False}
WORDS = {"lower": "lower", "higher": "higher", "same": "about the same"}


def _result(page, base_url, body):
    """The job's result for these settings, from the API (the job is done: the page showed it)."""
    q = "&".join(f"{k}={str(v).lower()}" for k, v in body.items())
    snap = page.request.get(f"{base_url}/api/overfitting/experiment?{q}").json()
    assert snap["status"] == "done", snap
    return snap["result"]


def test_trains_and_shows_the_jobs_numbers(page, base_url, open_step, shot):
    open_step(page, "overfitting", SMALL)  # autostart: training begins on arrival
    page.wait_for_selector("[data-testid=row-dropout]", timeout=180_000)
    res = _result(page, base_url, BODY)
    none, drop = res["arms"]
    assert page.get_by_test_id("best-epoch").inner_text() == str(none["best_epoch"])
    assert page.get_by_test_id("best-val-loss").inner_text() == f"{none['best_val_loss']:.3f}"
    assert page.get_by_test_id("final-val-loss").inner_text() == f"{none['final_val_loss']:.3f}"
    assert page.get_by_test_id("gap").inner_text() == f"{none['gap']:.3f}"
    story = page.get_by_test_id("story").inner_text()
    assert (("it overfits" in story) == none["overfits"]) and f"epoch {none['best_epoch']}" in story
    verdict = page.get_by_test_id("verdict-dropout").inner_text()
    assert f"{drop['final_val_loss']:.3f} against {none['final_val_loss']:.3f}" in verdict
    assert WORDS[drop["versus_none"]["final_val_loss_verdict"]] in verdict
    assert "50 training images" in page.get_by_test_id("data").inner_text()
    assert "synthetic" in page.get_by_test_id("data").inner_text()
    assert page.locator("[data-testid=cures-chart] .scatterlayer .trace").count() == 4  # two curves, two stars
    # the key result is on screen without scrolling
    assert page.get_by_test_id("overfit-chart").bounding_box()["y"] < 900
    shot(page, "overfitting-small")


def test_switching_a_cure_on_trains_it_beside_the_others(page, base_url, open_step):
    open_step(page, "overfitting", SMALL)
    page.wait_for_selector("[data-testid=row-dropout]", timeout=180_000)
    page.get_by_test_id("l2").select_option("0.01")
    page.wait_for_selector("[data-testid=row-l2]", timeout=180_000)
    assert "l2=0.01" in page.url
    rows = page.locator("[data-testid=cures-table] tbody tr").all_inner_texts()
    assert [r.split("\t")[0].strip() for r in rows] == ["no cure", "dropout", "L2 (weight decay)", "all cures together"]
    res = _result(page, base_url, {**BODY, "l2": 0.01})
    l2 = res["arms"][2]
    assert f"{l2['final_val_loss']:.3f}" in page.get_by_test_id("row-l2").inner_text()
    # the keyboard: Space on the augmentation box adds the augmented network
    page.get_by_test_id("augment").focus()
    page.keyboard.press("Space")
    page.wait_for_selector("[data-testid=row-augment]", timeout=180_000)
    assert "augment=1" in page.url
    # accuracy instead of loss on the comparison chart
    page.get_by_test_id("metric-accuracy").click()
    page.wait_for_function("() => document.querySelector('[data-testid=cures-chart]').textContent.includes('validation accuracy (%)')")
    assert "metric=accuracy" in page.url


def test_hide_and_the_phone(page, open_step, shot):
    open_step(page, "overfitting", SMALL + "&hide=dropout,l2,augment,n")
    for name in ("dropout", "l2", "augment", "n"):
        assert page.locator(f"[data-control={name}]").count() == 0 or not page.locator(f"[data-control={name}]").is_visible()
    assert page.get_by_test_id("epochs").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_selector("[data-testid=row-dropout]", timeout=180_000)
    # nothing wider than the phone once the charts have followed the new width
    page.wait_for_function("() => document.documentElement.scrollWidth <= 390")
    assert re.search(r"\d", page.get_by_test_id("best-epoch").inner_text())
    shot(page, "overfitting-phone")
