"""Step ``vanishing`` in a real browser: the server's measurements on screen, controls in the URL."""

import pytest

pytestmark = pytest.mark.browser

SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x: float) -> str:
    """The page's display of a small number: 2.3e-06 → "2.3 × 10⁻⁶"."""
    if 0.01 <= abs(x) < 1000:
        return f"{x:.2f}"
    m, e = f"{x:.1e}".split("e")
    return f"{m} × 10{str(int(e)).translate(SUPER)}"


def _api(page, base_url, **body):
    return page.request.post(f"{base_url}/api/vanishing", data=body).json()


def test_the_measurements_are_the_servers(page, base_url, open_step, shot):
    open_step(page, "vanishing")
    r = _api(page, base_url)
    for arm in r["arms"]:
        reach = arm["at_init"]["delta_first_over_last"]
        assert page.get_by_test_id(f"reach-{arm['activation']}").inner_text() == f"× {sci(reach)}"
    sig = r["arms"][0]["at_init"]
    assert "vanishes" in page.get_by_test_id("arm-sigmoid").inner_text()
    assert "keeps its size" in page.get_by_test_id("arm-relu").inner_text()
    why = page.get_by_test_id("why").inner_text()
    assert f"at most {max(sig['slope_mean']):.3f}" in why and sci(r["quarter_power"]) in why
    rows = page.locator("[data-testid=ratio-table] tbody tr")
    assert rows.count() == 10
    assert rows.nth(0).inner_text().split("\t")[1].strip() == f"{sig['slope_mean'][0]:.3f}"
    assert page.get_by_test_id("backprop-link").get_attribute("href") == "?step=backprop"
    loss = page.get_by_test_id("loss-relu").inner_text()
    assert f"{r['arms'][2]['final_loss']:.3f}" in loss
    assert page.get_by_test_id("gradient-chart").bounding_box()["y"] < 900  # the key result without scrolling
    shot(page, "vanishing-default")


def test_depth_learning_rate_and_a_new_start(page, base_url, open_step):
    open_step(page, "vanishing")
    box = page.get_by_test_id("depth")
    box.fill("4")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=setup]').innerText.startsWith('4 hidden layers')")
    assert "depth=4" in page.url
    assert page.locator("[data-testid=ratio-table] tbody tr").count() == 4
    page.get_by_test_id("lr").select_option("0.3")
    page.wait_for_function("() => document.querySelector('[data-testid=setup]').innerText.includes('η = 0.3')")
    page.get_by_test_id("new-start").click()
    page.wait_for_function("() => document.querySelector('[data-testid=setup]').innerText.includes('same seed (1)')")
    assert "seed=1" in page.url and "lr=0.3" in page.url
    r = _api(page, base_url, depth=4, lr=0.3, seed=1)
    assert page.get_by_test_id("reach-sigmoid").inner_text() == f"× {sci(r['arms'][0]['at_init']['delta_first_over_last'])}"


def test_hide_and_the_phone(page, open_step, shot):
    open_step(page, "vanishing", "depth=99&hide=depth,lr,seed")
    assert "depth=12" in page.url  # clamped and written back
    for name in ("depth", "lr", "seed"):
        loc = page.locator(f"[data-control={name}]")
        assert loc.count() == 0 or not loc.is_visible()
    assert page.get_by_test_id("epochs").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.documentElement.scrollWidth <= 390")  # once the charts follow
    shot(page, "vanishing-phone")
