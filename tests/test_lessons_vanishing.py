"""Step ``vanishing``: gradient norms against PyTorch, the σ′ ≤ 1/4 bound, and what the three stacks do."""

import math
import re

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.lessons import vanishing as lesson


def _torch_gradients(model, x, y):
    """‖∂L/∂W_l‖ and ‖∂L/∂z_l‖ of every Linear, by PyTorch's autograd on the same weights."""
    torch = pytest.importorskip("torch")
    tm = model.to_torch().double()
    outputs = []

    def keep(module, inputs, out):  # z_l: keep its gradient
        out.retain_grad()
        outputs.append(out)

    for m in tm:
        if isinstance(m, torch.nn.Linear):
            m.register_forward_hook(keep)
    logits = tm(torch.tensor(x, dtype=torch.float64))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(y, dtype=torch.float64).reshape(-1, 1))
    loss.backward()
    weight = [float(m.weight.grad.norm()) for m in tm if isinstance(m, torch.nn.Linear)]
    delta = [float(o.grad.norm()) for o in outputs]
    return float(loss.detach()), weight, delta


@pytest.mark.parametrize("activation, init", [("sigmoid", "xavier"), ("tanh", "xavier"), ("relu", "he")])
def test_gradient_norms_match_pytorch(activation, init):
    x, y = lesson.problem(0)
    model = lesson.deep_stack(activation, init, depth=4, width=8, seed=3)
    got = lesson.measure(model, activation, x, y)
    loss, weight, delta = _torch_gradients(model, x, y)
    assert got["loss"] == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(got["weight_grad"], weight, rtol=2e-4)
    np.testing.assert_allclose(got["delta"], delta, rtol=2e-4)
    assert got["ratio"] == pytest.approx([delta[i] / delta[i + 1] for i in range(3)], rel=4e-4)
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())  # a measurement changes nothing


def test_first_layer_gradient_by_central_differences():
    """∂L/∂W₁ of a float64 copy, entry by entry, against (L(w + h) − L(w − h)) / 2h."""
    x, y = lesson.problem(1)
    model = lesson.deep_stack("sigmoid", "xavier", depth=3, width=5, seed=2)
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    x = x.astype(np.float64)
    got = lesson.measure(model, "sigmoid", x, y)
    first = model[1].weight.data
    loss_fn = nn.BCEWithLogitsLoss()
    h, grad = 1e-6, np.zeros_like(first)
    for idx in np.ndindex(first.shape):
        keep = first[idx]
        first[idx] = keep + h
        up = loss_fn(model(x), y.reshape(-1, 1))
        first[idx] = keep - h
        down = loss_fn(model(x), y.reshape(-1, 1))
        first[idx] = keep
        grad[idx] = (up - down) / (2 * h)
    assert got["weight_grad"][0] == pytest.approx(np.linalg.norm(grad), rel=1e-5)


def test_sigmoid_slope_is_at_most_a_quarter(rng):
    z = rng.normal(0, 3, size=10_000)
    a = 1 / (1 + np.exp(-z))
    slope = lesson.local_slope("sigmoid", a)
    assert slope.max() <= 0.25 and slope.max() > 0.2499
    assert lesson.local_slope("sigmoid", np.array([0.5]))[0] == 0.25  # at z = 0
    assert lesson.local_slope("tanh", np.tanh(np.array([0.0, 1.0]))) == pytest.approx([1.0, 1 - math.tanh(1) ** 2])
    assert lesson.local_slope("relu", np.array([0.0, 2.0])).tolist() == [0.0, 1.0]


def test_the_sigmoid_stack_vanishes_and_the_others_do_not():
    r = lesson.compare(depth=10, epochs=20, lr=0.1, seed=0)
    arms = {a["activation"]: a for a in r["arms"]}
    assert [a["init"] for a in r["arms"]] == ["xavier", "xavier", "he"]
    assert len(r["layers"]) == 11 and r["steps"] == 20 * 8
    sig = arms["sigmoid"]["at_init"]
    # every hidden layer's mean σ′ is at most 1/4, and so is the measured factor per layer (weights of gain ≈ 1)
    assert max(sig["slope_max"]) <= 0.25 and max(sig["slope_mean"]) <= 0.25
    assert 0.1 < sig["ratio_typical"] < 0.3
    assert sig["delta_first_over_last"] < 1e-4
    assert sig["trend"] == "vanishes" and arms["tanh"]["at_init"]["trend"] == arms["relu"]["at_init"]["trend"] == "keeps"
    assert [lesson.trend(v) for v in (None, 0.0099, 0.01, 100, 100.1)] == ["vanishes", "vanishes", "keeps", "keeps", "explodes"]
    # the typical factor is the geometric mean of the ratios; their product is what reaches layer 1
    assert np.prod(sig["ratio"]) == pytest.approx(sig["delta_first_over_last"], rel=1e-3)
    assert sig["ratio_typical"] == pytest.approx(np.prod(sig["ratio"]) ** (1 / 9), rel=1e-3)
    assert r["quarter_power"] == pytest.approx(0.25 ** 9, rel=1e-3)
    for name in ("tanh", "relu"):
        assert arms[name]["at_init"]["delta_first_over_last"] > 0.1
        assert 0.5 < arms[name]["at_init"]["ratio_typical"] < 2
    # weight gradients span orders of magnitude for the sigmoid stack, not for ReLU
    assert sig["weight_grad"][1] / sig["weight_grad"][-1] < 1e-4
    relu = arms["relu"]["at_init"]["weight_grad"]
    assert min(relu[1:]) / max(relu[1:]) > 0.1
    # and so the sigmoid stack hardly learns while ReLU does
    assert len(arms["relu"]["loss"]) == 21
    assert arms["sigmoid"]["final_loss"] > 0.65 and arms["relu"]["final_loss"] < 0.35
    assert arms["relu"]["accuracy"] > 0.9 and arms["sigmoid"]["accuracy"] <= 0.6


def test_the_loss_curve_is_fits_history():
    r = lesson.compare(depth=2, epochs=3, lr=0.3, seed=1)
    relu = r["arms"][2]
    model = lesson.deep_stack("relu", "he", 2, seed=1)
    x, y = lesson.problem(1)
    assert relu["loss"][0] == pytest.approx(nn.BCEWithLogitsLoss()(model(x), y.reshape(-1, 1)), abs=1e-5)
    assert len(relu["loss"]) == 4


@pytest.mark.parametrize("kwargs, message", [
    ({"depth": 1}, "depth must be an int in [2, 12], got 1"),
    ({"epochs": 0}, "epochs must be an int in [1, 100], got 0"),
    ({"lr": 0}, "lr must be"),
])
def test_bad_settings_say_what_was_expected(kwargs, message):
    with pytest.raises(InputError, match=re.escape(message)):
        lesson.compare(**kwargs)
