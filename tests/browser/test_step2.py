"""Step 2 in a real browser: press play, the network learns XOR; one neuron does not."""

import re

import pytest

pytestmark = pytest.mark.browser


def _percent(text: str) -> float:
    return float(re.sub(r"[^\d.]", "", text))


def test_play_on_xor_with_a_hidden_layer_learns(page, open_step, shot):
    open_step(page, 2, "problem=xor&hidden=4&act=tanh&lr=0.3&opt=sgd")
    assert page.get_by_test_id("step-count").inner_text() == "0"
    shot(page, "step2-start")
    page.get_by_test_id("play").click()
    # the test accuracy shown rises above 90 % (≈300 steps at 10 steps per update)
    page.wait_for_function(
        "() => { const t = document.querySelector('[data-testid=test-accuracy]').innerText;"
        " return parseFloat(t.replace(/[^0-9.]/g, '')) > 90; }", timeout=60_000)
    page.get_by_test_id("play").click()  # pause
    steps = int(page.get_by_test_id("step-count").inner_text().replace(",", ""))
    assert steps > 0
    assert _percent(page.get_by_test_id("test-accuracy").inner_text()) > 90
    assert page.get_by_test_id("play").get_attribute("aria-pressed") == "false"
    shot(page, "step2-xor-trained")


def test_one_neuron_fails_on_xor(page, open_step, shot):
    open_step(page, 2, "problem=xor&hidden=none&lr=0.3&opt=sgd")
    assert page.get_by_test_id("hidden-layers").inner_text() == "0"
    assert "logistic regression" in page.get_by_test_id("one-neuron").inner_text()
    for k in range(1, 21):  # 200 steps, one click (10 steps) at a time
        page.get_by_test_id("step-once").click()
        page.wait_for_function("(n) => document.querySelector('[data-testid=step-count]').innerText === n",
                               arg=str(10 * k))
    assert page.get_by_test_id("step-count").inner_text() == "200"
    assert _percent(page.get_by_test_id("test-accuracy").inner_text()) < 75
    shot(page, "step2-one-neuron-xor")


def test_controls_change_the_network_and_the_url(page, open_step):
    open_step(page, 2, "problem=circle&hidden=none")
    page.get_by_test_id("add-layer").click()
    page.wait_for_function("document.querySelector('[data-testid=hidden-layers]').innerText === '1'")
    page.get_by_test_id("more-1").click()
    page.wait_for_function("location.search.includes('hidden=5')")
    # 2·5 + 5 + 5·1 + 1 = 21 parameters
    page.wait_for_function("document.querySelector('[data-testid=parameters]').innerText === '21'")
    page.get_by_test_id("problem-spiral").click()
    page.wait_for_function("location.search.includes('problem=spiral')")
    page.get_by_test_id("act").select_option("relu")
    page.wait_for_function("location.search.includes('act=relu')")
    assert page.get_by_test_id("step-count").inner_text() == "0"
