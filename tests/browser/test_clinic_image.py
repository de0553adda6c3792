"""clinic-image in a real browser: upload a DICOM made here (a patient's name and ID inside), read the
header fields and the probability shown against the run's model applied here, move the window to the
lung preset and read the new probability, find the patient's name nowhere (page, cache folder), reload
and find the same image and probability again, and the upload removed when the student goes to another
step (coming back, the page says it is gone). Screenshots at 1280 and 390 px."""

from pathlib import Path

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.data.images import resize
from ml2dl.lessons.clinic.image import scans_folder
from ml2dl.train import RunDir, predict_proba

from test_web_clinic_image import PID, dicom_bytes, files_containing

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def trained(tmp_path_factory, browser):
    from servers import clinic_with_a_run

    cache = tmp_path_factory.mktemp("clinic-image-cache")
    with clinic_with_a_run(cache, browser) as (url, run):
        yield url, cache, run


def expected(cache, run, hu, centre, width, point="screening"):
    """P(pneumonia) and the label, computed here: the window written out, the checkpoint applied."""
    model = nn.load(Path(cache) / "runs" / run / "best.npz")
    model.eval()
    grey = np.clip((hu - (centre - width / 2)) / width, 0, 1).astype(np.float32)
    p = float(predict_proba(model, np.clip(resize(grey, (28, 28)), 0, 1)[None, None])[0])
    t = RunDir(Path(cache) / "runs" / run).operating_points()["points"][point]["threshold"]
    return p, "pneumonia" if p >= t else "normal"


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_a_dicom_is_uploaded_windowed_and_read_without_the_patient(trained, browser, tmp_path, shot, width, height):
    url, cache, run = trained
    data, hu = dicom_bytes(96, 80, rng=np.random.default_rng(width))
    file = tmp_path / "Doe_Jane_Secret.dcm"
    file.write_bytes(data)
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=url, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/?step=clinic-image&run={run}")
    page.wait_for_selector("#step-root[data-step='clinic-image'][data-ready='true']")
    assert page.get_by_test_id("empty").is_visible()
    page.get_by_test_id("upload").set_input_files(str(file))
    page.wait_for_selector("[data-testid=probability]")
    p, label = expected(cache, run, hu, 40.0, 400.0)
    assert page.get_by_test_id("probability").inner_text() == f"{p:.3f}"
    assert page.get_by_test_id("label").inner_text() == label
    assert page.get_by_test_id("modality").inner_text() == "CT"
    assert page.get_by_test_id("size").inner_text() == "96 × 80"
    assert page.get_by_test_id("spacing").inner_text() == "0.700 × 0.800 mm"
    assert page.get_by_test_id("probability").is_visible() and page.get_by_test_id("probability").bounding_box()["y"] < height
    shot(page, f"clinic-image-{width}", full_page=False)
    # the lung window: another image to the model
    page.get_by_test_id("preset-lung").click()
    p2, label2 = expected(cache, run, hu, -600.0, 1500.0)
    page.wait_for_function(f"document.querySelector('[data-testid=probability]').textContent === '{p2:.3f}'")
    assert page.get_by_test_id("label").inner_text() == label2
    assert page.get_by_test_id("centre").inner_text() == "−600"
    assert "centre=-600" in page.url and "width=1500" in page.url
    text = page.content()
    for needle in ("Doe", "Jane", "Secret", PID):
        assert needle not in text
    assert files_containing(cache, [b"Doe", b"Jane", b"Secret", PID.encode()]) == []
    kept = list(scans_folder(cache).glob("*.npz"))
    assert len(kept) == 1
    # a reload shows the same image, window and probability again: the URL holds only the upload's key
    assert f"image={kept[0].stem}" in page.url and "Doe" not in page.url
    page.reload()
    page.wait_for_selector("#step-root[data-step='clinic-image'][data-ready='true']")
    assert page.get_by_test_id("probability").inner_text() == f"{p2:.3f}"
    assert page.get_by_test_id("label").inner_text() == label2
    assert page.get_by_test_id("centre").inner_text() == "−600" and page.get_by_test_id("size").inner_text() == "96 × 80"
    assert page.get_by_test_id("empty").is_hidden()
    page.locator("#next").click()  # leaving for another step forgets the upload
    page.wait_for_selector("#step-root[data-step='clinic-mistakes'], #step-root[data-step='cases']", timeout=60_000)
    page.wait_for_timeout(500)
    assert not kept[0].exists()
    # coming back to the address of the upload: the page says the image is gone, and asks for it again
    page.go_back()
    page.wait_for_selector("#step-root[data-step='clinic-image'][data-ready='true']")
    page.get_by_test_id("expired").wait_for()
    assert "upload it again" in page.get_by_test_id("expired").inner_text()
    assert page.get_by_test_id("empty").is_visible() and page.get_by_test_id("probability").count() == 0
    assert "image=" not in page.url
    shot(page, f"clinic-image-expired-{width}", full_page=False)
    assert errors == []
    context.close()


def test_hide_removes_the_controls_and_a_bad_file_is_said(trained, browser, tmp_path):
    url, cache, run = trained
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url, bypass_csp=True)
    page = context.new_page()
    page.goto(f"/?step=clinic-image&run={run}&hide=example,point")
    page.wait_for_selector("#step-root[data-step='clinic-image'][data-ready='true']")
    assert page.locator("[data-control=example]").count() == 0
    assert not page.locator("[data-control=point]").is_visible()
    bad = tmp_path / "notes.png"
    bad.write_text("hello, not an image")
    page.get_by_test_id("upload").set_input_files(str(bad))
    page.wait_for_selector("#toast:not([hidden])")
    assert "expected a PNG, JPEG or DICOM image, got text, not an image" in page.locator("#toast").inner_text()
    context.close()
