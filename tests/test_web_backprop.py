"""Step `backprop` API: the tiny network's values by hand, its gradients against PyTorch's autograd
(or, without it, central differences of a forward pass written here), one update."""

import math

import pytest

from test_web_descent import documented

try:
    import torch
except ImportError:
    torch = None

DEFAULT = {"W1": [[0.7, -0.5], [0.2, 0.4]], "b1": [0.1, -0.3], "W2": [[0.6, -0.8]], "b2": [0.2]}
OTHER = {"W1": [[-1.2, 0.4], [2.0, -0.7]], "b1": [0.3, 0.5], "W2": [[1.5, -2.2]], "b2": [-0.4]}
NAMES = {"w11": ("W1", 0, 0), "w12": ("W1", 0, 1), "b1": ("b1", 0), "w21": ("W1", 1, 0), "w22": ("W1", 1, 1),
         "b2": ("b1", 1), "v1": ("W2", 0, 0), "v2": ("W2", 0, 1), "c": ("b2", 0)}


def sig(z):
    return 1 / (1 + math.exp(-z))


def forward(x, y, p):
    """The network by hand: (h₁, h₂, ŷ, L)."""
    h = [sig(p["W1"][i][0] * x[0] + p["W1"][i][1] * x[1] + p["b1"][i]) for i in range(2)]
    yhat = sig(p["W2"][0][0] * h[0] + p["W2"][0][1] * h[1] + p["b2"][0])
    return h[0], h[1], yhat, -(y * math.log(yhat) + (1 - y) * math.log(1 - yhat))


def get(p, name):
    key, *idx = NAMES[name]
    v = p[key]
    for i in idx:
        v = v[i]
    return v


def shifted(p, name, d):
    q = {k: [list(r) if isinstance(r, list) else r for r in v] for k, v in p.items()}
    key, *idx = NAMES[name]
    if len(idx) == 2:
        q[key][idx[0]][idx[1]] += d
    else:
        q[key][idx[0]] += d
    return q


def reference_gradients(x, y, p):
    """PyTorch's autograd when installed, else central differences of the forward pass above."""
    if torch is not None:
        t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in p.items()}
        h = torch.sigmoid(t["W1"] @ torch.tensor(x, dtype=torch.float64) + t["b1"])
        yhat = torch.sigmoid(t["W2"] @ h + t["b2"])
        torch.nn.functional.binary_cross_entropy(yhat, torch.tensor([float(y)], dtype=torch.float64)).backward()
        return {n: float(t[NAMES[n][0]].grad[NAMES[n][1:]]) for n in NAMES}
    h = 1e-6
    return {n: (forward(x, y, shifted(p, n, h))[3] - forward(x, y, shifted(p, n, -h))[3]) / (2 * h) for n in NAMES}


def test_default_forward_is_step_ones_neuron(client):
    body = documented(client, "post", "/api/backprop", {})
    f = body["forward"]
    assert f["z1"] == pytest.approx(0.51) and f"{f['h1']:.3f}" == "0.625"  # step 1's worked example
    h1, h2, yhat, loss = forward([0.8, 0.3], 1, DEFAULT)
    assert [f["h1"], f["h2"], f["yhat"], f["loss"]] == pytest.approx([h1, h2, yhat, loss], rel=1e-12)
    values = {n["id"]: n["value"] for n in body["nodes"]}
    assert values["L"] == pytest.approx(loss) and values["x2"] == 0.3 and values["v2"] == -0.8
    assert body["prediction"] == ("pneumonia" if yhat >= 0.5 else "normal")


@pytest.mark.parametrize("x, y, params", [([0.8, 0.3], 1, DEFAULT), ([-1.5, 2.0], 0, OTHER), ([3.0, -4.0], 1, OTHER)])
def test_gradients_against_the_reference(client, x, y, params):
    body = documented(client, "post", "/api/backprop", {"x": x, "y": y, "params": params})
    ref = reference_gradients(x, y, params)
    for g in body["gradients"]:
        assert g["value"] == get(params, g["id"])
        assert g["grad"] == pytest.approx(ref[g["id"]], rel=1e-9, abs=1e-12)
        assert g["numeric"] == pytest.approx(ref[g["id"]], rel=1e-6, abs=1e-9)
        assert g["difference"] == pytest.approx(g["grad"] - g["numeric"], abs=1e-15)
        assert g["engine"] == pytest.approx(g["grad"], rel=1e-9, abs=1e-12)
    assert body["max_difference"] == max(abs(g["difference"]) for g in body["gradients"]) < 1e-7


def test_backward_pass_node_by_node(client):
    body = documented(client, "post", "/api/backprop", {"x": [-1.5, 2.0], "y": 0, "params": OTHER})
    steps = body["backward"]
    assert [s["node"] for s in steps][:3] == ["L", "yhat", "z3"] and len(steps) == 18
    grads = {s["node"]: s["grad"] for s in steps}
    _, _, yhat, _ = forward([-1.5, 2.0], 0, OTHER)
    assert grads["z3"] == pytest.approx(yhat - 0, rel=1e-12)  # BCE after a sigmoid: ∂L/∂z₃ = ŷ − y
    for s in steps[1:]:
        for t in s["terms"]:
            assert t["upstream"] == grads[t["from"]]  # the gradient arriving is the parent's, found earlier
            assert t["product"] == pytest.approx(t["upstream"] * t["local"], rel=1e-15)
        assert s["grad"] == pytest.approx(sum(t["product"] for t in s["terms"]), rel=1e-12)
    # x₁ feeds both hidden neurons: two terms that add up
    x1 = next(s for s in steps if s["node"] == "x1")
    assert {t["from"] for t in x1["terms"]} == {"z1", "z2"}
    assert x1["equation"].startswith("∂L/∂x₁ = ∂L/∂z₁ · ∂z₁/∂x₁ + ∂L/∂z₂ · ∂z₂/∂x₁ = ")


def test_apply_one_update(client):
    body = documented(client, "post", "/api/backprop/update", {"x": [0.8, 0.3], "y": 1, "params": DEFAULT, "lr": 0.5})
    ref = reference_gradients([0.8, 0.3], 1, DEFAULT)
    for u in body["updates"]:
        assert u["after"] == pytest.approx(u["before"] - 0.5 * ref[u["id"]], rel=1e-9)
        assert get(body["params"], u["id"]) == u["after"]
    before, after = forward([0.8, 0.3], 1, DEFAULT)[3], forward([0.8, 0.3], 1, body["params"])[3]
    assert body["before"]["loss"] == pytest.approx(before, rel=1e-12)
    assert body["after"]["loss"] == pytest.approx(after, rel=1e-12) and after < before
    assert body["loss_change"] == pytest.approx(after - before, rel=1e-9)


@pytest.mark.parametrize("body, message", [
    ({"x": [0.8]}, "x must have at least 2 items"),
    ({"x": [11, 0]}, "x[0] must be"),
    ({"y": 2}, "y must be ≤ 1, got 2"),
    ({"params": {**DEFAULT, "W1": [[0.7, -0.5]]}}, "params.W1 must have at least 2 items"),
    ({"params": {**DEFAULT, "b2": [60]}}, "params['b2'] must hold numbers in [−50, 50]"),
])
def test_bad_input_is_a_422_that_says_why(client, body, message):
    r = client.post("/api/backprop", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["message"].startswith(message), r.json()["message"]
    r = client.post("/api/backprop/update", json={**body, "lr": 0})
    assert r.status_code == 422
