"""The module's shell in a real browser: navigation, keyboard, URL state, teacher's hide=."""

import re

import pytest

pytestmark = pytest.mark.browser


def title(page):
    return page.get_by_test_id("step-title").inner_text()


def test_buttons_move_between_steps(page, open_step, wait_ready, shot):
    open_step(page, 1)
    assert title(page) == "A neuron is logistic regression"
    assert page.get_by_test_id("prev").is_disabled()
    page.get_by_test_id("next").click()  # step 2 belongs to another page module; the shell's part is the move
    page.wait_for_function("document.getElementById('step-kicker').textContent === 'Step 2 of 9'")
    assert re.search(r"[?&]step=2\b", page.url)
    page.get_by_test_id("prev").click()
    wait_ready(page, 1)
    assert title(page) == "A neuron is logistic regression"
    shot(page, "shell-step1")


def test_step_list_links(page, open_step, wait_ready):
    open_step(page, 1)
    page.get_by_test_id("nav-step-8").click()
    wait_ready(page, 8)
    assert page.get_by_test_id("nav-step-8").get_attribute("aria-current") == "step"
    assert page.get_by_test_id("nav-step-1").get_attribute("aria-current") is None
    assert page.text_content("#step-kicker") == "Step 8 of 9"
    page.go_back()
    wait_ready(page, 1)
    assert title(page) == "A neuron is logistic regression"


def test_keyboard_arrows_switch_steps_but_not_inside_inputs(page, open_step, wait_ready):
    open_step(page, 3)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    wait_ready(page, 4)
    assert title(page) == "Stack layers: deep learning"
    page.keyboard.press("ArrowLeft")
    wait_ready(page, 3)
    # typing in a number box: the arrows belong to the box
    page.get_by_test_id("z").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert re.search(r"[?&]step=3\b", page.url)
    assert title(page) == "Why activation functions"


def test_last_step_disables_next(page, open_step):
    page.goto("/?step=9")
    page.wait_for_function("document.getElementById('next').disabled === true")
    assert page.get_by_test_id("prev").is_enabled()


def test_url_reproduces_state(page, open_step, browser, base_url):
    open_step(page, 1)
    page.get_by_test_id("w1").fill("1.5")
    page.wait_for_function("document.querySelector('[data-testid=z]').textContent === '1.15'")  # 1.2 − 0.15 + 0.1
    url = page.url
    assert "w1=1.5" in url
    other = browser.new_context(base_url=base_url).new_page()
    other.goto(url)
    other.wait_for_selector("#step-root[data-ready='true']")
    assert other.get_by_test_id("w1").input_value() == "1.5"
    assert other.get_by_test_id("z").inner_text() == page.get_by_test_id("z").inner_text()
    assert other.get_by_test_id("yhat").inner_text() == page.get_by_test_id("yhat").inner_text()
    other.context.close()


def test_bad_url_values_fall_back_to_defaults(page, open_step):
    open_step(page, 1, "x1=banana&step=1")
    assert page.get_by_test_id("yhat").inner_text() == "0.625"
    page.goto("/?step=42")
    page.wait_for_selector("#step-root[data-step='1'][data-ready='true']")


def test_teacher_can_hide_controls(page, open_step, wait_ready, shot):
    open_step(page, 1, "hide=w1,b&w1=0.2")
    assert page.get_by_test_id("w1").count() == 0
    assert page.get_by_test_id("b").count() == 0
    assert page.get_by_test_id("w2").count() == 1
    # the hidden value still counts: z = 0.2·0.8 − 0.5·0.3 + 0.1 = 0.11
    assert page.get_by_test_id("z").inner_text() == "0.11"
    shot(page, "shell-hidden-controls")
    # hide= survives navigation, for the whole lesson
    page.get_by_test_id("next").click()
    page.wait_for_timeout(300)
    assert "hide=w1,b" in page.url


def test_server_errors_show_in_a_toast(page, open_step):
    open_step(page, 4)
    page.get_by_test_id("size-1").fill("0")  # ignored by the page (invalid), nothing sent
    page.evaluate("fetch('/api/neuron', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{\"x1\": 42}'})")
    # call through the page's own helper to check the message reaches the user
    page.evaluate("""import('/static/app.js').then(m => m.api('neuron', {x1: 42}).catch(e => m.notify(e.message)))""")
    page.wait_for_selector("[data-testid=toast]:not([hidden])")
    assert page.get_by_test_id("toast").inner_text() == "x1 must be ≤ 10, got 42"
