"""Step ``rnn`` API: the lesson's figures through the route, limits with expected-vs-received messages."""

import pytest

from ml2dl.lessons import rnn as lesson
from test_web_openapi import _response_schema, undeclared


def test_the_answer_is_the_lessons(client):
    r = client.post("/api/rnn", json={"hidden": 8, "epochs": 10, "seed": 1, "patient": 3})
    assert r.status_code == 200
    body = r.json()
    assert body == lesson.lesson(hidden=8, epochs=10, seed=1, patient=3)
    spec = client.get("/openapi.json").json()
    assert undeclared(body, _response_schema(spec, "post", "/api/rnn"), spec) == []
    assert len(body["patient"]["signals"]) == 3 and len(body["gradient"]["trained"]["norm"]) == 24


@pytest.mark.parametrize("body, message", [
    ({"hidden": 5}, "hidden must be one of 4, 8, 12, 16, got 5"),
    ({"epochs": 7}, "epochs must be one of 5, 10, 20, 40, got 7"),
    ({"patient": 200}, "patient must be ≤ 199, got 200"),
    ({"seed": -1}, "seed must be ≥ 0, got -1"),
])
def test_limits(client, body, message):
    r = client.post("/api/rnn", json=body)
    assert r.status_code == 422 and r.json()["message"] == message


def test_options_are_the_request_models_limits(client):
    o = client.get("/api/rnn/options").json()
    assert o == {"hidden": [4, 8, 12, 16], "epochs": [5, 10, 20, 40], "seed": {"min": 0, "max": 999},
                 "patient": {"min": 0, "max": 199}, "defaults": {"hidden": 12, "epochs": 20, "seed": 0, "patient": 0}}
