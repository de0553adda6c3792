"""Step "quiz" and the check at the end of a step, in a real browser: answer, be told, new numbers, score."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def card(page, n):
    return page.get_by_test_id(f"quiz-q{n}")


def test_quiz_set_answers_checked_by_the_server_and_scored(page, open_step, shot):
    open_step(page, "quiz")
    expect(page.get_by_test_id("quiz-score")).to_have_text("0 / 0")
    # set 0 opens with the course's three questions
    q2 = card(page, 2)
    expect(q2.get_by_test_id("qc-text")).to_contain_text("10-10-10-10")
    assert "330" not in page.content()  # the answer is not in the page before answering
    q2.get_by_test_id("qc-answer").fill("330")
    q2.get_by_test_id("qc-check").click()
    expect(q2.get_by_test_id("qc-verdict")).to_have_text("Right: 330.")
    expect(q2.get_by_test_id("qc-working")).to_contain_text("10 → 10: 10·10 weights + 10 biases = 110")
    expect(page.get_by_test_id("quiz-score")).to_have_text("1 / 1")
    # the perceptron AND gate with x = (1, 1): a wrong answer is told the right one
    q1 = card(page, 1)
    q1.get_by_test_id("qc-answer-0").click()
    q1.get_by_test_id("qc-check").click()
    expect(q1.get_by_test_id("qc-verdict")).to_have_text("Not quite: the answer is 1.")
    expect(page.get_by_test_id("quiz-score")).to_have_text("1 / 2")
    # 100 pixels into 10 nodes (1,010) vs a 3 × 3 convolution with 10 maps (100)
    q3 = card(page, 3)
    q3.get_by_test_id("qc-answer-the-dense-layer").click()
    q3.get_by_test_id("qc-check").click()
    expect(q3.get_by_test_id("qc-verdict")).to_have_text("Right: the dense layer.")
    expect(q3.get_by_test_id("qc-working")).to_contain_text("1,010")
    expect(page.get_by_test_id("quiz-score")).to_have_text("2 / 3")
    shot(page, "qc-answered")
    # new numbers: another question of the same kind, unanswered, and the score forgets the old one
    before = q2.get_by_test_id("qc-text").inner_text()
    q2.get_by_test_id("qc-new").click()
    expect(q2.get_by_test_id("qc-text")).not_to_have_text(before)
    expect(q2.get_by_test_id("qc-verdict")).to_have_text("")
    expect(page.get_by_test_id("quiz-score")).to_have_text("1 / 2")
    # a new set changes the URL and the questions
    page.get_by_test_id("quiz-new-set").click()
    expect(page.get_by_test_id("quiz-score")).to_have_text("0 / 0")
    assert "set=1" in page.url
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "quiz-phone")


def test_quiz_by_keyboard_and_hide(page, open_step):
    open_step(page, "quiz", "hide=newset")
    assert page.get_by_test_id("quiz-new-set").count() == 0
    q1 = card(page, 1)
    q1.get_by_test_id("qc-answer-0").focus()
    page.keyboard.press("ArrowRight")  # picks 1
    q1.get_by_test_id("qc-check").focus()
    page.keyboard.press("Enter")
    expect(q1.get_by_test_id("qc-verdict")).to_have_text("Right: 1.")
    q2 = card(page, 2)
    q2.get_by_test_id("qc-answer").fill("331")
    q2.get_by_test_id("qc-answer").press("Enter")
    expect(q2.get_by_test_id("qc-verdict")).to_have_text("Not quite: the answer is 330.")


def test_the_check_at_the_end_of_a_step(page, open_step, shot):
    open_step(page, "layers")
    check = page.get_by_test_id("step-check")
    check.get_by_test_id("qc-text").wait_for()
    expect(check.get_by_test_id("qc-text")).to_contain_text("16-2-16")  # dense_params, seed 1
    check.get_by_test_id("qc-answer").fill("82")  # 16·2 + 2 + 2·16 + 16
    check.get_by_test_id("qc-check").click()
    expect(check.get_by_test_id("qc-verdict")).to_have_text("Right: 82.")
    check.get_by_test_id("qc-new").click()
    expect(check.get_by_test_id("qc-text")).not_to_contain_text("16-2-16")
    expect(check.get_by_test_id("qc-verdict")).to_have_text("")
    check.scroll_into_view_if_needed()
    shot(page, "check-layers", full_page=False)
    open_step(page, "neuron", "hide=check")
    assert page.get_by_test_id("step-check").count() == 0
