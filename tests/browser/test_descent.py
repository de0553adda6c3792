"""Step `descent` in a real browser: act, then check what is shown against numbers worked out here."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from test_web_descent import CURVATURE, W_STAR, XS, TARGETS, grad_2, loss_1

pytestmark = pytest.mark.browser

# every declared parameter, by the part whose controls it has
PART_PARAMS = {
    "one": ["lr", "w", "k", "presets"],
    "surface": ["surface", "start", "eta", "n"],
    "optimizers": ["surface", "start", "eta", "adam", "cn"],
    "batches": ["m", "mlr", "epochs", "seed", "N", "bm"],
}


def g4(x):
    """Python's "%.4g" with a true minus: how the lesson writes the step's numbers."""
    return f"{x:.4g}".replace("-", "−")


def paren(x):
    return f"({g4(x)})" if x < 0 else g4(x)


def open_part(page, open_step, part, query=""):
    open_step(page, "descent", f"part={part}" + (f"&{query}" if query else ""))
    page.wait_for_selector(f"[data-testid=part-area][data-part={part}][data-ready=true]")
    return page


def query(page):
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_one_step_written_with_its_numbers(page, open_step, shot):
    open_part(page, open_step, "one", "w=-0.5&lr=0.2&k=0")
    assert page.get_by_test_id("behaviour").inner_text().startswith("At the start")
    assert "squared error" in page.get_by_test_id("which-loss").inner_text()
    assert page.get_by_test_id("loss-link").get_attribute("href") == "?step=loss"
    assert page.locator("[data-testid=tumour-data] .point").count() == len(XS) == 24  # the data, drawn
    page.get_by_test_id("step-once").click()
    page.wait_for_selector("[data-testid=part-area][data-k='1']")
    # w₁ = w* + (1 − ηL″)(w₀ − w*), and the step from w₁ uses ∂L/∂w = L″ (w₁ − w*)
    w1 = W_STAR + (1 - 0.2 * CURVATURE) * (-0.5 - W_STAR)
    g1 = CURVATURE * (w1 - W_STAR)
    w2 = w1 - 0.2 * g1
    assert page.get_by_test_id("update-text").inner_text() == f"w′ = {g4(w1)} − 0.2 × {paren(g1)} = {g4(w2)}"
    assert page.get_by_test_id("w-now").inner_text() == f"{w1:.4f}"
    assert page.get_by_test_id("loss-now").inner_text() == f"{loss_1(w1):.4f}"
    assert page.get_by_test_id("k").inner_text() == "1" and query(page)["k"] == "1"
    assert page.get_by_test_id("behaviour").inner_text().startswith("Converging")
    shot(page, "descent-one-step")


def test_too_large_a_learning_rate_diverges_in_words_never_nan(page, open_step, shot):
    open_part(page, open_step, "one", "w=-0.5&lr=0.2&k=4")
    page.get_by_test_id("preset-too-large").click()
    page.wait_for_function("document.querySelector('[data-testid=k]').innerText === '0'")
    assert query(page)["lr"] == "0.6"
    page.get_by_test_id("play").click()
    page.wait_for_selector("[data-testid=behaviour][data-behaviour=diverged]")
    page.wait_for_selector("[data-testid=play]:not([data-running])", timeout=30_000)  # stops by itself
    text = page.locator("#step-root").inner_text()
    assert "NaN" not in text and "Infinity" not in text
    verdict = page.get_by_test_id("behaviour").inner_text()
    assert verdict.startswith("Diverged") and "Make the learning rate smaller" in verdict
    # each step multiplies the distance to w* by 1 − 0.6·L″ < −1: it stopped once w left the chart (|w| > 5)
    k = int(page.get_by_test_id("k").inner_text())
    w_k = W_STAR + (1 - 0.6 * CURVATURE) ** k * (-0.5 - W_STAR)
    assert abs(w_k) > 5 >= abs(W_STAR + (1 - 0.6 * CURVATURE) ** (k - 1) * (-0.5 - W_STAR))
    assert f"w = {w_k:.4f}".replace("-", "−") + ", outside −5 … 5: the run stops here" in page.get_by_test_id("update").inner_text()
    shot(page, "descent-diverged")


@pytest.mark.parametrize("lr, word", [(0.01, "Crawling"), (0.4, "Oscillating")])
def test_other_learning_rates_in_words(page, open_step, lr, word):
    open_part(page, open_step, "one", f"w=-0.5&lr={lr}&k=20")
    assert page.get_by_test_id("behaviour").inner_text().startswith(word)


def test_the_click_on_the_contours_chooses_the_start(page, open_step, shot):
    open_part(page, open_step, "surface", "surface=two_minima&eta=0.05&n=200")
    found = page.get_by_test_id("found")
    assert found.get_attribute("data-found") == "local"  # the default start (0.3, 1.2)
    assert "cannot climb the ridge" in found.inner_text()
    box = page.locator("[data-testid=contours] .nsewdrag").bounding_box()
    page.mouse.click(box["x"] + 0.2 * box["width"], box["y"] + 0.5 * box["height"])  # u ≈ −1.2, v ≈ 0
    page.wait_for_selector("[data-testid=found][data-found=global]")
    u, v = map(float, query(page)["start"].split(","))
    assert -1.6 < u < -0.8 and -0.4 < v < 0.4
    assert page.get_by_test_id("start-0").input_value() == str(u)
    assert "global minimum at (−1.036, −0.414)" in found.inner_text()
    shot(page, "descent-two-minima")


def test_the_start_typed_by_keyboard(page, open_step):
    open_part(page, open_step, "surface", "surface=tumour&eta=0.06&n=1")
    page.get_by_test_id("start-0").fill("0.5")
    page.get_by_test_id("start-1").fill("-1")
    page.get_by_test_id("start-1").press("Enter")
    page.wait_for_function("new URLSearchParams(location.search).get('start') === '0.5,-1'")
    gw, gb = grad_2(0.5, -1.0)
    page.wait_for_function("document.querySelector('[data-testid=found]').innerText.includes('(0.50, −1.00)')")
    text = page.get_by_test_id("found").inner_text()
    assert f"the path ends at ({0.5 - 0.06 * gw:.3f}, {-1 - 0.06 * gb:.3f})".replace("-", "−") in text


def test_three_optimizers_side_by_side(page, open_step, shot):
    open_part(page, open_step, "optimizers", "surface=tumour&eta=0.06&adam=0.1&cn=100")
    assert "not at a minimum yet" in page.get_by_test_id("result-gd").inner_text()
    for name in ("momentum", "adam"):
        assert "at the global minimum" in page.get_by_test_id(f"result-{name}").inner_text()
    lowest = page.get_by_test_id("lowest")
    assert lowest.get_attribute("data-lowest") in ("momentum", "adam")
    assert lowest.inner_text().startswith("Lowest loss after 100 steps")
    page.get_by_test_id("surface-two_minima").click()
    page.wait_for_function("new URLSearchParams(location.search).get('eta') === '0.05'")
    page.wait_for_function("document.querySelector('[data-testid=start-0]').value === '0.3'")
    assert query(page).get("start") in (None, "auto")
    shot(page, "descent-optimizers")


def test_minibatch_formula_and_batches_per_epoch(page, open_step, shot):
    open_part(page, open_step, "batches", "m=4&mlr=0.02&epochs=10&seed=0")
    formula = page.get_by_test_id("minibatch-formula")
    assert formula.locator("math").count() == 1
    assert "24 / 4 = 6 batches of 4" in formula.inner_text()
    assert "full batch took 10 steps" in page.get_by_test_id("minibatch-summary").inner_text()
    assert "mini-batches took 60" in page.get_by_test_id("minibatch-summary").inner_text()
    page.get_by_test_id("m").fill("5")
    page.wait_for_function("document.querySelector('[data-testid=minibatch-formula]').innerText"
                           ".includes('24 / 5 = 4.8 → 5 batches (4 of 5 and one of 4)')")
    assert "mini-batches took 50" in page.get_by_test_id("minibatch-summary").inner_text()
    assert page.get_by_test_id("batches-text").inner_text() == \
        "Batches per epoch: 4,708 / 32 = 147.1 → 148 batches (147 of 32 and one of 4)."
    page.get_by_test_id("N").fill("1000")
    page.get_by_test_id("bm").fill("100")
    page.wait_for_function("document.querySelector('[data-testid=batches-text]').innerText"
                           " === 'Batches per epoch: 1,000 / 100 = 10 batches of 100.'")
    shot(page, "descent-minibatch")


@pytest.mark.parametrize("part", list(PART_PARAMS))
def test_every_control_of_a_part_can_be_hidden(page, open_step, part):
    names = PART_PARAMS[part]
    open_part(page, open_step, part)
    q = query(page)
    for name in names:
        assert name in q or name in ("presets", "start"), f"{name} not in the URL"
        assert page.locator(f"[data-control='{name}']").count() > 0, f"{part}: no control for {name}"
    open_part(page, open_step, part, "hide=part," + ",".join(names))
    for name in ["part", *names]:
        containers = page.locator(f"[data-control='{name}']")
        for i in range(containers.count()):
            assert containers.nth(i).is_hidden(), f"{part}: {name} still visible"


@pytest.mark.parametrize("part", list(PART_PARAMS))
def test_phone(browser, base_url, shot, part):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base_url)
    page = context.new_page()
    page.goto(f"/?step=descent&part={part}&k=3")
    page.wait_for_selector(f"[data-testid=part-area][data-part={part}][data-ready=true]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shot(page, f"descent-{part}-390")
    context.close()


def test_the_loss_link_opens_the_loss_step(page, open_step):
    open_part(page, open_step, "one")
    page.get_by_test_id("loss-link").click()
    page.wait_for_selector("#step-root[data-step=loss][data-ready=true]")
    assert "step=loss" in page.url
