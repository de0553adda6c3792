"""Step 3 API: activation functions and the stacking demo, against hand-worked values."""

import math

import numpy as np
import pytest

from ml2dl.lessons.activations import FUNCTIONS, activation, stack, stack_weights


def post(client, **body):
    r = client.post("/api/activations", json=body)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("fn, z, f, df", [
    ("sigmoid", 0.0, 0.5, 0.25),                               # σ(0) = 0.500
    ("sigmoid", 2.0, 1 / (1 + math.exp(-2)), math.exp(-2) / (1 + math.exp(-2)) ** 2),
    ("tanh", 0.5, math.tanh(0.5), 1 - math.tanh(0.5) ** 2),
    ("relu", -1.0, 0.0, 0.0),
    ("relu", 2.0, 2.0, 1.0),
    ("leaky_relu", -2.0, -0.2, 0.1),                           # a = 0.1 (the page's default)
    ("step", 0.3, 1.0, 0.0),
    ("step", -0.3, 0.0, 0.0),
    ("linear", 1.7, 1.7, 1.0),
])
def test_value_and_derivative_at_z(client, fn, z, f, df):
    body = post(client, fn=fn, z=z)
    assert body["at"]["z"] == z
    assert body["at"]["f"] == pytest.approx(f, abs=1e-12)
    assert body["at"]["df"] == pytest.approx(df, abs=1e-12)
    assert body["output_range"] == FUNCTIONS[fn]["output_range"]


def test_sigmoid_at_zero_shows_0_500(client):
    assert f"{post(client, fn='sigmoid', z=0)['at']['f']:.3f}" == "0.500"


def test_ranges_and_uses_follow_the_curriculum(client):
    assert post(client, fn="tanh")["output_range"] == "(−1, 1)"
    assert post(client, fn="sigmoid")["output_range"] == "(0, 1)"
    assert post(client, fn="relu")["output_range"] == "[0, ∞)"
    assert "binary" in post(client, fn="sigmoid")["used_for"]
    assert "summing to 1" in post(client, fn="softmax")["used_for"]
    relu = post(client, fn="relu")["used_for"]
    assert "hidden layers" in relu.lower() and "cheap" in relu and "vanishing" in relu


@pytest.mark.parametrize("fn", ["sigmoid", "tanh", "linear"])
def test_curve_derivative_matches_finite_differences(client, fn):
    body = post(client, fn=fn)
    z, f, df = (np.array(body["curve"][k]) for k in ("z", "f", "df"))
    numeric = np.gradient(f, z)
    assert np.abs(numeric[1:-1] - df[1:-1]).max() < 1e-3


def test_leaky_relu_uses_the_slope(client):
    body = post(client, fn="leaky_relu", z=-3, negative_slope=0.25)
    assert body["at"]["f"] == pytest.approx(-0.75) and body["at"]["df"] == 0.25


def test_softmax_of_a_vector_sums_to_one(client):
    body = post(client, fn="softmax", vector=[2.0, 1.0, 0.1])
    s = body["softmax"]
    e = np.exp([2.0, 1.0, 0.1])
    assert s["probabilities"] == pytest.approx(list(e / e.sum()), abs=1e-12)
    assert [f"{p:.3f}" for p in s["probabilities"]] == ["0.659", "0.242", "0.099"]
    assert s["total"] == pytest.approx(1.0, abs=1e-12) and s["argmax"] == 0
    assert s["exp_sum"] == pytest.approx(e.sum())
    # the curve is p₁ against z₁ with the others fixed; its derivative is p₁(1 − p₁)
    p1 = body["at"]["f"]
    assert body["at"]["z"] == 2.0 and body["at"]["df"] == pytest.approx(p1 * (1 - p1))
    assert post(client, fn="softmax", vector=[1, 1])["softmax"]["probabilities"] == [0.5, 0.5]


def test_stack_off_collapses_to_one_line():
    r = stack("tanh", 3, 1)
    (w1, b1), (w2, b2), (w3, b3) = stack_weights(3, 1)
    # independent: the product of the weight matrices, by hand with NumPy
    assert r["collapsed"]["weight"] == pytest.approx((w3 @ w2 @ w1).item())
    assert r["collapsed"]["bias"] == pytest.approx((w3 @ (w2 @ b1 + b2) + b3).item())
    x = np.array(r["x"])
    line = r["collapsed"]["weight"] * x + r["collapsed"]["bias"]
    assert np.abs(line - r["off"]["output"]).max() < 1e-12
    assert r["collapsed"]["max_abs_error"] < 1e-12
    assert r["off"]["line_deviation"] < 1e-9
    assert r["on"]["line_deviation"] > 0.05  # tanh bends it
    assert r["num_parameters"] == (3 + 3) + (9 + 3) + (3 + 1)
    assert len(r["on"]["hidden"]) == 2 and len(r["on"]["hidden"][0]) == 3 and len(r["on"]["hidden"][0][0]) == len(x)


def test_stack_on_matches_a_plain_numpy_forward():
    r = stack("relu", 4, 7)
    (w1, b1), (w2, b2), (w3, b3) = stack_weights(4, 7)
    x = np.array(r["x"]).reshape(-1, 1)
    h1 = np.maximum(x @ w1.T + b1, 0)
    h2 = np.maximum(h1 @ w2.T + b2, 0)
    assert np.allclose((h2 @ w3.T + b3)[:, 0], r["on"]["output"], atol=1e-12)
    assert np.allclose(h1.T, r["on"]["hidden"][0], atol=1e-12)


def test_linear_on_changes_nothing(client):
    r = client.post("/api/activations/stack", json={"fn": "linear", "width": 5, "seed": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["on"]["output"] == pytest.approx(body["off"]["output"], abs=1e-12)
    assert body["on"]["line_deviation"] < 1e-9


@pytest.mark.parametrize("path, body, message", [
    ("/api/activations", {"fn": "swish"}, "fn must be one of"),
    ("/api/activations", {"z": 11}, "z must be ≤ 10, got 11"),
    ("/api/activations", {"vector": [1]}, "vector must have at least 2 items, got 1"),
    ("/api/activations", {"vector": [1] * 9}, "vector must have at most 8 items, got 9"),
    ("/api/activations", {"vector": [1, 25]}, "vector[1] must be between −20 and 20, got 25"),
    ("/api/activations", {"negative_slope": -0.1}, "negative_slope must be ≥ 0, got -0.1"),
    ("/api/activations/stack", {"width": 0}, "width must be ≥ 1, got 0"),
    ("/api/activations/stack", {"width": 9}, "width must be ≤ 8, got 9"),
])
def test_limits_give_422(client, path, body, message):
    r = client.post(path, json=body)
    assert r.status_code == 422
    assert message in r.json()["message"]


def test_lesson_checks_arguments():
    with pytest.raises(ValueError, match="fn must be one of"):
        activation("gelu")
    with pytest.raises(ValueError, match=r"width must be an int in \[1, 8\], got 0"):
        stack("tanh", 0)


def test_stack_says_constant_straight_or_bends_from_the_output(client):
    import numpy as np

    for (fn, k, seed), shape in {("relu", 1, 2): "constant", ("softmax", 1, 0): "constant",
                                 ("tanh", 1, 7): "straight", ("tanh", 3, 1): "bends"}.items():
        body = client.post("/api/activations/stack", json={"fn": fn, "width": k, "seed": seed}).json()
        y, x = np.array(body["on"]["output"]), np.array(body["x"])
        a, c = np.polyfit(x, y, 1)  # an independent least-squares line
        dev, span = np.abs(a * x + c - y).max(), np.ptp(y)
        expected = "constant" if span < 1e-9 else "straight" if dev <= 0.01 * span else "bends"
        assert body["on"]["shape"] == expected == shape, (fn, k, seed)
        assert body["off"]["shape"] in ("straight", "constant")
