"""Steps "data" and "architectures" in a real browser: act on each part and read what is shown."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_row_and_xray_grid(page, open_step, shot):
    open_step(page, "data")
    expect(page.get_by_test_id("row-vector")).to_contain_text("x = [193, 224, 27]")
    page.get_by_test_id("part-image").click()
    cells = page.locator("[data-testid=crop-cells] .dt-cell")
    expect(cells).to_have_count(324)  # the lecture's 18 × 18
    expect(page.get_by_test_id("image-dims")).to_have_text("28 × 28")
    expect(page.get_by_test_id("zoom-note")).to_contain_text("18 × 18 = 324 numbers")
    first = cells.first.inner_text()
    assert first.isdigit() and 0 <= int(first) <= 255
    cells.nth(19).hover()  # row 1, column 1 of the crop, which starts centred at (5, 5)
    expect(page.get_by_test_id("pixel-hover")).to_have_text(f"row 6, column 6: {cells.nth(19).inner_text()}")
    shot(page, "data-xray")
    # zoom out: a 32-px crop of a 28-px image is the whole image, too small for numbers at this width?
    page.get_by_test_id("size").fill("6")
    page.get_by_test_id("size").press("Enter")
    expect(cells).to_have_count(36)
    assert "size=6" in page.url
    # the arrow keys move the crop
    page.get_by_test_id("whole").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("crop-line")).to_contain_text("columns 12–17")
    page.get_by_test_id("lecture-crop").click()
    expect(cells).to_have_count(324)
    page.get_by_test_id("src").select_option("ct_small")
    expect(page.get_by_test_id("image-dims")).not_to_have_text("28 × 28")
    assert "src=ct_small" in page.url


def test_colour_and_words(page, open_step, shot):
    open_step(page, "data", "part=colour")
    expect(page.get_by_test_id("real-shape")).to_have_text("1411 × 1411 × 3")
    page.get_by_test_id("colour-green").hover()
    expect(page.get_by_test_id("rgb-hover")).to_contain_text("green")
    page.get_by_test_id("part-text").click()
    expect(page.get_by_test_id("word-heading")).to_have_text("Nearest to “doctors”")
    expect(page.get_by_test_id("neighbours").locator("li").first).to_contain_text("nurses")
    page.get_by_test_id("word-disease").click()
    expect(page.get_by_test_id("word-heading")).to_have_text("Nearest to “disease”")
    expect(page.get_by_test_id("neighbours").locator("li").first).to_contain_text("illness")
    assert "word=disease" in page.url
    expect(page.get_by_test_id("how-made")).to_contain_text("CC0")
    shot(page, "data-words")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # drawn for the phone's width
    page.wait_for_selector("#step-root[data-step='data'][data-ready='true']")
    expect(page.get_by_test_id("word-heading")).to_have_text("Nearest to “disease”")
    shot(page, "data-words-phone")


def test_architectures(page, open_step, shot):
    open_step(page, "architectures")
    expect(page.get_by_test_id("shape-tabular")).to_have_text("3")
    expect(page.get_by_test_id("shape-image")).to_have_text("1 × 28 × 28")
    expect(page.get_by_test_id("shape-sequence")).to_have_text("24 × 3")
    expect(page.get_by_test_id("params-tabular")).to_have_text("81")
    expect(page.get_by_test_id("params-image")).to_have_text("2,033")
    link = page.get_by_test_id("link-image")
    expect(link).to_contain_text("The full CNN pipeline")
    shot(page, "architectures")
    # the sequence card links to the rnn step only when that step is built
    rnn = page.get_by_test_id("link-sequence")
    if rnn.evaluate("n => n.tagName") == "A":
        rnn.click()
        page.wait_for_selector("#step-root[data-step='rnn'][data-ready='true']")
    else:
        expect(rnn).to_contain_text("not in the module yet")
    page.goto("/?step=architectures")
    page.wait_for_selector("#step-root[data-step='architectures'][data-ready='true']")
    link.click()
    page.wait_for_selector("#step-root[data-step='pipeline'][data-ready='true']")


def test_hide_and_url_state(page, open_step):
    open_step(page, "data", "part=image&size=9&r=2&c=3&hide=src,size,lecture,idx")
    for testid in ("src", "size", "lecture-crop", "next-image"):
        node = page.get_by_test_id(testid)
        assert node.count() == 0 or node.first.is_hidden(), testid
    expect(page.locator("[data-testid=crop-cells] .dt-cell")).to_have_count(81)  # the URL's 9 × 9 still counts
    expect(page.get_by_test_id("crop-line")).to_contain_text("rows 2–10, columns 3–11")
    open_step(page, "data", "part=text&word=nutrition&hide=word")
    expect(page.get_by_test_id("word-heading")).to_have_text("Nearest to “nutrition”")
    assert page.get_by_test_id("word-diet").count() == 0 or page.get_by_test_id("word-diet").is_hidden()
