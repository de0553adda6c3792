"""The front-end kit (static/lib) in a real browser: typed URL parameters (clamped, written back),
hide= for declared controls in several steps, and the Player by keyboard."""

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


# ---------------------------------------------------------------- URL parameters: clamp and write back

def test_step2_learning_rate_out_of_range_snaps_to_the_nearest_offered_rate(page, open_step):
    open_step(page, 2, "lr=999&noise=7&seed=-3&hidden=20,0,3,3,3&batch=abc")
    # the page's largest rate is 3; noise ≤ 0.5 and seed ≥ 0 are the request model's limits
    assert page.get_by_test_id("lr").input_value() == "3"
    assert page.get_by_test_id("noise").input_value() == "0.5"
    q = query(page)
    assert q["lr"] == "3"
    assert q["noise"] == "0.5"
    assert q["seed"] == "0"
    assert q["hidden"] == "8,1,3,3"      # each layer 1…8 neurons, at most 4 layers
    assert q["batch"] == "10"            # unreadable: the default
    assert page.get_by_test_id("hidden-layers").inner_text() == "4"
    # 2·8+8 + 8·1+1 + 1·3+3 + 3·3+3 + 3·1+1 = 55 parameters: the clamped network is the one trained
    assert page.get_by_test_id("parameters").inner_text() == "55"


def test_step1_values_are_clamped_to_the_slider_range_and_the_url_rewritten(page, open_step):
    open_step(page, 1, "w1=99&x1=banana")
    assert page.get_by_test_id("w1").input_value() == "3"
    q = query(page)
    assert q["w1"] == "3"
    assert q["x1"] == "0.8"                                   # unreadable: the worked example's value
    assert {"x2", "w2", "b"} <= q.keys()                      # the whole state is in the URL
    # z = 3·0.8 − 0.5·0.3 + 0.1 = 2.35
    assert page.get_by_test_id("z").inner_text() == "2.35"


def test_step8_even_size_and_seed_range(page, open_step):
    open_step(page, 8, "size=7&seed=5000")
    q = query(page)
    assert q["size"] == "8"          # snapped to 4 + 2k
    assert q["seed"] == "99"         # the control's range
    assert page.get_by_test_id("pool-sizes").inner_text() == "8 → 4"


def test_unknown_choice_falls_back_and_transient_flags_stay_as_given(page, open_step):
    open_step(page, 3, "fn=banana&k=0")
    q = query(page)
    assert q["fn"] == "sigmoid"
    assert q["k"] == "1"
    assert page.get_by_test_id("fn-sigmoid").get_attribute("aria-checked") == "true"


def test_changes_are_written_back_with_their_type(page, open_step):
    open_step(page, 6)
    page.get_by_test_id("kernel-5").click()
    page.wait_for_function("new URLSearchParams(location.search).get('kernel') === '5'")
    page.get_by_test_id("size").fill("600")  # the number box clamps to its declared maximum
    page.wait_for_function("new URLSearchParams(location.search).get('size') === '512'")


# ---------------------------------------------------------------- hide=

@pytest.mark.parametrize("step, hide, gone, shown", [
    (2, "lr,problem,noise,test,seed", ["lr", "problem-xor", "noise", "noise-slider", "show-test", "new-data"], ["act", "batch", "play"]),
    (3, "seed,act,v", ["seed", "act-on", "vec-0"], ["k", "z"]),
    (6, "kernel,quiz", ["kernel-3", "quiz", "quiz-fc"], ["size", "neurons"]),
    (7, "display,preset,upload,image", ["display-auto", "preset-sharpen", "upload", "sample-retina"], ["k-0-0"]),
    (8, "size", ["size", "size-slider"], ["seed", "new-grid"]),
    (9, "image", ["example-0"], []),
])
def test_hide_hides_declared_controls(page, open_step, step, hide, gone, shown):
    open_step(page, step, f"hide={hide}&autostart=0")
    for name in hide.split(","):
        containers = page.locator(f"[data-control='{name}']")
        for i in range(containers.count()):
            assert containers.nth(i).is_hidden(), f"step {step}: the {name} control is still visible"
    for testid in gone:  # not drawn at all, or drawn inside a hidden container
        node = page.get_by_test_id(testid)
        assert node.count() == 0 or node.first.is_hidden(), f"step {step}: {testid} is visible"
    for testid in shown:
        assert page.get_by_test_id(testid).first.is_visible(), f"step {step}: {testid} should be visible"
    assert f"hide={hide}" in page.url


def test_a_hidden_control_keeps_its_url_value(page, open_step):
    open_step(page, 8, "hide=size&size=12")
    assert page.get_by_test_id("size").count() == 0
    assert page.get_by_test_id("pool-sizes").inner_text() == "12 → 6"


# ---------------------------------------------------------------- the Player, by keyboard

def test_player_play_pause_and_step_by_keyboard(page, open_step):
    open_step(page, 2, "problem=xor&hidden=4")
    play = page.get_by_test_id("play")
    count = page.get_by_test_id("step-count")
    assert count.inner_text() == "0"
    play.focus()
    page.keyboard.press("Space")
    assert play.get_attribute("aria-pressed") == "true"
    assert play.get_attribute("aria-label") == "Pause"
    page.wait_for_function("parseInt(document.querySelector('[data-testid=step-count]').innerText.replace(/,/g, '')) >= 30")
    page.keyboard.press("Enter")  # the focused button again: pause
    assert play.get_attribute("aria-pressed") == "false"
    assert play.get_attribute("aria-label") == "Play"
    page.wait_for_selector("[data-testid=play]:not([data-running])")
    paused = int(count.inner_text().replace(",", ""))
    assert paused % 10 == 0 and paused >= 30
    page.keyboard.press("Tab")  # the step button comes next
    assert page.evaluate("document.activeElement.dataset.testid") == "step-once"
    page.keyboard.press("Enter")
    page.wait_for_function("(n) => document.querySelector('[data-testid=step-count]').innerText === n",
                           arg=f"{paused + 10:,}")
    assert play.get_attribute("aria-pressed") == "false"
