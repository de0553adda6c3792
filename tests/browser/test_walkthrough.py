"""Issue 10: the nine steps as a student and a teacher meet them — each point's browser test."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _text(page, testid):
    return page.get_by_test_id(testid).inner_text()


# ---------------------------------------------------------------- 6. step 1's Reset with hidden controls


def test_step1_reset_with_a_hidden_control_restores_the_worked_example(page, open_step):
    open_step(page, 1, "w1=0.2&hide=w1")  # a teacher fixed w1 and hid it
    # z = 0.2·0.8 − 0.5·0.3 + 0.1 = 0.11
    expect(page.get_by_test_id("z")).to_have_text("0.11")
    page.get_by_test_id("x1").fill("2")
    expect(page.get_by_test_id("z")).to_have_text("0.35")
    page.get_by_test_id("reset").click()  # threw "Cannot access 'range' before initialization"
    expect(page.get_by_test_id("yhat")).to_have_text("0.625")
    assert _text(page, "z") == "0.51"
    assert page.get_by_test_id("x1").input_value() == "0.8"
    assert "w1=0.7" in page.url


# ---------------------------------------------------------------- 11. out-of-range input is clamped visibly


def test_step1_a_typed_value_out_of_range_says_what_is_used(page, open_step):
    open_step(page, 1)
    page.get_by_test_id("x1").fill("42")
    # used: x1 = 3 → z = 0.7·3 − 0.15 + 0.1 = 2.05
    expect(page.get_by_test_id("z")).to_have_text("2.05")
    note = page.get_by_test_id("x1-clamped")
    assert note.is_visible()
    assert note.inner_text() == "42 is outside −3 … 3: using 3."
    page.get_by_test_id("x1").press("Tab")  # leaving the box shows the value used
    assert page.get_by_test_id("x1").input_value() == "3"
    page.get_by_test_id("x1").fill("1")
    expect(page.get_by_test_id("z")).to_have_text("0.65")
    assert note.is_hidden()


# ---------------------------------------------------------------- 4. step 7: cross-correlation, the border, σ blur


def test_step7_names_cross_correlation_and_the_emboss_light(page, open_step):
    open_step(page, 7, "preset=emboss")
    about = _text(page, "kernel-about")
    assert "top left" in about and "bottom right" in about and "cross-correlation" in about
    assert "cross-correlation" in _text(page, "cross-correlation") and "flips" in _text(page, "cross-correlation")


def test_step7_the_border_sets_no_edge_and_the_caption_follows_the_kernel_sum(page, open_step):
    open_step(page, 7, "image=sample:cell&preset=laplacian")
    expect(page.get_by_test_id("display-caption")).to_contain_text("mirrored")
    caption = _text(page, "display-caption")
    # the interior's scale (±15), not the ±154 that zeros at the border made
    assert "The weights sum to 0" in caption and "black = −15, white = +15" in caption
    # a kernel that does not sum to 0, shown signed: the caption says its sum
    page.get_by_test_id("display-signed").click()
    page.get_by_test_id("preset-sharpen").click()
    expect(page.get_by_test_id("display-caption")).to_contain_text("sum to 1)")
    assert "sum to 0" not in _text(page, "display-caption")


def test_step7_gaussian_blur_with_sigma_as_the_notebook(page, open_step, shot):
    open_step(page, 7, "image=sample:ct_small")
    page.get_by_test_id("preset-gaussian_sigma").click()
    expect(page.get_by_test_id("gauss-info")).to_contain_text("17 × 17")
    assert "sigma=2" in page.url and "preset=gaussian_sigma" in page.url
    assert _text(page, "gauss-info") == "σ = 2 px: a 17 × 17 kernel, 289 weights."
    page.get_by_test_id("sigma").fill("1")
    expect(page.get_by_test_id("gauss-info")).to_contain_text("9 × 9")
    assert page.get_by_test_id("k-0-0").is_hidden()  # the 3×3 grid gives way to σ
    shot(page, "step7-gaussian-sigma")
    page.reload()  # the link opens the σ blur again (it carries no 3 × 3 kernel)
    expect(page.get_by_test_id("gauss-info")).to_have_text("σ = 1 px: a 9 × 9 kernel, 81 weights.")
    page.get_by_test_id("preset-sharpen").click()
    expect(page.get_by_test_id("k-0-1")).to_have_value("-1")


def test_step7_a_kernel_weight_beyond_the_limit_says_what_is_used(page, open_step):
    open_step(page, 7, "preset=identity")
    page.get_by_test_id("k-0-0").fill("500")
    expect(page.get_by_test_id("kernel-sum")).to_contain_text("101")
    assert _text(page, "kernel-clamped") == "500 is outside −100 … 100: using 100."
    page.get_by_test_id("k-0-0").press("Tab")
    assert page.get_by_test_id("k-0-0").input_value() == "100"


def test_step7_the_inspector_square_starts_at_the_centre(page, open_step):
    open_step(page, 7)
    expect(page.get_by_test_id("original")).not_to_have_js_property("naturalWidth", 0)
    page.wait_for_timeout(200)
    box = page.get_by_test_id("original-box").bounding_box()
    square = page.locator("[data-testid=original-box] .kx-cursor").bounding_box()
    assert abs((square["y"] + square["height"] / 2) - (box["y"] + box["height"] / 2)) < box["height"] * 0.05


# ---------------------------------------------------------------- 12. upload errors say what was expected and received


def test_step7_a_bad_upload_says_what_came_without_internals(page, open_step, tmp_path):
    open_step(page, 7)
    bad = tmp_path / "notes.png"
    bad.write_text("ward round notes\n")
    page.get_by_test_id("upload").set_input_files(str(bad))
    toast = page.get_by_test_id("toast")
    toast.wait_for(state="visible")
    assert toast.inner_text() == ("notes.png: expected a PNG, JPEG or DICOM image of at most 10 MB, "
                                  "got text, not an image (17 bytes)")


# ---------------------------------------------------------------- 7. a teacher's values survive moving between steps


def test_values_fixed_in_the_link_survive_next_previous_and_the_step_list(page, open_step):
    open_step(page, 1, "w1=0.2&hide=w1")
    expect(page.get_by_test_id("z")).to_have_text("0.11")
    page.get_by_test_id("next").click()
    page.wait_for_selector("#step-root[data-number='2'][data-ready='true']")
    assert "w1=" not in page.url and "hide=w1" in page.url
    page.get_by_test_id("prev").click()
    page.wait_for_selector("#step-root[data-number='1'][data-ready='true']")
    assert "w1=0.2" in page.url
    expect(page.get_by_test_id("z")).to_have_text("0.11")
    # a value the student changed comes back too, through the step list
    page.get_by_test_id("b").fill("0.3")
    expect(page.get_by_test_id("z")).to_have_text("0.31")
    page.get_by_test_id("next").click()
    page.wait_for_selector("#step-root[data-number='2'][data-ready='true']")
    page.locator("#step-nav a[href*='step=neuron']").first.click()
    page.wait_for_selector("#step-root[data-number='1'][data-ready='true']")
    expect(page.get_by_test_id("z")).to_have_text("0.31")
    assert "b=0.3" in page.url and "w1=0.2" in page.url


def test_a_panel_whose_controls_are_all_hidden_is_not_left_empty(page, open_step):
    open_step(page, 1, "hide=x1,x2,w1,w2,b,reset")
    assert page.locator(".panel.controls").is_hidden()
    expect(page.get_by_test_id("z")).to_have_text("0.51")
    # only part hidden: the panel stays, its emptied group goes
    open_step(page, 1, "hide=x1,x2")
    assert page.locator(".panel.controls").is_visible()
    assert page.locator("fieldset.group").count() == 2


def test_every_step_says_which_controls_a_teacher_can_hide(page, open_step):
    open_step(page, 1)
    page.get_by_test_id("teacher").locator("summary").click()
    text = page.get_by_test_id("teacher-names").inner_text()
    assert text.startswith("Controls this step can hide: ")
    names = text.split(": ", 1)[1].split(".")[0].split(", ")
    assert names == sorted(names) and {"b", "reset", "w1", "w2", "x1", "x2"} <= set(names)
    # each name it lists is one the page draws (so hide= has something to hide)
    for name in names:
        assert page.locator(f"#step-root [data-control='{name}']").count() >= 1
    open_step(page, 7)
    text = page.get_by_test_id("teacher-names").text_content()
    for name in ("image", "upload", "preset", "kernel", "sigma", "display"):
        assert f"{name}" in text


# ---------------------------------------------------------------- 8. arrows on a focused control stay on the step


def test_arrow_keys_on_a_focused_button_do_not_leave_the_step(page, open_step):
    open_step(page, 1)
    page.get_by_test_id("reset").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert page.locator("#step-root").get_attribute("data-number") == "1"
    open_step(page, 8)
    page.locator("#step-root button").first.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(300)
    assert page.locator("#step-root").get_attribute("data-number") == "8"
    # from the page itself they still move
    page.locator("body").click(position={"x": 5, "y": 5})
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#step-root[data-number='9'][data-ready='true']")


def test_only_the_results_are_announced_not_the_whole_step(page, open_step):
    open_step(page, 1)
    assert page.locator("#step-root").get_attribute("aria-live") is None
    assert page.locator("#step-root .readouts").first.get_attribute("aria-live") == "polite"


# ---------------------------------------------------------------- 13. the API page works offline


def test_the_api_page_renders_offline(page, base_url):
    outside = []

    def only_local(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:  # offline: anything from another host fails
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() > 20  # every route documented
    assert "ml2dl" in page.locator(".swagger-ui .title").inner_text()
    assert outside == []


# ---------------------------------------------------------------- 3. step 3 says what the output does


@pytest.mark.parametrize("query, shape, words", [
    ("fn=relu&k=1&seed=2&act=on", "constant", "The output is constant."),   # the one ReLU never fires on −3…3
    ("fn=tanh&k=1&seed=7&act=on", "straight", "Still a straight line here."),
    ("fn=tanh&k=3&seed=1&act=on", "bends", "The output bends."),
])
def test_step3_words_follow_the_measured_output(page, open_step, query, shape, words):
    open_step(page, 3, query)
    verdict = page.get_by_test_id("stack-verdict")
    expect(verdict).to_have_attribute("data-shape", shape)
    assert verdict.inner_text().startswith(words)
    if shape != "bends":
        assert "bends" not in verdict.inner_text()
    # the dotted 'activation off' trace is named in a legend and lies within the axes (no stray clipped diagonal)
    out = page.get_by_test_id("stack-output")
    assert out.locator(".legend .traces").count() == 2
    assert "activation off" in out.locator(".legend").text_content()
    lo, hi = out.evaluate("n => n._fullLayout.yaxis.range")
    ys = out.evaluate("n => n.data.flatMap(t => t.y)")
    assert lo <= min(ys) and max(ys) <= hi


# ---------------------------------------------------------------- 9. phones: nothing wider than the screen


@pytest.fixture
def phone(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base_url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize("step, query", [(8, ""), (8, "size=16"), (9, "")])
def test_phone_pages_fit_the_screen(phone, open_step, step, query, shot):
    open_step(phone, step, query)
    phone.wait_for_timeout(500)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    if step == 9:  # the example thumbnails keep their labels whole
        for box in phone.locator(".cp-ex").all()[:8]:
            b = box.bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= 390
    shot(phone, f"phone-step{step}{'-' + query if query else ''}")


# ---------------------------------------------------------------- 11. a grid side that is not allowed says which is used


def test_step8_an_odd_grid_size_says_the_even_one_used(page, open_step):
    open_step(page, 8)
    page.get_by_test_id("size").fill("5")
    expect(page.get_by_test_id("pool-sizes")).to_have_text("6 → 3")
    assert page.get_by_test_id("size-clamped").inner_text() == "5 is not one of 4, 6, 8 … 16: using 6."
    assert page.locator("[data-testid=pool-input] .cell").count() == 36


# ---------------------------------------------------------------- 11 / 14. steps 4, 6, 2: feedback and small words


def test_step4_invalid_sizes_and_limits_are_said(page, open_step):
    open_step(page, 4, "sizes=10,10,10")
    page.get_by_test_id("size-1").fill("2.5")
    note = page.get_by_test_id("size-1-note")
    expect(note).to_have_text("“2.5” is not a layer size (whole numbers 1 … 100,000): still counting 10.")
    page.get_by_test_id("size-1").fill("7")
    expect(note).to_be_hidden()
    page.get_by_test_id("size-1").fill("1")
    page.get_by_label("Fewer in hidden layer 1").click()
    expect(note).to_have_text("A layer has at least 1 neuron.")


def test_step4_many_hidden_layers_keep_titles_apart(page, open_step):
    open_step(page, 4, "sizes=" + ",".join(["10"] * 10))  # 8 hidden layers: the most
    expect(page.get_by_test_id("add-layer-note")).to_have_text("At most 8 hidden layers here.")
    boxes = [t.bounding_box() for t in page.locator(".net-title").all()]
    assert len(boxes) == 10
    for a, b in zip(boxes, boxes[1:]):
        assert a["x"] + a["width"] <= b["x"], "column titles overlap"


def test_step6_an_empty_quiz_answer_gets_feedback_and_biases_are_counted(page, open_step):
    open_step(page, 6, "neurons=1")
    assert "+ 1 bias =" in page.locator("#step-root").inner_text()
    page.get_by_test_id("quiz-check").click()
    expect(page.get_by_test_id("quiz-fc-feedback")).to_have_text("Type a whole number first, then check.")


def test_step2_one_hidden_layer_is_singular(page, open_step):
    open_step(page, 2, "hidden=4")
    expect(page.get_by_test_id("hidden-layers")).to_have_text("1")
    assert "1 hidden layer ·" in page.locator(".pg-layerbar").inner_text()


# ---------------------------------------------------------------- 2 / 7 / 10 / 14. step 2: what a line reaches, divergence, cards


def test_step2_says_what_the_best_line_reaches(page, open_step):
    open_step(page, 2, "problem=xor&hidden=none")
    text = page.get_by_test_id("one-neuron").inner_text()
    assert "near 50 %" not in text
    assert "The best straight line on these training points scores 72.5 % (72.0 % on the test points)" in text
    # step 0: no loss curve yet, so no empty axes
    expect(page.get_by_test_id("loss-curve")).to_be_hidden()


def test_step2_a_stalled_run_is_said_under_the_accuracy(page, open_step, shot):
    open_step(page, 2, "problem=xor&hidden=4&act=relu&opt=adam&lr=1")
    for k in range(1, 13):  # 120 steps, ten at a time
        page.get_by_test_id("step-once").click()
        expect(page.get_by_test_id("step-count")).to_have_text(str(10 * k))
    status = page.get_by_test_id("status")
    expect(status).to_contain_text("Training has stalled: after 120 steps the training loss is")
    assert "η = 1 may be too large for relu" in status.inner_text()
    # the message sits right under the accuracy, inside the first screen
    acc, msg = page.get_by_test_id("test-accuracy").bounding_box(), status.bounding_box()
    assert 0 < msg["y"] - acc["y"] < 200
    expect(page.get_by_test_id("loss-curve")).to_be_visible()
    shot(page, "step2-stalled")


def test_step2_challenge_cards_keep_what_a_teacher_hid(page, open_step):
    open_step(page, 2, "problem=circle&act=relu&hide=act")
    page.get_by_test_id("try-hidden-xor").click()  # the card asks for tanh on XOR
    expect(page.get_by_test_id("play")).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("play").click()
    assert "act=relu" in page.url and "problem=xor" in page.url
    box = page.get_by_test_id("boundary").bounding_box()
    assert box["y"] < 900 and box["y"] + box["height"] > 0  # the run it started is in view


# ---------------------------------------------------------------- 14. step 7 offers the server's chest X-ray


def test_step7_offers_a_chest_xray_when_the_server_has_them(page, base_url, tmp_path, wait_ready):
    import numpy as np
    from servers import training_server

    rng = np.random.default_rng(0)
    npz = tmp_path / "chest.npz"
    np.savez(npz, train_images=rng.integers(0, 256, (80, 28, 28), dtype=np.uint8), train_labels=rng.integers(0, 2, (80, 1)),
             val_images=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8), val_labels=rng.integers(0, 2, (20, 1)))
    with training_server(tmp_path / "cache", data_path=npz) as (url, _):
        page.goto(f"{url}/?step=7")
        wait_ready(page, 7)
        button = page.get_by_test_id("sample-chest_xray")
        expect(button).to_contain_text("Chest X-ray")
        button.click()
        expect(page.get_by_test_id("size")).to_have_text("28 × 28 px")
        assert "image=upload" in page.url
        assert "Chest X-ray" in page.get_by_test_id("image-info").inner_text()
