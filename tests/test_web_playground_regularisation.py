"""Step 2 with L2 and dropout: off, the answer is unchanged; on, they do what their formulas say."""

import numpy as np
import pytest

from ml2dl.lessons import playground as lesson


def _train(client, settings, steps, state=None):
    r = client.post("/api/playground/train", json={"settings": settings, "steps": steps, "state": state})
    assert r.status_code == 200, r.text
    return r.json()


def _params(state):
    return {k: np.array(v) for k, v in state["params"].items()}


def test_switched_off_the_answer_is_the_same(client):
    plain = _train(client, {}, 20)
    off = _train(client, {"weight_decay": 0, "dropout": 0}, 20)
    assert off == plain and "regularisation" not in plain


def test_weight_decay_adds_lambda_theta_to_the_gradient(client):
    """Full-batch SGD, one step: θ₁(λ) = θ₁(0) − η·λ·θ₀, whatever the data's gradient."""
    base = {"batch_size": 200, "learning_rate": 0.3, "hidden": [4]}
    start = _params(_train(client, base, 0)["state"])
    plain = _params(_train(client, base, 1)["state"])
    decayed = _train(client, {**base, "weight_decay": 0.1}, 1)
    got = _params(decayed["state"])
    for k in start:
        np.testing.assert_allclose(got[k], plain[k] - 0.3 * 0.1 * start[k], rtol=1e-5, atol=1e-6)
    reg = decayed["regularisation"]
    norm_sq = sum(float(np.sum(v.astype(np.float64) ** 2)) for v in got.values())
    assert reg["weights_norm_sq"] == pytest.approx(norm_sq, abs=1e-4)
    assert reg["penalty"] == pytest.approx(0.1 / 2 * norm_sq, abs=1e-5)
    assert (reg["weight_decay"], reg["dropout"], reg["dropout_layers"]) == (0.1, 0, 0)


def test_dropout_is_reproducible_however_the_run_is_cut(client):
    s = {"hidden": [8, 8], "dropout": 0.5}
    once = _train(client, s, 20)
    first = _train(client, s, 10)
    twice = _train(client, s, 10, first["state"])
    assert once["state"]["params"] == twice["state"]["params"]
    assert once["regularisation"]["dropout_layers"] == 2
    plain = _train(client, {"hidden": [8, 8]}, 20)
    assert plain["state"]["params"] != once["state"]["params"]  # the masks changed the updates
    # the same weights answer with dropout off: the boundary is the network with every neuron on
    assert _train(client, {"hidden": [8, 8]}, 0, once["state"])["boundary"] == \
        _train(client, s, 0, once["state"])["boundary"]


def test_both_may_change_mid_run(client):
    run = _train(client, {"hidden": [4]}, 10)
    on = _train(client, {"hidden": [4], "dropout": 0.2, "weight_decay": 0.01}, 10, run["state"])
    assert on["step"] == 20 and on["regularisation"]["dropout"] == 0.2
    off = _train(client, {"hidden": [4]}, 10, on["state"])
    assert off["step"] == 30 and "regularisation" not in off


def _roughness(probability):
    """Mean |difference| of P(orange) between neighbouring cells of the boundary grid."""
    p = np.asarray(probability)
    return float(np.abs(np.diff(p, axis=0)).mean() + np.abs(np.diff(p, axis=1)).mean())


@pytest.mark.parametrize("change", [{"weight_decay": 0.01}, {"dropout": 0.5}])
def test_regularisation_smooths_the_boundary(change):
    """The "overfit, then regularise" challenge: very noisy points, two layers of 8, 3000 steps."""
    base = dict(problem="circle", noise=0.4, hidden=(8, 8), learning_rate=0.3)
    results = {}
    for name, extra in (("plain", {}), ("regularised", change)):
        settings, state, r = lesson.Settings(**base, **extra), None, None
        for _ in range(30):
            r = lesson.train(state, settings, 100)
            state = r["state"]
        results[name] = r
    plain, reg = results["plain"], results["regularised"]
    assert _roughness(reg["boundary"]["probability"]) < 0.5 * _roughness(plain["boundary"]["probability"])
    gap = lambda r: r["metrics"]["test_loss"] - r["metrics"]["train_loss"]  # noqa: E731
    assert gap(reg) < gap(plain)
    norm = lambda r: sum(float(np.sum(np.square(v))) for v in r["state"]["params"].values())  # noqa: E731
    assert norm(reg) < norm(plain)


def test_limits(client):
    r = client.post("/api/playground/train", json={"settings": {"dropout": 0.95}})
    assert r.status_code == 422 and "dropout" in r.json()["message"]
    r = client.post("/api/playground/train", json={"settings": {"weight_decay": -0.1}})
    assert r.status_code == 422 and "weight_decay" in r.json()["message"]
    o = client.get("/api/playground/options").json()["settings"]
    assert o["weight_decay"] == {"default": 0.0, "min": 0, "max": 1} and o["dropout"]["max"] == 0.9
