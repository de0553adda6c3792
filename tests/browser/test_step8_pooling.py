"""Step 8 in a real browser: the maxima survive, hovering links input and output."""

import pytest

pytestmark = pytest.mark.browser


def test_maxima_are_highlighted(page, open_step, shot):
    open_step(page, 8)
    kept = page.locator("[data-testid=pool-input] [data-kept='1']")
    assert kept.count() == 16  # one per 2×2 window of the 8×8 grid
    assert page.get_by_test_id("kept").inner_text() == "16 of 64"
    # every output of max pooling is the highlighted value of its window
    for i in range(4):
        for j in range(4):
            window = page.locator(f"[data-testid=pool-input] [data-win='{i * 4 + j}']")
            values = [int(v) for v in window.all_inner_texts()]
            survivor = page.locator(f"[data-testid=pool-input] [data-win='{i * 4 + j}'][data-kept='1']").inner_text()
            assert int(page.get_by_test_id(f"max-{i}-{j}").inner_text()) == max(values) == int(survivor)
            assert float(page.get_by_test_id(f"avg-{i}-{j}").inner_text()) == pytest.approx(sum(values) / 4, abs=0.05)
    assert page.get_by_test_id("progression-text").inner_text() == "224 → 112 → 56 → 28 → 14 → 7"
    shot(page, "step8-default")


def test_hover_links_window_and_outputs(page, open_step, shot):
    open_step(page, 8)
    page.get_by_test_id("max-1-2").hover()
    highlighted = page.locator("[data-testid=pool-input] .cell.hl")
    assert highlighted.count() == 4
    assert page.locator("[data-testid=pool-avg] .cell.hl").count() == 1
    assert "(kept)" in page.get_by_test_id("pool-detail").inner_text()
    shot(page, "step8-hover", full_page=False)


def test_size_and_seed(page, open_step):
    open_step(page, 8)
    before = page.get_by_test_id("pool-input").inner_text()
    page.get_by_test_id("new-grid").click()
    page.wait_for_function(f"document.querySelector('[data-testid=pool-input]').innerText !== {before!r}")
    assert "seed=1" in page.url
    page.get_by_test_id("size").fill("4")
    page.wait_for_function("document.querySelectorAll('[data-testid=pool-input] .cell').length === 16")
    assert page.locator("[data-testid=pool-input] [data-kept='1']").count() == 4
    assert page.get_by_test_id("pool-sizes").inner_text() == "4 → 2"
