"""Tests for ml2dl.metrics against scikit-learn, hand-worked cases and naive loops."""

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ml2dl import metrics as m
from ml2dl.checks import InputError

sk = pytest.importorskip("sklearn.metrics")
sk_calibration = pytest.importorskip("sklearn.calibration")


# --------------------------------------------------------------------------- #
# Naive references: obvious loops, no cleverness
# --------------------------------------------------------------------------- #


def naive_auc(y, s):
    """O(n²) Mann–Whitney: compare every positive with every negative, ties = 1/2."""
    pos = [si for yi, si in zip(y, s) if yi == 1]
    neg = [si for yi, si in zip(y, s) if yi == 0]
    total = 0.0
    for p, n in itertools.product(pos, neg):
        total += 1.0 if p > n else 0.5 if p == n else 0.0
    return total / (len(pos) * len(neg))


def naive_sens_spec(y, s, t):
    tp = sum(1 for yi, si in zip(y, s) if yi == 1 and si >= t)
    tn = sum(1 for yi, si in zip(y, s) if yi == 0 and si < t)
    n_pos = sum(y)
    return tp / n_pos, tn / (len(y) - n_pos)


# Labels and scores with heavy ties: scores on a 0.1 grid (as if rounded to 1 decimal).
@st.composite
def tied_binary_data(draw, min_size=2, max_size=60):
    n = draw(st.integers(min_size, max_size))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    s = np.array(draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))) / 10.0
    assume(0 < y.sum() < n)
    return y, s


@st.composite
def continuous_binary_data(draw, min_size=2, max_size=80):
    n = draw(st.integers(min_size, max_size))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    floats = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
    s = np.array(draw(st.lists(floats, min_size=n, max_size=n)))
    assume(0 < y.sum() < n)
    return y, s


binary_data = st.one_of(tied_binary_data(), continuous_binary_data())


# --------------------------------------------------------------------------- #
# Hand-worked small case
# --------------------------------------------------------------------------- #

# Four X-rays: two normal (scores 0.1, 0.4), two pneumonia (0.35, 0.8).
Y4 = np.array([0, 0, 1, 1])
S4 = np.array([0.1, 0.4, 0.35, 0.8])


def test_hand_worked_auc():
    # Positive/negative pairs: 0.35>0.1 yes, 0.35>0.4 no, 0.8>0.1 yes, 0.8>0.4 yes → 3/4.
    assert m.roc_auc_score(Y4, S4) == 0.75


def test_hand_worked_threshold_0_4():
    # score >= 0.4 → called pneumonia: 0.4 (normal: FP) and 0.8 (pneumonia: TP);
    # 0.35 is a missed pneumonia (FN), 0.1 a cleared normal (TN).
    r = m.binary_metrics(Y4, S4, threshold=0.4)
    assert (r["tp"], r["fp"], r["tn"], r["fn"]) == (1, 1, 1, 1)
    assert r["sensitivity"] == 0.5 and r["specificity"] == 0.5
    assert r["ppv"] == 0.5 and r["npv"] == 0.5 and r["accuracy"] == 0.5 and r["f1"] == 0.5
    assert r["threshold"] == 0.4


def test_hand_worked_threshold_0_35():
    # score >= 0.35: 0.35 TP, 0.8 TP, 0.4 FP, 0.1 TN.
    r = m.binary_metrics(Y4, S4, threshold=0.35)
    assert (r["tp"], r["fp"], r["tn"], r["fn"]) == (2, 1, 1, 0)
    assert r["sensitivity"] == 1.0  # 2 / (2 + 0)
    assert r["specificity"] == 0.5  # 1 / (1 + 1)
    assert r["ppv"] == pytest.approx(2 / 3)
    assert r["npv"] == 1.0
    assert r["accuracy"] == 0.75
    assert r["f1"] == pytest.approx(0.8)  # 2·2 / (2·2 + 1 + 0)


def test_hand_worked_roc_curve():
    fpr, tpr, thr = m.roc_curve(Y4, S4)
    np.testing.assert_array_equal(thr, [np.inf, 0.8, 0.4, 0.35, 0.1])
    np.testing.assert_array_equal(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_array_equal(fpr, [0, 0, 0.5, 0.5, 1])


def test_hand_worked_operating_thresholds():
    # Sensitivity 100% needs every pneumonia: the largest such threshold is 0.35.
    assert m.threshold_for_sensitivity(Y4, S4, target=1.0) == 0.35
    # Sensitivity ≥ 50% is met already at 0.8.
    assert m.threshold_for_sensitivity(Y4, S4, target=0.5) == 0.8
    # Specificity 100%: both normals below the threshold; smallest ROC threshold is 0.8.
    assert m.threshold_for_specificity(Y4, S4, target=1.0) == 0.8
    # Specificity ≥ 50%: 0.35 clears 0.1 only → 50%, and 0.1 clears none.
    assert m.threshold_for_specificity(Y4, S4, target=0.5) == 0.35
    # Youden J: t=0.8 → 0.5, t=0.4 → 0, t=0.35 → 0.5, t=0.1 → 0; tie → largest, 0.8.
    assert m.youden_threshold(Y4, S4) == 0.8


def test_confusion_matrix_layout():
    cm = m.confusion_matrix([0, 0, 1, 1, 1], [0, 1, 0, 1, 1])
    np.testing.assert_array_equal(cm, [[1, 1], [1, 2]])  # [[tn, fp], [fn, tp]]
    assert m.accuracy_score([0, 0, 1, 1, 1], [0, 1, 0, 1, 1]) == 0.6


# --------------------------------------------------------------------------- #
# Against scikit-learn and the naive reference, with ties
# --------------------------------------------------------------------------- #


@settings(max_examples=150, deadline=None)
@given(binary_data)
def test_auc_matches_sklearn_and_naive(data):
    y, s = data
    auc = m.roc_auc_score(y, s)
    assert abs(auc - sk.roc_auc_score(y, s)) <= 1e-12
    assert abs(auc - naive_auc(y, s)) <= 1e-12


@settings(max_examples=100, deadline=None)
@given(binary_data)
def test_roc_curve_matches_sklearn(data):
    y, s = data
    fpr, tpr, thr = m.roc_curve(y, s)
    sk_fpr, sk_tpr, sk_thr = sk.roc_curve(y, s, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr, rtol=0, atol=1e-15)
    np.testing.assert_allclose(tpr, sk_tpr, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(thr[1:], sk_thr[1:])
    assert thr[0] == np.inf
    # The trapezoidal area under our curve is the rank AUC.
    assert abs(np.trapezoid(tpr, fpr) - sk.roc_auc_score(y, s)) <= 1e-12


@settings(max_examples=100, deadline=None)
@given(binary_data, st.integers(0, 12))
def test_threshold_metrics_match_sklearn(data, k):
    y, s = data
    t = float(np.sort(s)[min(k, len(s) - 1)])
    pred = (s >= t).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", m.UndefinedMetricWarning)  # NPV at the lowest score
        r = m.binary_metrics(y, s, threshold=t)
    tn, fp, fn, tp = sk.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert (r["tn"], r["fp"], r["fn"], r["tp"]) == (tn, fp, fn, tp)
    np.testing.assert_array_equal(m.confusion_matrix(y, pred), sk.confusion_matrix(y, pred,
                                                                                   labels=[0, 1]))
    assert r["accuracy"] == pytest.approx(sk.accuracy_score(y, pred), abs=1e-15)
    assert m.accuracy_score(y, pred) == pytest.approx(sk.accuracy_score(y, pred), abs=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expect = {
            "sensitivity": sk.recall_score(y, pred, zero_division=np.nan),
            "specificity": sk.recall_score(1 - y, 1 - pred, zero_division=np.nan),
            "ppv": sk.precision_score(y, pred, zero_division=np.nan),
            "npv": sk.precision_score(1 - y, 1 - pred, zero_division=np.nan),
            "f1": sk.f1_score(y, pred, zero_division=np.nan),
        }
    for key, value in expect.items():
        if math.isnan(value):
            assert math.isnan(r[key]), key
        else:
            assert r[key] == pytest.approx(value, abs=1e-12), key


def test_auc_on_larger_data_with_heavy_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    s = np.round(rng.normal(size=5000) + y, 1)  # ~70 distinct values for 5000 cases
    assert abs(m.roc_auc_score(y, s) - sk.roc_auc_score(y, s)) <= 1e-12
    fpr, tpr, _ = m.roc_curve(y, s)
    assert abs(np.trapezoid(tpr, fpr) - sk.roc_auc_score(y, s)) <= 1e-12


def test_auc_is_invariant_to_monotone_transform_and_flips():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    s = rng.normal(size=300) + 0.8 * y
    auc = m.roc_auc_score(y, s)
    assert m.roc_auc_score(y, 1 / (1 + np.exp(-s))) == pytest.approx(auc, abs=1e-12)
    assert m.roc_auc_score(y, -s) == pytest.approx(1 - auc, abs=1e-12)
    assert m.roc_auc_score(y, np.zeros(300)) == 0.5  # all tied: coin flip


# --------------------------------------------------------------------------- #
# Input checks
# --------------------------------------------------------------------------- #


def test_column_vectors_accepted():
    assert m.roc_auc_score(Y4[:, None], S4[:, None]) == 0.75
    assert m.binary_metrics(Y4[:, None], S4, threshold=0.4)["tp"] == 1
    assert m.roc_auc_score(Y4.astype(bool), S4) == 0.75
    assert m.roc_auc_score(Y4.astype(float), S4) == 0.75


@pytest.mark.parametrize(
    "y, s, message",
    [
        ([0, 1, 1], [0.1, 0.2], "same length, got 3 and 2"),
        ([0, 2, 1], [0.1, 0.2, 0.3], r"only the labels 0 \(normal\) and 1 \(pneumonia\).*\[2\]"),
        ([0, -1, 1], [0.1, 0.2, 0.3], r"got other values: \[-1\]"),
        ([0, 1, 1], [0.1, float("nan"), 0.3], r"1 NaN .*first at index 1"),
        ([0, 1, 1], [0.1, float("inf"), 0.3], "1 infinite"),
        ([[0, 1], [1, 0]], [0.1, 0.2], r"shape \(N,\) or \(N, 1\), got shape \(2, 2\)"),
        ([], [], "must not be empty"),
        (["a", "b"], [0.1, 0.2], "numeric labels"),
    ],
)
def test_bad_input_raises_with_expected_and_received(y, s, message):
    with pytest.raises(InputError, match=message):
        m.roc_auc_score(y, s)


def test_bad_options_raise():
    with pytest.raises(InputError, match="n_boot must be a positive int, got 0"):
        m.bootstrap_auc_ci(Y4, S4, n_boot=0)
    with pytest.raises(InputError, match="alpha must be a number in"):
        m.bootstrap_auc_ci(Y4, S4, alpha=1.5)
    with pytest.raises(InputError, match=r"target must be a number in \(0, 1\], got 1.2"):
        m.threshold_for_sensitivity(Y4, S4, target=1.2)
    with pytest.raises(InputError, match="threshold must be a number, got nan"):
        m.binary_metrics(Y4, S4, threshold=float("nan"))
    with pytest.raises(InputError, match="y_pred must contain only the labels"):
        m.confusion_matrix([0, 1], [0, 0.5])
    with pytest.raises(InputError, match=r"y_prob must be probabilities in \[0, 1\]"):
        m.reliability([0, 1], [0.2, 1.3])
    with pytest.raises(TypeError, match="keyword|positional"):
        m.binary_metrics(Y4, S4, 0.5)  # options are keyword-only


# --------------------------------------------------------------------------- #
# Degenerate input: warn and return NaN
# --------------------------------------------------------------------------- #


def test_one_class_warns_and_returns_nan():
    y = np.ones(5, dtype=int)
    s = np.linspace(0, 1, 5)
    with pytest.warns(m.UndefinedMetricWarning, match="one class only"):
        assert math.isnan(m.roc_auc_score(y, s))
    with pytest.warns(m.UndefinedMetricWarning, match="false positive rate"):
        fpr, tpr, _ = m.roc_curve(y, s)
    assert np.isnan(fpr).all() and not np.isnan(tpr).any()
    with pytest.warns(m.UndefinedMetricWarning):
        assert all(math.isnan(v) for v in m.bootstrap_auc_ci(y, s, rng=0))
    with pytest.warns(m.UndefinedMetricWarning):
        assert math.isnan(m.threshold_for_sensitivity(y, s))
    with pytest.warns(m.UndefinedMetricWarning):
        assert math.isnan(m.youden_threshold(y, s))
    with pytest.warns(m.UndefinedMetricWarning, match="specificity"):
        r = m.binary_metrics(y, s, threshold=0.5)
    assert math.isnan(r["specificity"]) and r["sensitivity"] == pytest.approx(3 / 5)
    with pytest.warns(m.UndefinedMetricWarning):
        points = m.operating_points(y, s)
    assert math.isnan(points["screening"]["threshold"])
    with pytest.warns(m.UndefinedMetricWarning, match="no threshold"):
        applied = m.apply_operating_points(points, Y4, S4)
    assert math.isnan(applied["balanced"]["sensitivity"])


def test_undefined_ppv_warns():
    # Threshold above every score: nothing called positive → PPV undefined.
    with pytest.warns(m.UndefinedMetricWarning, match="ppv"):
        r = m.binary_metrics(Y4, S4, threshold=np.inf)
    assert math.isnan(r["ppv"]) and r["sensitivity"] == 0.0 and r["specificity"] == 1.0


def test_no_warning_when_everything_is_defined():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.roc_auc_score(Y4, S4)
        m.binary_metrics(Y4, S4, threshold=0.4)
        m.operating_points(Y4, S4, sensitivity=0.5, specificity=0.5)


# --------------------------------------------------------------------------- #
# Bootstrap confidence interval
# --------------------------------------------------------------------------- #


def _pneumonia_like(n, seed, shift=1.5):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.625).astype(int)  # PneumoniaMNIST test prior
    s = 1 / (1 + np.exp(-(rng.normal(size=n) + shift * (y - 0.5))))
    return y, np.round(s, 2)


def test_bootstrap_contains_point_auc_and_is_reproducible():
    y, s = _pneumonia_like(624, 0)
    auc = m.roc_auc_score(y, s)
    low, high = m.bootstrap_auc_ci(y, s, n_boot=1000, rng=42)
    assert low < auc < high
    assert 0.02 < high - low < 0.15  # plausible width for 624 cases
    assert m.bootstrap_auc_ci(y, s, n_boot=1000, rng=42) == (low, high)
    assert m.bootstrap_auc_ci(y, s, n_boot=1000, rng=np.random.default_rng(42)) == (low, high)
    assert m.bootstrap_auc_ci(y, s, n_boot=1000, rng=7) != (low, high)


def test_bootstrap_resample_aucs_equal_slow_loop():
    # The vectorised resample AUCs are exactly roc_auc_score of the resampled arrays.
    y, s = _pneumonia_like(80, 3)
    fast = m.intervals._bootstrap_aucs(y, s, 50, np.random.default_rng(5))
    idx = np.random.default_rng(5).integers(0, len(y), size=(50, len(y)))
    slow = [m.roc_auc_score(y[i], s[i]) for i in idx]
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)


def test_bootstrap_interval_narrows_with_alpha_and_perfect_separation():
    y, s = _pneumonia_like(300, 1)
    lo95, hi95 = m.bootstrap_auc_ci(y, s, rng=0, alpha=0.05)
    lo50, hi50 = m.bootstrap_auc_ci(y, s, rng=0, alpha=0.5)
    assert lo95 <= lo50 <= hi50 <= hi95
    y6, s6 = np.repeat([0, 1], 10), np.arange(20)  # perfectly separated: every resample AUC 1
    assert m.bootstrap_auc_ci(y6, s6, n_boot=200, rng=0) == (1.0, 1.0)


def test_bootstrap_skips_one_class_resamples_with_warning():
    with pytest.warns(m.UndefinedMetricWarning, match="resamples held one class only"):
        low, high = m.bootstrap_auc_ci([0, 1, 1], [0.1, 0.2, 0.3], n_boot=200, rng=0)
    assert low == high == 1.0


# --------------------------------------------------------------------------- #
# Operating points
# --------------------------------------------------------------------------- #


@settings(max_examples=100, deadline=None)
@given(binary_data, st.sampled_from([0.5, 0.8, 0.9, 0.95, 1.0]))
def test_sensitivity_threshold_is_the_largest_meeting_target(data, target):
    y, s = data
    t = m.threshold_for_sensitivity(y, s, target=target)
    assert naive_sens_spec(y, s, t)[0] >= target
    # Every larger candidate threshold (a larger distinct score) misses the target.
    for larger in np.unique(s[s > t]):
        assert naive_sens_spec(y, s, larger)[0] < target
    assert t in set(s[y == 1])


@settings(max_examples=100, deadline=None)
@given(binary_data, st.sampled_from([0.5, 0.8, 0.9, 0.95, 1.0]))
def test_specificity_threshold_is_the_smallest_meeting_target(data, target):
    y, s = data
    t = m.threshold_for_specificity(y, s, target=target)
    assert naive_sens_spec(y, s, t)[1] >= target
    for smaller in np.unique(s[s < t]):
        assert naive_sens_spec(y, s, smaller)[1] < target


@settings(max_examples=100, deadline=None)
@given(binary_data)
def test_youden_matches_brute_force(data):
    y, s = data
    t = m.youden_threshold(y, s)
    best = max(sum(naive_sens_spec(y, s, c)) for c in np.unique(s))
    assert sum(naive_sens_spec(y, s, t)) == pytest.approx(best, abs=1e-12)


def test_operating_points_chosen_on_validation_applied_unchanged_to_test():
    y_val, s_val = _pneumonia_like(524, 10)
    y_test, s_test = _pneumonia_like(624, 11)
    points = m.operating_points(y_val, s_val, sensitivity=0.95, specificity=0.9)
    assert set(points) == {"screening", "high_specificity", "balanced"}
    assert points["screening"]["sensitivity"] >= 0.95
    assert points["high_specificity"]["specificity"] >= 0.9
    assert points["screening"]["threshold"] < points["balanced"]["threshold"] \
        < points["high_specificity"]["threshold"]
    for name, point in points.items():  # validation metrics are binary_metrics at the threshold
        expect = m.binary_metrics(y_val, s_val, threshold=point["threshold"])
        assert {k: point[k] for k in expect} == expect

    applied = m.apply_operating_points(points, y_test, s_test)
    for name, point in points.items():
        assert applied[name]["threshold"] == point["threshold"]  # unchanged
        assert applied[name]["rule"] == point["rule"]
        expect = m.binary_metrics(y_test, s_test, threshold=point["threshold"])
        assert {k: applied[name][k] for k in expect} == expect
        assert applied[name]["tp"] + applied[name]["fn"] == y_test.sum()


def test_apply_operating_points_checks_its_input():
    with pytest.raises(InputError, match="dict returned by operating_points"):
        m.apply_operating_points([0.5], Y4, S4)
    with pytest.raises(InputError, match="'x' must be a dict with a 'threshold'"):
        m.apply_operating_points({"x": {"t": 0.5}}, Y4, S4)


# --------------------------------------------------------------------------- #
# MedMNIST convention and calibration
# --------------------------------------------------------------------------- #


def test_medmnist_acc_uses_strictly_greater_than_half():
    y = np.array([0, 0, 1, 0])
    s = np.array([0.5, 0.5, 0.9, 0.2])  # MedMNIST calls 0.5 normal: all four right
    r = m.medmnist_metrics(y, s)
    assert r["acc"] == 1.0
    assert r["auc"] == sk.roc_auc_score(y, s)
    two_col = np.stack([1 - s, s], axis=1)  # MedMNIST accepts (N, 2): last column is class 1
    assert m.medmnist_metrics(y[:, None], two_col) == r
    # binary_metrics uses score >= threshold, so it differs exactly at ties with 0.5.
    assert m.binary_metrics(y, s, threshold=0.5)["accuracy"] == 0.5


@settings(max_examples=60, deadline=None)
@given(binary_data, st.integers(1, 15))
def test_reliability_matches_sklearn_calibration_curve(data, n_bins):
    y, s = data
    p = (s - s.min()) / (s.max() - s.min()) if s.max() > s.min() else np.full(len(s), 0.5)
    centres, observed, counts, ece = m.reliability(y, p, n_bins=n_bins)
    prob_true, prob_pred = sk_calibration.calibration_curve(y, p, n_bins=n_bins,
                                                            strategy="uniform")
    np.testing.assert_allclose(observed[counts > 0], prob_true, atol=1e-12)
    np.testing.assert_allclose(centres, (np.arange(n_bins) + 0.5) / n_bins)
    assert counts.sum() == len(y) and np.isnan(observed[counts == 0]).all()
    expect_ece = np.sum(counts[counts > 0] / len(y) * np.abs(prob_true - prob_pred))
    assert ece == pytest.approx(expect_ece, abs=1e-12)


def test_reliability_hand_worked():
    # Two bins. [0, 0.5]: probs 0.2, 0.4 with labels 0, 1 → observed 0.5, confidence 0.3.
    # (0.5, 1]: probs 0.6, 1.0 with labels 1, 1 → observed 1.0, confidence 0.8.
    # ECE = 2/4·|0.5 − 0.3| + 2/4·|1.0 − 0.8| = 0.2.
    r = m.reliability([0, 1, 1, 1], [0.2, 0.4, 0.6, 1.0], n_bins=2)
    np.testing.assert_allclose(r.centres, [0.25, 0.75])
    np.testing.assert_allclose(r.observed, [0.5, 1.0])
    np.testing.assert_array_equal(r.counts, [2, 2])
    assert r.ece == pytest.approx(0.2)
    # A probability on a bin edge goes to the lower bin (as sklearn): 0.5 → first bin.
    np.testing.assert_array_equal(m.reliability([0, 1], [0.5, 0.51], n_bins=2).counts, [1, 1])
