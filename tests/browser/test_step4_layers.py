"""Step 4 in a real browser: build networks and read the parameter count."""

import pytest

pytestmark = pytest.mark.browser


def total(page):
    return page.get_by_test_id("total-params").inner_text()


def test_build_the_330_network(page, open_step, shot):
    open_step(page, 4, "sizes=2,1")
    assert total(page) == "3"  # one neuron: 2 × 1 + 1
    page.get_by_test_id("preset-330").click()
    page.wait_for_function("document.querySelector('[data-testid=total-params]').textContent === '330'")
    assert page.get_by_test_id("total-sum").inner_text() == "110 + 110 + 110"
    assert page.get_by_test_id("table-total").inner_text() == "330"
    assert "sizes=10,10,10,10" in page.url
    shot(page, "step4-330")


def test_add_remove_and_type(page, open_step):
    open_step(page, 4)
    assert total(page) == "330"
    page.get_by_test_id("add-layer").click()  # a fourth hidden layer of 10: +110
    page.wait_for_function("document.querySelector('[data-testid=total-params]').textContent === '440'")
    page.get_by_test_id("remove-layer-1").click()
    page.wait_for_function("document.querySelector('[data-testid=total-params]').textContent === '330'")
    page.get_by_test_id("size-0").fill("784")  # 784·10 + 10 + 110 + 110 = 8,070
    page.wait_for_function("document.querySelector('[data-testid=total-params]').textContent === '8,070'")
    assert page.get_by_test_id("layer-row-1").inner_text().split("\t")[-1].strip() == "7,850"


def test_hierarchy_is_shown(page, open_step):
    open_step(page, 4)
    text = page.get_by_test_id("hierarchy").inner_text().lower()
    positions = [text.index(w) for w in ("pixels", "edges", "textures", "anatomy", "pathology")]
    assert positions == sorted(positions)
