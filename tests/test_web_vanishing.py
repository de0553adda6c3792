"""Step ``vanishing`` API: the lesson's figures through the route, limits with expected-vs-received messages."""

import pytest

from ml2dl.lessons import vanishing as lesson
from test_web_openapi import _response_schema, undeclared


def test_the_answer_is_the_lessons(client):
    r = client.post("/api/vanishing", json={"depth": 6, "epochs": 5, "lr": 0.3, "seed": 2})
    assert r.status_code == 200
    body = r.json()
    assert body == lesson.compare(depth=6, epochs=5, lr=0.3, seed=2)
    spec = client.get("/openapi.json").json()
    assert undeclared(body, _response_schema(spec, "post", "/api/vanishing"), spec) == []
    assert [a["label"] for a in body["arms"]] == ["sigmoid, Xavier init", "tanh, Xavier init", "ReLU, He init"]
    assert len(body["arms"][0]["at_init"]["weight_grad"]) == 7 and len(body["arms"][0]["at_init"]["ratio"]) == 5


def test_defaults(client):
    body = client.post("/api/vanishing", json={}).json()
    assert (body["depth"], body["epochs"], body["lr"], body["width"]) == (10, 40, 0.1, 32)
    sig = body["arms"][0]["trained"]
    assert sig["delta_first_over_last"] < 1e-4 and max(sig["slope_mean"]) <= 0.25


@pytest.mark.parametrize("body, message", [
    ({"depth": 13}, "depth must be ≤ 12, got 13"),
    ({"depth": 1}, "depth must be ≥ 2, got 1"),
    ({"lr": 0.2}, "lr must be one of 0.01, 0.03, 0.1, 0.3, got 0.2"),
    ({"epochs": 101}, "epochs must be ≤ 100, got 101"),
])
def test_limits(client, body, message):
    r = client.post("/api/vanishing", json=body)
    assert r.status_code == 422 and r.json()["message"] == message


def test_options_are_the_request_models_limits(client):
    o = client.get("/api/vanishing/options").json()
    assert o["depth"] == {"min": 2, "max": 12} and o["seed"] == {"min": 0, "max": 9999}
    assert o["lr"] == [0.01, 0.03, 0.1, 0.3] and o["epochs"] == [10, 20, 40, 100]
    assert o["defaults"] == {"depth": 10, "epochs": 40, "lr": 0.1, "seed": 0}
    assert (o["width"], o["points"]) == (32, 256)
