"""Step 1 in a real browser, as a new student would use it."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_default_neuron_shows_worked_example(page, open_step, shot):
    open_step(page, 1)
    assert page.get_by_test_id("z").inner_text() == "0.51"
    assert page.get_by_test_id("yhat").inner_text() == "0.625"
    assert page.get_by_test_id("prediction").inner_text() == "pneumonia"
    assert "0.625" in page.get_by_test_id("diagram-yhat").text_content()
    assert page.locator("[data-testid=equation] math").count() >= 2  # MathML, one per line
    shot(page, "step1-default")


def test_moving_a_slider_updates_every_view(page, open_step, shot):
    open_step(page, 1)
    page.get_by_test_id("w2").fill("-3")
    # z = 0.7·0.8 − 3·0.3 + 0.1 = −0.24, σ(−0.24) = 0.4403
    page.wait_for_function("document.querySelector('[data-testid=yhat]').textContent === '0.440'")
    assert page.get_by_test_id("z").inner_text() == "−0.24"
    assert page.get_by_test_id("prediction").inner_text() == "normal"
    assert "w2=-3" in page.url
    shot(page, "step1-moved")


def test_slider_drag_by_keyboard(page, open_step):
    open_step(page, 1)
    slider = page.get_by_test_id("b-slider")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")  # b: 0.10 → 0.20, z: 0.51 → 0.61
    page.wait_for_function("document.querySelector('[data-testid=z]').textContent === '0.61'")
    assert page.get_by_test_id("yhat").inner_text() == "0.648"  # σ(0.61) = 0.6479
    assert page.get_by_test_id("b").input_value() == "0.2"
    assert re.search(r"[?&]step=neuron\b", page.url)  # arrows on a slider do not switch steps
