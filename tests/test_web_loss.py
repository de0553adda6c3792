"""Step ``loss`` API: binary losses, regression, multi-class cross-entropy.

References: PyTorch's losses (binary cross-entropy, MSE, cross-entropy, a hinge written with
torch), hand-worked values (−ln 0.6 = 0.511, −ln 0.9 = 0.105) and the exact BMI line kg / 1.75².
"""

import math

import pytest
import torch
import torch.nn.functional as F

from test_web_openapi import _response_schema, undeclared


def post(client, path, body):
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_binary_losses_match_pytorch(client):
    preds, labels = [0.95, 0.6, 0.3, 0.05, 0.2, 0.8, 0.5], [1, 1, 1, 1, 0, 0, 1]
    body = post(client, "/api/loss/binary", {"predictions": preds, "labels": labels})
    p, y = torch.tensor(preds, dtype=torch.float64), torch.tensor(labels, dtype=torch.float64)
    bce = F.binary_cross_entropy(p, y, reduction="none")
    z = torch.logit(p)
    hinge = torch.clamp(1 - (2 * y - 1) * z, min=0)
    sq = F.mse_loss(p, y, reduction="none")
    for i, row in enumerate(body["rows"]):
        assert row["prediction"] == preds[i] and row["label"] == labels[i]
        assert row["score"] == pytest.approx(float(z[i]), abs=1e-12)
        assert row["cross_entropy"] == pytest.approx(float(bce[i]), rel=1e-12)
        assert row["hinge"] == pytest.approx(float(hinge[i]), abs=1e-12)
        assert row["squared"] == pytest.approx(float(sq[i]), rel=1e-12)
    assert body["mean"]["cross_entropy"] == pytest.approx(float(F.binary_cross_entropy(p, y)), rel=1e-12)
    assert body["mean"]["squared"] == pytest.approx(float(F.mse_loss(p, y)), rel=1e-12)
    assert body["mean"]["hinge"] == pytest.approx(float(hinge.mean()), rel=1e-12)
    # by hand: ŷ = 0.05 for a pneumonia case: −ln 0.05 = 2.996; ŷ = 0.5: −ln 0.5 = 0.693, hinge 1, squared 0.25
    assert body["rows"][3]["cross_entropy"] == pytest.approx(2.995732, abs=1e-6)
    assert (body["rows"][6]["cross_entropy"], body["rows"][6]["hinge"], body["rows"][6]["squared"]) == (
        pytest.approx(math.log(2)), pytest.approx(1), pytest.approx(0.25))


def test_binary_curves_for_both_labels(client):
    c = post(client, "/api/loss/binary", {})["curves"]
    grid = torch.tensor(c["prediction"], dtype=torch.float64)
    assert len(grid) == 199 and c["prediction"][0] == pytest.approx(0.005) and c["prediction"][-1] == pytest.approx(0.995)
    for y in (0, 1):
        target = torch.full_like(grid, float(y))
        curves = c[f"label_{y}"]
        assert curves["cross_entropy"] == pytest.approx(F.binary_cross_entropy(grid, target, reduction="none").tolist())
        assert curves["squared"] == pytest.approx(((grid - y) ** 2).tolist())
        assert curves["hinge"] == pytest.approx(torch.clamp(1 - (2 * y - 1) * torch.logit(grid), min=0).tolist())
    # a confident wrong answer: cross-entropy and hinge keep growing, squared error stops at 1
    assert c["label_1"]["cross_entropy"][0] > 5 and c["label_1"]["squared"][0] < 1


def test_regression_against_the_exact_bmi_line(client):
    body = post(client, "/api/loss/regression", {"slope": 0.25, "intercept": 5})
    kg = [p["weight_kg"] for p in body["points"]]
    bmi = [k / 1.75 ** 2 for k in kg]
    pred = torch.tensor([0.25 * k + 5 for k in kg], dtype=torch.float64)
    for p, b, q in zip(body["points"], bmi, pred.tolist()):
        assert p["bmi"] == pytest.approx(b) and p["prediction"] == pytest.approx(q)
        assert p["residual"] == pytest.approx(b - q) and p["squared"] == pytest.approx((b - q) ** 2)
    assert body["mse"] == pytest.approx(float(F.mse_loss(pred, torch.tensor(bmi, dtype=torch.float64))))
    assert body["best"] == {"slope": pytest.approx(1 / 1.75 ** 2), "intercept": pytest.approx(0, abs=1e-9), "mse": 0}
    assert body["line"]["weight_kg"] == [40, 110] and body["line"]["bmi"] == pytest.approx([15, 32.5])
    best = post(client, "/api/loss/regression", {"slope": body["best"]["slope"], "intercept": 0})
    assert best["mse"] == pytest.approx(0, abs=1e-20)


def test_worked_examples_are_0_511_and_0_105(client):
    body = client.get("/api/loss/worked").json()
    a, b = body["rows"]
    assert a["p_true"] == 0.6 and b["p_true"] == 0.9 and a["true_class"] == b["true_class"] == 2
    assert round(a["loss"], 3) == 0.511 and round(b["loss"], 3) == 0.105  # −ln 0.6, −ln 0.9 (not the slide's ~0.15)
    assert body["mean"] == pytest.approx((math.log(1 / 0.6) + math.log(1 / 0.9)) / 2)
    assert body["classes"] == ["normal", "bacterial pneumonia", "viral pneumonia"]


def test_table_matches_pytorch_cross_entropy(client):
    rows, classes = [[0.2, 0.5, 0.3], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], [3, 1, 2]
    body = post(client, "/api/loss/table", {"rows": rows, "true_classes": classes})
    ref = F.nll_loss(torch.log(torch.tensor(rows, dtype=torch.float64)), torch.tensor(classes) - 1, reduction="none")
    assert [r["loss"] for r in body["rows"]] == pytest.approx(ref.tolist())
    assert body["mean"] == pytest.approx(float(ref.mean()))
    assert [r["predicted_class"] for r in body["rows"]] == [2, 1, 3]
    # scores through the softmax: PyTorch's cross_entropy takes logits
    logits = [[1.0, 2.0, 0.5], [-1.0, 3.0, 0.0]]
    body = post(client, "/api/loss/table", {"rows": logits, "true_classes": [1, 2], "kind": "logits"})
    t = torch.tensor(logits, dtype=torch.float64)
    assert [r["loss"] for r in body["rows"]] == pytest.approx(F.cross_entropy(t, torch.tensor([0, 1]), reduction="none").tolist())
    for r, p in zip(body["rows"], torch.softmax(t, dim=1).tolist()):
        assert r["probabilities"] == pytest.approx(p) and sum(r["probabilities"]) == pytest.approx(1)


def test_zero_probability_is_an_infinite_loss_not_a_number(client):
    body = post(client, "/api/loss/table", {"rows": [[0.5, 0, 0.5], [0.2, 0.6, 0.2]], "true_classes": [2, 2]})
    assert body["rows"][0]["infinite"] and body["rows"][0]["loss"] is None
    assert body["infinite"] and body["mean"] is None


def test_setting_one_probability_keeps_the_row_summing_to_1(client):
    body = post(client, "/api/loss/set-probability", {"row": [0.25, 0.6, 0.15], "index": 2, "value": 0.9})
    # the others keep their ratio 0.25 : 0.15 and share the 0.1 left: 0.0625 and 0.0375
    assert body["row"] == pytest.approx([0.0625, 0.9, 0.0375]) and sum(body["row"]) == pytest.approx(1)
    body = post(client, "/api/loss/set-probability", {"row": [0, 1, 0], "index": 2, "value": 0.4})
    assert body["row"] == pytest.approx([0.3, 0.4, 0.3])


@pytest.mark.parametrize("path, body, message", [
    ("/api/loss/binary", {"predictions": [1.0], "labels": [1]}, "predictions[0] must be < 1, got 1"),
    ("/api/loss/binary", {"predictions": [0.5, 0.5], "labels": [1]}, "labels must be a list of 2 labels"),
    ("/api/loss/regression", {"slope": 3}, "slope must be ≤ 2, got 3"),
    ("/api/loss/table", {"rows": [[0.2, 0.8]], "true_classes": [3]}, "true_classes[0] must be"),
    ("/api/loss/table", {"rows": [[0, 0, 0]], "true_classes": [1]}, "positive sum"),
    ("/api/loss/set-probability", {"row": [0.5, 0.5], "index": 1, "value": 1.5}, "value must be ≤ 1, got 1.5"),
])
def test_limits_give_422(client, path, body, message):
    r = client.post(path, json=body)
    assert r.status_code == 422
    assert message in r.json()["message"]


def test_answers_are_documented(client):
    spec = client.get("/openapi.json").json()
    for method, path, body in [("post", "/api/loss/binary", {}), ("post", "/api/loss/regression", {}),
                               ("post", "/api/loss/table", {}), ("get", "/api/loss/worked", None),
                               ("post", "/api/loss/set-probability", {"row": [0.5, 0.5], "index": 1, "value": 0.2})]:
        r = getattr(client, method)(path, **({} if body is None else {"json": body}))
        assert undeclared(r.json(), _response_schema(spec, method, path), spec) == [], path
