"""cases' Esteva job: fine-grained probabilities summed against a binary model, measured as scikit-learn measures it."""

import time

import numpy as np
import pytest

from ml2dl.data.phantom import phantom_splits
from ml2dl.lessons.clinic import esteva

sk = pytest.importorskip("sklearn.metrics")


def wait(client, settings, snap, timeout=300):
    deadline = time.monotonic() + timeout
    while snap["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, snap
        time.sleep(0.3)
        snap = client.get("/api/clinic/cases/esteva/status", params=settings).json()
    return snap


def test_the_esteva_experiment_is_a_cached_job_measured_as_scikit_learn_measures_it(open_client, tmp_path):
    settings = {"n_train": 64, "epochs": 1, "seed": 0}
    with open_client(tmp_path) as client:
        assert client.get("/api/clinic/cases/esteva/status", params=settings).json()["status"] == "none"
        snap = wait(client, settings, client.post("/api/clinic/cases/esteva", json=settings).json())
        assert snap["status"] == "done", snap
        r = snap["result"]
        kinds = phantom_splits(64, esteva.N_VAL, esteva.N_TEST, size=28, seed=0, subtypes=True).test.labels
        assert r["labels"] == kinds.tolist() and r["n_test"] == esteva.N_TEST
        y = (kinds > 0).astype(int)
        for m in ("fine", "binary"):
            assert r[m]["auc"] == pytest.approx(sk.roc_auc_score(y, r[m]["scores"]), abs=1e-12)
            assert r[m]["low"] <= r[m]["auc"] <= r[m]["high"]
        assert r["paper"] == {"images": 129_450, "diseases": 2_032, "classes": 757}
        assert np.array(r["confusion"]).sum() == esteva.N_TEST
        assert f"AUC {r['fine']['auc']:.3f} (95% CI" in r["words"][0]
        # the same settings again: the result on record, nothing trained
        again = client.post("/api/clinic/cases/esteva", json=settings).json()
        assert again["status"] == "done" and again["result"]["fine"] == r["fine"]


def test_a_started_experiment_can_be_cancelled(open_client, tmp_path):
    settings = {"n_train": 2000, "epochs": 10, "seed": 1}
    with open_client(tmp_path) as client:
        snap = client.post("/api/clinic/cases/esteva", json=settings).json()
        assert snap["status"] in ("queued", "running")
        client.post("/api/clinic/cases/esteva/cancel", json=settings)
        assert wait(client, settings, client.get("/api/clinic/cases/esteva/status", params=settings).json())["status"] == "cancelled"


@pytest.mark.parametrize("body, field", [({"epochs": 99}, "epochs"), ({"n_train": 10}, "n_train"),
                                         ({"seed": True}, "seed"), ({"kinds": 3}, "kinds")])
def test_bad_settings_say_what_was_expected(client, body, field):
    r = client.post("/api/clinic/cases/esteva", json=body)
    assert r.status_code == 422 and field in r.text
