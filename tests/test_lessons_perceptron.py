"""Step `perceptron`: truth tables, lines, the XOR search and the learning rule, by hand and by brute force."""

import itertools

import numpy as np
import pytest

from ml2dl.checks import InputError
from ml2dl.lessons import perceptron as P
from plain_json import assert_plain

GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0]}


@pytest.mark.parametrize("gate", GATES)
def test_presets_realise_their_gates(gate):
    w1, w2, b = P.PRESETS[gate]
    result = P.perceptron(w1, w2, b)
    assert result["outputs"] == GATES[gate]
    assert result["gate"] == gate
    assert P.presets()[gate]["outputs"] == GATES[gate]


def test_hand_worked_truth_table():
    # w = (0.5, −1), b = 0.25: z = 0.25, −0.75, 0.75, −0.25 → 1, 0, 1, 0 ("x₁ and not x₂"-ish, no named gate)
    result = P.perceptron(0.5, -1.0, 0.25)
    assert [r["z"] for r in result["rows"]] == [0.25, -0.75, 0.75, -0.25]
    assert result["outputs"] == [1, 0, 1, 0]
    assert result["gate"] is None
    assert [r["x"] for r in result["rows"]] == [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_z_equal_to_zero_gives_zero():
    # w = (1, 1), b = −1: z = 0 for 01 and 10 → step(0) = 0, so only 11 fires: AND
    assert P.perceptron(1, 1, -1)["outputs"] == [0, 0, 0, 1]


def test_line_is_clipped_to_the_box_and_lies_on_z_zero():
    # AND: x₁ + x₂ − 1.5 = 0 crosses the box [−0.5, 1.5]² at (0, 1.5) and (1.5, 0)
    line = P.perceptron(1, 1, -1.5)["line"]
    assert line["visible"]
    assert line["points"] == [[0.0, 1.5], [1.5, 0.0]]
    for w1, w2, b in [(0.3, -0.7, 0.2), (2, 0, -1), (0, -1, 0.5), (1, 1, -0.5), (-1.3, 0.4, 0.9)]:
        line = P.boundary_line(w1, w2, b)
        assert line["visible"]
        for x1, x2 in line["points"]:
            assert -0.5 - 1e-9 <= x1 <= 1.5 + 1e-9 and -0.5 - 1e-9 <= x2 <= 1.5 + 1e-9
            assert w1 * x1 + w2 * x2 + b == pytest.approx(0, abs=1e-9)
        assert line["points"][0] != line["points"][1]
    # vertical line x₁ = 0.5 spans the box top to bottom
    assert P.boundary_line(2, 0, -1)["points"] == [[0.5, -0.5], [0.5, 1.5]]


def test_no_line_when_weights_are_zero_or_the_line_misses_the_box():
    assert P.boundary_line(0, 0, 1)["visible"] is False
    assert P.perceptron(0, 0, 1)["outputs"] == [1, 1, 1, 1]
    assert P.boundary_line(1, 1, 10)["visible"] is False  # x₁ + x₂ = −10 is far outside
    assert P.boundary_line(1, 1, 10)["points"] == []


def test_check_answer():
    result = P.check_answer(1, 1, -0.5, [0, 1, 0, 1])  # OR is 0 1 1 1
    assert result["expected"] == [0, 1, 1, 1]
    assert result["right"] == [True, True, False, True]
    assert result["score"] == 3 and result["all_right"] is False
    assert P.check_answer(1, 1, -0.5, [0, 1, 1, 1])["all_right"] is True


@pytest.mark.parametrize("answers", [[0, 1, 1], [0, 1, 2, 1], "0111", [0, 1, True, 1], None])
def test_check_answer_rejects_bad_answers(answers):
    with pytest.raises(InputError):
        P.check_answer(1, 1, -0.5, answers)


def test_bad_weights_are_rejected():
    for bad in (float("nan"), float("inf"), "1", None, 1e9):
        with pytest.raises(InputError):
            P.perceptron(bad, 1, 0)


def _separable_tables_by_brute_force():
    """Reference: a truth table is linearly separable iff some (w, b) from a generous rational grid
    realises it (for 4 corner points, weights in {−2, …, 2} and b in {−2.5, …, 2.5} step 0.5 suffice)."""
    X = np.array(P.INPUTS)
    tables = set()
    for w1, w2 in itertools.product(range(-2, 3), repeat=2):
        for b in np.arange(-2.5, 2.51, 0.5):
            tables.add(tuple(int(w1 * x1 + w2 * x2 + b > 0) for x1, x2 in X))
    return tables


def test_xor_best_line_is_three_of_four():
    result = P.xor_best_line()
    assert result["lines_tried"] == 17**3 == 4913
    assert result["best_correct"] == 3
    assert result["count_by_correct"][4] == 0
    assert sum(result["count_by_correct"]) == 4913
    best = result["best"]
    # the best line really scores 3 on XOR, recomputed independently
    outputs = P.perceptron(best["w1"], best["w2"], best["b"])["outputs"]
    assert outputs == best["outputs"]
    assert sum(o == t for o, t in zip(outputs, [0, 1, 1, 0])) == 3
    assert best["right"].count(True) == 3
    # the grid is rich enough: it realises all 14 separable tables, i.e. all but XOR and XNOR
    assert result["tables_realised"] == 14
    reference = _separable_tables_by_brute_force()
    assert len(reference) == 14
    assert (0, 1, 1, 0) not in reference and (1, 0, 0, 1) not in reference


def test_xor_no_line_by_random_search():
    # an independent search: a million random lines, none gets XOR fully right
    rng = np.random.default_rng(0)
    W = rng.uniform(-5, 5, size=(1_000_000, 3))
    X = np.array(P.INPUTS, dtype=float)
    out = (W[:, :2] @ X.T + W[:, 2:] > 0)
    correct = (out == np.array([0, 1, 1, 0], bool)).sum(axis=1)
    assert correct.max() == 3


def test_two_layer_xor():
    result = P.two_layer_xor()
    assert result["outputs"] == [0, 1, 1, 0] and result["matches_xor"] is True
    names = [u["name"] for u in result["units"]]
    assert names == ["OR", "NAND", "AND"]
    assert result["units"][0]["outputs"] == [0, 1, 1, 1]
    assert result["units"][1]["outputs"] == [1, 1, 1, 0]
    assert [r["hidden"] for r in result["rows"]] == [[0, 1], [1, 1], [1, 1], [1, 0]]
    assert result["units"][2]["outputs"] == [0, 1, 1, 0]
    assert result["units"][2]["inputs"] == ["h1", "h2"]


def test_learn_step_hand_worked_first_steps_on_and():
    # start w = (0, 0), b = 0; example 00 (target 0): z = 0 → ŷ = 0, error 0, nothing changes
    r = P.learn_step(None, "AND", 1.0)
    assert r["example"] == {"index": 0, "x": [0, 0], "target": 0, "z": 0.0, "output": 0, "error": 0}
    assert r["changed"] is False and r["after"] == {"w1": 0.0, "w2": 0.0, "b": 0.0}
    # 01, 10 (target 0): ŷ = 0, right. 11 (target 1): ŷ = 0, error 1 → w = (1, 1), b = 1
    for _ in range(2):
        r = P.learn_step(r["state"], "AND", 1.0)
    r = P.learn_step(r["state"], "AND", 1.0)
    assert r["example"]["x"] == [1, 1] and r["example"]["error"] == 1
    assert r["update"] == {"delta_w": [1.0, 1.0], "delta_b": 1.0}
    assert r["after"] == {"w1": 1.0, "w2": 1.0, "b": 1.0}
    assert r["epoch"] == 1
    # 00 now: z = 1 → ŷ = 1, error −1 → b = 0 (x = 0, so w unchanged)
    r = P.learn_step(r["state"], "AND", 1.0)
    assert r["example"]["error"] == -1 and r["after"] == {"w1": 1.0, "w2": 1.0, "b": 0.0}


def _run(data, lr, steps):
    state, results = None, []
    for _ in range(steps):
        r = P.learn_step(state, data, lr)
        state = r["state"]
        results.append(r)
    return results


def _reference_rule(data, lr, steps):
    """A plain loop of the same rule, as a reference."""
    w, b = np.zeros(2), 0.0
    X, Y = np.array(P.INPUTS, float), P.TARGETS[data]
    for t in range(steps):
        x, y = X[t % 4], Y[t % 4]
        e = y - int(w @ x + b > 0)
        w, b = w + lr * e * x, b + lr * e
    return w, b


@pytest.mark.parametrize("data", ["AND", "OR", "NAND", "NOR"])
def test_learning_rule_converges_on_separable_gates(data):
    results = _run(data, 0.5, 60)
    assert results[-1]["converged"]
    first = next(i for i, r in enumerate(results) if r["converged"])
    # once converged, nothing changes any more
    assert all(not r["changed"] for r in results[first + 1:])
    assert results[-1]["table"]["outputs"] == list(P.TARGETS[data])
    w, b = _reference_rule(data, 0.5, 60)
    assert [results[-1]["after"]["w1"], results[-1]["after"]["w2"]] == pytest.approx(w.tolist())
    assert results[-1]["after"]["b"] == pytest.approx(b)


def test_learning_rule_never_converges_on_xor():
    results = _run("XOR", 1.0, 200)
    assert not any(r["converged"] for r in results)
    assert max(r["correct"] for r in results) <= 3


@pytest.mark.parametrize("kwargs", [{"data": "XNOR"}, {"lr": 0}, {"lr": -1}, {"lr": 11}, {"state": {"w1": 0}},
                                    {"state": {"w1": 0, "w2": 0, "b": 0, "step": -1}}])
def test_learn_step_rejects_bad_input(kwargs):
    with pytest.raises(InputError):
        P.learn_step(**kwargs)


def test_results_are_plain_json():
    for result in (P.perceptron(0.3, -0.2, 0.1), P.presets(), P.check_answer(1, 1, -1.5, [0, 0, 0, 1]),
                   P.xor_best_line(), P.two_layer_xor(), P.learn_step(None, "XOR", 0.5)):
        assert_plain(result)
