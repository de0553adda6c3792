"""cases' API: Gulshan's two points, CheXNet's F1 with its bootstrap interval and McKinney's first reader,
each measured on a tiny phantom run and checked against scikit-learn on the run's scores computed here,
the bootstrap against a slow reference (one resample at a time, scikit-learn's F1)."""

import time
from pathlib import Path

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.data import phantom_splits
from ml2dl.lessons.clinic.cases import RAJPURKAR, bootstrap_f1_ci
from ml2dl.train import predict_proba

sk = pytest.importorskip("sklearn.metrics")

TINY = {"n_train": 64, "epochs": 2, "width": 4, "batch_size": 32, "lr": 0.01}


@pytest.fixture(scope="module")
def trained(open_client, tmp_path_factory):
    cache = tmp_path_factory.mktemp("clinic-cases-cache")
    with open_client(cache) as client:
        name = client.post("/api/clinic/train", json=TINY).json()["run"]
        deadline = time.monotonic() + 180
        while client.get("/api/clinic/status", params={"run": name}).json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        yield client, cache, name


def scores(cache, name, split):
    model = nn.load(Path(cache) / "runs" / name / "best.npz")
    model.eval()
    splits = phantom_splits(TINY["n_train"], 300, 300, size=28, seed=0)
    ds = splits.val if split == "validation" else splits.test
    return ds.labels.reshape(-1), predict_proba(model, ds.images).astype(np.float64).reshape(-1)


def slow_bootstrap_f1(y, called, n_boot=1000, seed=0):
    idx = np.random.default_rng(seed).integers(0, y.size, size=(n_boot, y.size))
    f1s = []
    for row in idx:
        yy, cc = y[row], called[row]
        if (yy == 1).any() or (cc == 1).any():
            f1s.append(sk.f1_score(yy, cc, zero_division=0))
    return (*np.quantile(f1s, [0.025, 0.975]), len(f1s))


def test_bootstrap_f1_matches_a_slow_reference(rng):
    y = rng.integers(0, 2, 200)
    called = np.where(rng.random(200) < 0.8, y, 1 - y)
    np.testing.assert_allclose(bootstrap_f1_ci(y, called, n_boot=300), slow_bootstrap_f1(y, called, 300), atol=1e-12)


@pytest.mark.parametrize("point", ["balanced", "screening", "high_specificity"])
def test_cases_are_measured_on_the_run_as_scikit_learn_measures_them(trained, point):
    client, cache, name = trained
    r = client.get("/api/clinic/cases", params={"run": name, "point": point})
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["split"] == "test" and c["point"] == point
    y, s = scores(cache, name, "test")
    called = (s >= c["threshold"]).astype(int)
    tn, fp, fn, tp = sk.confusion_matrix(y, called, labels=[0, 1]).ravel()
    assert c["counts"] == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    # CheXNet: F1 and its interval
    raj = c["rajpurkar"]
    assert raj["f1"] == pytest.approx(sk.f1_score(y, called), abs=1e-12)
    low, high, used = slow_bootstrap_f1(y, called)
    assert (raj["low"], raj["high"], raj["used"]) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12), used)
    assert raj["theirs"] == {k: RAJPURKAR[k] for k in ("f1", "low", "high", "radiologists")}
    assert f"is {raj['f1']:.3f} (95% CI {raj['low']:.3f}–{raj['high']:.3f}" in raj["words"][0]
    above, below = raj["low"] > 0.481, raj["high"] < 0.387
    assert ("entirely above" in raj["words"][0]) == above and ("entirely below" in raj["words"][0]) == below
    # McKinney: the first reader's workload from the confusion matrix
    mk = c["mckinney"]
    assert (mk["n"], mk["read"], mk["cleared"], mk["missed"], mk["false_alarms"]) == (300, tp + fp, tn + fn, fn, fp)
    assert mk["cleared_share"] == pytest.approx((tn + fn) / 300) and mk["missed_share"] == pytest.approx(fn / (tp + fn))
    assert f"the {tp + fp} it flagged, {tn + fn} (" in mk["words"][0]
    # Gulshan: the run's two points on validation (where chosen) and test
    yv, sv = scores(cache, name, "validation")
    for g in c["gulshan"]["points"]:
        t = g["threshold"]
        for split, (yy, ss) in (("validation", (yv, sv)), ("test", (y, s))):
            cc = (ss >= t).astype(int)
            assert g[split]["sensitivity"] == pytest.approx(sk.recall_score(yy, cc), abs=1e-12)
            assert g[split]["specificity"] == pytest.approx(sk.recall_score(1 - yy, 1 - cc), abs=1e-12)
    assert [g["name"] for g in c["gulshan"]["points"]] == ["high_specificity", "screening"]
    assert c["gulshan"]["points"][1]["theirs"] == {"sensitivity": 0.975, "specificity": 0.934}


def test_bad_requests_say_what_was_expected(trained):
    client, _, name = trained
    assert client.get("/api/clinic/cases", params={"run": name, "point": "best"}).status_code == 422
    r = client.get("/api/clinic/cases", params={"run": "no-such-run"})
    assert r.status_code == 422 and "no run named 'no-such-run'" in r.json()["message"]


# ------------------------------------------------------------------------------ shortcut learning


def test_the_hospital_marker_experiment_is_a_cached_job_measured_as_scikit_learn_measures_it(open_client, tmp_path):
    settings = {"n_train": 64, "epochs": 1, "seed": 0}
    with open_client(tmp_path) as client:
        snap = client.post("/api/clinic/cases/shortcut", json=settings).json()
        deadline = time.monotonic() + 300
        while snap["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.3)
            snap = client.get("/api/clinic/cases/shortcut/status", params=settings).json()
        assert snap["status"] == "done", snap
        r = snap["result"]
        y = phantom_splits(64, 300, 300, size=28, seed=0).test.labels.reshape(-1)
        assert r["labels"] == y.tolist()
        for model in ("marked", "control"):
            for where in ("internal", "new"):
                assert r[model][f"auc_{where}"] == pytest.approx(sk.roc_auc_score(y, r[model][f"scores_{where}"]), abs=1e-12)
        s, marks = np.array(r["marked"]["scores_new"]), np.array(r["marks_new"])
        normal = y == 0
        assert r["pull"]["normal"] == pytest.approx(s[normal & marks].mean() - s[normal & ~marks].mean(), abs=1e-12)
        assert f"AUC {r['marked']['auc_internal']:.3f} on hospital A's test films and {r['marked']['auc_new']:.3f}" in r["words"][0]
        # hospital A marks pneumonia far more often than normal films; the new hospital does not care
        internal = np.array(r["marks_internal"])
        assert internal[y == 1].mean() > 0.75 and internal[y == 0].mean() < 0.25
        assert abs(marks[y == 1].mean() - marks[y == 0].mean()) < 0.2
        # the same settings again: the result on record, nothing trained
        again = client.post("/api/clinic/cases/shortcut", json=settings).json()
        assert again["status"] == "done" and again["result"]["marked"] == r["marked"]
        assert client.post("/api/clinic/cases/shortcut", json={**settings, "epochs": 99}).status_code == 422


# ------------------------------------------------------------------------------ pre-training

SHARED_NPZ = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pneumoniamnist_trainval.npz"


def test_pretraining_needs_real_data(client):
    r = client.post("/api/clinic/cases/pretrain", json={})
    assert r.status_code == 422 and "pre-training needs real X-rays" in r.json()["message"]


@pytest.mark.skipif(not SHARED_NPZ.is_file(), reason="no PneumoniaMNIST file on this machine")
def test_pretraining_against_scratch_is_a_cached_job_judged_as_scikit_learn_judges_it(open_client, tmp_path):
    from ml2dl.lessons.clinic import data as clinic_data

    settings = {"n_real": 64, "n_synthetic": 200, "epochs": 1, "seed": 0}
    with open_client(tmp_path, data_path=SHARED_NPZ.resolve()) as client:
        snap = client.post("/api/clinic/cases/pretrain", json=settings).json()
        deadline = time.monotonic() + 300
        while snap["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.3)
            snap = client.get("/api/clinic/cases/pretrain/status", params=settings).json()
        assert snap["status"] == "done", snap
        r = snap["result"]
        src = [s for s in clinic_data.sources(SHARED_NPZ.resolve()) if s.id == "file"][0]
        y = clinic_data.load(src, 64, 0).test.labels.reshape(-1)
        assert r["labels"] == y.tolist() and r["split"] == "test"
        for m in ("pretrained", "finetuned", "scratch"):
            assert r[m]["auc"] == pytest.approx(sk.roc_auc_score(y, r[m]["scores"]), abs=1e-12)
            assert r[m]["low"] <= r[m]["auc"] <= r[m]["high"]
        f, s = r["finetuned"], r["scratch"]
        assert f"AUC {f['auc']:.3f} ({f['low']:.3f}–{f['high']:.3f})" in r["words"][0]
        assert ("added" in r["words"][1]) == (f["auc"] > s["auc"])
        again = client.post("/api/clinic/cases/pretrain", json=settings).json()
        assert again["status"] == "done" and again["result"]["scratch"] == s
