"""Step 1 API: one neuron, against the curriculum's hand-worked figures."""

import math

import pytest

from ml2dl.lessons.neuron import neuron


def test_default_is_the_worked_example(client):
    r = client.post("/api/neuron", json={})
    assert r.status_code == 200
    body = r.json()
    # w = (0.7, −0.5), x = (0.8, 0.3), b = 0.1: z = 0.56 − 0.15 + 0.1 = 0.51, ŷ = σ(0.51) = 0.6248
    assert body["terms"] == pytest.approx([0.56, -0.15])
    assert body["z"] == pytest.approx(0.51)
    assert body["yhat"] == pytest.approx(0.624806474, abs=1e-9)
    assert f"{body['yhat']:.3f}" == "0.625"
    assert body["slope"] == pytest.approx(0.6248064744 * (1 - 0.6248064744))
    assert body["prediction"] == "pneumonia"
    assert body["inputs"] == [0.8, 0.3] and body["weights"] == [0.7, -0.5] and body["bias"] == 0.1


def test_other_hand_worked_values(client):
    # z = 0.5·1 − 0.25·2 + 0 = 0 → ŷ = 0.5 exactly, on the threshold (counted as pneumonia: ŷ ≥ 0.5)
    body = client.post("/api/neuron", json={"x1": 1, "x2": 2, "w1": 0.5, "w2": -0.25, "b": 0}).json()
    assert body["z"] == 0 and body["yhat"] == 0.5 and body["slope"] == 0.25
    # z = −3·3 − 3·3 − 3 = −21 → ŷ = e^−21 / (1 + e^−21)
    body = client.post("/api/neuron", json={"x1": 3, "x2": 3, "w1": -3, "w2": -3, "b": -3}).json()
    assert body["z"] == -21
    assert body["yhat"] == pytest.approx(math.exp(-21) / (1 + math.exp(-21)), rel=1e-9)
    assert body["prediction"] == "normal"


def test_curve_contains_the_point_and_is_the_sigmoid(client):
    body = client.post("/api/neuron", json={"x1": 3, "w1": 3, "x2": 3, "w2": 3, "b": 3}).json()
    z, y = body["curve"]["z"], body["curve"]["y"]
    assert min(z) <= body["z"] <= max(z)  # z = 21 is still on the drawn curve
    assert all(b > a for a, b in zip(z, z[1:]))
    for zi, yi in zip(z[::20], y[::20]):
        assert yi == pytest.approx(1 / (1 + math.exp(-zi)), abs=1e-12)


@pytest.mark.parametrize("body, message", [
    ({"x1": 42}, "x1 must be ≤ 10, got 42"),
    ({"w2": -10.5}, "w2 must be ≥ -10, got -10.5"),
    ({"b": "one"}, "b must be a finite number, got 'one'"),
    ({"x3": 1}, "x3 is not a known setting, got 1"),
])
def test_limits_give_422_with_a_clear_message(client, body, message):
    r = client.post("/api/neuron", json=body)
    assert r.status_code == 422
    assert r.json()["message"] == message


def test_lesson_rejects_non_finite_numbers():
    with pytest.raises(ValueError, match="x1 must be a finite number, got nan"):
        neuron(x1=float("nan"))
    with pytest.raises(ValueError, match="b must be a finite number"):
        neuron(b="0.1")
