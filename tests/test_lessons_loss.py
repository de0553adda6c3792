"""Step `loss`: binary losses, BMI regression and multi-class cross-entropy against hand-worked
values, the engine's losses and PyTorch."""

import math

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.lessons import loss as L
from plain_json import assert_plain

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the PyTorch comparisons are skipped, the rest runs
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is the reference for parity; not installed")


# ------------------------------------------------------------------ multi-class cross-entropy


def test_worked_examples_to_three_decimals():
    table = L.worked_examples()
    first, second = table["rows"]
    assert f"{first['loss']:.3f}" == "0.511"   # −ln 0.60
    assert f"{second['loss']:.3f}" == "0.105"  # −ln 0.90, not the slide's "~0.15"
    assert first["loss"] == pytest.approx(-math.log(0.6), rel=1e-15)
    assert second["loss"] == pytest.approx(-math.log(0.9), rel=1e-15)
    assert table["mean"] == pytest.approx((-math.log(0.6) - math.log(0.9)) / 2, rel=1e-15)
    assert f"{table['mean']:.3f}" == "0.308"
    assert first["true_class"] == 2 and first["p_true"] == 0.6 and first["predicted_class"] == 2
    assert table["classes"] == ["normal", "bacterial pneumonia", "viral pneumonia"]


def test_table_matches_the_engines_cross_entropy():
    rows = [[0.2, 0.5, 0.3], [0.7, 0.1, 0.2], [0.05, 0.05, 0.9], [0.3, 0.3, 0.4]]
    true = [1, 2, 3, 3]
    table = L.cross_entropy_table(rows, true)
    # log-probabilities are logits whose softmax is the row itself
    engine = nn.CrossEntropyLoss()(np.log(np.array(rows)), np.array(true) - 1)
    assert table["mean"] == pytest.approx(engine, rel=1e-12)
    for row, r, c in zip(table["rows"], rows, true):
        assert row["loss"] == pytest.approx(-math.log(r[c - 1]), rel=1e-14)


def test_logits_go_through_the_softmax():
    logits = [[1.0, 2.0, 0.5], [-3.0, 0.0, 3.0], [50.0, -50.0, 0.0]]
    table = L.cross_entropy_table(logits, [2, 1, 2], kind="logits")
    z = np.array(logits)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    for row, pr in zip(table["rows"], p):
        assert row["probabilities"] == pytest.approx(pr.tolist(), rel=1e-12)
        assert sum(row["probabilities"]) == pytest.approx(1.0, abs=1e-15)
    # the last row's true class has p = e^−100 / (1 + …): −ln p = 100 exactly (finite, no underflow)
    assert table["rows"][2]["loss"] == pytest.approx(100.0, rel=1e-12)
    assert table["mean"] == pytest.approx(nn.CrossEntropyLoss()(z, np.array([1, 0, 1])), rel=1e-12)


def test_rows_not_summing_to_one_are_normalised_and_flagged():
    table = L.cross_entropy_table([[1, 3, 1]], [2])
    row = table["rows"][0]
    assert row["probabilities"] == pytest.approx([0.2, 0.6, 0.2])
    assert row["normalised"] is True and row["sum"] == 5.0
    assert row["loss"] == pytest.approx(-math.log(0.6))


def test_zero_probability_of_the_true_class_is_infinite_not_a_number():
    table = L.cross_entropy_table([[0.0, 1.0, 0.0], [0.2, 0.6, 0.2]], [1, 2])
    assert table["rows"][0]["loss"] is None and table["rows"][0]["infinite"] is True
    assert table["mean"] is None and table["infinite"] is True
    assert table["rows"][1]["loss"] == pytest.approx(-math.log(0.6))


def test_set_probability_keeps_the_row_summing_to_one():
    row = L.set_probability([0.25, 0.60, 0.15], 2, 0.9)["row"]
    assert row == pytest.approx([0.0625, 0.9, 0.0375])  # the others keep their 5 : 3 ratio
    assert sum(row) == pytest.approx(1.0, abs=1e-15)
    assert L.set_probability([0.0, 1.0, 0.0], 2, 0.4)["row"] == pytest.approx([0.3, 0.4, 0.3])
    assert L.set_probability([0.5, 0.5], 1, 1.0)["row"] == [1.0, 0.0]


@pytest.mark.parametrize("args", [
    ([[0.2, 0.8]], [3], "probabilities"),    # class out of range
    ([[0.2, 0.8]], [0], "probabilities"),    # classes are numbered from 1
    ([[0.2, 0.8], [0.3]], [1, 1], "probabilities"),
    ([[-0.2, 1.2]], [1], "probabilities"),
    ([[0.0, 0.0]], [1], "probabilities"),
    ([[100.0, 0.0]], [1], "logits"),
    ([[0.5, 0.5]], [1], "scores"),
    ([[0.5, float("nan")]], [1], "probabilities"),
    ([], [], "probabilities"),
])
def test_bad_tables_are_rejected(args):
    with pytest.raises(InputError):
        L.cross_entropy_table(*args)


@needs_torch
def test_cross_entropy_matches_pytorch():
    rng = np.random.default_rng(1)
    z = rng.normal(0, 3, size=(6, 4))
    true = rng.integers(1, 5, size=6)
    table = L.cross_entropy_table(z.tolist(), true.tolist(), kind="logits")
    ref = F.cross_entropy(torch.tensor(z), torch.tensor(true - 1), reduction="none").numpy()
    assert [r["loss"] for r in table["rows"]] == pytest.approx(ref.tolist(), rel=1e-12)
    assert table["mean"] == pytest.approx(float(ref.mean()), rel=1e-12)
    # the worked examples through PyTorch: log-probabilities as logits
    p = torch.tensor([[0.25, 0.60, 0.15], [0.05, 0.90, 0.05]], dtype=torch.float64)
    ref = F.cross_entropy(p.log(), torch.tensor([1, 1]), reduction="none").numpy()
    assert [r["loss"] for r in L.worked_examples()["rows"]] == pytest.approx(ref.tolist(), rel=1e-14)


# ------------------------------------------------------------------ binary losses


def test_binary_losses_hand_worked():
    result = L.binary_losses([0.6, 0.2], [1, 0])
    first, second = result["rows"]
    assert first["cross_entropy"] == pytest.approx(-math.log(0.6))
    assert first["score"] == pytest.approx(math.log(1.5))          # logit(0.6) = ln(0.6/0.4)
    assert first["hinge"] == pytest.approx(1 - math.log(1.5))      # t = +1: 1 − z
    assert first["squared"] == pytest.approx(0.16)
    assert second["cross_entropy"] == pytest.approx(-math.log(0.8))
    assert second["score"] == pytest.approx(math.log(0.25))         # logit(0.2) = ln 0.25 < 0
    assert second["hinge"] == 0.0                                   # t = −1: max(0, 1 + z) = max(0, 1 − ln 4) = 0
    assert second["squared"] == pytest.approx(0.04)
    assert result["mean"]["squared"] == pytest.approx(0.1)
    # a wrong-side score for y = 0: ŷ = 0.6, z = ln 1.5 → hinge 1 + ln 1.5
    assert L.binary_losses([0.6], [0])["rows"][0]["hinge"] == pytest.approx(1 + math.log(1.5))


def test_hinge_is_zero_beyond_the_margin():
    # y = 1 and z ≥ 1 (ŷ ≥ σ(1) = 0.731): no hinge loss; y = 0 and z ≤ −1: none either
    result = L.binary_losses([0.75, 0.95, 0.25, 0.05], [1, 1, 0, 0])
    assert [r["hinge"] for r in result["rows"]] == [0.0, 0.0, 0.0, 0.0]
    assert all(r["cross_entropy"] > 0 for r in result["rows"])


def test_binary_means_match_the_engine():
    p = [0.95, 0.6, 0.3, 0.05, 0.2, 0.8]
    y = [1, 1, 1, 1, 0, 0]
    result = L.binary_losses(p, y)
    pa, ya = np.array(p), np.array(y, dtype=float)
    assert result["mean"]["cross_entropy"] == pytest.approx(nn.BCELoss()(pa, ya), rel=1e-12)
    assert result["mean"]["squared"] == pytest.approx(nn.MSELoss()(pa, ya), rel=1e-12)
    assert result["mean"]["hinge"] == pytest.approx(nn.HingeLoss()(np.log(pa / (1 - pa)), ya), rel=1e-12)


def test_curves_shape_and_behaviour():
    curves = L.binary_losses()["curves"]
    assert len(curves["prediction"]) == 199
    assert curves["prediction"][0] == 0.005 and curves["prediction"][-1] == pytest.approx(0.995)
    for y in ("label_0", "label_1"):
        for name in ("cross_entropy", "hinge", "squared"):
            values = curves[y][name]
            assert len(values) == 199 and all(math.isfinite(v) for v in values)
    one = curves["label_1"]
    # for y = 1 every loss falls as ŷ rises; squared error stays below 1, cross-entropy does not
    assert all(np.diff(one["cross_entropy"]) < 0) and all(np.diff(one["squared"]) < 0)
    assert max(one["squared"]) < 1 < max(one["cross_entropy"])
    # the label-0 curves are the label-1 curves mirrored: L₀(ŷ) = L₁(1 − ŷ)
    for name in ("cross_entropy", "hinge", "squared"):
        assert curves["label_0"][name] == pytest.approx(curves["label_1"][name][::-1], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("args", [([0.0], [1]), ([1.0], [1]), ([0.5], [2]), ([0.5, 0.4], [1]), ([], []),
                                  ([float("nan")], [1]), ([0.5] * 21, [1] * 21)])
def test_bad_binary_input_is_rejected(args):
    with pytest.raises(InputError):
        L.binary_losses(*args)


@needs_torch
def test_binary_losses_match_pytorch():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.01, 0.99, size=12)
    y = rng.integers(0, 2, size=12)
    result = L.binary_losses(p.tolist(), y.tolist())
    pt, yt = torch.tensor(p), torch.tensor(y, dtype=torch.float64)
    bce = F.binary_cross_entropy(pt, yt, reduction="none").numpy()
    squared = F.mse_loss(pt, yt, reduction="none").numpy()
    hinge = torch.clamp(1 - (2 * yt - 1) * torch.logit(pt), min=0).numpy()
    for name, ref in (("cross_entropy", bce), ("squared", squared), ("hinge", hinge)):
        assert [r[name] for r in result["rows"]] == pytest.approx(ref.tolist(), rel=1e-12, abs=1e-15)
    grid = torch.tensor(result["curves"]["prediction"], dtype=torch.float64)
    ref = F.binary_cross_entropy(grid, torch.zeros_like(grid), reduction="none").numpy()
    assert result["curves"]["label_0"]["cross_entropy"] == pytest.approx(ref.tolist(), rel=1e-12)


# ------------------------------------------------------------------ regression: weight → BMI


def test_bmi_data_is_kg_over_height_squared():
    data = L.bmi_data()
    assert data["height_m"] == 1.75
    assert len(data["weight_kg"]) == 10
    assert data["bmi"][4] == pytest.approx(70 / 3.0625)  # 70 kg at 1.75 m: BMI 22.86
    assert f"{data['bmi'][4]:.2f}" == "22.86"


def test_regression_hand_worked_point_and_mean():
    result = L.regression(slope=0.3, intercept=1.0)
    point = result["points"][4]  # 70 kg: prediction 0.3·70 + 1 = 22, BMI 22.857, residual 0.857
    assert point["prediction"] == pytest.approx(22.0)
    assert point["residual"] == pytest.approx(70 / 3.0625 - 22)
    assert point["squared"] == pytest.approx((70 / 3.0625 - 22) ** 2)
    kg = np.array(L.WEIGHTS_KG)
    assert result["mse"] == pytest.approx(np.mean((kg / 3.0625 - 0.3 * kg - 1) ** 2), rel=1e-12)
    assert result["mse"] == pytest.approx(np.mean([p["squared"] for p in result["points"]]), rel=1e-12)
    assert result["line"] == {"weight_kg": [40.0, 110.0], "bmi": [13.0, 34.0]}


def test_the_true_law_has_zero_loss_and_is_the_best_line():
    result = L.regression(slope=1 / 1.75**2, intercept=0.0)
    assert result["mse"] == pytest.approx(0.0, abs=1e-25)
    assert result["best"]["slope"] == pytest.approx(1 / 3.0625, abs=1e-12)
    assert result["best"]["intercept"] == pytest.approx(0.0, abs=1e-9)
    assert result["best"]["mse"] == pytest.approx(0.0, abs=1e-12)
    # any other line does worse
    assert L.regression(slope=0.33, intercept=0.0)["mse"] > 0


@pytest.mark.parametrize("kwargs", [{"slope": 3}, {"intercept": -100}, {"slope": float("inf")}, {"slope": "1"}])
def test_bad_lines_are_rejected(kwargs):
    with pytest.raises(InputError):
        L.regression(**kwargs)


def test_results_are_plain_json():
    for result in (L.binary_losses(), L.regression(), L.bmi_data(), L.worked_examples(),
                   L.cross_entropy_table([[0.0, 1.0]], [1]), L.cross_entropy_table([[3, -2, 1]], [3], kind="logits"),
                   L.set_probability([0.2, 0.8], 1, 0.5)):
        assert_plain(result)
