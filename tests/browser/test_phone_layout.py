"""A 390-px phone: step 2's formula stays in its box, step 5's legends leave their charts room, step 7's
result is in view on arrival and after a tap on a preset."""

import pytest

from servers import training_server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, base_url):
    context = browser.new_context(viewport=PHONE, base_url=base_url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _box(page, testid):
    return page.get_by_test_id(testid).bounding_box()


def test_step2_the_line_formula_fits_its_box(phone, open_step, shot):
    open_step(phone, 2, "problem=xor&hidden=none")
    formula = _box(phone, "line-formula")
    callout = _box(phone, "one-neuron")
    assert formula["width"] > 100  # drawn
    assert callout["x"] <= formula["x"] and formula["x"] + formula["width"] <= callout["x"] + callout["width"] - 8
    assert phone.evaluate("document.querySelector('[data-testid=line-formula]').scrollWidth") <= formula["width"] + 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    text = phone.get_by_test_id("line-formula").text_content()
    assert "+ (" not in text and "(−" not in text  # each term with its own sign
    shot(phone, "step2-phone-formula")


def test_step5_legends_sit_above_their_plots(phone, base_url, tmp_path, wait_ready, shot):
    with training_server(tmp_path) as (url, _):
        phone.goto(f"{url}/?step=5")
        wait_ready(phone, 5)
        phone.wait_for_selector("[data-testid=verdict-cnn]", timeout=120_000)
        for chart in ("chart", "shift-chart"):
            node = phone.get_by_test_id(chart)
            node.scroll_into_view_if_needed()
            plot_area = node.locator(".nsewdrag").first.bounding_box()  # the plot's own rectangle
            entries = [e.bounding_box() for e in node.locator(".legend .traces").all()]
            assert len(entries) == 3
            for e in entries:
                assert e["y"] + e["height"] <= plot_area["y"] + 1, (chart, e, plot_area)  # not over the bars or lines
                assert e["x"] >= 0 and e["x"] + e["width"] <= PHONE["width"]
            ys = sorted(e["y"] for e in entries)
            assert all(b - a >= 12 for a, b in zip(ys, ys[1:]))  # one entry a row: no two on one line
            assert entries[0]["y"] >= node.bounding_box()["y"]  # inside the chart's own box, over nothing else
        shot(phone, "step5-phone")


def test_step7_the_filtered_image_is_in_view_on_arrival_and_after_a_preset(phone, open_step, shot):
    open_step(phone, 7)
    phone.wait_for_function("document.querySelector('[data-testid=filtered]').naturalWidth > 0")
    box = _box(phone, "filtered-box")
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"]  # above the fold
    assert box["width"] >= 140  # side by side with the original, still a picture
    header = phone.locator(".site-header").bounding_box()
    phone.get_by_test_id("preset-emboss").click()  # far down the controls: the page scrolls to it
    phone.wait_for_function("document.querySelector('[data-testid=preset-emboss]').getAttribute('aria-pressed') === 'true'")
    assert phone.evaluate("scrollY") > 300
    box = _box(phone, "filtered-box")
    assert box["y"] >= header["y"] + header["height"] - 1 and box["y"] + box["height"] <= PHONE["height"]
    shot(phone, "step7-phone-emboss", full_page=False)
    # a control reached by the keyboard comes into view below the images, not behind them
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    phone.get_by_test_id("preset-identity").focus()
    images = _box(phone, "images")
    preset = _box(phone, "preset-identity")
    assert preset["y"] >= images["y"] + images["height"] - 1 and preset["y"] + preset["height"] <= PHONE["height"]
