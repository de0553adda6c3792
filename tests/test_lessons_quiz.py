"""lessons.quiz: every answer against an independent reference (hand-worked, formula, PyTorch)."""

import math

import pytest

from ml2dl.checks import InputError
from ml2dl.lessons import quiz
from ml2dl.lessons.quiz_kinds import KERNELS

SEEDS = range(0, 40)


def answer(kind, seed):
    return quiz.check(kind, seed, 0 if quiz.KINDS[kind].answer_type != "choice" else quiz.KINDS[kind].choices[0])


def test_the_course_questions_have_the_course_answers():
    assert answer("dense_params", 0)["right_answer"] == 330  # 3 × (10·10 + 10)
    fc = answer("fc_vs_conv", 0)
    assert fc["right_answer"] == "the dense layer"
    assert any("= 1,010" in w for w in fc["working"]) and any("= 100 " in w for w in fc["working"])
    assert answer("perceptron", 0)["right_answer"] == "1"  # AND(1, 1)
    assert quiz.question("dense_params", 0)["course"] is True


@pytest.mark.parametrize("seed", SEEDS)
def test_every_kind_against_a_formula(seed):
    q = {k: quiz.question(k, seed)["numbers"] for k in quiz.KINDS}
    r = {k: answer(k, seed)["exact"] for k in quiz.KINDS}
    p = q["perceptron"]
    assert r["perceptron"] == str(int(p["w1"] * p["x1"] + p["w2"] * p["x2"] + p["b"] > 0))
    s = q["dense_params"]["sizes"]
    assert r["dense_params"] == sum(a * b + b for a, b in zip(s[:-1], s[1:]))
    c = q["conv_params"]
    assert r["conv_params"] == c["kernel"] ** 2 * c["in_channels"] * c["maps"] + c["maps"]
    c = q["conv_shape"]
    assert r["conv_shape"] == (c["size"] + 2 * c["padding"] - c["kernel"]) // c["stride"] + 1
    c = q["pool_shape"]
    assert r["pool_shape"] == c["size"] // c["pool"]
    assert r["sigmoid"] == pytest.approx(1 / (1 + math.exp(-q["sigmoid"]["z"])), abs=1e-4)
    c = q["cross_entropy"]
    assert r["cross_entropy"] == pytest.approx(-math.log(c["probabilities"][c["true_class"] - 1]), abs=1e-4)
    assert sum(c["probabilities"]) == pytest.approx(1.0)
    g = q["gd_step"]
    assert r["gd_step"] == pytest.approx(g["w"] - g["lr"] * g["grad"], abs=1e-4)
    b = q["batches"]
    assert r["batches"] == math.ceil(b["n"] / b["batch_size"])
    kv = q["kernel_value"]
    kernel = KERNELS[kv["kernel"]]
    assert r["kernel_value"] == sum(kernel[i][j] * kv["patch"][i][j] for i in range(3) for j in range(3))
    assert r["vanishing"] == pytest.approx(100 * 0.25 ** q["vanishing"]["layers"], abs=1e-4)
    n = q["rnn_params"]
    assert r["rnn_params"] == n["hidden"] * n["inputs"] + n["hidden"] ** 2 + 2 * n["hidden"]
    f = q["fc_vs_conv"]
    dense, conv = f["pixels"] * f["nodes"] + f["nodes"], f["kernel"] ** 2 * f["maps"] + f["maps"]
    assert r["fc_vs_conv"] == ("the dense layer" if dense > conv else "the convolution" if conv > dense else "the same")


def test_parameter_counts_match_pytorch():
    torch = pytest.importorskip("torch")
    for seed in range(10):
        s = quiz.question("dense_params", seed)["numbers"]["sizes"]
        net = torch.nn.Sequential(*[torch.nn.Linear(a, b) for a, b in zip(s[:-1], s[1:])])
        assert answer("dense_params", seed)["exact"] == sum(p.numel() for p in net.parameters())
        c = quiz.question("conv_params", seed)["numbers"]
        conv = torch.nn.Conv2d(c["in_channels"], c["maps"], c["kernel"])
        assert answer("conv_params", seed)["exact"] == sum(p.numel() for p in conv.parameters())
        n = quiz.question("rnn_params", seed)["numbers"]
        rnn = torch.nn.RNN(n["inputs"], n["hidden"])
        assert answer("rnn_params", seed)["exact"] == sum(p.numel() for p in rnn.parameters())
        c = quiz.question("conv_shape", seed)["numbers"]
        out = torch.nn.Conv2d(1, 1, c["kernel"], stride=c["stride"], padding=c["padding"])(
            torch.zeros(1, 1, c["size"], c["size"]))
        assert answer("conv_shape", seed)["exact"] == out.shape[-1]


def test_checking_is_tolerant_to_two_decimals_and_strict_for_counts():
    assert quiz.check("sigmoid", 1, "0.12")["correct"]  # σ(−2) = 0.1192
    assert quiz.check("sigmoid", 1, "0.11")["correct"]
    assert not quiz.check("sigmoid", 1, "0.13")["correct"]
    assert quiz.check("gd_step", 0, "−0.6")["correct"]  # true minus accepted: −1 − 0.1·(−4)
    assert quiz.check("dense_params", 0, "330")["correct"] and not quiz.check("dense_params", 0, 331)["correct"]
    with pytest.raises(InputError, match="answer must be a number"):
        quiz.check("sigmoid", 0, "abc")
    with pytest.raises(InputError, match="answer must be one of"):
        quiz.check("fc_vs_conv", 0, "both")
    with pytest.raises(InputError, match="kind must be one of"):
        quiz.question("nope", 0)


def test_question_never_holds_its_answer_and_new_numbers_differ():
    for kind in quiz.KINDS:
        q = quiz.question(kind, 3)
        assert not {"answer", "right_answer", "exact", "working"} & set(q)
        assert quiz.question(kind, q["next_seed"])["numbers"] != q["numbers"]
        assert quiz.question(kind, 3) == q  # deterministic


def test_sets_and_scores():
    s0 = quiz.quiz_set(0, 8)
    assert [(q["kind"], q["seed"]) for q in s0["questions"][:3]] == [
        ("perceptron", 0), ("dense_params", 0), ("fc_vs_conv", 0)]
    assert len({q["kind"] for q in s0["questions"]}) == 8
    assert quiz.quiz_set(4, 8) == quiz.quiz_set(4, 8)
    sc = quiz.score([{"kind": "dense_params", "seed": 0, "answer": 330}, {"kind": "perceptron", "seed": 0, "answer": "0"}])
    assert (sc["right"], sc["total"], sc["fraction"]) == (1, 2, 0.5)
    assert quiz.score([])["fraction"] is None
