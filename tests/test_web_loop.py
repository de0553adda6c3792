"""The training loop step's API: plan, one run, the search, their jobs (cache, progress, cancel) and limits."""

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from test_web_openapi import undeclared

from ml2dl.lessons import images as data_lesson
from ml2dl.lessons import loop as lesson

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pneumoniamnist_trainval.npz"
# the client fixture's pool: 64 training and 32 validation phantoms (tests/conftest.py TINY_BUDGET)
POOL = dict(n_train=64, n_val=32)
EARLY = dict(n_train=64, batch_size=20, epochs=6, patience=1, lr=0.1, width=2)  # stops early (see the lesson tests)


def _wait(client, path, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        snap = client.get(path).json()
        if snap["status"] in ("done", "failed", "cancelled"):
            return snap
        assert time.monotonic() < deadline, snap
        time.sleep(0.05)


def _schema(spec, method, path):
    return spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]


def _events(text):
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def test_options_give_the_pool_limits_and_the_six_steps(client):
    body = client.get("/api/loop/options").json()
    assert body["pool"] == POOL and body["synthetic"] is True
    assert body["steps"] == ["sample", "predict", "loss", "update", "evaluate", "keep"]
    assert body["run"]["n_train"] == {"default": 600, "min": lesson.MIN_TRAIN, "max": 100_000}
    assert body["run"]["epochs"]["max"] == lesson.MAX_EPOCHS and body["search"]["lrs"]["max_items"] == 6
    assert all(lesson.LR_RANGE[0] <= v <= lesson.LR_RANGE[1] for v in body["lr_choices"])


@pytest.mark.parametrize("n, b, e, lrs, widths", [
    (600, 32, 20, [1e-3, 3e-3, 1e-2], [4, 8]), (64, 64, 1, [1e-3], [4]), (1000, 7, 3, [1e-3, 1e-2], [4]),
    (2000, 256, 13, [1e-3, 1e-2], [2, 4])])
def test_plan_batches_per_epoch_is_the_ceiling_of_n_over_b(client, n, b, e, lrs, widths):
    body = client.post("/api/loop/plan", json={"n_train": n, "batch_size": b, "epochs": e, "lrs": lrs,
                                               "widths": widths}).json()
    runs = len(lrs) * len(widths)
    for key, r in (("run", 1), ("search", runs)):
        p = body[key]
        assert p["batches_per_epoch"] == math.ceil(n / b) == len(range(0, n, b))
        assert p["last_batch"] == n - (math.ceil(n / b) - 1) * b and 1 <= p["last_batch"] <= b
        assert p["full_batches"] == sum(len(range(n)[i:i + b]) == b for i in range(0, n, b))
        assert p["updates_per_run"] == e * math.ceil(n / b) and p["images"] == n * e * r
        assert p["within_budget"] == (p["images"] <= p["limit"] and r <= 6) == (p["message"] is None)
    assert body["run"]["limit"] == 24_000 and body["search"]["limit"] == (72_000 if runs > 1 else 24_000)
    if n == 2000:
        assert body["run"]["message"] == ("a run may train on at most 24,000 images (dataset size × epochs), "
                                          "got 2000 × 13 = 26,000")


def test_a_run_reports_every_epoch_the_best_one_and_early_stopping(client):
    spec = client.get("/openapi.json").json()
    first = client.post("/api/loop/run", json=EARLY).json()
    assert first["status"] in ("queued", "running", "done") and len(first["fp"]) == 16
    # progress as server-sent events, until it finishes: the loop's phases, the history as it grows
    r = client.get(f"/api/loop/run/{first['fp']}/progress")
    assert r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    snap = _wait(client, f"/api/loop/run/{first['fp']}")
    assert snap["status"] == "done", snap
    assert events[-1]["status"] == "done" and events[-1]["result"] == snap["result"]
    for s in [first, snap, *events]:
        assert undeclared({**s, "fp": first["fp"]}, _schema(spec, "post", "/api/loop/run"), spec) == []
    running = [e["extra"] for e in events if e["status"] == "running" and e.get("extra")]
    assert all(x["phase"] in ("train", "evaluate", "keep") for x in running)
    lengths = [len(x.get("history", [])) for x in running]
    assert lengths == sorted(lengths)

    res = snap["result"]
    batches = math.ceil(EARLY["n_train"] / EARLY["batch_size"])
    assert res["plan"]["batches_per_epoch"] == batches == 4
    assert all(row["batches"] == batches for row in res["history"])
    aucs = [row["val_auc"] for row in res["history"]]
    assert res["best_epoch"] == int(np.argmax(aucs)) + 1  # the first highest validation AUC
    assert res["best"] == res["history"][res["best_epoch"] - 1]
    # early stopping: patience 1 = stop at the first epoch that does not beat every earlier one
    first_stale = next(i for i in range(1, len(aucs) + 1) if aucs[i - 1] <= max(aucs[:i - 1], default=-1))
    assert res["stopped"] == "early_stopping" and res["epochs_run"] == first_stale == len(aucs) < EARLY["epochs"]
    assert f"stopped early after epoch {first_stale} of 6" in res["text"]["stop"]
    assert res["data"]["n_train"] == 64 and res["data"]["n_val"] == 32 and res["data"]["synthetic"] is True
    assert res["updates"] == batches * res["epochs_run"]
    # the same numbers as the lesson function on the same images
    data = data_lesson.load_chest_data(None, **POOL)
    direct = lesson.run_loop(data, **EARLY)
    assert direct["history"] == res["history"] and direct["best_epoch"] == res["best_epoch"]


def test_identical_settings_reuse_the_cached_result(client, open_client, tmp_path):
    settings = {**EARLY, "epochs": 2, "patience": 0}
    fp = client.post("/api/loop/run", json=settings).json()["fp"]
    done = _wait(client, f"/api/loop/run/{fp}")
    again = client.post("/api/loop/run", json=settings).json()
    assert again["fp"] == fp and again["status"] == "done" and again["result"] == done["result"]
    pool = client.app.state.job_pool
    assert [e["event"] for e in pool.store.events(f"looprun-{fp}")].count("running") == 1  # trained once
    other = client.post("/api/loop/run", json={**settings, "lr": 0.01}).json()
    assert other["fp"] != fp
    _wait(client, f"/api/loop/run/{other['fp']}")
    # another server on the same cache folder answers from the disk
    with open_client(tmp_path) as second:
        snap = second.post("/api/loop/run", json=settings).json()
        assert snap["status"] == "done" and snap["cached"] is True and snap["result"] == done["result"]


def test_cancel_stops_a_run(client):
    slow = {"n_train": 64, "batch_size": 1, "epochs": 30, "patience": 0, "lr": 1e-3, "width": 2}
    fp = client.post("/api/loop/run", json=slow).json()["fp"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/loop/run/{fp}").json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    snap = client.post(f"/api/loop/run/{fp}/cancel").json()
    assert snap["status"] in ("running", "cancelled") and snap["fp"] == fp
    snap = _wait(client, f"/api/loop/run/{fp}")
    assert snap["status"] == "cancelled" and snap["result"] is None
    assert snap["extra"].get("update", 0) < 64 * 30  # it stopped before the end


def test_the_search_chooses_on_validation(client):
    spec = client.get("/openapi.json").json()
    settings = {"n_train": 48, "batch_size": 16, "epochs": 2, "patience": 0, "lrs": [1e-3, 1e-2], "widths": [2, 3]}
    fp = client.post("/api/loop/search", json=settings).json()["fp"]
    snap = _wait(client, f"/api/loop/search/{fp}")
    assert snap["status"] == "done", snap
    assert undeclared(snap, _schema(spec, "post", "/api/loop/search"), spec) == []
    res = snap["result"]
    assert [(r["lr"], r["width"]) for r in res["runs"]] == [(1e-3, 2), (1e-3, 3), (1e-2, 2), (1e-2, 3)]
    aucs = [r["val_auc"] for r in res["runs"]]
    assert [r["chosen"] for r in res["runs"]] == [i == int(np.argmax(aucs)) for i in range(4)]
    assert res["chosen"]["val_auc"] == max(aucs) and res["plan"]["runs"] == 4
    assert "never on test" in res["text"]["why"] and f"{max(aucs):.4f}" in res["text"]["chosen"]
    # a run with the chosen setting is the search's row: the same loop
    c = res["chosen"]
    one = {k: settings[k] for k in ("n_train", "batch_size", "epochs", "patience")}
    fp1 = client.post("/api/loop/run", json={**one, "lr": c["lr"], "width": c["width"]}).json()["fp"]
    run = _wait(client, f"/api/loop/run/{fp1}")["result"]
    assert (run["best"]["val_auc"], run["best_epoch"]) == (c["val_auc"], c["best_epoch"])


def test_limits_are_enforced_before_a_job_starts(client, open_client, tmp_path):
    r = client.post("/api/loop/run", json={**EARLY, "n_train": 65})
    assert r.status_code == 422 and "got 65" in r.json()["message"] and "64" in r.json()["message"]
    r = client.post("/api/loop/search", json={"n_train": 32, "lrs": [1e-3, 3e-3, 1e-2], "widths": [2, 4, 8]})
    assert r.status_code == 422
    assert r.json()["message"] == "a search may train at most 6 runs (learning rates × widths), got 9"
    r = client.post("/api/loop/run", json={**EARLY, "lr": 0.5})
    assert r.status_code == 422 and "lr" in r.json()["message"] and "0.5" in r.json()["message"]
    r = client.post("/api/loop/run", json={**EARLY, "momentum": 0.9})
    assert r.status_code == 422
    assert client.get("/api/loop/run/not-a-fingerprint").status_code == 422
    assert client.get("/api/loop/run/0123456789abcdef").json()["status"] == "none"
    with open_client(tmp_path / "big", training_budget=data_lesson.Budget(n_train=2000, n_val=32)) as big:
        r = big.post("/api/loop/run", json={**EARLY, "n_train": 2000, "epochs": 13})
        assert r.status_code == 422
        assert r.json()["message"] == ("a run may train on at most 24,000 images (dataset size × epochs), "
                                       "got 2000 × 13 = 26,000")
        r = big.post("/api/loop/search", json={"n_train": 700, "epochs": 20})
        assert r.status_code == 422 and "got 700 × 20 × 6 = 84,000" in r.json()["message"]
        assert not big.app.state.job_pool.store.folder.exists() or \
            not list(big.app.state.job_pool.store.folder.glob("loop*"))


def test_cancel_stops_a_search(client):
    slow = {"n_train": 64, "batch_size": 1, "epochs": 30, "patience": 0, "lrs": [1e-3, 3e-3], "widths": [2, 4]}
    fp = client.post("/api/loop/search", json=slow).json()["fp"]
    snap = client.post(f"/api/loop/search/{fp}/cancel").json()
    assert snap["status"] in ("queued", "running", "cancelled")
    snap = _wait(client, f"/api/loop/search/{fp}")
    assert snap["status"] == "cancelled" and snap["result"] is None


@pytest.mark.skipif(not DATA.is_file(), reason=f"needs {DATA}")
def test_a_run_on_real_chest_xrays_with_data(open_client, tmp_path):
    with open_client(tmp_path, data_path=DATA) as client:
        options = client.get("/api/loop/options").json()
        assert options["synthetic"] is False and "PneumoniaMNIST" in options["source"]
        fp = client.post("/api/loop/run", json={**EARLY, "epochs": 2, "patience": 0}).json()["fp"]
        res = _wait(client, f"/api/loop/run/{fp}")["result"]
    assert res["data"]["synthetic"] is False and res["data"]["n_val"] == POOL["n_val"]
    npz = np.load(DATA)
    data = data_lesson.load_chest_data(DATA, **POOL)
    # the validation images are the file's val split, with its labels
    assert res["data"]["val_counts"]["pneumonia"] == int(data.val_labels.sum())
    assert set(np.unique(npz["val_labels"])) == {0, 1} and res["epochs_run"] == 2
    assert res["best_epoch"] == int(np.argmax([r["val_auc"] for r in res["history"]])) + 1
