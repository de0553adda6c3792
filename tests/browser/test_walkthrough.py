"""Issue 10: the nine steps as a student and a teacher meet them — each point's browser test."""

import pytest

pytestmark = pytest.mark.browser


def _text(page, testid):
    return page.get_by_test_id(testid).inner_text()


# ---------------------------------------------------------------- 6. step 1's Reset with hidden controls


def test_step1_reset_with_a_hidden_control_restores_the_worked_example(page, open_step):
    open_step(page, 1, "w1=0.2&hide=w1")  # a teacher fixed w1 and hid it
    # z = 0.2·0.8 − 0.5·0.3 + 0.1 = 0.11
    page.wait_for_function("document.querySelector('[data-testid=z]').textContent === '0.11'")
    page.get_by_test_id("x1").fill("2")
    page.wait_for_function("document.querySelector('[data-testid=z]').textContent === '0.35'")
    page.get_by_test_id("reset").click()  # threw "Cannot access 'range' before initialization"
    page.wait_for_function("document.querySelector('[data-testid=yhat]').textContent === '0.625'")
    assert _text(page, "z") == "0.51"
    assert page.get_by_test_id("x1").input_value() == "0.8"
    assert "w1=0.7" in page.url


# ---------------------------------------------------------------- 11. out-of-range input is clamped visibly


def test_step1_a_typed_value_out_of_range_says_what_is_used(page, open_step):
    open_step(page, 1)
    page.get_by_test_id("x1").fill("42")
    # used: x1 = 3 → z = 0.7·3 − 0.15 + 0.1 = 2.05
    page.wait_for_function("document.querySelector('[data-testid=z]').textContent === '2.05'")
    note = page.get_by_test_id("x1-clamped")
    assert note.is_visible()
    assert note.inner_text() == "42 is outside −3 … 3: using 3."
    page.get_by_test_id("x1").press("Tab")  # leaving the box shows the value used
    assert page.get_by_test_id("x1").input_value() == "3"
    page.get_by_test_id("x1").fill("1")
    page.wait_for_function("document.querySelector('[data-testid=z]').textContent === '0.65'")
    assert note.is_hidden()
