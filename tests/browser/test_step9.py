"""Step 9 in a real browser: the CNN trains in the background, then every stage is clickable."""

import pytest

from servers import training_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, base_url):  # base_url: skips when Chromium is missing
    with training_server(tmp_path_factory.mktemp("step9-cache")) as (url, app):
        yield url, app


def test_trains_then_shows_every_stage(page, tiny, wait_ready, shot):
    url, app = tiny
    page.goto(f"{url}/?step=9")
    wait_ready(page, 9)
    page.wait_for_selector("[data-testid=stage-conv1]", timeout=120_000)
    assert page.get_by_test_id("training-panel").is_hidden()
    assert page.get_by_test_id("synthetic-tag").is_visible()
    # the default stage: conv1, its 8 feature maps with the learned 3×3 filters under them
    assert page.locator("[data-testid=maps] figure").count() == 8
    assert page.locator("[data-testid=map-0] .cp-kernel div").count() == 9
    assert page.get_by_test_id("stage-conv1").inner_text().endswith("8×28×28")
    expected = {"pool1": (8, "8×14×14"), "conv2": (16, "16×14×14"), "pool2": (16, "16×7×7")}
    for name, (count, shape) in expected.items():
        page.get_by_test_id(f"stage-{name}").click()
        page.wait_for_function(f"document.querySelectorAll('[data-testid=maps] figure').length === {count}")
        assert shape in page.get_by_test_id(f"stage-{name}").inner_text()
        assert "stage=" + name in page.url
    page.get_by_test_id("stage-flatten").click()
    page.get_by_test_id("flat").wait_for()
    assert "784" in page.get_by_test_id("stage-flatten").inner_text()
    page.get_by_test_id("stage-output").click()
    p = float(page.get_by_test_id("probability").inner_text())
    assert 0 <= p <= 1
    assert page.get_by_test_id("prediction").inner_text() == ("pneumonia" if p > 0.5 else "normal")
    assert page.get_by_test_id("truth").inner_text() in ("normal", "pneumonia")
    shot(page, "step9-output-tiny")


def test_pick_another_image_and_keyboard(page, tiny, wait_ready):
    url, _ = tiny
    page.goto(f"{url}/?step=9&stage=relu1")
    wait_ready(page, 9)
    page.wait_for_selector("[data-testid=maps] figure")  # already trained: straight from the cache
    buttons = page.locator("[role=radiogroup] .cp-ex")
    assert buttons.count() == 8
    labels = buttons.all_inner_texts()
    assert labels.count("normal") == 4 and labels.count("pneumonia") == 4
    before = page.get_by_test_id("probability").inner_text()
    buttons.nth(1).click()
    page.wait_for_function("location.search.includes('image=')")
    page.get_by_test_id("stage-relu1").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.search.includes('stage=pool1')")
    assert before is not None


def test_progress_is_visible_and_a_student_can_stop_watching_the_shared_training(page, tmp_path, base_url, wait_ready, shot):
    with training_server(tmp_path, n_train=2000, epochs=20) as (url, app):  # long enough to watch
        page.goto(f"{url}/?step=9")
        wait_ready(page, 9)
        page.wait_for_function("document.querySelector('[data-testid=status]').innerText.includes('training the CNN: epoch')")
        page.wait_for_function("parseFloat(document.querySelector('[data-testid=progress]').getAttribute('aria-valuenow')) > 0")
        shot(page, "step9-training", full_page=False)
        page.get_by_test_id("cancel").click()
        page.wait_for_function("document.querySelector('[data-testid=status]').innerText.startsWith('Stopped watching')")
        assert "keeps running for the others" in page.get_by_test_id("status").inner_text()
        assert page.get_by_test_id("train").is_visible()
        assert page.get_by_test_id("pipeline").is_hidden()
        # the class's training went on
        assert page.evaluate("fetch('/api/pipeline/status').then(r => r.json()).then(j => j.status)") in ("running", "done")


def test_the_output_card_has_the_answer_colour(page, tiny, wait_ready):
    url, app = tiny
    page.goto(f"{url}/?step=9")
    wait_ready(page, 9)
    page.wait_for_selector("[data-testid=output-preview]", timeout=120_000)
    for ex in page.locator(".cp-ex").all()[:8]:  # four normal and four pneumonia examples
        ex.click()
        page.wait_for_timeout(300)
        preview = page.get_by_test_id("output-preview")
        p = float(preview.inner_text())
        assert preview.get_attribute("data-class") == ("pneumonia" if p >= 0.5 else "normal")
        colour = preview.evaluate("n => getComputedStyle(n).color")
        var = "--orange-ink" if p >= 0.5 else "--blue"
        expected = page.evaluate(f"() => {{ const d = document.createElement('div'); d.style.color = 'var({var})'; "
                                 "document.body.append(d); const c = getComputedStyle(d).color; d.remove(); return c; }")
        assert colour == expected


def test_waiting_behind_another_training_says_so_and_counts(page, base_url, tmp_path, wait_ready):
    # step 5's experiment long enough to keep the one worker busy; step 9 then waits behind it
    # (2,048 images × 5 epochs × 4 networks: several seconds even on a fast, quiet machine)
    with training_server(tmp_path, n_train=2048, n_val=32, epochs=5, batch_size=8) as (url, app):
        page.goto(f"{url}/?step=5")
        wait_ready(page, 5)
        page.goto(f"{url}/?step=9")
        wait_ready(page, 9)
        status = page.get_by_test_id("status")
        expect_text = "Queued — waiting for a free worker: 1 job ahead of it (shuffle)"
        page.wait_for_selector(f"[data-testid=status]:has-text('{expect_text}')")
        first = status.inner_text()
        page.wait_for_timeout(2500)
        later = status.inner_text()
        assert first.startswith(expect_text) and later.startswith(expect_text)
        waited = lambda t: int(t.rsplit("(waiting ", 1)[1].split(" s")[0])  # noqa: E731
        assert waited(later) >= waited(first) + 1  # the time it has waited, counting
