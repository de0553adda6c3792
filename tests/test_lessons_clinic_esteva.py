"""cases, Esteva 2017: fine-grained probabilities summed into a binary answer, against a binary model."""

import numpy as np
import pytest

from ml2dl.lessons.clinic import esteva
from ml2dl.train.scoring import softmax


def test_the_summed_probability_is_one_minus_p_normal():
    # by hand: 0.1 + 0.25 + 0.05 + 0.2 = 0.6 = 1 − 0.4
    assert esteva.summed_abnormal([[0.4, 0.1, 0.25, 0.05, 0.2]]) == pytest.approx([0.6], abs=1e-15)
    p = softmax(np.random.default_rng(0).standard_normal((50, 5)) * 4)
    np.testing.assert_allclose(esteva.summed_abnormal(p), 1 - p[:, 0], atol=1e-15)


def _slow_delong(y, s):
    """Structural components by the double loop of the definition: ψ(x, y) = 1, ½ or 0."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    return psi.mean(axis=1), psi.mean(axis=0)


def test_paired_delong_matches_the_definition_and_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 120)
    s1 = np.round(y + rng.normal(0, 0.8, 120), 1)  # rounded: ties count ½
    s2 = 0.6 * s1 + rng.normal(0, 0.6, 120)  # correlated with s1, as two models on the same films
    d = esteva.paired_delong(y, s1, s2)
    assert d["diff"] == pytest.approx(metrics.roc_auc_score(y, s1) - metrics.roc_auc_score(y, s2), abs=1e-12)
    (a10, a01), (b10, b01) = _slow_delong(y, s1), _slow_delong(y, s2)
    m, n = a10.size, a01.size
    var = np.var(a10 - b10, ddof=1) / m + np.var(a01 - b01, ddof=1) / n  # Var(X − Y) = Sxx + Syy − 2Sxy
    assert d["se"] == pytest.approx(np.sqrt(var), rel=1e-10)
    assert d["low"] == pytest.approx(d["diff"] - 1.959964 * d["se"], rel=1e-6)
    assert 0 < d["p"] < 1
    same = esteva.paired_delong(y, s1, s1)
    assert same["diff"] == 0 and same["se"] == 0 and same["p"] == 1.0


@pytest.fixture(scope="module")
def result():
    calls = []
    patch = pytest.MonkeyPatch()
    patch.setattr(esteva, "N_VAL", 40)
    patch.setattr(esteva, "N_TEST", 120)
    try:
        r = esteva.experiment(64, 1, 0, lambda f, msg: calls.append((f, msg)))
    finally:
        patch.undo()
    return r, calls


def test_the_experiment_on_a_tiny_budget(result):
    metrics = pytest.importorskip("sklearn.metrics")
    r, calls = result
    y_kind = np.array(r["labels"])
    y = (y_kind > 0).astype(int)
    assert r["n_test"] == 120 == len(y_kind) and y.sum() == 60 and r["kinds"] == ["lobar", "multifocal", "nodule", "effusion"]
    for name in ("fine", "binary"):
        m = r[name]
        s = np.array(m["scores"])
        assert m["auc"] == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)
        assert m["low"] <= m["auc"] <= m["high"]
        assert m["accuracy"] == pytest.approx(metrics.accuracy_score(y, s >= 0.5))
        assert m["specificity"] == pytest.approx(np.mean(s[y == 0] < 0.5))
        assert m["detected"] == pytest.approx([np.mean(s[y_kind == k] >= 0.5) for k in range(1, 5)])
    assert r["difference"]["diff"] == pytest.approx(r["fine"]["auc"] - r["binary"]["auc"], abs=1e-12)
    cm = np.array(r["confusion"])
    assert cm.shape == (5, 5) and cm.sum(axis=1).tolist() == np.bincount(y_kind, minlength=5).tolist()
    assert r["fine_accuracy"] == pytest.approx(np.trace(cm) / 120)
    # progress: the fine-grained model in the first half, the binary one in the second
    assert calls[0][1].startswith("fine-grained model") and calls[-1][1].startswith("binary model")
    assert calls[-1][0] == pytest.approx(1.0) and all(0 <= f <= 1 for f, _ in calls)


def test_the_sentences_follow_the_numbers(result):
    r, _ = result
    text = " ".join(r["words"])
    f, b, d = r["fine"], r["binary"], r["difference"]
    assert f"AUC {f['auc']:.3f} (95% CI {f['low']:.3f}–{f['high']:.3f})" in text
    assert f"scores {b['auc']:.3f} ({b['low']:.3f}–{b['high']:.3f})" in text
    if round(d["diff"], 3):
        ahead = "fine-grained" if d["diff"] > 0 else "binary"
        assert f"The {ahead} model is ahead by {abs(d['diff']):.3f}" in text
        assert ("includes 0" in text) == (d["low"] <= 0 <= d["high"])
    assert f"{r['fine_accuracy']:.1%} of the films" in text
    # the same numbers, the other way round, give the other sentence
    flipped = {**r, "fine": b, "binary": f, "difference": {**d, "diff": -d["diff"], "low": -d["high"], "high": -d["low"]}}
    if round(d["diff"], 3):
        other = "binary" if d["diff"] > 0 else "fine-grained"
        assert f"The {other} model is ahead by {abs(d['diff']):.3f}" in " ".join(esteva.words(flipped))
    wide = {**r, "difference": {**d, "diff": 0.02, "low": 0.01, "high": 0.03}}
    assert "excludes 0." in " ".join(esteva.words(wide))


def test_the_sentence_on_misses_names_the_kind_called_normal_most(result):
    r, _ = result
    tweaked = {**r, "fine": {**r["fine"], "detected": [1.0, 1.0, 1.0, 1.0]},
               "binary": {**r["binary"], "detected": [0.9, 0.6, 0.95, 0.7]}}
    assert ("The fine-grained model calls every abnormal film abnormal; the binary one misses multifocal films most "
            "(40% of them called normal).") in esteva.words(tweaked)
