"""Step 7 in a real browser: presets, typed weights, the sum behind a pixel, uploads."""

import re

import numpy as np
import pytest

pytestmark = pytest.mark.browser


def _num(text: str) -> float:
    return float(text.replace("−", "-").replace(",", ""))


def _wait_filtered_changes(page, before):
    page.wait_for_function("(b) => document.querySelector('[data-testid=filtered]').src !== b", arg=before)


def test_default_sharpen_on_the_retina(page, open_step, shot):
    open_step(page, 7)
    assert page.get_by_test_id("preset-sharpen").get_attribute("aria-pressed") == "true"
    assert page.get_by_test_id("sample-retina").get_attribute("aria-checked") == "true"
    assert page.get_by_test_id("k-1-1").input_value() == "5"
    page.wait_for_function("document.querySelector('[data-testid=original]').naturalWidth === 512")
    page.wait_for_function("document.querySelector('[data-testid=filtered]').naturalWidth === 512")
    assert "sum of the weights: 1.000" in page.get_by_test_id("kernel-sum").inner_text()
    shot(page, "step7-default")


def test_hover_shows_the_nine_products_and_their_sum(page, open_step, shot):
    open_step(page, 7, "image=sample:ct_small&preset=laplacian")
    page.wait_for_function("document.querySelector('[data-testid=filtered]').naturalWidth > 0")
    box = page.get_by_test_id("original-box").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.42, box["y"] + box["height"] * 0.55)
    page.wait_for_function("document.querySelector('[data-testid=pixel-sum]').innerText !== '—' && "
                           "[...document.querySelectorAll('[data-testid=weights] div')].map(d => d.innerText.replace('\u2212', '-'))"
                           ".join() === '0,-1,0,-1,4,-1,0,-1,0'")
    # one snapshot of the page, so patch, weights, sum and sentence come from the same update (the
    # centre pixel's answer and the hovered pixel's may both arrive while the test reads)
    texts = page.evaluate("""() => ({
        patch: [...document.querySelectorAll('[data-testid=patch] div')].map(d => d.innerText),
        weights: [...document.querySelectorAll('[data-testid=weights] div')].map(d => d.innerText),
        sum: document.querySelector('[data-testid=pixel-sum]').innerText,
        where: document.querySelector('[data-testid=pixel-where]').innerText})""")
    patch = [_num(t) for t in texts["patch"]]
    weights = [_num(t) for t in texts["weights"]]
    assert weights == [0, -1, 0, -1, 4, -1, 0, -1, 0]
    shown = _num(texts["sum"])
    assert shown == pytest.approx(sum(p * w for p, w in zip(patch, weights)), abs=0.06)
    # the sentence writes out the nine products, in order, and their sum
    where = texts["where"].replace("\u2212", "-")
    found = re.search(r"row \d+, column \d+: its 3 × 3 neighbourhood times the kernel, summed: ([-+ \d.]+) = (-?[\d.]+)\.", where)
    assert found, where
    terms = [float(sign.replace(" ", "") + number) for sign, number in re.findall(r"(-? ?|\+ )(\d+(?:\.\d+)?)", found[1])]
    assert terms == [p * w for p, w in zip(patch, weights)]
    assert float(found[2]) == pytest.approx(shown)
    shot(page, "step7-laplacian-ct")


def test_presets_and_typed_weights(page, open_step):
    open_step(page, 7, "image=sample:ihc")
    page.wait_for_function("document.querySelector('[data-testid=filtered]').naturalWidth > 0")
    before = page.get_by_test_id("filtered").get_attribute("src")
    page.get_by_test_id("preset-identity").click()
    _wait_filtered_changes(page, before)
    assert "preset=identity" in page.url
    # identity: the pixel shown is the centre of its patch
    page.get_by_test_id("filtered-box").focus()
    page.wait_for_function("[...document.querySelectorAll('[data-testid=weights] div')].map(d => d.innerText).join() === '0,0,0,0,1,0,0,0,0'")
    patch = [_num(t) for t in page.locator("[data-testid=patch] div").all_inner_texts()]
    assert _num(page.get_by_test_id("pixel-sum").inner_text()) == pytest.approx(patch[4], abs=0.06)
    # a typed weight makes a custom kernel that travels in the URL
    before = page.get_by_test_id("filtered").get_attribute("src")
    page.get_by_test_id("k-0-0").fill("2")
    _wait_filtered_changes(page, before)
    page.wait_for_function("location.search.includes('kernel=2,0,0,0,1,0,0,0,0')")
    assert page.get_by_test_id("preset-identity").get_attribute("aria-pressed") == "false"
    assert "sum of the weights: 3.000" in page.get_by_test_id("kernel-sum").inner_text()


def test_upload_png_and_reject_garbage(page, open_step, tmp_path, shot):
    from PIL import Image

    y, x = np.mgrid[0:96, 0:128]
    img = ((x // 16 + y // 16) % 2 * 200 + 30).astype(np.uint8)  # a checkerboard: edges everywhere
    path = tmp_path / "checker.png"
    Image.fromarray(img).save(path)
    open_step(page, 7, "preset=outline")
    page.get_by_test_id("upload").set_input_files(str(path))
    page.wait_for_function("location.search.includes('image=upload')")
    page.wait_for_function("document.querySelector('[data-testid=original]').naturalWidth === 128")
    assert "checker.png" in page.get_by_test_id("image-info").inner_text()
    assert page.get_by_test_id("size").inner_text() == "128 × 96 px"
    shot(page, "step7-upload")
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"this is not an image")
    page.get_by_test_id("upload").set_input_files(str(bad))
    toast = page.get_by_test_id("toast")
    toast.wait_for(state="visible")
    assert "notes.png" in toast.inner_text() and "PNG, JPEG or DICOM" in toast.inner_text()
