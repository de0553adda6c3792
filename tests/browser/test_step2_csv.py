"""Step 2's "my own data" in a real browser: load a CSV, train on it, share it by link; a bad file's message."""

import re

import numpy as np
import pytest

pytestmark = pytest.mark.browser

ACC_ABOVE = ("(v) => { const t = document.querySelector('[data-testid=test-accuracy]').innerText;"
             " return parseFloat(t.replace(/[^0-9.]/g, '')) >= v; }")


def _rings(n=160, seed=0) -> str:
    """Label 1 inside a ring of label 0, in lab units (a curved boundary: hidden neurons needed)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    r = np.where(y == 1, rng.uniform(0, 4, n), rng.uniform(7, 10, n))
    t = rng.uniform(0, 2 * np.pi, n)
    lines = ["temperature,heart rate,label"]
    lines += [f"{37 + 0.1 * r_ * np.cos(t_):.3f},{80 + 3 * r_ * np.sin(t_):.2f},{c}" for r_, t_, c in zip(r, t, y)]
    return "\n".join(lines) + "\n"


def test_a_loaded_csv_trains_and_its_link_brings_it_back(page, open_step, shot, tmp_path):
    path = tmp_path / "vitals.csv"
    path.write_text(_rings())
    open_step(page, 2, "problem=xor&hidden=6&act=tanh&lr=0.3&opt=sgd")
    assert page.get_by_test_id("problem-csv").is_hidden()  # no card before a file is loaded
    page.get_by_test_id("csv-file").set_input_files(str(path))
    page.wait_for_function("location.search.includes('problem=csv') && location.search.includes('data=')")
    expect_about = page.get_by_test_id("csv-about")
    expect_about.wait_for(state="visible")
    about = expect_about.inner_text()
    assert about.startswith("vitals.csv: 160 rows, 80 of label 0 and 80 of label 1; 80 train and 80 test points")
    assert "x₁ is temperature from 36" in about and "x₂ is heart rate from 5" in about and "onto −1…1" in about
    assert page.get_by_test_id("problem-csv").get_attribute("aria-checked") == "true"
    assert page.get_by_test_id("axes-note").inner_text() == "x₁ = temperature, x₂ = heart rate, each scaled onto −1 … 1"
    assert page.get_by_test_id("csv-link").is_hidden()  # 160 rows: the link carries them
    page.get_by_test_id("play").click()
    page.wait_for_function(ACC_ABOVE, arg=95, timeout=90_000)
    page.get_by_test_id("play").click()
    page.wait_for_function("document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false'")
    shot(page, "step2-csv-trained")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "step2-csv-390")
    # the link alone brings the same points back (a new page: no upload)
    link = page.url
    assert len(link) <= 8000
    other = page.context.new_page()
    other.goto(link)
    other.wait_for_selector("#step-root[data-ready='true']")
    other.get_by_test_id("csv-about").wait_for(state="visible")
    assert re.search(r"^160 rows, 80 of label 0", other.get_by_test_id("csv-about").inner_text())
    assert other.get_by_test_id("step-count").inner_text() == "0"
    other.close()


def test_a_bad_csv_says_which_line_and_what_was_expected(page, open_step, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,0\n3,four,1\n")
    open_step(page, 2, "problem=circle")
    page.get_by_test_id("csv-file").set_input_files(str(bad))
    error = page.get_by_test_id("csv-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "bad.csv: line 3: b must be a number, got 'four'"
    assert "problem=circle" in page.url and "data=" not in page.url  # the run on the circle goes on
    big = tmp_path / "big.csv"
    big.write_text("".join(f"{i},{i},{i % 2}\n" for i in range(1001)))
    page.get_by_test_id("csv-file").set_input_files(str(big))
    page.wait_for_function("document.querySelector('[data-testid=csv-error]').innerText.includes('1,001')")
    assert error.inner_text() == "big.csv: the file must have at most 1,000 rows of points, got 1,001"
