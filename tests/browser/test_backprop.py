"""Step `backprop` in a real browser: walk the backward pass, edit a weight, apply an update; what is
shown is checked against the network worked out here (tests/test_web_backprop.py's reference)."""

from urllib.parse import parse_qs, urlparse

import pytest

from test_web_backprop import DEFAULT, NAMES, forward, reference_gradients, shifted

pytestmark = pytest.mark.browser
PARAMS = ["x1", "x2", "y", *NAMES, "lr", "at"]


def f3(x):
    return f"{x:.3f}".replace("-", "−")


def query(page):
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_forward_values_in_every_node(page, open_step, shot):
    open_step(page, "backprop")
    h1, h2, yhat, loss = forward([0.8, 0.3], 1, DEFAULT)
    shown = {n: page.get_by_test_id(f"value-{n}").text_content() for n in ("x1", "w11", "z1", "h1", "h2", "yhat", "L")}
    assert shown == {"x1": "0.800", "w11": "0.700", "z1": "0.510", "h1": f3(h1), "h2": f3(h2), "yhat": f3(yhat),
                     "L": f3(loss)}
    assert shown["h1"] == "0.625"  # step 1's neuron
    assert page.get_by_test_id("counter").inner_text() == "backward step 0 of 18"
    assert page.locator("[data-testid^=grad-]").count() == 0  # no gradient before the backward pass
    # every weight's gradient beside its finite difference, and the difference said
    ref = reference_gradients([0.8, 0.3], 1, DEFAULT)
    for name, g in ref.items():
        cells = page.get_by_test_id(f"gradient-{name}").locator("td").all_inner_texts()
        assert cells[2] == f"{g:.6f}".replace("-", "−") == cells[3], name
    assert "agree for all nine weights" in page.get_by_test_id("agreement").inner_text()
    shot(page, "backprop-forward")


def test_backward_pass_node_by_node(page, open_step, shot):
    open_step(page, "backprop")
    _, _, yhat, _ = forward([0.8, 0.3], 1, DEFAULT)
    nxt = page.get_by_test_id("next-node")
    nxt.click()
    page.wait_for_selector("[data-testid=node-L].current")
    assert page.get_by_test_id("grad-L").text_content() == "∂L/∂L = 1.000"
    nxt.click()
    nxt.click()  # ŷ, then z₃: upstream ∂L/∂ŷ = −1/ŷ times the local ŷ(1 − ŷ) = ŷ − 1
    page.wait_for_selector("[data-testid=node-z3].current")
    step = page.get_by_test_id("backward-step").inner_text()
    assert f"Step 3: ∂L/∂z₃ = {yhat - 1:.4f}".replace("-", "−") in step
    assert f"{-1 / yhat:.4f}".replace("-", "−") in step and f"{yhat * (1 - yhat):.4f}" in step
    assert page.get_by_test_id("grad-z3").text_content() == f"∂L/∂z₃ = {f3(yhat - 1)}"
    assert query(page)["at"] == "3"
    page.get_by_test_id("previous-node").click()
    page.wait_for_selector("[data-testid=node-yhat].current")
    assert page.get_by_test_id("grad-z3").count() == 0
    # Play walks on to the inputs and stops there; x₁ feeds two nodes, so two products add up
    page.get_by_test_id("play").click()
    page.wait_for_function("document.querySelector('[data-testid=counter]').innerText === 'backward step 18 of 18'",
                           timeout=40_000)
    page.wait_for_selector("[data-testid=play]:not([data-running])")
    assert nxt.is_disabled()
    assert "x₂ feeds 2 nodes, so its gradient is the sum of the 2 products" in page.get_by_test_id("backward-step").inner_text()
    for name, g in reference_gradients([0.8, 0.3], 1, DEFAULT).items():
        assert page.get_by_test_id(f"grad-{name}").text_content().endswith(f"= {f3(g)}"), name
    shot(page, "backprop-backward-done")


def test_editing_a_weight_and_the_label(page, open_step):
    open_step(page, "backprop", "at=5")
    page.get_by_test_id("v1").fill("2")
    page.get_by_test_id("v1").press("Enter")
    params = shifted(DEFAULT, "v1", 2 - 0.6)
    _, _, yhat, loss = forward([0.8, 0.3], 1, params)
    page.wait_for_function("(t) => document.querySelector('[data-testid=value-L]').textContent === t", arg=f3(loss))
    assert page.get_by_test_id("value-yhat").text_content() == f3(yhat)
    assert query(page)["v1"] == "2" and query(page)["at"] == "0"  # a new network: the backward pass starts over
    page.get_by_test_id("y-0").click()
    _, _, _, loss0 = forward([0.8, 0.3], 0, params)
    page.wait_for_function("(t) => document.querySelector('[data-testid=value-L]').textContent === t", arg=f3(loss0))


def test_apply_one_update(page, open_step, shot):
    open_step(page, "backprop", "lr=0.5")
    page.get_by_test_id("apply-update").click()
    page.wait_for_selector("[data-testid=loss-before-after]")
    ref = reference_gradients([0.8, 0.3], 1, DEFAULT)
    new = DEFAULT
    for name, g in ref.items():
        new = shifted(new, name, -0.5 * g)
    before, after = forward([0.8, 0.3], 1, DEFAULT)[3], forward([0.8, 0.3], 1, new)[3]
    text = page.get_by_test_id("loss-before-after").inner_text()
    assert text.startswith(f"Loss {before:.4f} → {after:.4f} (−{before - after:.4f})")
    assert "the loss went down" in text
    page.wait_for_function("(t) => document.querySelector('[data-testid=value-L]').textContent === t", arg=f3(after))
    v1 = 0.6 - 0.5 * ref["v1"]
    assert page.get_by_test_id("v1").input_value() == str(round(v1, 4))  # shown to 4 decimals
    assert abs(float(query(page)["v1"]) - v1) < 1e-9
    shot(page, "backprop-updated")


def test_every_control_can_be_hidden(page, open_step):
    open_step(page, "backprop")
    q = query(page)
    for name in PARAMS:
        assert name in q, f"{name} not in the URL"
        assert page.locator(f"[data-control='{name}']").count() > 0, f"no control for {name}"
    open_step(page, "backprop", "hide=" + ",".join([*PARAMS, "reset", "update"]))
    for name in [*PARAMS, "reset", "update"]:
        containers = page.locator(f"[data-control='{name}']")
        for i in range(containers.count()):
            assert containers.nth(i).is_hidden(), f"{name} still visible"
    assert page.get_by_test_id("graph").is_visible()


def test_phone(browser, base_url, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base_url)
    page = context.new_page()
    page.goto("/?step=backprop&at=3")
    page.wait_for_selector("#step-root[data-step=backprop][data-ready=true]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the graph scrolls sideways inside its panel and shows the current node
    page.get_by_test_id("graph").scroll_into_view_if_needed()
    box, node = page.get_by_test_id("graph").bounding_box(), page.get_by_test_id("node-z3").bounding_box()
    assert box["x"] <= node["x"] and node["x"] + node["width"] <= box["x"] + box["width"]
    shot(page, "backprop-390")
    context.close()
