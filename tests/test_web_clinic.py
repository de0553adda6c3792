"""The clinic's API: training runs (limits, reuse, cancel, SSE, the runs folder shared by workers and
``ml2dl train``), the ROC page's figures against scikit-learn and a written-out DeLong, the threshold
table, and the mistakes of a confusion-matrix cell."""

import json
import time
from pathlib import Path

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.data import phantom_splits
from ml2dl.lessons.clinic import runs as clinic_runs
from ml2dl.train import predict_proba

from test_metrics_clinic import naive_delong, naive_net_benefit

sk = pytest.importorskip("sklearn.metrics")

TINY = {"n_train": 64, "epochs": 2, "width": 4, "batch_size": 32, "lr": 0.01}
SHARED_NPZ = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pneumoniamnist_trainval.npz"


def wait(client, run, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snap = client.get("/api/clinic/status", params={"run": run}).json()
        if snap["status"] not in ("queued", "running"):
            return snap
        time.sleep(0.2)
    raise AssertionError(f"run {run} did not finish in {timeout} s")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("clinic-cache")


@pytest.fixture(scope="module")
def trained(open_client, cache):
    """One tiny phantom run, trained through the API; (client, run name, final snapshot)."""
    with open_client(cache) as client:
        r = client.post("/api/clinic/train", json=TINY)
        assert r.status_code == 200, r.text
        name = r.json()["run"]
        snap = wait(client, name)
        yield client, name, snap


def scores_of(cache, name, split):
    """The run's scores computed here, independently of the clinic's code: its checkpoint on the
    phantom split drawn again (the clinic draws 300 validation and 300 test films)."""
    model = nn.load(Path(cache) / "runs" / name / "best.npz")
    model.eval()
    splits = phantom_splits(TINY["n_train"], 300, 300, size=28, seed=0)
    ds = splits.val if split == "validation" else splits.test
    return ds.labels, predict_proba(model, ds.images).astype(np.float64).reshape(-1)


def on(scores, t):
    """The score in ``scores`` that the server's threshold ``t`` is: the engine's float32 sums may
    differ in the last bits between the server's batches and ours (~3e-8), never by more than 1e-6."""
    i = int(np.argmin(np.abs(scores - t)))
    assert abs(scores[i] - t) < 1e-6, f"threshold {t} is not one of these scores (nearest {scores[i]})"
    return scores[i]


# ------------------------------------------------------------------------------ training


def test_options_offer_the_phantoms_and_the_limits_of_the_request(client):
    o = client.get("/api/clinic/options").json()
    assert [s["id"] for s in o["sources"]] == ["phantom"]
    assert o["request"]["epochs"] == {"default": 5, "min": 1, "max": clinic_runs.MAX_EPOCHS}
    assert o["request"]["architecture"]["choices"] == ["strong", "lesson"]
    assert o["max_runs"] == clinic_runs.MAX_RUNS


@pytest.mark.skipif(not SHARED_NPZ.is_file(), reason="needs ../shared/data/pneumoniamnist_trainval.npz")
def test_options_offer_the_served_file_with_a_held_out_test_split(open_client, tmp_path):
    with open_client(tmp_path, data_path=SHARED_NPZ) as client:
        o = client.get("/api/clinic/options").json()
    file = {s["id"]: s for s in o["sources"]}["file"]
    assert file["max_train"] == 4708 - 600 and not file["synthetic"]
    assert "held out of the training split" in file["test_from"]


def test_a_run_trains_streams_its_epochs_and_is_kept(trained, cache):
    client, name, snap = trained
    assert snap["status"] == "done", snap
    assert name.startswith("clinic-") and len(name) == len("clinic-") + 16
    history = snap["extra"]["history"]
    assert [r["epoch"] for r in history] == [1, 2] and all(0 <= r["val_auc"] <= 1 for r in history)
    assert snap["result"]["complete"] and snap["result"]["epochs_done"] == 2
    on_disk = json.loads((Path(cache) / "runs" / name / "history.json").read_text())
    assert [round(r["val_auc"], 5) for r in on_disk] == [r["val_auc"] for r in history]
    listed = client.get("/api/clinic/runs").json()
    assert [r["name"] for r in listed["runs"]] == [name] and listed["active"] == []
    assert listed["runs"][0]["state"] == "complete" and listed["runs"][0]["origin"] == "clinic"


def test_identical_settings_reuse_the_run_and_a_second_worker_sees_it(trained, open_client, cache):
    client, name, _ = trained
    again = client.post("/api/clinic/train", json=TINY).json()
    assert again["reused"] is True and again["run"] == name and again["summary"]["name"] == name
    with open_client(cache) as other:  # another worker of the same server: same cache folder
        assert [r["name"] for r in other.get("/api/clinic/runs").json()["runs"]] == [name]
        assert other.post("/api/clinic/train", json=TINY).json()["reused"] is True


def test_progress_streams_server_sent_events_until_done(trained):
    client, name, _ = trained
    with client.stream("GET", "/api/clinic/progress", params={"run": name}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1]["status"] == "done" and len(events[-1]["extra"]["history"]) == 2


def test_limits_are_enforced_at_the_edge_with_expected_and_received(client):
    r = client.post("/api/clinic/train", json={**TINY, "epochs": 100})
    assert r.status_code == 422 and r.json()["message"] == f"epochs must be ≤ {clinic_runs.MAX_EPOCHS}, got 100"
    r = client.post("/api/clinic/train", json={**TINY, "n_train": 5000})
    assert r.status_code == 422 and r.json()["message"].startswith("n_train must be ≤ 3000 for Synthetic")
    assert r.json()["message"].endswith("got 5000")
    r = client.post("/api/clinic/train", json={**TINY, "source": "file"})
    assert r.status_code == 422 and "data source must be one of" in r.json()["message"]
    r = client.get("/api/clinic/roc", params={"run": "../etc"})
    assert r.status_code == 422
    r = client.get("/api/clinic/roc", params={"run": "nothing-here"})
    assert r.status_code == 422 and "no run named 'nothing-here'" in r.json()["message"]


def test_run_retention_is_bounded(open_client, tmp_path, monkeypatch):
    monkeypatch.setattr(clinic_runs, "MAX_RUNS", 1)
    with open_client(tmp_path) as client:
        first = client.post("/api/clinic/train", json={**TINY, "epochs": 1}).json()["run"]
        assert wait(client, first)["status"] == "done"
        r = client.post("/api/clinic/train", json={**TINY, "epochs": 1, "seed": 1})
        assert r.status_code == 422
        assert r.json()["message"] == ("the runs folder keeps at most 1 runs, got 1 already: delete one before "
                                       "training another")
        assert client.post("/api/clinic/delete", json={"run": first}).json() == {"deleted": first, "runs": 0}
        assert client.post("/api/clinic/train", json={**TINY, "epochs": 1, "seed": 1}).status_code == 200


def test_cancel_stops_a_run_which_keeps_its_finished_epochs_and_resumes(open_client, tmp_path):
    with open_client(tmp_path) as client:
        body = {**TINY, "n_train": 256, "epochs": 30, "seed": 3}
        name = client.post("/api/clinic/train", json=body).json()["run"]
        deadline = time.monotonic() + 60
        while client.get("/api/clinic/status", params={"run": name}).json().get("extra", {}).get("history", []) == []:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        client.post("/api/clinic/cancel", json={"run": name})
        snap = wait(client, name)
        assert snap["status"] == "cancelled"
        listed = client.get("/api/clinic/runs").json()["runs"][0]
        done = listed["epochs_done"]
        assert 1 <= done < 30 and not listed["complete"] and listed["state"] == f"stopped after {done} of 30 epochs"
        # the same settings continue the run from its last finished epoch (fit's resume)
        again = client.post("/api/clinic/train", json=body).json()
        assert again["reused"] is False and again["run"] == name
        while not client.get("/api/clinic/status", params={"run": name}).json().get("extra", {}).get("history"):
            time.sleep(0.1)
        first = client.get("/api/clinic/status", params={"run": name}).json()["extra"]["history"]
        client.post("/api/clinic/cancel", json={"run": name})
        wait(client, name)
        assert first[0]["epoch"] == 1 and len(first) >= done  # the history so far came back, not a fresh start


def test_a_run_of_ml2dl_train_in_the_runs_folder_is_listed_and_judged(open_client, tmp_path):
    from ml2dl.cli import main

    splits = phantom_splits(64, 40, 40, size=28, seed=5)
    npz = tmp_path / "tiny.npz"
    np.savez(npz, **{f"{k}_images": (getattr(splits, k).images[:, 0] * 255).astype(np.uint8) for k in ("train", "val", "test")},
             **{f"{k}_labels": getattr(splits, k).labels.reshape(-1, 1) for k in ("train", "val", "test")})
    cache = tmp_path / "cache"
    out = cache / "runs" / "from-the-cli"
    assert main(["train", "--data", str(npz), "--out", str(out), "--epochs", "1", "--width", "4",
                 "--batch-size", "32"]) == 0
    with open_client(cache) as client:
        runs = client.get("/api/clinic/runs").json()["runs"]
        assert [(r["name"], r["origin"], r["complete"]) for r in runs] == [("from-the-cli", "ml2dl train", True)]
        page = client.get("/api/clinic/roc", params={"run": "from-the-cli"}).json()
    assert page["has_test"] and page["splits"]["test"]["n"] == 40
    model = nn.load(out / "best.npz")
    model.eval()
    s = predict_proba(model, splits.test.images).reshape(-1)
    assert page["splits"]["test"]["auc"] == pytest.approx(sk.roc_auc_score(splits.test.labels, s), abs=1e-12)

    # data without a test split (like pneumoniamnist_trainval.npz given to ml2dl train): judged on validation only
    no_test = tmp_path / "no_test.npz"
    np.savez(no_test, **{k: v for k, v in np.load(npz).items() if not k.startswith("test_")})
    assert main(["train", "--data", str(no_test), "--out", str(cache / "runs" / "no-test"), "--epochs", "1",
                 "--width", "4", "--batch-size", "32"]) == 0
    with open_client(cache) as client:
        page = client.get("/api/clinic/roc", params={"run": "no-test"}).json()
        assert page["has_test"] is False and list(page["splits"]) == ["validation"] and page["why_points_move"] is None
        assert "test" not in page["table"] and all("test" not in p for p in page["points"])
        r = client.get("/api/clinic/mistakes", params={"run": "no-test", "split": "test"})
        assert r.status_code == 422 and "no test split" in r.json()["message"]
        t = page["table"]["threshold"][0]
        r = client.get("/api/clinic/mistakes", params={"run": "no-test", "split": "validation", "threshold": t})
        assert r.status_code == 200 and sum(r.json()["counts"].values()) == 40


# ------------------------------------------------------------------------------ clinic-roc


def test_roc_page_matches_sklearn_and_the_written_out_delong(trained, cache):
    client, name, _ = trained
    page = client.get("/api/clinic/roc", params={"run": name}).json()
    assert page["has_test"] and page["synthetic"]
    for split in ("validation", "test"):
        y, s = scores_of(cache, name, split)
        f = page["splits"][split]
        assert f["n"] == 300 and f["n_pneumonia"] == int(y.sum())
        assert f["auc"] == pytest.approx(sk.roc_auc_score(y, s), abs=1e-12)
        fpr, tpr, _ = sk.roc_curve(y, s, drop_intermediate=False)
        np.testing.assert_allclose(f["roc"]["fpr"], fpr, atol=1e-5)
        np.testing.assert_allclose(f["roc"]["tpr"], tpr, atol=1e-5)
        auc, se, low, high = naive_delong(list(y), list(s))
        assert f["auc_ci_delong"] == pytest.approx([low, high], abs=1e-12)
        assert f["auc_se_delong"] == pytest.approx(se, abs=1e-12)
        lo, hi = f["auc_ci_bootstrap"]
        assert lo < f["auc"] < hi
        assert f["pr"]["average_precision"] == pytest.approx(sk.average_precision_score(y, s), abs=1e-12)
        t = np.array(f["decision"]["thresholds"])
        np.testing.assert_allclose(f["decision"]["model"], [naive_net_benefit(y, s, ti) for ti in t], atol=1e-5)


def test_operating_points_are_chosen_on_validation_and_applied_unchanged_to_test(trained, cache):
    client, name, _ = trained
    page = client.get("/api/clinic/roc", params={"run": name}).json()
    saved = json.loads((Path(cache) / "runs" / name / "operating_points.json").read_text())["points"]
    points = {p["name"]: p for p in page["points"]}
    assert page["points_chosen_on"] == "val (after training)"
    yv, sv = scores_of(cache, name, "validation")
    yt, st = scores_of(cache, name, "test")
    for pname, target in (("screening", "sensitivity"), ("high_specificity", "specificity")):
        p = points[pname]
        # the saved threshold, on the validation score it was chosen as (re-predicted: equal to ~1e-8)
        assert p["threshold"] == pytest.approx(saved[pname]["threshold"], abs=1e-6)
        assert page["table"]["threshold"][p["row"]] == p["threshold"]
        for split, (y, s) in (("validation", (yv, sv)), ("test", (yt, st))):
            t = on(sv, p["threshold"]) if split == "validation" else p["threshold"]
            cm = sk.confusion_matrix(y, (s >= t).astype(int), labels=[0, 1])
            assert [[p[split]["tn"], p[split]["fp"]], [p[split]["fn"], p[split]["tp"]]] == cm.tolist()
        assert p["validation"]["sensitivity" if pname == "screening" else "specificity"] >= (0.975 if pname == "screening" else 0.98)
        assert p["shift"][target] == pytest.approx(100 * (p["test"][target] - p["validation"][target]))
        assert f"{p['test'][target] * 100:.1f}%" in p["words"]
    assert "pneumonia is 50.0% of validation" in page["why_points_move"]


def test_the_threshold_table_is_every_validation_score_with_counts_and_intervals(trained, cache):
    client, name, _ = trained
    table = client.get("/api/clinic/roc/table", params={"run": name}).json()
    yv, sv = scores_of(cache, name, "validation")
    yt, st = scores_of(cache, name, "test")
    assert table["threshold"] == pytest.approx(np.unique(sv).tolist(), abs=1e-6)
    stats = pytest.importorskip("scipy.stats")
    for i in (0, table["rows"] // 3, table["rows"] - 1):
        for split, (y, s) in (("validation", (yv, sv)), ("test", (yt, st))):
            t = on(sv, table["threshold"][i]) if split == "validation" else table["threshold"][i]
            called = (s >= t).astype(int)
            col = table[split]
            tn, fp, fn, tp = sk.confusion_matrix(y, called, labels=[0, 1]).ravel()
            assert (col["tp"][i], col["fp"][i], col["tn"][i], col["fn"][i]) == (tp, fp, tn, fn)
            assert col["sensitivity"][i] == pytest.approx(sk.recall_score(y, called), abs=5e-5)
            ci = stats.binomtest(int(tp), int(tp + fn)).proportion_ci(method="wilson")
            assert (col["sensitivity_low"][i], col["sensitivity_high"][i]) == pytest.approx((ci.low, ci.high), abs=5e-5)
    rare = client.get("/api/clinic/roc/table", params={"run": name, "prevalence": 0.01}).json()
    i = table["rows"] // 2
    t = table["threshold"][i]
    called = (st >= t).astype(int)
    w = np.where(yt == 1, 0.01 / yt.sum(), 0.99 / (len(yt) - yt.sum()))  # a population with 1% pneumonia
    assert rare["test"]["ppv"][i] == pytest.approx(sk.precision_score(yt, called, sample_weight=w), abs=5e-5)
    assert rare["prevalence"] == 0.01 and rare["test"]["tp"] == table["test"]["tp"]
    assert client.get("/api/clinic/roc/table", params={"run": name, "prevalence": 1.5}).status_code == 422


# ------------------------------------------------------------------------------ clinic-mistakes


def test_mistakes_show_the_cell_at_the_threshold_false_negatives_first(trained, cache):
    client, name, _ = trained
    table = client.get("/api/clinic/roc/table", params={"run": name}).json()
    t = table["threshold"][table["rows"] // 2]
    r = client.get("/api/clinic/mistakes", params={"run": name, "threshold": t}).json()
    y, s = scores_of(cache, name, "test")
    called = (s >= t).astype(int)
    tn, fp, fn, tp = sk.confusion_matrix(y, called, labels=[0, 1]).ravel()
    assert r["cell"] == "fn" and r["counts"] == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    assert r["sensitivity"] == pytest.approx(tp / (tp + fn))
    assert r["total"] == fn and r["shown"] == min(12, fn)
    probs = [c["probability"] for c in r["cases"]]
    assert all(c["label"] == 1 for c in r["cases"]) and all(p < t for p in probs)
    assert probs == sorted(probs)  # the most confidently missed first
    expected = np.sort(s[(y == 1) & (called == 0)])[:12]
    np.testing.assert_allclose(probs, expected)
    for c in r["cases"]:
        heat = np.array(c["heatmap"])
        assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() <= 1
        assert np.array(c["image"]).shape == (28, 28)
    assert "Saporta" in r["caveat"] and "Nature Machine Intelligence 2022" in r["caveat"]
    fp_cells = client.get("/api/clinic/mistakes", params={"run": name, "threshold": t, "cell": "fp", "limit": 3}).json()
    assert fp_cells["total"] == fp and all(c["label"] == 0 and c["probability"] >= t for c in fp_cells["cases"])
    bad = client.get("/api/clinic/mistakes", params={"run": name, "cell": "xx"})
    assert bad.status_code == 422


def test_every_clinic_answer_holds_only_documented_keys(trained):
    from test_web_openapi import _response_schema, undeclared

    client, name, _ = trained
    spec = client.get("/openapi.json").json()
    t = client.get("/api/clinic/roc/table", params={"run": name}).json()["threshold"][5]
    for method, path, body in [
        ("get", "/api/clinic/options", None), ("get", "/api/clinic/runs", None),
        ("post", "/api/clinic/train", TINY), ("get", f"/api/clinic/status?run={name}", None),
        ("get", f"/api/clinic/roc?run={name}", None), ("get", f"/api/clinic/roc/table?run={name}&prevalence=0.1", None),
        ("get", f"/api/clinic/mistakes?run={name}&threshold={t}&cell=tp&limit=2", None),
    ]:
        r = getattr(client, method)(path, **({} if body is None else {"json": body}))
        assert r.status_code == 200, (path, r.text)
        assert undeclared(r.json(), _response_schema(spec, method, path), spec) == [], path
