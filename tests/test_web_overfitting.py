"""Step ``overfitting`` API: a job per settings (cached, progress events, cancel), answers as the lesson's."""

import json
import time

import pytest

from ml2dl.lessons import overfitting as lesson
from ml2dl.lessons.images import load_chest_data
from test_web_openapi import _response_schema, undeclared

SMALL = {"n_train": 50, "epochs": 20, "dropout": 0.2, "l2": 0.0, "augment": False}
QUERY = "n_train=50&epochs=20&dropout=0.2&l2=0&augment=false"


def _wait_done(client, query=QUERY, timeout=180):
    deadline = time.monotonic() + timeout
    while True:
        snap = client.get(f"/api/overfitting/experiment?{query}").json()
        if snap["status"] in ("done", "failed", "cancelled"):
            return snap
        assert time.monotonic() < deadline, snap
        time.sleep(0.1)


def test_options_are_the_lessons_choices(client):
    o = client.get("/api/overfitting/options").json()
    assert o["n_train"] == list(lesson.N_TRAIN_CHOICES) and o["l2"] == list(lesson.L2_CHOICES)
    assert o["dropout"] == list(lesson.DROPOUT_CHOICES) and o["epochs"] == list(lesson.EPOCH_CHOICES)
    assert o["defaults"] == {"n_train": 100, "epochs": 60, "dropout": 0.5, "l2": 0.01, "augment": True}
    assert o["n_val"] == 400
    assert o["data"] == {"synthetic": True, "source": "synthetic chest films drawn by ml2dl (phantoms), not patient data"}


def test_the_experiment_is_a_cached_job_with_the_lessons_numbers(open_client, tmp_path):
    with open_client(tmp_path) as client:
        spec = client.get("/openapi.json").json()
        assert client.get(f"/api/overfitting/experiment?{QUERY}").json()["status"] == "none"
        first = client.post("/api/overfitting/experiment", json=SMALL).json()
        assert first["status"] in ("queued", "running", "done")
        again = client.post("/api/overfitting/experiment", json=SMALL).json()
        assert again["key"] == first["key"]  # joined, not started twice
        snap = _wait_done(client)
        assert snap["status"] == "done", snap
        assert undeclared(snap, _response_schema(spec, "post", "/api/overfitting/experiment"), spec) == []
        res = snap["result"]
        # the same numbers as the lesson run here, on the same data: training is reproducible
        data = load_chest_data(None, n_train=50, n_val=lesson.N_VAL, seed=0)
        expected = lesson.run_experiment(data, lesson.Settings(**SMALL))
        for got, want in zip(res["arms"], expected["arms"]):
            assert got["val_loss"] == want["val_loss"] and got["best_epoch"] == want["best_epoch"]
        assert [a["key"] for a in res["arms"]] == ["none", "dropout"]
        assert res["arms"][1]["dropout"] == 0.2 and res["arms"][0]["dropout"] == 0
        assert len(res["arms"][0]["val_loss"]) == 20 and res["n_train"] == 50 and res["synthetic"] is True
        # other settings are another job
        other = client.get("/api/overfitting/experiment?n_train=50&epochs=20&dropout=0.5&l2=0&augment=false").json()
        assert other["status"] == "none"
        # progress as server-sent events: the last event carries the result
        r = client.get(f"/api/overfitting/progress?{QUERY}")
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]
        assert events[-1]["status"] == "done" and events[-1]["result"]["arms"] == res["arms"]
    with open_client(tmp_path) as client:  # a restarted server answers from the disk cache
        snap = client.get(f"/api/overfitting/experiment?{QUERY}").json()
        assert snap["status"] == "done" and snap["cached"] is True and snap["result"] == res


def test_cancel(open_client, tmp_path):
    settings = {"n_train": 400, "epochs": 100, "dropout": 0.5, "l2": 0.1, "augment": True}
    query = "n_train=400&epochs=100&dropout=0.5&l2=0.1&augment=true"
    with open_client(tmp_path) as client:
        client.post("/api/overfitting/experiment", json=settings)
        snap = client.post("/api/overfitting/experiment/cancel", json=settings).json()
        assert snap["status"] in ("cancelled", "running", "queued")
        assert _wait_done(client, query)["status"] == "cancelled"


@pytest.mark.parametrize("body, message", [
    ({"n_train": 51}, "n_train must be one of 50, 100, 200, 400, got 51"),
    ({"dropout": 0.3}, "dropout must be one of 0, 0.2, 0.5, got 0.3"),
    ({"l2": -1}, "l2 must be one of 0, 0.001, 0.01, 0.1, got -1"),
    ({"epochs": 61}, "epochs must be one of 20, 40, 60, 100, got 61"),
    ({"speed": 1}, "speed"),
])
def test_bad_settings_are_refused_with_what_was_expected(client, body, message):
    r = client.post("/api/overfitting/experiment", json=body)
    assert r.status_code == 422 and message in r.json()["message"]
    q = "&".join(f"{k}={v}" for k, v in body.items())
    assert client.get(f"/api/overfitting/experiment?{q}").status_code == 422 or "speed" in body


def test_real_chest_xrays_with_data(open_client, tmp_path):
    from test_web_images import DATA

    if not DATA.is_file():
        pytest.skip(f"no PneumoniaMNIST file at {DATA}")
    with open_client(tmp_path, data_path=DATA) as client:
        body = {"n_train": 50, "epochs": 20, "dropout": 0.0, "l2": 0.0, "augment": False}
        client.post("/api/overfitting/experiment", json=body)
        snap = _wait_done(client, "n_train=50&epochs=20&dropout=0&l2=0&augment=false")
        res = snap["result"]
        assert res["synthetic"] is False and res["source"]
        counts = res["train_counts"]
        assert counts["normal"] + counts["pneumonia"] == 50
