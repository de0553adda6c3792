"""The clinic's metrics against scikit-learn, SciPy and slow obvious references written here:
DeLong's AUC interval, Wilson intervals, the PR curve, calibration slope and intercept, net
benefit, PPV / NPV at another prevalence and the threshold table."""

import math
import warnings
from statistics import NormalDist

import numpy as np
import pytest

from ml2dl import metrics as m
from ml2dl.checks import InputError

sk = pytest.importorskip("sklearn.metrics")


def scores(rng, n=300, prevalence=0.4, separation=1.2, ties=False):
    y = (rng.random(n) < prevalence).astype(int)
    s = rng.normal(separation * y, 1.0)
    if ties:
        s = np.round(s, 1)
    return y, s


def probabilities(rng, n=400, prevalence=0.3):
    y, s = scores(rng, n, prevalence)
    return y, 1 / (1 + np.exp(-(1.7 * s - 1.1)))


# --------------------------------------------------------------------------- DeLong


def naive_delong(y, s, alpha=0.05):
    """DeLong et al. 1988 written out: the kernel ψ for every pair, the structural components,
    their sample variances, the normal interval clipped to [0, 1]."""
    pos = [si for yi, si in zip(y, s) if yi == 1]
    neg = [si for yi, si in zip(y, s) if yi == 0]
    psi = lambda a, b: 1.0 if a > b else 0.5 if a == b else 0.0  # noqa: E731
    v10 = [sum(psi(x, yj) for yj in neg) / len(neg) for x in pos]
    v01 = [sum(psi(x, yj) for x in pos) / len(pos) for yj in neg]
    auc = sum(v10) / len(v10)
    s10 = sum((v - auc) ** 2 for v in v10) / (len(v10) - 1)
    s01 = sum((v - auc) ** 2 for v in v01) / (len(v01) - 1)
    se = math.sqrt(s10 / len(pos) + s01 / len(neg))
    z = NormalDist().inv_cdf(1 - alpha / 2)
    return auc, se, max(0.0, auc - z * se), min(1.0, auc + z * se)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("n, prevalence", [(40, 0.5), (250, 0.2), (301, 0.7)])
def test_delong_matches_the_written_out_reference(rng, n, prevalence, ties):
    y, s = scores(rng, n, prevalence, ties=ties)
    got = m.delong_auc_ci(y, s)
    want = naive_delong(y, s)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    assert got.auc == pytest.approx(sk.roc_auc_score(y, s), abs=1e-12)


def test_delong_alpha_and_a_hand_example():
    # positives 0.8, 0.4; negatives 0.1, 0.35: every positive outscores every negative but 0.4 vs …
    y = [0, 0, 1, 1]
    s = [0.1, 0.35, 0.4, 0.8]
    r = m.delong_auc_ci(y, s)
    assert r.auc == 1.0 and r.se == 0.0 and (r.low, r.high) == (1.0, 1.0)
    y, s = [0, 1, 0, 1, 0, 1], [0.2, 0.3, 0.4, 0.6, 0.7, 0.9]
    r90, r95 = m.delong_auc_ci(y, s, alpha=0.10), m.delong_auc_ci(y, s)
    assert r95.low < r90.low < r90.auc == r95.auc == pytest.approx(naive_delong(y, s)[0])
    np.testing.assert_allclose(r90, naive_delong(y, s, alpha=0.10), rtol=1e-12)


def test_delong_one_class_is_nan_with_a_warning():
    with pytest.warns(m.UndefinedMetricWarning):
        r = m.delong_auc_ci([1, 1, 1], [0.1, 0.2, 0.3])
    assert all(math.isnan(v) for v in r)
    with pytest.raises(InputError, match="alpha"):
        m.delong_auc_ci([0, 1], [0.1, 0.2], alpha=1.5)


def test_delong_and_bootstrap_agree_on_a_large_sample(rng):
    y, s = scores(rng, 2000, 0.4)
    d = m.delong_auc_ci(y, s)
    b = m.bootstrap_auc_ci(y, s, n_boot=2000, rng=1)
    assert abs(d.low - b[0]) < 0.01 and abs(d.high - b[1]) < 0.01


# --------------------------------------------------------------------------- Wilson


def test_wilson_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for k, n in [(0, 10), (10, 10), (3, 17), (389, 389), (120, 135), (1, 2)]:
        want = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        low, high = m.wilson_interval(k, n)
        assert float(low) == pytest.approx(want.low, abs=1e-12)
        assert float(high) == pytest.approx(want.high, abs=1e-12)
    want = stats.binomtest(7, 20).proportion_ci(confidence_level=0.90, method="wilson")
    np.testing.assert_allclose(m.wilson_interval(7, 20, alpha=0.10), (want.low, want.high), atol=1e-12)


def test_wilson_is_elementwise_and_nan_without_trials():
    low, high = m.wilson_interval([0, 5, 0], [10, 10, 0])
    assert low.shape == (3,) and low[0] == 0.0 and high[0] > 0.2 and math.isnan(low[2]) and math.isnan(high[2])
    with pytest.raises(InputError, match="successes"):
        m.wilson_interval(5, 4)


# --------------------------------------------------------------------------- PR curve


@pytest.mark.parametrize("ties", [False, True])
def test_precision_recall_curve_matches_sklearn(rng, ties):
    y, s = scores(rng, 300, 0.3, ties=ties)
    p, r, t = m.precision_recall_curve(y, s)
    sp, sr, st = sk.precision_recall_curve(y, s, drop_intermediate=False)
    np.testing.assert_allclose(p, sp, rtol=1e-12)
    np.testing.assert_allclose(r, sr, rtol=1e-12)
    np.testing.assert_allclose(t, st)
    assert m.average_precision_score(y, s) == pytest.approx(sk.average_precision_score(y, s), abs=1e-12)


def test_precision_recall_docstring_example():
    p, r, t = m.precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.testing.assert_allclose(p, [0.5, 2 / 3, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(r, [1.0, 1.0, 0.5, 0.5, 0.0])
    np.testing.assert_allclose(t, [0.1, 0.35, 0.4, 0.8])


# --------------------------------------------------------------------------- calibration slope / intercept


def test_calibration_slope_matches_sklearn_logistic_regression(rng):
    lm = pytest.importorskip("sklearn.linear_model")
    y, p = probabilities(rng)
    fit = m.calibration_fit(y, p)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    ref = lm.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(logit, y)
    assert fit.slope == pytest.approx(float(ref.coef_[0, 0]), rel=1e-6)


def test_calibration_intercept_maximises_the_likelihood_with_the_slope_fixed_at_one(rng):
    optimize = pytest.importorskip("scipy.optimize")
    y, p = probabilities(rng)
    logit = np.log(p / (1 - p))

    def nll(a):  # −Σ log-likelihood of y under σ(a + logit p), written out
        z = a + logit
        return float(np.sum(np.logaddexp(0, z) - y * z))

    ref = optimize.minimize_scalar(nll, bounds=(-10, 10), method="bounded", options={"xatol": 1e-12})
    assert m.calibration_fit(y, p).intercept == pytest.approx(ref.x, abs=1e-6)


def test_a_calibrated_model_has_slope_one_and_intercept_zero(rng):
    p = rng.uniform(0.02, 0.98, 200_000)
    y = (rng.random(p.shape[0]) < p).astype(int)
    fit = m.calibration_fit(y, p)
    assert fit.slope == pytest.approx(1.0, abs=0.02) and fit.intercept == pytest.approx(0.0, abs=0.02)
    # over-confident (probabilities pushed to the extremes): slope < 1
    z = np.log(p / (1 - p))
    sharp = 1 / (1 + np.exp(-2 * z))
    assert m.calibration_fit(y, sharp).slope == pytest.approx(0.5, abs=0.02)
    # risk under-estimated by a factor in the odds: intercept = log 3
    low = 1 / (1 + np.exp(-(z - math.log(3))))
    assert m.calibration_fit(y, low).intercept == pytest.approx(math.log(3), abs=0.02)


def test_calibration_fit_is_nan_when_the_scores_separate_the_classes():
    with pytest.warns(m.UndefinedMetricWarning, match="separate"):
        fit = m.calibration_fit([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert math.isnan(fit.slope) and math.isnan(fit.intercept)
    with pytest.raises(InputError, match="probabilities"):
        m.calibration_fit([0, 1], [0.2, 1.2])


# --------------------------------------------------------------------------- net benefit


def naive_net_benefit(y, p, t):
    n = len(y)
    tp = sum(1 for yi, pi in zip(y, p) if yi == 1 and pi >= t)
    fp = sum(1 for yi, pi in zip(y, p) if yi == 0 and pi >= t)
    return tp / n - fp / n * t / (1 - t)


def test_net_benefit_matches_the_written_out_formula(rng):
    y, p = probabilities(rng, 250)
    t = np.linspace(0, 0.95, 39)
    curve = m.decision_curve(y, p, t)
    np.testing.assert_allclose(curve.model, [naive_net_benefit(y, p, ti) for ti in t], atol=1e-15)
    prev = np.mean(y)
    np.testing.assert_allclose(curve.treat_all, [naive_net_benefit(y, np.ones_like(p), ti) for ti in t], atol=1e-15)
    np.testing.assert_allclose(curve.treat_all, prev - (1 - prev) * t / (1 - t))
    assert np.all(curve.treat_none == 0)
    # at p_t = 0 acting on the model treats everyone: both gain the prevalence
    assert curve.model[0] == pytest.approx(prev) == curve.treat_all[0]


def test_net_benefit_refuses_thresholds_outside_0_1():
    with pytest.raises(InputError, match=r"\[0, 1\)"):
        m.net_benefit([0, 1], [0.2, 0.8], [0.5, 1.0])


# --------------------------------------------------------------------------- prevalence, table


def test_predictive_values_at_a_prevalence_match_sklearn_with_reweighted_classes(rng):
    y, s = scores(rng, 500, 0.6)
    t = 0.4
    called = (s >= t).astype(int)
    b = m.binary_metrics(y, s, threshold=t)
    for prevalence in (0.5, 0.1, 0.01):
        # a population with that share of positives: each positive weighs π / P, each negative (1 − π) / N
        w = np.where(y == 1, prevalence / y.sum(), (1 - prevalence) / (len(y) - y.sum()))
        ppv_ref = sk.precision_score(y, called, sample_weight=w)
        npv_ref = sk.precision_score(1 - y, 1 - called, sample_weight=w)
        ppv, npv = m.predictive_values(b["sensitivity"], b["specificity"], prevalence)
        assert float(ppv) == pytest.approx(ppv_ref, rel=1e-12)
        assert float(npv) == pytest.approx(npv_ref, rel=1e-12)
    # the textbook case: 95% / 95% at 1% prevalence
    ppv, npv = m.predictive_values(0.95, 0.95, 0.01)
    assert float(ppv) == pytest.approx(0.0095 / (0.0095 + 0.0495))


def test_threshold_table_rows_equal_binary_metrics_and_wilson(rng):
    y, s = scores(rng, 200, 0.4, ties=True)
    thresholds = np.concatenate([np.unique(s), [np.inf, -np.inf]])
    table = m.threshold_table(y, s, thresholds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", m.UndefinedMetricWarning)
        for i, t in enumerate(thresholds):
            b = m.binary_metrics(y, s, threshold=t)
            for key in ("tp", "fp", "tn", "fn"):
                assert table[key][i] == b[key]
            for rate, (k, n) in {"sensitivity": ("tp", ("tp", "fn")), "specificity": ("tn", ("tn", "fp")),
                                 "ppv": ("tp", ("tp", "fp")), "npv": ("tn", ("tn", "fn"))}.items():
                np.testing.assert_equal(table[rate][i], b[rate])
                low, high = m.wilson_interval(b[k], b[n[0]] + b[n[1]])
                np.testing.assert_equal((table[f"{rate}_low"][i], table[f"{rate}_high"][i]), (low, high))
    # sklearn's confusion matrix at one threshold
    cm = sk.confusion_matrix(y, (s >= thresholds[5]).astype(int), labels=[0, 1])
    assert [[table["tn"][5], table["fp"][5]], [table["fn"][5], table["tp"][5]]] == cm.tolist()


def test_threshold_table_at_another_prevalence(rng):
    y, s = scores(rng, 300, 0.6)
    t = np.array([-0.5, 0.3, 1.0])
    own, rare = m.threshold_table(y, s, t), m.threshold_table(y, s, t, prevalence=0.01)
    np.testing.assert_array_equal(own["sensitivity"], rare["sensitivity"])
    ppv, npv = m.predictive_values(own["sensitivity"], own["specificity"], 0.01)
    np.testing.assert_allclose(rare["ppv"], ppv)
    np.testing.assert_allclose(rare["npv"], npv)
    assert np.all(rare["ppv"] < own["ppv"]) and np.all(rare["npv"] > own["npv"])
    assert np.all(rare["ppv_low"] <= rare["ppv"]) and np.all(rare["ppv"] <= rare["ppv_high"])
