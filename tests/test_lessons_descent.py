"""Step `descent`: one weight (closed forms of the parabola, finite differences, the learning
rate's behaviour), two weights (reference loops, PyTorch's optimizers), mini-batches."""

import math
import re

import numpy as np
import pytest

from ml2dl.checks import InputError
from ml2dl.lessons import descent as D
from ml2dl.lessons import descent_2d as D2
from plain_json import assert_plain

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is the reference for parity; not installed")


def strict_json(result):
    """Plain JSON, every number finite (json refuses NaN and infinity with allow_nan=False)."""
    assert_plain(result)


def _xt():
    data = D.tumour_data()
    return np.array(data["x"]), np.array(data["target"], dtype=float)


# ------------------------------------------------------------------ one weight


def test_tumour_data():
    data = D.tumour_data()
    assert len(data["size_cm"]) == 24 and data["size_cm"][0] == 0.8 and data["size_cm"][-1] == 5.4
    label = dict(zip(data["size_cm"], data["label"]))
    assert label[2.0] == 0 and label[2.2] == 1 and label[2.6] == 1 and label[3.0] == 1 and label[3.4] == 0
    assert sum(data["label"]) == 13
    assert data["target"] == [2 * v - 1 for v in data["label"]]
    assert data["x"][0] == pytest.approx(-2.2) and data["x"][-1] == pytest.approx(2.4)


def test_minimum_against_brute_force_and_finite_differences():
    best = D.minimum()
    x, t = _xt()
    grid = np.linspace(-1, 2, 300_001)
    brute = grid[np.argmin(D.loss_curve(grid))]
    assert best["w"] == pytest.approx(brute, abs=1e-5)
    assert f"{best['w']:.3f}" == "0.519"
    h = 1e-3
    second = (D.loss_curve(best["w"] + h) - 2 * D.loss_curve(best["w"]) + D.loss_curve(best["w"] - h)) / h**2
    assert best["curvature"] == pytest.approx(second, rel=1e-6)
    assert best["curvature"] == pytest.approx(2 * np.mean(x**2))
    assert best["critical_lr"] == pytest.approx(2 / best["curvature"]) and f"{best['best_lr']:.3f}" == "0.260"
    assert best["loss"] == pytest.approx(np.mean((best["w"] * x - t) ** 2))


@pytest.mark.parametrize("w,lr", [(-0.5, 0.2), (1.7, 0.05), (0.519, 0.3), (-4.0, 0.6)])
def test_step_is_w_minus_lr_times_the_gradient(w, lr):
    result = D.step(w, lr)
    x, t = _xt()
    h = 1e-6
    numeric = (D.loss_curve(w + h) - D.loss_curve(w - h)) / (2 * h)
    assert result["gradient"] == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    assert result["gradient"] == pytest.approx(2 * np.mean((w * x - t) * x), rel=1e-12)
    assert result["w_next"] == pytest.approx(w - lr * result["gradient"], rel=1e-12)
    assert result["loss"] == pytest.approx(float(D.loss_curve(w)), rel=1e-12)
    assert result["loss_next"] == pytest.approx(float(D.loss_curve(result["w_next"])), rel=1e-12)
    a, b = result["tangent"]["w"]
    la, lb = result["tangent"]["loss"]
    assert (lb - la) / (b - a) == pytest.approx(result["gradient"])
    assert (la + lb) / 2 == pytest.approx(result["loss"])  # the tangent touches the curve at w
    strict_json(result)


def test_step_text_has_the_numbers():
    result = D.step(-0.5, 0.2)
    # ∂L/∂w = 2(w·mean x² − mean x·t) at w = −0.5
    assert result["text"] == f"w′ = −0.5 − 0.2 × (−{abs(result['gradient']):.4g}) = {result['w_next']:.4g}"


def test_descent_follows_the_parabolas_closed_form():
    # on a parabola, w_k − w* = (1 − η·L″)^k (w₀ − w*)
    best = D.minimum()
    for lr in (0.01, 0.2, 0.4, 0.6):
        result = D.descend(-0.5, lr, 20)
        k = np.arange(21)
        expected = best["w"] + (1 - lr * best["curvature"]) ** k * (-0.5 - best["w"])
        assert result["w"] == pytest.approx(expected.tolist(), rel=1e-9, abs=1e-12)
        assert result["loss"] == pytest.approx(D.loss_curve(expected).tolist(), rel=1e-9)


def _theory(lr, steps, best):
    """The behaviour the parabola predicts: the distance shrinks by |1 − η·L″| per step."""
    r = 1 - lr * best["curvature"]
    if abs(r) > 1:
        return "diverged"
    if r < 0:
        return "oscillating"
    return "converging" if r ** (2 * steps) <= D.SETTLED else "crawling"


@pytest.mark.parametrize("lr", [0.002, 0.01, 0.03, 0.05, 0.1, 0.2, 0.25, 0.28, 0.35, 0.45, 0.5, 0.53, 0.6, 1.0, 2.0])
def test_behaviour_read_from_the_trajectory_matches_theory(lr):
    best = D.minimum()
    result = D.descend(-0.5, lr, 30)
    assert result["behaviour"] == _theory(lr, 30, best)
    assert result["diverged"] == (result["behaviour"] == "diverged")
    strict_json(result)


def test_presets_show_all_four_behaviours_with_words():
    seen = {name: D.descend(D.DEFAULT_W, lr, D.DEFAULT_STEPS) for name, lr in D.LEARNING_RATES.items()}
    assert [r["behaviour"] for r in seen.values()] == ["crawling", "converging", "oscillating", "diverged"]
    assert seen["too large"]["message"].startswith("Diverged") and not seen["too large"]["stopped"]
    assert seen["large"]["settled"] and seen["right"]["settled"] and not seen["too small"]["settled"]
    assert seen["too small"]["progress"] == pytest.approx(1 - (1 - 0.01 * D.minimum()["curvature"]) ** 40, rel=1e-9)


@pytest.mark.parametrize("lr", [0.01, 0.2, 0.6])
def test_starting_at_the_minimum(lr):
    result = D.descend(D.minimum()["w"], lr, 20)
    assert result["behaviour"] == "converging" and result["settled"] and not result["diverged"]
    assert result["message"].startswith("Already at the minimum")


def test_runaway_stops_before_overflow_and_stays_finite():
    result = D.descend(-0.5, 2.0, 200)
    assert result["diverged"] and result["behaviour"] == "diverged" and result["stopped"]
    assert result["steps_taken"] < 200
    assert all(abs(w) <= D.RUNAWAY for w in result["w"])
    assert len(result["loss"]) == len(result["w"]) == len(result["gradient"]) + 1
    assert "stopped" in result["message"]
    strict_json(result)


@pytest.mark.parametrize("kwargs", [{"w": 6}, {"lr": 0}, {"lr": 3}, {"steps": 0}, {"steps": 201},
                                    {"w": float("nan")}, {"steps": 2.5}])
def test_bad_one_weight_input(kwargs):
    with pytest.raises(InputError):
        D.descend(**kwargs)


@pytest.mark.parametrize("n,m,batches,last", [(4708, 32, 148, 4), (24, 4, 6, 4), (10, 3, 4, 1), (7, 7, 1, 7), (5, 1, 5, 1)])
def test_batches_per_epoch(n, m, batches, last):
    result = D.batches_per_epoch(n, m)
    chunks = [len(range(n)[i:i + m]) for i in range(0, n, m)]  # brute force: cut the data
    assert result["batches"] == len(chunks) == batches
    assert result["last_batch"] == chunks[-1] == last
    assert result["ratio"] == n / m and result["full_batches"] == n // m


def test_batches_text():
    assert D.batches_per_epoch(4708, 32)["text"] == "4,708 / 32 = 147.1 → 148 batches (147 of 32 and one of 4)"
    with pytest.raises(InputError):
        D.batches_per_epoch(10, 11)


# ------------------------------------------------------------------ two weights


def test_tumour_surface_gradient_is_the_engines_and_the_formulas():
    s = np.array(D.tumour_data()["size_cm"])
    t = np.array(D.tumour_data()["target"], float)
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = rng.uniform(-2, 2, 2)
        g = D2._tumour_gradient(p)
        r = p[0] * s + p[1] - t
        assert g == pytest.approx([2 * np.mean(r * s), 2 * np.mean(r)], rel=1e-12)
        h = 1e-6
        num = [(D2._tumour_loss(p[0] + h, p[1]) - D2._tumour_loss(p[0] - h, p[1])) / (2 * h),
               (D2._tumour_loss(p[0], p[1] + h) - D2._tumour_loss(p[0], p[1] - h)) / (2 * h)]
        assert g == pytest.approx(num, rel=1e-6)
        rows = np.array([1, 5, 7])
        gb = D2._tumour_gradient(p, rows)
        rb = p[0] * s[rows] + p[1] - t[rows]
        assert gb == pytest.approx([2 * np.mean(rb * s[rows]), 2 * np.mean(rb)], rel=1e-12)


def test_minima_are_minima():
    tumour = D2.grid("tumour")
    (w, b), = [m["point"] for m in tumour["minima"]]
    assert (w, b) == pytest.approx((0.5173913, -1.5205797), abs=1e-6)
    assert np.abs(D2._tumour_gradient(np.array([w, b]))).max() < 1e-12
    two = D2.grid("two_minima")
    kinds = [m["kind"] for m in two["minima"]]
    assert kinds == ["global", "local"]
    for m in two["minima"]:
        p = np.array(m["point"])
        assert np.abs(D2._two_minima_gradient(p)).max() < 1e-12
        assert m["loss"] == pytest.approx(D2._two_minima_loss(*p))
    assert two["minima"][0]["point"][0] == pytest.approx(-1.0356, abs=1e-4)
    assert two["minima"][1]["point"][0] == pytest.approx(0.9601, abs=1e-4)
    assert len(two["loss"]) == 41 and len(two["loss"][0]) == 41
    # rows follow y: loss[i][j] is at (x[j], y[i])
    assert two["loss"][3][7] == pytest.approx(D2._two_minima_loss(two["x"][7], two["y"][3]))


def _tumour_formula_gradient(p):
    s, t = np.array(D.tumour_data()["size_cm"]), np.array(D.tumour_data()["target"], float)
    r = p[0] * s + p[1] - t
    return np.array([2 * np.mean(r * s), 2 * np.mean(r)])


def _two_minima_formula_gradient(p):
    u, v = p
    return np.array([4 * u**3 - 4 * u + 0.3 - 0.8 * (v - 0.4 * u), 2 * (v - 0.4 * u)])


REFERENCE_GRADIENTS = {"tumour": _tumour_formula_gradient, "two_minima": _two_minima_formula_gradient}


def _reference_path(grad, start, lr, steps, momentum=0.0):
    """Plain loops of PyTorch's SGD rule, as a reference."""
    w, v, out = np.array(start, float), None, [list(start)]
    for _ in range(steps):
        g = grad(w)
        if momentum:
            v = g.copy() if v is None else momentum * v + g
            g = v
        w = w - lr * g
        out.append(w.tolist())
    return np.array(out)


@pytest.mark.parametrize("surface,optimizer", [("tumour", "gd"), ("tumour", "momentum"), ("two_minima", "gd"),
                                               ("two_minima", "momentum")])
def test_paths_match_a_reference_loop(surface, optimizer):
    s = D2.SURFACES[surface]
    result = D2.descend(surface, None, optimizer, None, 60)
    ref = _reference_path(REFERENCE_GRADIENTS[surface], s.start, s.lr, 60, 0.9 if optimizer == "momentum" else 0.0)
    assert np.c_[result["path"]["x"], result["path"]["y"]] == pytest.approx(ref, rel=1e-9, abs=1e-12)
    strict_json(result)


def test_the_start_decides_which_minimum_is_found():
    assert D2.descend("two_minima", (-0.3, 0.0), "gd", 0.05, 200)["found"] == "global"
    assert D2.descend("two_minima", (0.3, 1.2), "gd", 0.05, 200)["found"] == "local"
    # not there yet after 2 steps
    assert D2.descend("two_minima", (0.3, 1.2), "gd", 0.05, 2)["found"] is None


def test_compare_optimizers_on_the_narrow_valley():
    result = D2.compare_optimizers("tumour", steps=100)
    gd, momentum, adam = result["paths"]
    assert [p["optimizer"] for p in result["paths"]] == ["gd", "momentum", "adam"]
    assert all(p["x"][0] == -0.3 and p["y"][0] == 1.0 for p in result["paths"])
    # plain descent crawls along the valley; momentum and Adam reach the bottom
    assert not gd["at_minimum"] and momentum["at_minimum"] and adam["at_minimum"]
    assert momentum["final_loss"] < gd["final_loss"] and adam["final_loss"] < gd["final_loss"]
    assert result["lowest"] in ("momentum", "adam")
    strict_json(result)


def test_diverging_paths_are_reported_and_finite():
    result = D2.descend("tumour", None, "gd", 1.0, 300)
    assert result["path"]["diverged"] is True and result["path"]["stopped"] is True
    strict_json(result)
    # just above 2/λ_max = 0.0808 the zigzag grows without running away yet: diverged, not stopped
    result = D2.descend("tumour", None, "gd", 0.09, 50)["path"]
    assert result["diverged"] is True and result["stopped"] is False
    assert result["final_loss"] > 100 * result["loss"][0]
    assert D2.descend("tumour", None, "gd", 0.07, 50)["path"]["diverged"] is False


@needs_torch
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_optimizers_match_pytorch_on_the_two_minima_surface(optimizer):
    start, lr, steps = (1.5, -1.0), 0.05, 80
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = (torch.optim.Adam([p], lr=lr) if optimizer == "adam"
           else torch.optim.SGD([p], lr=lr, momentum=0.9 if optimizer == "momentum" else 0.0))
    ref = [list(start)]
    for _ in range(steps):
        opt.zero_grad()
        u, v = p[0], p[1]
        ((u**2 - 1) ** 2 + 0.3 * u + (v - 0.4 * u) ** 2).backward()
        opt.step()
        ref.append(p.detach().numpy().tolist())
    result = D2.descend("two_minima", start, optimizer, lr, steps)["path"]
    assert np.c_[result["x"], result["y"]] == pytest.approx(np.array(ref), rel=1e-9, abs=1e-12)


def test_momentum_escapes_where_plain_descent_stops():
    # from (1.5, −1) plain descent settles in the shallow minimum; momentum carries it over the ridge
    gd = D2.descend("two_minima", (1.5, -1.0), "gd", 0.05, 200)
    momentum = D2.descend("two_minima", (1.5, -1.0), "momentum", 0.05, 200)
    assert gd["found"] == "local" and momentum["found"] == "global"


def test_minibatch_against_full_batch():
    result = D2.minibatch(batch_size=4, lr=0.02, epochs=10, seed=0)
    assert result["batches"]["batches"] == 6
    assert result["updates"] == {"full": 10, "mini": 60}
    assert len(result["loss_per_epoch"]["full"]) == len(result["loss_per_epoch"]["mini"]) == 11
    # the first epoch, by hand: the same permutation, mean gradients of 4 examples
    order = np.random.default_rng([0, 0]).permutation(24)
    w = np.array(D2.SURFACES["tumour"].start)
    for j in range(6):
        w = w - 0.02 * D2._tumour_gradient(w, order[4 * j:4 * j + 4])
    assert [result["mini"]["x"][6], result["mini"]["y"][6]] == pytest.approx(w.tolist(), rel=1e-12)
    # per epoch, the mini-batches make more progress than one full-batch step
    assert result["loss_per_epoch"]["mini"][-1] < result["loss_per_epoch"]["full"][-1]
    strict_json(result)


def test_one_batch_of_everything_is_full_batch():
    result = D2.minibatch(batch_size=24, lr=0.02, epochs=5)
    assert result["mini"]["x"] == pytest.approx(result["full"]["x"], rel=1e-12)
    assert result["mini"]["y"] == pytest.approx(result["full"]["y"], rel=1e-12)


def test_uneven_batches():
    result = D2.minibatch(batch_size=5, epochs=3)
    assert result["batches"]["batches"] == 5 and result["batches"]["last_batch"] == 4
    assert result["updates"]["mini"] == 15


@pytest.mark.parametrize("call", [
    lambda: D2.descend("bowl"), lambda: D2.descend(optimizer="rmsprop"), lambda: D2.descend(start=(1,)),
    lambda: D2.descend(start=(0, 11)), lambda: D2.descend(lr=0), lambda: D2.descend(steps=301),
    lambda: D2.grid(resolution=4), lambda: D2.minibatch(batch_size=25), lambda: D2.minibatch(seed=-1),
    lambda: D2.compare_optimizers(adam_lr=-1),
])
def test_bad_two_weight_input(call):
    with pytest.raises(InputError):
        call()


def test_grid_is_finite_and_sized():
    for name in D2.SURFACES:
        g = D2.grid(name, 11)
        assert len(g["x"]) == len(g["y"]) == 11
        assert all(math.isfinite(v) for row in g["loss"] for v in row)


@pytest.mark.parametrize("lr, steps, behaviour", [(0.2, 1, "converging"), (0.1, 3, "converging"),
                                                  (0.01, 1, "crawling"), (0.01, 5, "crawling")])
def test_a_fast_run_is_converging_before_it_has_settled(lr, steps, behaviour):
    """Not yet within 1 %: each step closing over 20 % of the gap ((1 − ηL″)² < 0.8) is converging."""
    result = D.descend(-0.5, lr, steps)
    r2 = (1 - lr * D.minimum()["curvature"]) ** 2  # the gap's factor per step, on the parabola
    assert (r2 < D.CRAWL) == (behaviour == "converging")
    assert result["behaviour"] == behaviour and not result["settled"]
    assert result["message"].startswith(behaviour.capitalize())
    assert re.search(rf"\b{steps} steps?\b", result["message"]).group(0) == (f"{steps} step" if steps == 1 else f"{steps} steps")
