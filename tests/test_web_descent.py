"""Step `descent` API: one weight and two, against references computed here from the data alone
(closed forms of the parabola, naive loops over the 24 tumours, numeric derivatives)."""

import json
import math

import numpy as np
import pytest

from test_web_openapi import undeclared

# The data, written out independently of the lesson: 0.8 … 5.4 cm, abnormal (t = +1) from 3 cm up,
# except 2.2 and 2.6 (abnormal) and 3.4 and 3.8 (normal).
SIZES = [round(0.8 + 0.2 * i, 1) for i in range(24)]
TARGETS = [(1 if s >= 3 else -1) * (-1 if s in (2.2, 2.6, 3.4, 3.8) else 1) for s in SIZES]
XS = [s - 3 for s in SIZES]


def loss_1(w):
    return sum((w * x - t) ** 2 for x, t in zip(XS, TARGETS)) / 24


def loss_2(w, b):
    return sum((w * s + b - t) ** 2 for s, t in zip(SIZES, TARGETS)) / 24


def grad_2(w, b, rows=range(24)):
    rows = list(rows)
    gw = sum(2 * (w * SIZES[i] + b - TARGETS[i]) * SIZES[i] for i in rows) / len(rows)
    gb = sum(2 * (w * SIZES[i] + b - TARGETS[i]) for i in rows) / len(rows)
    return gw, gb


def two_minima(u, v):
    return (u**2 - 1) ** 2 + 0.3 * u + (v - 0.4 * u) ** 2


def numeric_grad(f, u, v, h=1e-6):
    return ((f(u + h, v) - f(u - h, v)) / (2 * h), (f(u, v + h) - f(u, v - h)) / (2 * h))


W_STAR = sum(x * t for x, t in zip(XS, TARGETS)) / sum(x * x for x in XS)
CURVATURE = 2 * sum(x * x for x in XS) / 24


def documented(client, method, path, body):
    spec = client.get("/openapi.json").json()
    schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    r = client.get(path) if method == "get" else client.post(path, json=body)
    assert r.status_code == 200, r.text
    assert undeclared(r.json(), schema, spec) == [], (path, body)
    json.loads(r.text, parse_constant=lambda c: pytest.fail(f"{path} sent {c}"))  # no NaN / Infinity
    return r.json()


def test_options(client):
    body = documented(client, "get", "/api/descent/options", None)
    assert {p["name"]: p["lr"] for p in body["presets"]} == {"too small": 0.01, "right": 0.2, "large": 0.4,
                                                              "too large": 0.6}
    m = body["minimum"]
    assert m["w"] == pytest.approx(W_STAR, rel=1e-12) and m["w"] == pytest.approx(0.519, abs=1e-3)
    assert m["loss"] == pytest.approx(loss_1(W_STAR), rel=1e-12)
    assert m["curvature"] == pytest.approx(CURVATURE, rel=1e-12)
    assert m["best_lr"] == pytest.approx(1 / CURVATURE) and m["critical_lr"] == pytest.approx(2 / CURVATURE)
    assert body["data"]["size_cm"] == pytest.approx(SIZES) and body["data"]["target"] == TARGETS
    assert body["surfaces"]["two_minima"]["start"] == [0.3, 1.2]
    assert body["limits"]["max_compare_steps"] == 100


def test_the_first_step_with_its_numbers(client):
    body = documented(client, "post", "/api/descent/one", {"w": -0.5, "lr": 0.2, "steps": 0})
    assert body["run"] is None
    s = body["step"]
    h = 1e-6
    slope = (loss_1(-0.5 + h) - loss_1(-0.5 - h)) / (2 * h)
    assert s["loss"] == pytest.approx(loss_1(-0.5), rel=1e-12)
    assert s["gradient"] == pytest.approx(slope, rel=1e-7)
    assert s["w_next"] == pytest.approx(-0.5 - 0.2 * slope, rel=1e-7)
    assert s["loss_next"] == pytest.approx(loss_1(s["w_next"]), rel=1e-12)
    # the tangent touches the curve at w with the slope ∂L/∂w
    (a, b), (la, lb) = s["tangent"]["w"], s["tangent"]["loss"]
    assert (lb - la) / (b - a) == pytest.approx(slope, rel=1e-7)
    assert la + (lb - la) * (-0.5 - a) / (b - a) == pytest.approx(loss_1(-0.5), rel=1e-12)
    # w′ = w − η·∂L/∂w written with the numbers shown (true minus signs)
    assert s["text"] == f"w′ = −0.5 − 0.2 × (−{-s['gradient']:.4g}) = {s['w_next']:.4g}"


@pytest.mark.parametrize("lr, k", [(0.01, 7), (0.2, 20), (0.4, 13), (0.6, 5)])
def test_the_run_follows_the_parabolas_closed_form(client, lr, k):
    """On a parabola each step multiplies the distance to w* by (1 − η·L″)."""
    body = documented(client, "post", "/api/descent/one", {"w": -0.5, "lr": lr, "steps": k})
    run = body["run"]
    expected = [W_STAR + (1 - lr * CURVATURE) ** j * (-0.5 - W_STAR) for j in range(k + 1)]
    assert run["w"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert run["loss"] == pytest.approx([loss_1(w) for w in expected], rel=1e-9)
    assert run["steps_taken"] == k
    assert body["step"]["w"] == run["w"][-1]  # the next step starts where the run stands


@pytest.mark.parametrize("lr, behaviour, word", [(0.01, "crawling", "Crawling"), (0.2, "converging", "Converging"),
                                                 (0.4, "oscillating", "Oscillating"), (0.6, "diverged", "Diverged")])
def test_the_behaviour_in_words(client, lr, behaviour, word):
    run = client.post("/api/descent/one", json={"w": -0.5, "lr": lr, "steps": 20}).json()["run"]
    factor = 1 - lr * CURVATURE  # theory: |factor| > 1 diverges, < 0 overshoots every step
    assert run["behaviour"] == behaviour and run["message"].startswith(word)
    assert (abs(factor) > 1) == (behaviour == "diverged") and (factor < 0) == (run["overshoots"] == 20)


def test_divergence_is_said_and_never_nan(client):
    body = documented(client, "post", "/api/descent/one", {"w": -0.5, "lr": 2.0, "steps": 200})
    run = body["run"]
    assert run["diverged"] and run["stopped"] and "Diverged" in run["message"] and "stopped" in run["message"]
    assert all(math.isfinite(v) for v in run["w"] + run["loss"])
    assert abs(run["w"][-1]) <= 1e6 < abs(W_STAR + (1 - 2.0 * CURVATURE) ** (run["steps_taken"] + 1) * (-0.5 - W_STAR))
    assert body["step"] is None  # the weight has left the chart: no next step to draw


def test_two_weights_contours_and_path(client):
    body = documented(client, "post", "/api/descent/surface", {"surface": "tumour", "steps": 3, "resolution": 9})
    assert len(body["x"]) == len(body["y"]) == 9 and len(body["loss"]) == 9
    for i in (0, 4, 8):
        for j in (0, 3, 8):
            assert body["loss"][i][j] == pytest.approx(loss_2(body["x"][j], body["y"][i]), rel=1e-12)
    p = body["path"]
    w, b = -0.3, 1.0
    for k in range(4):
        assert [p["x"][k], p["y"][k]] == pytest.approx([w, b], rel=1e-12)
        gw, gb = grad_2(w, b)
        w, b = w - 0.06 * gw, b - 0.06 * gb
    # the least-squares minimum, by the normal equations
    A = np.c_[SIZES, np.ones(24)]
    assert body["minima"][0]["point"] == pytest.approx(np.linalg.solve(A.T @ A, A.T @ TARGETS).tolist(), rel=1e-9)


@pytest.mark.parametrize("start, found, u_end", [([-0.3, 0.0], "global", -1.036), ([0.3, 1.2], "local", 0.960)])
def test_the_start_decides_the_minimum(client, start, found, u_end):
    body = documented(client, "post", "/api/descent/surface",
                      {"surface": "two_minima", "start": start, "lr": 0.05, "steps": 200})
    assert body["found"] == found and body["path"]["end"][0] == pytest.approx(u_end, abs=0.01)
    # the minima are where the numeric gradient vanishes, and the deeper one is called global
    for m in body["minima"]:
        assert numeric_grad(two_minima, *m["point"]) == pytest.approx((0, 0), abs=1e-6)
    kinds = {m["kind"]: m["loss"] for m in body["minima"]}
    assert kinds["global"] < kinds["local"]
    # the first step: start − η·∇f
    gu, gv = numeric_grad(two_minima, *start)
    p = body["path"]
    assert [p["x"][1], p["y"][1]] == pytest.approx([start[0] - 0.05 * gu, start[1] - 0.05 * gv], rel=1e-6)


def test_compare_optimizers_first_steps(client):
    body = documented(client, "post", "/api/descent/compare", {"surface": "tumour", "steps": 100})
    gd, momentum, adam = body["paths"]
    assert [p["optimizer"] for p in body["paths"]] == ["gd", "momentum", "adam"]
    assert body["start"] == [-0.3, 1.0] and all([p["x"][0], p["y"][0]] == [-0.3, 1.0] for p in body["paths"])
    g1 = grad_2(-0.3, 1.0)
    step1 = [-0.3 - 0.06 * g1[0], 1.0 - 0.06 * g1[1]]
    assert [gd["x"][1], gd["y"][1]] == pytest.approx(step1, rel=1e-12)
    # momentum: v₂ = 0.9·v₁ + g₂, w₂ = w₁ − η·v₂ (PyTorch's form); Adam's first step is η·sign(g)
    g2 = grad_2(*step1)
    assert [momentum["x"][2], momentum["y"][2]] == pytest.approx(
        [step1[0] - 0.06 * (0.9 * g1[0] + g2[0]), step1[1] - 0.06 * (0.9 * g1[1] + g2[1])], rel=1e-12)
    assert [adam["x"][1], adam["y"][1]] == pytest.approx([-0.3 - 0.1 * np.sign(g1[0]), 1.0 - 0.1 * np.sign(g1[1])],
                                                         rel=1e-6)
    # in the narrow valley plain descent is still crawling after 100 steps; the other two are at the bottom
    assert not gd["at_minimum"] and momentum["at_minimum"] and adam["at_minimum"]
    assert body["lowest"] in ("momentum", "adam")
    assert all(p["final_loss"] == pytest.approx(loss_2(p["end"][0], p["end"][1]), rel=1e-12) for p in body["paths"])


def test_minibatch(client):
    body = documented(client, "post", "/api/descent/minibatch", {"batch_size": 5, "lr": 0.02, "epochs": 3, "seed": 7})
    assert body["batches"] == {"dataset_size": 24, "batch_size": 5, "ratio": 4.8, "batches": 5, "full_batches": 4,
                               "last_batch": 4, "text": "24 / 5 = 4.8 → 5 batches (4 of 5 and one of 4)"}
    assert body["updates"] == {"full": 3, "mini": 15}
    # the first epoch by hand: the epoch's shuffle, each batch's mean gradient
    order = np.random.default_rng([7, 0]).permutation(24)
    w, b = -0.3, 1.0
    for j in range(5):
        gw, gb = grad_2(w, b, order[5 * j:5 * j + 5])
        w, b = w - 0.02 * gw, b - 0.02 * gb
        assert [body["mini"]["x"][j + 1], body["mini"]["y"][j + 1]] == pytest.approx([w, b], rel=1e-12)
    assert body["loss_per_epoch"]["mini"][1] == pytest.approx(loss_2(w, b), rel=1e-12)
    gw, gb = grad_2(-0.3, 1.0)
    assert body["loss_per_epoch"]["full"][1] == pytest.approx(loss_2(-0.3 - 0.02 * gw, 1.0 - 0.02 * gb), rel=1e-12)


def test_batches_per_epoch(client):
    body = documented(client, "post", "/api/descent/batches", {"dataset_size": 4708, "batch_size": 32})
    assert body["batches"] == math.ceil(4708 / 32) == 148 and body["last_batch"] == 4708 - 147 * 32 == 4
    assert body["text"] == "4,708 / 32 = 147.1 → 148 batches (147 of 32 and one of 4)"
    assert client.post("/api/descent/batches", json={"dataset_size": 1000, "batch_size": 100}).json()["text"] == \
        "1,000 / 100 = 10 batches of 100"


@pytest.mark.parametrize("path, body, message", [
    ("one", {"lr": 0}, "lr must be > 0, got 0"),
    ("one", {"w": 6}, "w must be ≤ 5, got 6"),
    ("one", {"steps": 201}, "steps must be ≤ 200, got 201"),
    ("surface", {"surface": "bowl"}, "surface must be"),
    ("surface", {"start": [0, 11]}, "start must be"),
    ("compare", {"steps": 101}, "steps must be ≤ 100, got 101"),
    ("minibatch", {"batch_size": 1, "epochs": 11}, "epochs × batches per epoch must be ≤ 240 updates per request, "
                                                   "got 11 × 24 = 264"),
    ("minibatch", {"batch_size": 25}, "batch_size must be ≤ 24, got 25"),
    ("batches", {"dataset_size": 10, "batch_size": 11}, "batch_size must be"),
])
def test_bad_input_is_a_422_that_says_why(client, path, body, message):
    r = client.post(f"/api/descent/{path}", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["message"].startswith(message), r.json()["message"]
