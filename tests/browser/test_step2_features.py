"""Step 2's input features and the spiral challenge in a real browser."""

import re

import pytest

pytestmark = pytest.mark.browser

ACC_ABOVE = ("(v) => { const t = document.querySelector('[data-testid=test-accuracy]').innerText;"
             " return parseFloat(t.replace(/[^0-9.]/g, '')) >= v; }")


def _percent(text: str) -> float:
    return float(re.sub(r"[^\d.]", "", text))


def test_one_neuron_on_squares_learns_the_circle_and_features_are_keyboard_toggles(page, open_step, shot):
    open_step(page, 2, "problem=circle&hidden=none&features=x2sq,x1sq&lr=0.3&opt=sgd")
    assert page.get_by_test_id("feature-x1sq").is_checked() and page.get_by_test_id("feature-x2sq").is_checked()
    assert not page.get_by_test_id("feature-x1").is_checked()
    assert page.get_by_test_id("input-node").count() == 2
    assert page.get_by_test_id("parameters").inner_text() == "3"
    assert "x₁²" in page.get_by_test_id("one-neuron").inner_text()
    page.get_by_test_id("play").click()
    page.wait_for_function(ACC_ABOVE, arg=95, timeout=60_000)
    page.get_by_test_id("play").click()
    shot(page, "step2-features-circle")
    # the keyboard: Tab-reachable checkboxes, Space toggles one; the network grows by an input
    page.get_by_test_id("feature-x1x2").focus()
    page.keyboard.press("Space")
    page.wait_for_function("location.search.includes('features=x1sq,x2sq,x1x2')")
    page.wait_for_function("document.querySelector('[data-testid=parameters]').innerText === '4'")
    assert page.get_by_test_id("input-node").count() == 3
    assert page.get_by_test_id("step-count").inner_text() == "0"  # new inputs, new network
    # the last input cannot be switched off
    for f in ("x1sq", "x2sq"):
        page.get_by_test_id(f"feature-{f}").uncheck()
    page.wait_for_function("location.search.includes('features=x1x2')")
    assert page.get_by_test_id("feature-x1x2").is_disabled()


def test_the_spiral_card_states_measured_figures_and_the_feature_route_solves_it(page, open_step, shot):
    open_step(page, 2, "problem=xor")
    c = page.evaluate("fetch('/api/playground/options').then((r) => r.json())")["spiral_challenge"]
    card = page.get_by_test_id("card-spiral").inner_text()
    lo, hi = min(c["plain_percent"]), max(c["plain_percent"])
    assert f"{lo:g}–{hi:g} %" in card.replace(".0", "") and f"{c['steps']:,}" in card
    assert "find them" in card
    page.get_by_test_id("try-spiral").click()
    page.wait_for_function("location.search.includes('problem=spiral') && location.search.includes('noise=0')")
    play = page.get_by_test_id("play")
    page.wait_for_selector("[data-testid=play][aria-pressed=true]")  # the card started its run…
    play.click()  # …pause it: take the feature route instead
    page.wait_for_selector("[data-testid=play][aria-pressed=false]")
    for f in c["route"]:
        page.get_by_test_id(f"feature-{f}").check()
    page.wait_for_function("location.search.includes('features=x1,x2,sin1,sin2')")
    assert page.get_by_test_id("input-node").count() == 4
    if play.get_attribute("aria-pressed") != "true":  # (whether a new run starts playing is the page's choice)
        play.click()
    page.wait_for_selector("[data-testid=play][aria-pressed=true]")
    page.wait_for_function(ACC_ABOVE, arg=95, timeout=180_000)
    page.get_by_test_id("play").click()
    page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    # (the answer in flight when paused is still shown: the figure may move a little, the run is solved)
    assert _percent(page.get_by_test_id("test-accuracy").inner_text()) >= 85
    shot(page, "step2-spiral-solved")
    page.get_by_text("The spiral: which inputs?").click()
    assert "sin 4x₁ and sin 4x₂" in page.get_by_test_id("spiral-answer").inner_text()


def test_a_teacher_can_hide_the_features(page, open_step):
    open_step(page, 2, "features=x1,x2,x1x2&hide=features")
    assert page.get_by_test_id("features").count() == 0
    assert page.get_by_test_id("input-node").count() == 3  # the fixed features still feed the network
    assert "find them" not in page.get_by_test_id("card-spiral").inner_text()
