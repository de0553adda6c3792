"""Step ``rnn`` in a real browser: the training runs as a job (progress, cancel), the page shows the job's
figures and the saved networks' answer for a patient, controls in the URL, hide= and the phone."""

import pytest

pytestmark = pytest.mark.browser

DONE = "() => document.querySelector('[data-testid=acc-rnn]').innerText.endsWith('%')"


def _trained(page, base_url, hidden=12, epochs=20, seed=0):
    """The finished job's result for these settings, from the API (the page showed it: it is done)."""
    snap = page.request.get(f"{base_url}/api/rnn/train?hidden={hidden}&epochs={epochs}&seed={seed}").json()
    assert snap["status"] == "done", snap
    return snap["result"]


def _patient(page, base_url, patient=0, hidden=12, epochs=20, seed=0):
    r = page.request.post(f"{base_url}/api/rnn/patient", data={"hidden": hidden, "epochs": epochs, "seed": seed, "patient": patient})
    assert r.status == 200, r.text()
    return r.json()["patient"]


def test_the_figures_are_the_servers(page, base_url, open_step, shot):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_step(page, "rnn")  # autostart: training begins on arrival
    page.wait_for_function(DONE, timeout=120_000)
    page.wait_for_function("() => document.querySelector('[data-testid=risk-text]').innerText.includes('risk of')")
    r = _trained(page, base_url)
    a = r["accuracy"]
    assert page.get_by_test_id("acc-rnn").inner_text() == f"{100 * a['rnn']:.1f} %"
    assert page.get_by_test_id("acc-last").inner_text() == f"{100 * a['last_hour']:.1f} %"
    verdict = page.get_by_test_id("verdict").inner_text()
    assert {"better": "more often right than", "worse": "less often right than", "same": "about as often right as"}[a["verdict"]] in verdict
    size = page.eval_on_selector("[data-testid=hidden-heatmap]", "c => [c.width, c.height]")
    assert size == [24, r["hidden"]]  # one cell per hour and hidden unit
    p = _patient(page, base_url)
    risk = page.get_by_test_id("risk-text").inner_text()
    assert f"risk of {p['risk'][23]:.2f}" in risk and f"gives {p['risk_last_hour']:.2f}" in risk
    grad = page.get_by_test_id("gradient-text").inner_text()
    assert ("it vanishes" in grad) == (r["gradient"]["at_init"]["trend"] == "vanishes")
    assert page.get_by_test_id("vanishing-link").get_attribute("href") == "?step=vanishing"
    assert page.get_by_test_id("verdict").bounding_box()["y"] < 900  # the key result without scrolling
    assert page.get_by_test_id("cancel").is_hidden() and page.get_by_test_id("progress").is_hidden()
    assert "trained" in page.get_by_test_id("status").inner_text().lower()
    shot(page, "rnn-default")


def test_progress_and_cancel(page, base_url, open_step, shot):
    """The longest setting, not started on arrival: Train shows progress and Cancel, Cancel stops it."""
    open_step(page, "rnn", "hidden=16&epochs=40&seed=11&autostart=0")
    assert "press Train" in page.get_by_test_id("status").inner_text()
    page.get_by_test_id("start").click()
    page.get_by_test_id("cancel").wait_for(state="visible")
    assert page.get_by_test_id("progress").is_visible() and page.get_by_test_id("start").is_hidden()
    shot(page, "rnn-training")
    page.get_by_test_id("cancel").click()
    page.wait_for_function("() => document.querySelector('[data-testid=status]').innerText.startsWith('Cancelled')")
    snap = page.request.get(f"{base_url}/api/rnn/train?hidden=16&epochs=40&seed=11").json()
    assert snap["status"] == "cancelled"
    assert page.get_by_test_id("start").is_visible() and page.get_by_test_id("cancel").is_hidden()
    assert page.get_by_test_id("acc-rnn").inner_text() == "—"  # nothing trained, nothing shown
    # Train again, by keyboard: the job runs to the end and its figures appear
    page.get_by_test_id("start").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(DONE, timeout=120_000)
    r = _trained(page, base_url, hidden=16, epochs=40, seed=11)
    assert page.get_by_test_id("acc-rnn").inner_text() == f"{100 * r['accuracy']['rnn']:.1f} %"


def test_patient_and_hidden_units_change_what_is_shown(page, base_url, open_step):
    open_step(page, "rnn")
    page.wait_for_function(DONE, timeout=120_000)
    box = page.get_by_test_id("patient")
    box.fill("7")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=patient-text]').innerText.startsWith('Validation patient 7:')")
    assert "patient=7" in page.url
    p = _patient(page, base_url, patient=7)
    text = page.get_by_test_id("patient-text").inner_text()
    assert ("deteriorates" in text) == (p["label"] == 1)
    page.get_by_test_id("hidden").select_option("4")
    page.wait_for_function("() => document.querySelector('[data-testid=hidden-heatmap]').height === 4", timeout=120_000)
    assert "hidden=4" in page.url
    r = _trained(page, base_url, hidden=4)
    page.wait_for_function(f"() => document.querySelector('[data-testid=acc-rnn]').innerText === '{100 * r['accuracy']['rnn']:.1f} %'")


def test_hide_and_the_phone(page, open_step, shot):
    open_step(page, "rnn", "patient=999&hide=hidden,epochs,seed")
    assert "patient=199" in page.url  # clamped and written back
    for name in ("hidden", "epochs", "seed"):
        loc = page.locator(f"[data-control={name}]")
        assert loc.count() == 0 or not loc.is_visible()
    assert page.get_by_test_id("patient").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(DONE, timeout=120_000)
    page.wait_for_function("() => document.querySelector('[data-testid=patient-text]').innerText.startsWith('Validation patient 199:')")
    page.wait_for_function("() => document.documentElement.scrollWidth <= 390")
    shot(page, "rnn-phone")
