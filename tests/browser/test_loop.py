"""The training loop step in a real browser: a live run lights the loop, the chart marks the epoch the
API kept, the search table highlights the setting the API chose; URL state, hide=, cancel.

The session server's pool is 96 training and 48 validation phantoms (servers.TINY), so runs take seconds.
"""

import math
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

PARAMS = ("n", "batch", "epochs", "patience", "lr", "width", "lrs", "widths")
# Records every box of the diagram that lights up (data-lit="true") from now on.
WATCH_LIGHTS = """() => {
  window.__lit = new Set();
  new MutationObserver((records) => {
    for (const r of records) if (r.target.dataset.lit === "true") window.__lit.add(r.target.dataset.testid);
  }).observe(document.querySelector(".lp-loop"), { attributes: true, subtree: true, attributeFilter: ["data-lit"] });
}"""


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def _api(page, path, body):
    r = page.request.post(path, data=body)
    assert r.ok, r.text()
    return r.json()


def test_a_live_run_lights_the_loop_and_marks_the_kept_epoch(page, open_step, shot):
    # a run long enough (every epoch, 96 updates each, 16 channels) for progress to arrive while it
    # runs, on a fast machine too
    open_step(page, "loop", "autostart=0&n=96&batch=1&epochs=30&patience=0&lr=0.01&width=16")
    # batches per epoch, computed by the server for the chosen sizes
    assert page.get_by_test_id("batches-per-epoch").get_attribute("data-value") == "96"
    page.get_by_test_id("batch").fill("20")
    page.get_by_test_id("batch").press("Enter")
    page.wait_for_function("document.querySelector('[data-testid=batches-per-epoch]').dataset.value === '5'")
    assert math.ceil(96 / 20) == 5 and query(page)["batch"] == "20"
    assert "and one of 16" in page.get_by_test_id("batches-per-epoch").inner_text()  # 4 × 20 + 16
    page.get_by_test_id("batch").fill("1")
    page.get_by_test_id("batch").press("Enter")
    page.wait_for_function("document.querySelector('[data-testid=batches-per-epoch]').dataset.value === '96'")

    page.evaluate(WATCH_LIGHTS)
    page.get_by_test_id("run-start").click()
    page.wait_for_selector("#step-root[data-run='done']", timeout=120_000)
    lit = set(page.evaluate("[...window.__lit]"))
    assert {"loop-sample", "loop-predict", "loop-loss", "loop-update", "loop-evaluate"} <= lit, lit

    settings = {"n_train": 96, "batch_size": 1, "epochs": 30, "patience": 0, "lr": 0.01, "width": 16}
    snap = _api(page, "/api/loop/run", settings)  # the same settings: the cached run the page showed
    assert snap["status"] == "done"
    res = snap["result"]
    best = res["best_epoch"]
    # the chart's marker and its label are at the epoch the API kept
    layout = page.evaluate("(() => { const l = document.querySelector('[data-testid=loop-chart]').layout;"
                           " return {shapes: l.shapes, annotations: l.annotations}; })()")
    assert [s["x0"] for s in layout["shapes"]] == [best]
    assert layout["annotations"][0]["text"] == f"best: epoch {best} — saved"
    plotted = page.evaluate("document.querySelector('[data-testid=loop-chart]').data[1].y")
    assert plotted == [r["val_loss"] for r in res["history"]]
    assert page.get_by_test_id("best-epoch").inner_text() == str(best)
    assert page.get_by_test_id("best-auc").inner_text() == f"{res['best']['val_auc']:.4f}"
    kept = f"epoch {best} kept (AUC {res['best']['val_auc']:.4f})"
    assert page.get_by_test_id("loop-keep-value").inner_text() == kept
    text = page.get_by_test_id("run-text").inner_text()
    assert res["text"]["kept"] in text and res["text"]["stop"] in text
    early = res["stopped"] == "early_stopping"
    assert page.get_by_test_id("stopped").inner_text() == ("early" if early else "at the end")
    shot(page, "loop-run-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    # arriving with the same settings starts the run, which is the cached one, drawn at phone width
    open_step(page, "loop", "n=96&batch=1&epochs=30&patience=0&lr=0.01&width=16")
    page.wait_for_selector("#step-root[data-run='done']")
    assert "from the cache" in page.get_by_test_id("run-status").inner_text()
    assert page.get_by_test_id("best-epoch").inner_text() == str(best)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shot(page, "loop-run-390")


def test_the_search_table_highlights_the_setting_the_api_chose(page, open_step, shot):
    open_step(page, "loop", "autostart=0&n=48&batch=16&epochs=2&patience=0&lrs=0.001,0.01&widths=2,4")
    assert page.get_by_test_id("search-plan").inner_text().startswith("4 runs (2 learning rates × 2 widths)")
    page.get_by_test_id("search-start").click()
    page.wait_for_selector("#step-root[data-search='done']", timeout=180_000)
    snap = _api(page, "/api/loop/search", {"n_train": 48, "batch_size": 16, "epochs": 2, "patience": 0,
                                           "lrs": [0.001, 0.01], "widths": [2, 4]})
    res = snap["result"]
    chosen = res["chosen"]
    rows = page.locator("[data-testid=search-table] tbody tr")
    assert rows.count() == 4
    highlighted = page.locator("[data-testid=search-table] tr[data-chosen=true]")
    assert highlighted.count() == 1
    assert highlighted.get_attribute("data-testid") == f"search-row-{chosen['trial']}"
    assert "lp-chosen" in highlighted.get_attribute("class")
    assert page.get_by_test_id(f"search-auc-{chosen['trial']}").inner_text() == f"{chosen['val_auc']:.4f}"
    for r in res["runs"]:
        assert page.get_by_test_id(f"search-auc-{r['trial']}").inner_text() == f"{r['val_auc']:.4f}"
    assert page.get_by_test_id("search-chosen").inner_text() == res["text"]["chosen"]
    assert "never on test" in page.get_by_test_id("search-why").inner_text()
    shot(page, "loop-search-1280")


def test_url_state_clamps_writes_back_and_hide_hides_every_control(page, open_step):
    open_step(page, "loop", "autostart=0&n=5000&epochs=99&lr=0.0025&lrs=0.01,0.001")
    q = query(page)
    assert q["n"] == "96" and q["epochs"] == "30" and q["lr"] == "0.003"  # pool size, limit, nearest offered
    assert q["lrs"] == "0.01,0.001" and q["widths"] == "4,8"
    for name in PARAMS:
        assert name in q and page.locator(f"[data-control='{name}']").count() == 1, name
    # a chip by keyboard: Tab to it, Enter toggles it, the URL follows
    chip = page.get_by_test_id("widths-16")
    chip.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("new URLSearchParams(location.search).get('widths') === '4,8,16'")
    assert chip.get_attribute("aria-pressed") == "true"
    page.wait_for_function("document.querySelector('[data-testid=search-plan]').innerText.startsWith('6 runs')")
    open_step(page, "loop", "autostart=0&hide=" + ",".join(PARAMS))
    for name in PARAMS:
        containers = page.locator(f"[data-control='{name}']")
        for i in range(containers.count()):
            assert containers.nth(i).is_hidden(), name
    assert page.get_by_test_id("run-start").is_visible()


def test_a_run_can_be_cancelled(page, open_step):
    open_step(page, "loop", "autostart=0&n=96&batch=1&epochs=30&patience=0&lr=0.0003&width=16")
    page.get_by_test_id("run-start").click()
    page.wait_for_selector("#step-root[data-run='running']", timeout=60_000)
    page.get_by_test_id("run-cancel").click()
    page.wait_for_selector("#step-root[data-run='cancelled']", timeout=60_000)
    assert page.get_by_test_id("run-status").inner_text().startswith("Cancelled")
    assert page.get_by_test_id("run-start").is_visible()
