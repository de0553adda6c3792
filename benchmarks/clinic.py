"""The clinic's two promised latencies, and what its pages ask of the server.

1. Start → first epoch point: from pressing "Train" (POST /api/clinic/train) to the first epoch's
   loss and AUC arriving over server-sent events (API) and drawn on the chart (a real browser).
2. The threshold slider's round trip on clinic-roc: from an input event to the page updated (the
   confusion matrix, the four rates, the ROC markers), synchronously and to the next painted frame.
   The table is sent once; the slider asks the server nothing (the promise: ≤ 50 ms).

Also timed, in-process through the app: the ROC page (first call: predictions, bootstrap; then
cached), the threshold table at another prevalence, a cell's mistakes with Grad-CAM.

    .venv/bin/python benchmarks/clinic.py                  # API and browser (Chromium at /usr/bin/chromium)
    .venv/bin/python benchmarks/clinic.py --no-browser -n 3

Each training is a new run (another seed), so nothing is reused from the cache.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

DEFAULTS = {}  # the page's defaults: phantoms, 600 training images, strong CNN width 8, 5 epochs
SLIDER_JS = """async (n) => {
  const s = document.querySelector('[data-testid=threshold-slider]');
  const sync = [], frame = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    s.value = String((Number(s.value) + 7) % (Number(s.max) + 1));
    s.dispatchEvent(new Event('input', { bubbles: true }));
    sync.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => r()));
    frame.push(performance.now() - t0);
  }
  return { sync, frame };
}"""


def stats(values: list[float]) -> str:
    v = sorted(values)
    p95 = v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]
    return f"median {statistics.median(v):8.1f} ms   p95 {p95:8.1f} ms   (n = {len(v)})"


def first_epoch_api(client, seed: int) -> tuple[float, float, str]:
    """Seconds from the POST to the first SSE event holding an epoch, and to the last event."""
    t0 = time.perf_counter()
    r = client.post("/api/clinic/train", json={**DEFAULTS, "seed": seed})
    r.raise_for_status()
    run = r.json()["run"]
    first = None
    with client.stream("GET", "/api/clinic/progress", params={"run": run}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data: "):
                continue
            snap = json.loads(line[6:])
            if first is None and (snap.get("extra") or {}).get("history"):
                first = time.perf_counter() - t0
    return first, time.perf_counter() - t0, run


def timed(client, path: str, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = client.get(path)
        r.raise_for_status()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def api_part(cache: Path, repeats: int) -> str:
    from fastapi.testclient import TestClient

    from ml2dl.web.app import create_app

    with TestClient(create_app(cache_dir=cache)) as client:
        firsts, totals, run = [], [], None
        for seed in range(100, 100 + repeats):
            first, total, run = first_epoch_api(client, seed)
            firsts.append(1000 * first)
            totals.append(1000 * total)
        print("API (TestClient, the page's default settings: phantoms 600, strong w8, 5 epochs)")
        print(f"  start → first epoch over SSE   {stats(firsts)}")
        print(f"  start → run finished           {stats(totals)}")
        cold = timed(client, f"/api/clinic/roc?run={run}", 1)
        print(f"  GET roc, first call            {cold[0]:8.1f} ms (predict val+test, bootstrap, DeLong, curves)")
        print(f"  GET roc, cached                {stats(timed(client, f'/api/clinic/roc?run={run}', 20))}")
        table = client.get(f"/api/clinic/roc?run={run}").json()["table"]
        size = len(client.get(f"/api/clinic/roc?run={run}").content)
        print(f"  roc response: {size / 1024:.0f} KiB, table of {table['rows']} thresholds")
        print(f"  GET table at 1% (first)        {timed(client, f'/api/clinic/roc/table?run={run}&prevalence=0.01', 1)[0]:8.1f} ms")
        t = table["threshold"][table["rows"] // 2]
        print(f"  GET mistakes (12, Grad-CAM)    {stats(timed(client, f'/api/clinic/mistakes?run={run}&threshold={t}', 10))}")
        print(f"  GET cases, first (F1 bootstrap) {timed(client, f'/api/clinic/cases?run={run}', 1)[0]:7.1f} ms")
        print(f"  GET cases, another point       {stats(timed(client, f'/api/clinic/cases?run={run}&point=screening', 10))}")
        print(f"  reference GET /api/health      {stats(timed(client, '/api/health', 20))}")
    return run


def browser_part(cache: Path, repeats: int, run: str) -> None:
    from playwright.sync_api import sync_playwright
    from servers import running

    from ml2dl.web.app import create_app

    app = create_app(cache_dir=cache)
    with running(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-background-networking",
                                          "--disable-component-update", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        firsts = []
        for seed in range(200, 200 + repeats):
            page.goto(f"{url}/?step=clinic-train&seed={seed}")
            page.wait_for_selector("#step-root[data-ready='true']")
            t0 = time.perf_counter()
            page.get_by_test_id("train").click()
            page.locator("[data-testid=epoch]").filter(has_text="1 /").wait_for(timeout=300_000)
            firsts.append(1000 * (time.perf_counter() - t0))
            page.wait_for_selector("[data-testid=status][data-status=done]", timeout=300_000)
        print("Browser (Chromium, uvicorn in a thread)")
        print(f"  Train pressed → first epoch point on the chart   {stats(firsts)}")
        page.goto(f"{url}/?step=clinic-roc&run={run}")
        page.wait_for_selector("#step-root[data-ready='true']", timeout=120_000)
        page.wait_for_timeout(500)
        out = page.evaluate(SLIDER_JS, 100)
        print(f"  slider input → page updated (synchronous)        {stats(out['sync'])}")
        print(f"  slider input → next painted frame                {stats(out['frame'])}")
        browser.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--repeats", type=int, default=3, help="trainings timed in each part (default 3)")
    parser.add_argument("--no-browser", action="store_true", help="the API part only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        run = api_part(cache, args.repeats)
        if not args.no_browser:
            browser_part(cache, args.repeats, run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
