"""Step ``perceptron`` API: truth tables, presets, the checked question, XOR, the learning rule.

References are independent of the lesson: truth tables worked by hand, a brute-force search
written here, and the learning rule run by hand on AND.
"""

import itertools

import pytest

from test_web_openapi import _response_schema, undeclared

INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]


def post(client, path, body):
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_default_is_and_with_its_line(client):
    body = post(client, "/api/perceptron", {})
    # w = (1, 1), b = −1.5: z = −1.5, −0.5, −0.5, 0.5 → only 11 fires
    assert [r["z"] for r in body["rows"]] == [-1.5, -0.5, -0.5, 0.5]
    assert body["outputs"] == [0, 0, 0, 1] and body["gate"] == "AND"
    # the line x₁ + x₂ = 1.5 crosses the box [−0.5, 1.5]² at (0, 1.5) and (1.5, 0)
    ends = sorted(tuple(p) for p in body["line"]["points"])
    assert ends == [pytest.approx((0, 1.5)), pytest.approx((1.5, 0))]
    assert body["line"]["normal"] == [1, 1] and body["box"] == [-0.5, 1.5]
    # shaded where ŷ = 1: the triangle above the line, corners (1.5, 0), (1.5, 1.5), (0, 1.5)
    assert body["line"]["region"] == [pytest.approx([1.5, 0]), [1.5, 1.5], pytest.approx([0, 1.5])]


@pytest.mark.parametrize("w1, w2, b", [(0.3, -0.8, 0.1), (-1.2, 2.5, -0.6), (0, 0, 0), (0, 0, 0.4), (2, 0, -1)])
def test_truth_table_is_the_step_of_the_weighted_sum(client, w1, w2, b):
    body = post(client, "/api/perceptron", {"w1": w1, "w2": w2, "b": b})
    for row, (x1, x2) in zip(body["rows"], INPUTS):
        z = w1 * x1 + w2 * x2 + b
        assert row["x"] == [x1, x2] and row["z"] == pytest.approx(z) and row["output"] == (1 if z > 0 else 0)
    if w1 == w2 == 0:
        assert body["line"]["visible"] is False and body["line"]["points"] == []  # no line: one output for all
        assert body["line"]["region"] == ([[-0.5, -0.5], [1.5, -0.5], [1.5, 1.5], [-0.5, 1.5]] if b > 0 else [])
    else:  # both ends of the segment lie on the line w·x + b = 0
        for x1, x2 in body["line"]["points"]:
            assert w1 * x1 + w2 * x2 + b == pytest.approx(0, abs=1e-9)
        for x1, x2 in body["line"]["region"]:  # every corner of the shaded part is on the ŷ = 1 side (or on the line)
            assert w1 * x1 + w2 * x2 + b > -1e-9


def test_presets_compute_their_gates(client):
    presets = client.get("/api/perceptron/presets").json()
    tables = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0]}
    assert set(presets) == set(tables)
    for name, p in presets.items():
        assert p["outputs"] == tables[name]
        body = post(client, "/api/perceptron", {"w1": p["w1"], "w2": p["w2"], "b": p["b"]})
        assert body["outputs"] == tables[name] and body["gate"] == name


def test_the_question_is_checked_by_the_server(client):
    # w = (−1, 2), b = −0.5: z = −0.5, 1.5, −1.5, 0.5 → 0, 1, 0, 1
    q = {"w1": -1, "w2": 2, "b": -0.5}
    right = post(client, "/api/perceptron/check", {**q, "answers": [0, 1, 0, 1]})
    assert right["expected"] == [0, 1, 0, 1] and right["all_right"] and right["score"] == 4
    wrong = post(client, "/api/perceptron/check", {**q, "answers": [0, 1, 1, 0]})
    assert wrong["right"] == [True, True, False, False] and wrong["score"] == 2 and not wrong["all_right"]
    assert [r["z"] for r in wrong["rows"]] == [-0.5, 1.5, -1.5, 0.5]


def test_xor_best_line_is_3_of_4_and_two_layers_do_it(client):
    body = client.get("/api/perceptron/xor").json()
    s = body["search"]
    # brute force here, over the same grid: how many lines get k of the 4 XOR examples right
    xor = [0, 1, 1, 0]
    counts = [0] * 5
    for w1, w2, b in itertools.product(s["values"], repeat=3):
        counts[sum((w1 * x1 + w2 * x2 + b > 0) == t for (x1, x2), t in zip(INPUTS, xor))] += 1
    assert len(s["values"]) == 17 and s["lines_tried"] == 17 ** 3 == 4913
    assert s["count_by_correct"] == counts and counts[4] == 0 and counts[3] > 0
    assert s["best_correct"] == 3
    best = s["best"]
    outs = [int(best["w1"] * x1 + best["w2"] * x2 + best["b"] > 0) for x1, x2 in INPUTS]
    assert best["outputs"] == outs and sum(o == t for o, t in zip(outs, xor)) == 3
    assert best["right"] == [o == t for o, t in zip(outs, xor)]
    assert s["tables_realised"] == 14  # all 16 truth tables but XOR and XNOR
    two = body["two_layers"]
    assert [u["name"] for u in two["units"]] == ["OR", "NAND", "AND"]
    assert [r["hidden"] for r in two["rows"]] == [[0, 1], [1, 1], [1, 1], [1, 0]]  # (OR, NAND) of 00 … 11
    assert two["outputs"] == xor and two["matches_xor"]


def test_learning_rule_by_hand_on_and(client):
    # from w = 0, b = 0, η = 1, examples 00, 01, 10, 11, 00, …: ŷ = [z > 0]; e = y − ŷ; w += η·e·x; b += η·e
    w1 = w2 = b = 0.0
    state, first = None, None
    for step in range(24):
        x1, x2 = INPUTS[step % 4]
        y = int((x1, x2) == (1, 1))
        e = y - int(w1 * x1 + w2 * x2 + b > 0)
        w1, w2, b = w1 + e * x1, w2 + e * x2, b + e
        r = post(client, "/api/perceptron/learn", {"state": state, "data": "AND", "lr": 1})
        assert r["example"]["x"] == [x1, x2] and r["example"]["error"] == e
        assert r["after"] == {"w1": w1, "w2": w2, "b": b} and r["changed"] == (e != 0)
        assert r["update"] == {"delta_w": [e * x1, e * x2], "delta_b": e}
        state = r["state"]
        assert state["step"] == step + 1 and r["epoch"] == (step + 1) // 4
        right = sum(int(w1 * x1 + w2 * x2 + b > 0) == int((x1, x2) == (1, 1)) for x1, x2 in INPUTS)
        assert r["correct"] == right and r["converged"] == (right == 4)
        if right == 4 and first is None:
            first = step + 1
    assert r["converged"] and r["correct"] == 4 and r["table"]["gate"] == "AND"
    assert (w1, w2, b) == (2, 1, -2) and first == 18  # the hand-run rule's end point, all 4 right from update 18


def test_learning_rule_never_settles_on_xor(client):
    state, correct = None, []
    for _ in range(40):
        r = post(client, "/api/perceptron/learn", {"state": state, "data": "XOR", "lr": 0.5})
        state = r["state"]
        correct.append(r["correct"])
    assert max(correct) <= 3 and not r["converged"]


@pytest.mark.parametrize("path, body, message", [
    ("/api/perceptron", {"w1": 101}, "w1 must be ≤ 100, got 101"),
    ("/api/perceptron/check", {"answers": [0, 1, 2, 0]}, "answers[2] must be ≤ 1, got 2"),
    ("/api/perceptron/check", {"answers": [0, 1]}, "answers"),
    ("/api/perceptron/learn", {"lr": 0}, "lr must be > 0, got 0"),
    ("/api/perceptron/learn", {"data": "XNOR"}, "data"),
])
def test_limits_give_422(client, path, body, message):
    r = client.post(path, json=body)
    assert r.status_code == 422
    assert message in r.json()["message"]


def test_answers_are_documented(client):
    spec = client.get("/openapi.json").json()
    for method, path, body in [("post", "/api/perceptron", {}), ("get", "/api/perceptron/presets", None),
                               ("post", "/api/perceptron/check", {"answers": [1, 1, 1, 1]}),
                               ("get", "/api/perceptron/xor", None), ("post", "/api/perceptron/learn", {})]:
        r = getattr(client, method)(path, **({} if body is None else {"json": body}))
        assert undeclared(r.json(), _response_schema(spec, method, path), spec) == [], path
