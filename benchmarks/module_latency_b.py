"""Steps 2 and 9: the latencies that need state (the stateless cases are in module_latency.py).

- playground: a run continued request after request, the state travelling through JSON as
  in the browser (10 steps + a 48² boundary, 200 training points): updates per second.
- pipeline: one image through the trained CNN with every stage's output (after a tiny
  training, so the script takes seconds).

    .venv/bin/python benchmarks/module_latency_b.py [-n 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time


def playground_updates(client, repeats: int, resolution: int) -> list[float]:
    settings = {"problem": "xor", "hidden": [8, 8], "points": 400}
    body = client.post("/api/playground/train", json={"settings": settings, "steps": 0}).json()
    times = []
    for _ in range(repeats + 2):
        t0 = time.perf_counter()
        r = client.post("/api/playground/train", json={"settings": settings, "state": body["state"], "steps": 10,
                                                       "resolution": resolution, "include_points": False})
        body = json.loads(r.text)
        times.append(time.perf_counter() - t0)
    return times[2:]


def pipeline_explain(client, repeats: int) -> list[float]:
    client.post("/api/pipeline/train")
    while client.get("/api/pipeline/status").json()["status"] not in ("done", "failed"):
        time.sleep(0.05)
    times = []
    for i in range(repeats + 2):
        t0 = time.perf_counter()
        r = client.get(f"/api/pipeline/explain?index={i % 8}")
        assert r.status_code == 200, r.text
        times.append(time.perf_counter() - t0)
    return times[2:]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--repeats", type=int, default=50)
    args = parser.parse_args(argv)
    from fastapi.testclient import TestClient

    from ml2dl.lessons.images import Budget
    from ml2dl.web.app import create_app

    with tempfile.TemporaryDirectory() as cache:
        app = create_app(cache_dir=cache, training_budget=Budget(n_train=64, n_val=32, epochs=1))
        with TestClient(app) as client:
            pg48 = playground_updates(client, args.repeats, 48)
            pg64 = playground_updates(client, args.repeats, 64)
            ex = pipeline_explain(client, args.repeats)
    for name, t in (("playground: 10 steps + 48² boundary, state round trip", pg48),
                    ("playground: 10 steps + 64² boundary, state round trip", pg64),
                    ("pipeline: one image, all 10 stages", ex)):
        p50 = statistics.median(t)
        print(f"{name:<56} p50 {p50 * 1e3:7.2f} ms  p95 {sorted(t)[int(0.95 * (len(t) - 1))] * 1e3:7.2f} ms"
              f"  ({1 / p50:5.1f} per second)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
