"""Step ``rnn`` API: a training job per settings (cached, progress events, cancel), a patient from the
saved networks (409 before), the lesson's figures, limits with expected-vs-received messages."""

import json
import time

import pytest

from ml2dl.lessons import rnn as lesson
from test_web_openapi import _response_schema, undeclared

SMALL = {"hidden": 4, "epochs": 5, "seed": 3}
QUERY = "hidden=4&epochs=5&seed=3"


def _wait_done(client, query=QUERY, timeout=180):
    deadline = time.monotonic() + timeout
    while True:
        snap = client.get(f"/api/rnn/train?{query}").json()
        if snap["status"] in ("done", "failed", "cancelled"):
            return snap
        assert time.monotonic() < deadline, snap
        time.sleep(0.05)


def test_training_is_a_cached_job_with_the_lessons_numbers(open_client, tmp_path):
    with open_client(tmp_path) as client:
        spec = client.get("/openapi.json").json()
        assert client.get(f"/api/rnn/train?{QUERY}").json()["status"] == "none"
        r = client.post("/api/rnn/patient", json={**SMALL, "patient": 3})
        assert r.status_code == 409 and "not trained yet (nobody has started it)" in r.json()["message"]
        first = client.post("/api/rnn/train", json=SMALL).json()
        assert first["status"] in ("queued", "running", "done")
        again = client.post("/api/rnn/train", json=SMALL).json()
        assert again["key"] == first["key"]  # joined, not started twice
        snap = _wait_done(client)
        assert snap["status"] == "done", snap
        assert undeclared(snap, _response_schema(spec, "post", "/api/rnn/train"), spec) == []
        res = snap["result"]
        # the same numbers as the lesson trained here: training is reproducible
        expected = lesson.train(**SMALL, checkpoints={"rnn": tmp_path / "r.npz", "last_hour": tmp_path / "f.npz"})
        assert res["accuracy"] == expected["accuracy"] and res["gradient"] == expected["gradient"]
        assert res["loss"] == expected["loss"] and len(res["loss"]["rnn"]) == 5
        assert res["checkpoints"] == {"rnn": f"{snap['key']}-rnn.npz", "last_hour": f"{snap['key']}-last_hour.npz"}
        # the patient call answers from the saved networks, as the lesson's networks do
        r = client.post("/api/rnn/patient", json={**SMALL, "patient": 3})
        assert r.status_code == 200
        body = r.json()
        assert undeclared(body, _response_schema(spec, "post", "/api/rnn/patient"), spec) == []
        rnn, ff = lesson.load_network(tmp_path / "r.npz"), lesson.load_network(tmp_path / "f.npz")
        assert body == {"patient": lesson.patient_view(rnn, ff, 3, 3), **SMALL}
        assert len(body["patient"]["hidden"]) == 4 and len(body["patient"]["signals"]) == 3
        # other settings are another job
        assert client.get("/api/rnn/train?hidden=8&epochs=5&seed=3").json()["status"] == "none"
        assert client.post("/api/rnn/patient", json={"hidden": 8, "epochs": 5, "seed": 3}).status_code == 409
        # progress as server-sent events: the last event carries the result
        r = client.get(f"/api/rnn/progress?{QUERY}")
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]
        assert events[-1]["status"] == "done" and events[-1]["result"] == res
    with open_client(tmp_path) as client:  # another worker (a restarted server) answers from the disk
        snap = client.get(f"/api/rnn/train?{QUERY}").json()
        assert snap["status"] == "done" and snap["cached"] is True and snap["result"] == res
        assert client.post("/api/rnn/train", json=SMALL).json()["cached"] is True  # not trained again
        assert client.post("/api/rnn/patient", json={**SMALL, "patient": 3}).json() == body


def test_progress_while_training(open_client, tmp_path):
    """A running job reports which network trains, its epoch and loss, and a rising fraction."""
    settings, query = {"hidden": 16, "epochs": 40, "seed": 5}, "hidden=16&epochs=40&seed=5"
    with open_client(tmp_path) as client:
        client.post("/api/rnn/train", json=settings)
        seen = []
        while (snap := client.get(f"/api/rnn/train?{query}").json())["status"] in ("queued", "running"):
            if snap["status"] == "running" and snap["extra"]:
                seen.append(snap)
            time.sleep(0.05)
        assert snap["status"] == "done"
        assert seen, "no progress was seen while the job ran"
        for s in seen:
            e = s["extra"]
            label = {"rnn": "the RNN (24 hours)", "last_hour": "the last-hour network"}[e["network"]]
            assert s["message"] == f"training {label}: epoch {e['epoch']}/40" and 0 < s["progress"] < 1
            assert (e["network"] == "rnn") == (s["progress"] <= lesson.RNN_SHARE)
        assert [s["progress"] for s in seen] == sorted(s["progress"] for s in seen)


def test_cancel(open_client, tmp_path):
    settings, query = {"hidden": 16, "epochs": 40, "seed": 7}, "hidden=16&epochs=40&seed=7"
    with open_client(tmp_path) as client:
        client.post("/api/rnn/train", json=settings)
        snap = client.post("/api/rnn/train/cancel", json=settings).json()
        assert snap["status"] in ("cancelled", "running", "queued")
        assert _wait_done(client, query)["status"] == "cancelled"
        r = client.post("/api/rnn/patient", json={**settings, "patient": 0})
        assert r.status_code == 409 and "(it was cancelled)" in r.json()["message"]
        assert not list((tmp_path / "rnn").glob("*.npz"))  # nothing saved


@pytest.mark.parametrize("body, message", [
    ({"hidden": 5}, "hidden must be one of 4, 8, 12, 16, got 5"),
    ({"epochs": 7}, "epochs must be one of 5, 10, 20, 40, got 7"),
    ({"seed": -1}, "seed must be ≥ 0, got -1"),
])
def test_limits(client, body, message):
    for path in ("/api/rnn/train", "/api/rnn/patient", "/api/rnn/train/cancel"):
        r = client.post(path, json=body)
        assert r.status_code == 422 and r.json()["message"] == message
    r = client.get("/api/rnn/train", params=body)  # from a query string the value received is quoted text
    assert r.status_code == 422 and r.json()["message"].split(", got")[0] == message.split(", got")[0]


def test_patient_limit(client):
    r = client.post("/api/rnn/patient", json={"patient": 200})
    assert r.status_code == 422 and r.json()["message"] == "patient must be ≤ 199, got 200"
    assert client.post("/api/rnn/train", json={"patient": 3}).status_code == 422  # training has no patient


def test_options_are_the_request_models_limits(client):
    o = client.get("/api/rnn/options").json()
    assert o == {"hidden": [4, 8, 12, 16], "epochs": [5, 10, 20, 40], "seed": {"min": 0, "max": 999},
                 "patient": {"min": 0, "max": 199}, "defaults": {"hidden": 12, "epochs": 20, "seed": 0, "patient": 0}}
