"""Step 3 in a real browser: pick an activation, read its range and value; stack with it on and off."""

import math

import pytest

pytestmark = pytest.mark.browser


def test_sigmoid_default_then_tanh(page, open_step, shot):
    open_step(page, 3)
    assert page.get_by_test_id("fz").inner_text() == "0.500"  # σ(0)
    assert page.get_by_test_id("range").inner_text() == "(0, 1)"
    page.get_by_test_id("fn-tanh").click()
    page.wait_for_function("document.querySelector('[data-testid=range]').textContent === '(−1, 1)'")
    assert page.get_by_test_id("fz").inner_text() == "0.000"
    page.get_by_test_id("z").fill("0.5")
    expected = f"{math.tanh(0.5):.3f}"  # 0.462
    page.wait_for_function(f"document.querySelector('[data-testid=fz]').textContent === '{expected}'")
    assert page.get_by_test_id("dfz").inner_text() == f"{1 - math.tanh(0.5) ** 2:.3f}"
    assert "fn=tanh" in page.url and "z=0.5" in page.url
    assert page.locator("[data-testid=formula] math").count() == 2
    shot(page, "step3-tanh")


def test_softmax_vector_sums_to_one(page, open_step, shot):
    open_step(page, 3, "fn=softmax")
    assert page.get_by_test_id("prob-total").inner_text() == "1.000"
    assert [page.get_by_test_id(f"prob-{i}").inner_text() for i in range(3)] == ["0.659", "0.242", "0.099"]
    assert page.get_by_test_id("z").is_hidden()  # softmax takes a vector, not one z
    page.get_by_test_id("vec-add").click()
    page.wait_for_selector("[data-testid=prob-3]")
    assert page.get_by_test_id("prob-total").inner_text() == "1.000"
    shot(page, "step3-softmax")


def test_stacking_on_and_off(page, open_step, shot):
    open_step(page, 3, "fn=tanh")
    assert "bends" in page.get_by_test_id("stack-verdict").inner_text()
    page.get_by_test_id("act-off").click()
    page.wait_for_function("document.querySelector('[data-testid=stack-verdict]').textContent.includes('Linear ∘ linear = linear')")
    assert "act=off" in page.url
    shot(page, "step3-stack-off")
