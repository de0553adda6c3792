"""Step ``rnn`` in a real browser: the server's figures on screen, controls in the URL, hide= and the phone."""

import pytest

pytestmark = pytest.mark.browser


def _api(page, base_url, **body):
    return page.request.post(f"{base_url}/api/rnn", data=body).json()


def test_the_figures_are_the_servers(page, base_url, open_step, shot):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_step(page, "rnn")
    r = _api(page, base_url)
    a = r["accuracy"]
    assert page.get_by_test_id("acc-rnn").inner_text() == f"{100 * a['rnn']:.1f} %"
    assert page.get_by_test_id("acc-last").inner_text() == f"{100 * a['last_hour']:.1f} %"
    verdict = page.get_by_test_id("verdict").inner_text()
    assert {"better": "more often right than", "worse": "less often right than", "same": "about as often right as"}[a["verdict"]] in verdict
    size = page.eval_on_selector("[data-testid=hidden-heatmap]", "c => [c.width, c.height]")
    assert size == [24, r["hidden"]]  # one cell per hour and hidden unit
    p = r["patient"]
    risk = page.get_by_test_id("risk-text").inner_text()
    assert f"risk of {p['risk'][23]:.2f}" in risk and f"gives {p['risk_last_hour']:.2f}" in risk
    grad = page.get_by_test_id("gradient-text").inner_text()
    assert ("it vanishes" in grad) == (r["gradient"]["at_init"]["trend"] == "vanishes")
    assert page.get_by_test_id("vanishing-link").get_attribute("href") == "?step=vanishing"
    assert page.get_by_test_id("verdict").bounding_box()["y"] < 900  # the key result without scrolling
    shot(page, "rnn-default")


def test_patient_and_hidden_units_change_what_is_shown(page, base_url, open_step):
    open_step(page, "rnn")
    box = page.get_by_test_id("patient")
    box.fill("7")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=patient-text]').innerText.startsWith('Validation patient 7:')")
    assert "patient=7" in page.url
    r = _api(page, base_url, patient=7)
    text = page.get_by_test_id("patient-text").inner_text()
    assert ("deteriorates" in text) == (r["patient"]["label"] == 1)
    page.get_by_test_id("hidden").select_option("4")
    page.wait_for_function("() => document.querySelector('[data-testid=hidden-heatmap]').height === 4")
    assert "hidden=4" in page.url
    r = _api(page, base_url, patient=7, hidden=4)
    page.wait_for_function(f"() => document.querySelector('[data-testid=acc-rnn]').innerText === '{100 * r['accuracy']['rnn']:.1f} %'")


def test_hide_and_the_phone(page, open_step, shot):
    open_step(page, "rnn", "patient=999&hide=hidden,epochs,seed")
    assert "patient=199" in page.url  # clamped and written back
    for name in ("hidden", "epochs", "seed"):
        loc = page.locator(f"[data-control={name}]")
        assert loc.count() == 0 or not loc.is_visible()
    assert page.get_by_test_id("patient").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.documentElement.scrollWidth <= 390")
    shot(page, "rnn-phone")
