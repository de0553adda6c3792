"""Step ``vanishing`` API: a training job per settings (progress with the networks finished so far, cached on
disk, cancel, started with the server), the lesson's figures, limits with expected-vs-received messages."""

import json
import time

import pytest

from ml2dl.lessons import vanishing as lesson
from test_web_openapi import _response_schema, undeclared

SMALL = {"depth": 6, "epochs": 5, "lr": 0.3, "seed": 2}
QUERY = "depth=6&epochs=5&lr=0.3&seed=2"
LONG = {"depth": 12, "epochs": 100, "lr": 0.1, "seed": 7}  # the longest setting: still running when cancelled
ACTIVE = ("queued", "running")


def _wait_done(client, query=QUERY, timeout=300):
    """The job's final snapshot (a bound on the wait, not a timing claim)."""
    deadline = time.monotonic() + timeout
    while True:
        snap = client.get(f"/api/vanishing/train?{query}").json()
        if snap["status"] not in ACTIVE:
            return snap
        assert time.monotonic() < deadline, snap
        time.sleep(0.05)


def _query(settings: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in settings.items())


def test_training_is_a_cached_job_with_the_lessons_numbers(open_client, tmp_path):
    expected = lesson.compare(**SMALL)
    with open_client(tmp_path) as client:
        spec = client.get("/openapi.json").json()
        assert client.get(f"/api/vanishing/train?{QUERY}").json()["status"] == "none"
        first = client.post("/api/vanishing/train", json=SMALL).json()
        assert first["status"] in ("queued", "running", "done")
        again = client.post("/api/vanishing/train", json=SMALL).json()
        assert again["key"] == first["key"]  # joined, not started twice
        # progress as server-sent events, until it is done: the last event carries the result
        r = client.get(f"/api/vanishing/progress?{QUERY}")
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]
        snap = events[-1]
        assert snap["status"] == "done", snap
        for schema_of in (("post", "/api/vanishing/train"), ("get", "/api/vanishing/train")):
            assert undeclared(snap, _response_schema(spec, *schema_of), spec) == []
        assert snap["result"] == expected  # the same numbers as the lesson computes directly
        assert [a["label"] for a in snap["result"]["arms"]] == ["sigmoid, Xavier init", "tanh, Xavier init", "ReLU, He init"]
        assert len(snap["result"]["arms"][0]["at_init"]["weight_grad"]) == 7
        assert client.get(f"/api/vanishing/train?{QUERY}").json() == snap
        # other settings are another job
        assert client.get("/api/vanishing/train?depth=6&epochs=5&lr=0.3&seed=3").json()["status"] == "none"
    with open_client(tmp_path) as client:  # a restarted server (or another worker) answers from the disk
        snap = client.get(f"/api/vanishing/train?{QUERY}").json()
        assert snap["status"] == "done" and snap["cached"] is True and snap["result"] == expected
        assert client.post("/api/vanishing/train", json=SMALL).json()["cached"] is True  # not trained again


def test_progress_carries_the_networks_finished_so_far(open_client, tmp_path):
    """What the lesson reports while it trains: a rising fraction, where it is, and the finished networks,
    each equal to its entry in the final result."""
    settings = {"depth": 4, "epochs": 10, "lr": 0.1, "seed": 1}
    calls = []
    final = lesson.compare(**settings, progress=lambda f, msg, extra: calls.append((f, msg, json.loads(json.dumps(extra)))))
    assert final == lesson.compare(**settings)  # reporting changes nothing
    assert len(calls) == 3 * (10 + 1)  # every epoch of every network, and each network's end
    assert [c[0] for c in calls] == sorted(c[0] for c in calls) and calls[-1][0] == 1.0
    f, msg, extra = calls[13]  # the second network's third epoch
    assert msg == "training tanh, Xavier init (2 of 3): epoch 3/10" and f == pytest.approx((1 + 3 / 10) / 3)
    assert (extra["network"], extra["epoch"]) == ("tanh", 3)
    assert extra["partial"]["arms"] == final["arms"][:1]
    assert {k: v for k, v in extra["partial"].items() if k != "arms"} == {k: v for k, v in final.items() if k != "arms"}
    assert [len(c[2]["partial"]["arms"]) for c in calls[10::11]] == [1, 2, 3]  # after each network's end
    assert calls[10][1] == "finished sigmoid, Xavier init (1 of 3)"
    # the per-epoch loss is the one in the network's curve
    assert [c[2]["loss"] for c in calls[:10]] == final["arms"][0]["loss"][1:]
    # through the job: a running snapshot shows the same, in the response model
    with open_client(tmp_path) as client:
        spec = client.get("/openapi.json").json()
        client.post("/api/vanishing/train", json=settings)
        seen = []
        while (snap := client.get(f"/api/vanishing/train?{_query(settings)}").json())["status"] in ACTIVE:
            if snap["status"] == "running" and snap["extra"]:
                seen.append(snap)
            time.sleep(0.02)
        assert snap["status"] == "done" and snap["result"] == final
    for s in seen:  # (a quiet machine may finish before the first look: then there is nothing to check)
        assert undeclared(s, _response_schema(spec, "get", "/api/vanishing/train"), spec) == []
        arms = s["extra"]["partial"]["arms"]
        assert arms == final["arms"][:len(arms)]


def test_cancel(open_client, tmp_path):
    with open_client(tmp_path) as client:
        client.post("/api/vanishing/train", json=LONG)
        snap = client.post("/api/vanishing/train/cancel", json=LONG).json()
        assert snap["status"] in ("cancelled", "running", "queued")
        snap = _wait_done(client, _query(LONG))
        assert snap["status"] == "cancelled", snap
        assert snap["result"] is None
        # started again it trains from the start (the cancelled run left no result behind); followed by two
        # students, the first one's cancel leaves it running for the other, the second one's stops it
        assert client.post("/api/vanishing/train", json=LONG).json()["status"] in ACTIVE
        client.post("/api/vanishing/train", json=LONG)
        first = client.post("/api/vanishing/train/cancel", json=LONG).json()
        assert first["status"] in ACTIVE and first["detached"] is True and first["others"] == 1, first
        assert "1 other is following this training" in first["message"]
        client.post("/api/vanishing/train/cancel", json=LONG)
        assert _wait_done(client, _query(LONG))["status"] == "cancelled"


def test_the_defaults_are_trained_when_the_server_starts(open_client, tmp_path):
    """The page's first view is ready when students arrive: in it the sigmoid stack's gradient has vanished."""
    with open_client(tmp_path, prestart=True) as client:
        deadline = time.monotonic() + 180  # a bound on the wait, not a timing claim
        while client.get("/api/vanishing/train").json()["status"] == "none":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # the class follows it: a student's cancel does not stop it
        answer = client.post("/api/vanishing/train/cancel", json={}).json()
        if answer["status"] in ACTIVE:  # (else it had already finished)
            assert answer["detached"] is True and "shared by the class" in answer["message"], answer
        snap = _wait_done(client, "")
    assert snap["status"] == "done", snap
    body = snap["result"]
    assert (body["depth"], body["epochs"], body["lr"], body["width"]) == (10, 40, 0.1, 32)
    sig = body["arms"][0]["trained"]
    assert sig["delta_first_over_last"] < 1e-4 and max(sig["slope_mean"]) <= 0.25
    with open_client(tmp_path / "other") as client:  # without prestart nobody starts it
        assert client.get("/api/vanishing/train").json()["status"] == "none"


@pytest.mark.parametrize("body, message", [
    ({"depth": 13}, "depth must be ≤ 12, got 13"),
    ({"depth": 1}, "depth must be ≥ 2, got 1"),
    ({"lr": 0.2}, "lr must be one of 0.01, 0.03, 0.1, 0.3, got 0.2"),
    ({"epochs": 101}, "epochs must be ≤ 100, got 101"),
    ({"width": 8}, "width is not a known setting, got 8"),
])
def test_limits(client, body, message):
    for path in ("/api/vanishing/train", "/api/vanishing/train/cancel"):
        r = client.post(path, json=body)
        assert r.status_code == 422 and r.json()["message"] == message
    r = client.get("/api/vanishing/train", params=body)  # from a query string the value received is quoted text
    assert r.status_code == 422 and r.json()["message"].split(", got")[0] == message.split(", got")[0]
    r = client.get("/api/vanishing/progress", params=body)
    assert r.status_code == 422


def test_options_are_the_request_models_limits(client):
    o = client.get("/api/vanishing/options").json()
    assert o["depth"] == {"min": 2, "max": 12} and o["seed"] == {"min": 0, "max": 9999}
    assert o["lr"] == [0.01, 0.03, 0.1, 0.3] and o["epochs"] == [10, 20, 40, 100]
    assert o["defaults"] == {"depth": 10, "epochs": 40, "lr": 0.1, "seed": 0}
    assert (o["width"], o["points"]) == (32, 256)
    assert o["networks"] == [{"activation": a, "init": i, "label": label} for a, i, label in lesson.ARMS]
    assert [n["activation"] for n in o["networks"]] == ["sigmoid", "tanh", "relu"]
