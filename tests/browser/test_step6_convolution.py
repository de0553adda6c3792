"""Step 6 in a real browser: fully connected vs convolution counts, the chart and the quiz."""

import pytest

pytestmark = pytest.mark.browser


def text(page, tid):
    return page.get_by_test_id(tid).inner_text()


def test_defaults_then_a_bigger_image(page, open_step, shot):
    open_step(page, 6)
    assert text(page, "fc-weights").startswith("25,088")
    assert text(page, "conv-weights").startswith("288")
    assert "25,120 parameters" in text(page, "fc-total") and "320 parameters" in text(page, "conv-total")
    assert page.locator("[data-testid=conv-chart] .main-svg").count() >= 1
    shot(page, "step6-default")
    page.get_by_test_id("size").fill("224")  # 224·224·32 = 1,605,632; the convolution stays at 288
    page.wait_for_function("document.querySelector('[data-testid=fc-weights]').textContent.startsWith('1,605,632')")
    assert text(page, "conv-weights").startswith("288")
    page.get_by_test_id("neurons").fill("10")
    page.wait_for_function("document.querySelector('[data-testid=conv-weights]').textContent.startsWith('90')")
    assert "size=224" in page.url and "neurons=10" in page.url


def test_quiz(page, open_step, shot):
    open_step(page, 6)
    page.get_by_test_id("quiz-fc").fill("1000")
    page.get_by_test_id("quiz-conv").fill("100")
    page.get_by_test_id("quiz-check").click()
    page.wait_for_selector("[data-testid=quiz-fc-feedback].no")
    assert "1,010" in text(page, "quiz-fc-feedback")
    assert text(page, "quiz-conv-feedback").startswith("✓")
    page.get_by_test_id("quiz-fc").fill("1010")
    page.get_by_test_id("quiz-fc").press("Enter")
    page.wait_for_selector("[data-testid=quiz-fc-feedback].ok")
    page.get_by_test_id("quiz").scroll_into_view_if_needed()
    shot(page, "step6-quiz")
