"""Step `backprop`: the tiny network's forward values by hand, its node-by-node gradients against
finite differences, the engine and PyTorch's autograd, and one update."""

import math

import numpy as np
import pytest

from ml2dl.checks import InputError
from ml2dl.lessons import backprop as B
from plain_json import assert_plain

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is the reference for parity; not installed")


def sig(z):
    return 1 / (1 + math.exp(-z))


def random_case(seed):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.uniform(-2, 2, (2, 2)).tolist(), "b1": rng.uniform(-1, 1, 2).tolist(),
              "W2": rng.uniform(-2, 2, (1, 2)).tolist(), "b2": rng.uniform(-1, 1, 1).tolist()}
    return rng.uniform(-2, 2, 2).tolist(), int(rng.integers(0, 2)), params


def test_forward_by_hand():
    r = B.backprop()
    f = r["forward"]
    # hidden neuron 1 is step 1's neuron: z₁ = 0.7·0.8 − 0.5·0.3 + 0.1 = 0.51, h₁ = 0.625
    assert f["z1"] == pytest.approx(0.51) and f"{f['h1']:.3f}" == "0.625"
    assert f["z2"] == pytest.approx(0.2 * 0.8 + 0.4 * 0.3 - 0.3)  # −0.02
    h1, h2 = sig(0.51), sig(-0.02)
    z3 = 0.6 * h1 - 0.8 * h2 + 0.2
    assert f["z3"] == pytest.approx(z3, rel=1e-12)
    assert f["yhat"] == pytest.approx(sig(z3), rel=1e-12)
    assert f["loss"] == pytest.approx(-math.log(sig(z3)), rel=1e-12)  # y = 1
    values = {n["id"]: n["value"] for n in r["nodes"]}
    assert values["L"] == f["loss"] and values["w11"] == 0.7 and values["x2"] == 0.3 and values["y"] == 1.0
    assert r["prediction"] == "pneumonia"


def test_chain_rule_by_hand_at_the_output():
    r = B.backprop()
    steps = {s["node"]: s for s in r["backward"]}
    yhat = r["forward"]["yhat"]
    # ∂L/∂ŷ = −1/ŷ (y = 1); ∂ŷ/∂z₃ = ŷ(1 − ŷ); their product ŷ − y
    assert steps["yhat"]["grad"] == pytest.approx(-1 / yhat, rel=1e-12)
    (term,) = steps["z3"]["terms"]
    assert term["upstream"] == pytest.approx(-1 / yhat) and term["local"] == pytest.approx(yhat * (1 - yhat))
    assert steps["z3"]["grad"] == pytest.approx(yhat - 1, rel=1e-12)
    # ∂L/∂v₁ = (ŷ − y)·h₁
    assert steps["v1"]["grad"] == pytest.approx((yhat - 1) * r["forward"]["h1"], rel=1e-12)
    # an input feeds both hidden neurons: two terms that add
    assert [t["from"] for t in steps["x1"]["terms"]] == ["z1", "z2"]
    assert steps["x1"]["grad"] == pytest.approx(steps["z1"]["grad"] * 0.7 + steps["z2"]["grad"] * 0.2, rel=1e-12)
    assert steps["z3"]["equation"].startswith("∂L/∂z₃ = ∂L/∂ŷ · ∂ŷ/∂z₃ = ")


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3])
def test_backward_steps_are_consistent(seed):
    r = B.backprop() if seed is None else B.backprop(*random_case(seed))
    seen = {}
    assert [s["node"] for s in r["backward"]] == list(B.BACKWARD_ORDER)
    for s in r["backward"]:
        for t in s["terms"]:
            assert t["upstream"] == seen[t["from"]]  # the parent was visited earlier
            assert t["product"] == t["upstream"] * t["local"]
        if s["terms"]:
            assert s["grad"] == pytest.approx(sum(t["product"] for t in s["terms"]), rel=1e-15)
        seen[s["node"]] = s["grad"]
    assert_plain(r)


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3, 4, 5])
def test_gradients_match_finite_differences_and_the_engine(seed):
    r = B.backprop() if seed is None else B.backprop(*random_case(seed))
    assert len(r["gradients"]) == 9
    for g in r["gradients"]:
        assert abs(g["difference"]) < 1e-8
        assert g["grad"] == pytest.approx(g["numeric"], rel=1e-6, abs=1e-9)
        assert g["grad"] == pytest.approx(g["engine"], rel=1e-12, abs=1e-15)
    assert r["max_difference"] == max(abs(g["difference"]) for g in r["gradients"])


@needs_torch
@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3])
def test_gradients_match_pytorch(seed):
    x, y, params = (B.DEFAULT_X, B.DEFAULT_Y, B.DEFAULT_PARAMS) if seed is None else random_case(seed)
    r = B.backprop(x, y, params)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    h = torch.sigmoid(t["W1"] @ xt + t["b1"])
    yhat = torch.sigmoid(t["W2"] @ h + t["b2"])
    loss = torch.nn.functional.binary_cross_entropy(yhat, torch.tensor([float(y)], dtype=torch.float64))
    loss.backward()
    assert r["forward"]["loss"] == pytest.approx(loss.item(), rel=1e-12)
    ours = {g["id"]: g["grad"] for g in r["gradients"]}
    for wid, _, key, idx in B.WEIGHTS:
        assert ours[wid] == pytest.approx(t[key].grad[idx].item(), rel=1e-12, abs=1e-15), wid
    steps = {s["node"]: s["grad"] for s in r["backward"]}
    assert [steps["x1"], steps["x2"]] == pytest.approx(xt.grad.tolist(), rel=1e-12, abs=1e-15)


def test_label_zero():
    r = B.backprop(y=0)
    yhat = r["forward"]["yhat"]
    assert r["forward"]["loss"] == pytest.approx(-math.log(1 - yhat), rel=1e-12)
    assert {s["node"]: s["grad"] for s in r["backward"]}["z3"] == pytest.approx(yhat, rel=1e-12)


def test_graph_structure():
    r = B.backprop()
    ids = [n["id"] for n in r["nodes"]]
    assert len(ids) == len(set(ids)) == 19
    for e in r["edges"]:
        assert e["from"] in ids and e["to"] in ids
    assert {"from": "y", "to": "L", "local_formula": None, "local": None} in r["edges"]
    z1 = next(n for n in r["nodes"] if n["id"] == "z1")
    assert z1["formula"] == "z₁ = w₁₁x₁ + w₁₂x₂ + b₁" and z1["kind"] == "sum"


def test_saturated_network_stays_finite():
    params = {"W1": [[50, 50], [-50, -50]], "b1": [50, -50], "W2": [[50, -50]], "b2": [50]}
    for y in (0, 1):
        r = B.backprop([10, 10], y, params)
        assert_plain(r)  # finite everywhere: σ(−z) is used for 1 − ŷ, softplus for the loss
        # h = (σ(1050), σ(−1050)) = (1, 0), z₃ = 50 + 50 = 100: L = softplus(100) = 100 for y = 0, e^−100 for y = 1
        assert r["forward"]["loss"] == pytest.approx(100.0 if y == 0 else 0.0, abs=1e-12)


def test_saturated_update_uses_the_exact_gradient():
    # ŷ = 1 − 7e-16 with y = 0: nn.BCELoss (as PyTorch) clamps ŷ(1 − ŷ) at 1e-12; the update uses the
    # exact chain rule, which agrees with the finite difference
    params = {"W1": [[5, 5], [-5, -5]], "b1": [5, -5], "W2": [[20, -20]], "b2": [15]}
    r = B.backprop([3, 3], 0, params)
    u = B.apply_update([3, 3], 0, params, lr=0.1)
    for g, step in zip(r["gradients"], u["updates"]):
        assert step["grad"] == g["grad"] and abs(g["difference"]) < 1e-6
    assert u["after"]["loss"] < u["before"]["loss"]


def test_apply_update():
    lr = 0.5
    r = B.backprop()
    u = B.apply_update(lr=lr)
    grads = {g["id"]: g["grad"] for g in r["gradients"]}
    for step in u["updates"]:
        assert step["grad"] == pytest.approx(grads[step["id"]], rel=1e-12)
        assert step["after"] == pytest.approx(step["before"] - lr * step["grad"], rel=1e-12)
    assert u["before"]["loss"] == pytest.approx(r["forward"]["loss"], rel=1e-15)
    assert u["after"]["loss"] < u["before"]["loss"]
    assert u["loss_change"] == pytest.approx(u["after"]["loss"] - u["before"]["loss"])
    # the new params are the next request's params; the loss after is the network's loss there
    again = B.backprop(params=u["params"])
    assert again["forward"]["loss"] == pytest.approx(u["after"]["loss"], rel=1e-12)
    assert u["params"]["W2"][0][0] == pytest.approx(0.6 - lr * grads["v1"])
    assert_plain(u)


def test_small_step_lowers_the_loss_by_about_lr_times_gradient_squared():
    lr = 1e-4
    r = B.backprop()
    u = B.apply_update(lr=lr)
    predicted = -lr * sum(g["grad"] ** 2 for g in r["gradients"])  # first-order change
    assert u["loss_change"] == pytest.approx(predicted, rel=1e-3)


@needs_torch
def test_update_matches_pytorch():
    x, y, params = random_case(7)
    u = B.apply_update(x, y, params, lr=0.3)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    yhat = torch.sigmoid(t["W2"] @ torch.sigmoid(t["W1"] @ torch.tensor(x, dtype=torch.float64) + t["b1"]) + t["b2"])
    torch.nn.functional.binary_cross_entropy(yhat, torch.tensor([float(y)], dtype=torch.float64)).backward()
    for k in t:  # plain SGD: θ − η·∂L/∂θ with autograd's gradient
        assert np.array(u["params"][k]) == pytest.approx((t[k] - 0.3 * t[k].grad).detach().numpy(), rel=1e-12)


@pytest.mark.parametrize("kwargs", [
    {"x": [1]}, {"x": [1, 11]}, {"y": 2}, {"y": 0.5},
    {"params": {"W1": [[1, 1]], "b1": [0, 0], "W2": [[1, 1]], "b2": [0]}},
    {"params": {"W1": [[1, 1], [1, 1]], "b1": [0, 0], "W2": [[1, 1]]}},
    {"params": {"W1": [[1, 1], [1, 60]], "b1": [0, 0], "W2": [[1, 1]], "b2": [0]}},
    {"params": {"W1": [[1, 1], [1, float("nan")]], "b1": [0, 0], "W2": [[1, 1]], "b2": [0]}},
    {"params": {"W1": "ones", "b1": [0, 0], "W2": [[1, 1]], "b2": [0]}},
])
def test_bad_input_is_rejected(kwargs):
    with pytest.raises(InputError):
        B.backprop(**kwargs)
    with pytest.raises(InputError):
        B.apply_update(**kwargs)


@pytest.mark.parametrize("lr", [0, -1, 11, float("inf")])
def test_bad_learning_rate(lr):
    with pytest.raises(InputError):
        B.apply_update(lr=lr)
