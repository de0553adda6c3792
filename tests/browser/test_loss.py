"""Step "loss" in a real browser: binary losses on the same predictions, the BMI line, multi-class cross-entropy."""

import math

import pytest

pytestmark = pytest.mark.browser


def text(page, testid):
    return page.get_by_test_id(testid).inner_text()


def wait_text(page, testid, value):
    page.wait_for_function("([id, v]) => document.querySelector(`[data-testid=${id}]`)?.innerText === v", arg=[testid, value])


def test_binary_losses_score_the_same_predictions(page, open_step, shot):
    open_step(page, "loss")
    # ŷ = 0.6 for a pneumonia case: −ln 0.6 = 0.511, hinge 1 − ln(0.6/0.4) = 0.595, (0.6 − 1)² = 0.160
    assert [text(page, f"{k}-1") for k in ("cross_entropy", "hinge", "squared")] == ["0.511", "0.595", "0.160"]
    assert text(page, "mean-cross_entropy") == "1.099"
    assert "Example 4" in text(page, "binary-callout")  # ŷ = 0.05 for pneumonia: the costliest
    assert page.locator("[data-testid=plot-y1] .scatterlayer .trace").count() == 6  # 3 curves + 3 sets of dots
    shot(page, "loss-binary")
    # make example 2 confidently wrong: ŷ = 0.01 for pneumonia → −ln 0.01 = 4.605, squared 0.980
    page.get_by_test_id("pred-1").fill("0.01")
    wait_text(page, "cross_entropy-1", "4.605")
    assert text(page, "squared-1") == "0.980"
    assert "pred=0.95,0.01," in page.url
    # flip its label to normal: now it is right: −ln 0.99 = 0.010
    page.get_by_test_id("lab-1").click()
    wait_text(page, "cross_entropy-1", "0.010")
    assert "lab=1,0,1,1,0,0" in page.url
    page.get_by_test_id("add-row").click()  # ŷ = 0.5, y = 1: ln 2 = 0.693
    wait_text(page, "cross_entropy-6", f"{math.log(2):.3f}")
    page.get_by_test_id("remove-0").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=binary-table] tbody tr').length === 6")
    assert "pred=0.01,0.3,0.05,0.2,0.8,0.5" in page.url


def test_regression_line_and_squares(page, open_step, shot):
    open_step(page, "loss", "part=regression")
    assert text(page, "best-mse") == "0.00"
    assert page.locator("[data-testid=bmi-plot] [data-testid^=square-]").count() == 10
    default = float(text(page, "mse"))
    # slope 0 and intercept 25: every residual is kg/1.75² − 25; the mean of their squares, worked here
    kg = [50, 56, 61, 65, 70, 74, 79, 86, 93, 102]
    expected = sum((k / 1.75 ** 2 - 25) ** 2 for k in kg) / 10
    page.get_by_test_id("slope").fill("0")
    page.get_by_test_id("intercept").fill("25")
    wait_text(page, "mse", f"{expected:.2f}")
    assert float(text(page, "mse")) > default
    page.get_by_test_id("best-line").click()
    wait_text(page, "mse", "0.00")
    assert "intercept=0" in page.url
    shot(page, "loss-regression")


def test_multiclass_table_worked_examples_and_editing(page, open_step, shot):
    open_step(page, "loss", "part=multiclass")
    assert text(page, "worked-0") == "−ln 0.60 = 0.511"
    assert text(page, "worked-1") == "−ln 0.90 = 0.105"
    assert text(page, "loss-0") == "−ln 0.600 = 0.511"
    assert text(page, "loss-1") == "−ln 0.900 = 0.105"
    assert text(page, "mean-loss") == "0.308"  # (0.511 + 0.105) / 2
    shot(page, "loss-multiclass")
    # set p(bacterial) of row 1 to 0.9: the others keep their ratio 0.25 : 0.15 and share 0.1
    page.get_by_test_id("p-0-1").fill("0.9")
    wait_text(page, "loss-0", "−ln 0.900 = 0.105")
    assert page.get_by_test_id("p-0-0").input_value() == "0.0625"
    assert page.get_by_test_id("p-0-2").input_value() == "0.0375"
    assert text(page, "rowsum-0") == "1.000"
    # the true class of row 2 becomes "normal": −ln 0.05 = 2.996
    page.get_by_test_id("cls-1").select_option("1")
    wait_text(page, "loss-1", "−ln 0.050 = 2.996")
    assert "cls=2,1" in page.url
    # scores through the softmax: (0, 0, 0) → p = 1/3 each, loss ln 3
    page.get_by_test_id("kind-logits").click()
    page.wait_for_selector("[data-testid=z-0-0]")
    for j in range(3):
        page.get_by_test_id(f"z-0-{j}").fill("0")
    wait_text(page, "loss-0", f"−ln 0.333 = {math.log(3):.3f}")
    assert text(page, "prob-0-2") == "p = 0.333"
    page.get_by_test_id("load-worked").click()
    wait_text(page, "mean-loss", "0.308")


@pytest.mark.parametrize("part, names, testids", [
    ("binary", ["part", "pred", "lab", "rows"], ["pred-0", "lab-0", "add-row", "remove-0", "part"]),
    ("regression", ["slope", "intercept", "fit"], ["slope", "intercept-slider", "best-line"]),
    ("multiclass", ["kind", "p", "cls", "rows"], ["kind", "p-0-0", "cls-0", "add-example"]),
])
def test_hide_hides_every_control_of_each_part(page, open_step, part, names, testids):
    open_step(page, "loss", f"part={part}")
    for name in names:
        assert page.locator(f"[data-control='{name}']").count() > 0, f"{part}: no control {name}"
    open_step(page, "loss", f"part={part}&hide=" + ",".join(names))
    for testid in testids:
        node = page.get_by_test_id(testid)
        assert node.count() == 0 or node.first.is_hidden(), testid
    if part == "binary":  # values still shown, as text
        assert text(page, "cross_entropy-1") == "0.511"


def test_phone_width(page, open_step, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    for part in ("binary", "regression", "multiclass"):
        open_step(page, "loss", f"part={part}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, part
        shot(page, f"loss-phone-{part}")
