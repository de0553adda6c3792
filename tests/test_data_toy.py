import numpy as np
import pytest

from ml2dl.data.toy import PLOT_RANGE, PROBLEMS, grid, make_problem, split

sklearn_lm = pytest.importorskip("sklearn.linear_model")


@pytest.mark.parametrize("name", PROBLEMS)
def test_shapes_dtypes_balance_and_range(name):
    X, y = make_problem(name, n=201, noise=0.1, seed=3)
    assert X.shape == (201, 2) and X.dtype == np.float32
    assert y.shape == (201,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert np.bincount(y).tolist() == [101, 100]
    X0, _ = make_problem(name, n=400, noise=0.0, seed=3)
    limit = 1.0 if name != "gauss" else 1.6  # gauss clouds have tails
    assert np.abs(X0).max() <= limit + 1e-6
    assert np.abs(X).max() < PLOT_RANGE[1] + 0.5


@pytest.mark.parametrize("name", PROBLEMS)
def test_deterministic_from_seed(name):
    a = make_problem(name, n=50, noise=0.2, seed=7)
    b = make_problem(name, n=50, noise=0.2, seed=7)
    c = make_problem(name, n=50, noise=0.2, seed=8)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_linear_is_separable_by_a_hand_line_at_noise_zero():
    X, y = make_problem("linear", n=500, noise=0.0, seed=0)
    margin = (X[:, 0] + X[:, 1]) / np.sqrt(2)
    assert np.all(margin[y == 1] > 0.1 - 1e-6)
    assert np.all(margin[y == 0] < -0.1 + 1e-6)


def test_xor_labels_follow_quadrants_and_circle_radii():
    X, y = make_problem("xor", n=400, noise=0.0, seed=1)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(np.int64))
    X, y = make_problem("circle", n=400, noise=0.0, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() <= 0.5 + 1e-6 and r[y == 0].min() >= 0.7 - 1e-6


def _lr_accuracy(name, noise=0.1):
    X, y = make_problem(name, n=400, noise=noise, seed=0)
    Xtr, Xte, ytr, yte = split(X, y, test_fraction=0.5, seed=0)
    return sklearn_lm.LogisticRegression().fit(Xtr, ytr).score(Xte, yte)


def test_one_neuron_solves_linear_but_not_xor_circle_spiral():
    assert _lr_accuracy("linear", noise=0.0) > 0.95
    assert _lr_accuracy("linear") > 0.95
    assert _lr_accuracy("gauss") > 0.9
    for name in ("xor", "circle"):
        assert _lr_accuracy(name) < 0.65, name
    assert _lr_accuracy("spiral") < 0.7  # a line catches a little more of a spiral (0.63 here)


def test_split_is_stratified_deterministic_and_complete():
    X, y = make_problem("spiral", n=100, seed=0)
    Xtr, Xte, ytr, yte = split(X, y, test_fraction=0.3, seed=5)
    assert len(Xtr) == 70 and len(Xte) == 30
    assert np.bincount(yte).tolist() == [15, 15]
    both = np.concatenate([Xtr, Xte])
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, X.tolist()))
    again = split(X, y, test_fraction=0.3, seed=5)
    assert np.array_equal(again[0], Xtr)


def test_grid_layout():
    axis, points = grid(resolution=3, extent=(-1, 1))
    assert axis.tolist() == [-1.0, 0.0, 1.0]
    assert points.shape == (9, 2)
    assert points[1].tolist() == [0.0, -1.0]  # row 0, column 1: x1 varies fastest
    assert points[3].tolist() == [-1.0, 0.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="moons"), "problem must be one of"),
        (dict(name="xor", n=1), "n must be an int ≥ 2, got 1"),
        (dict(name="xor", noise=-0.1), "noise must be a number in \\[0, inf\\), got -0.1"),
    ],
)
def test_argument_errors_say_expected_and_got(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_problem(**kwargs)
    with pytest.raises(ValueError, match=r"test_fraction must be a number in \(0, 1\), got 1.0"):
        split(np.zeros((4, 2)), np.zeros(4), test_fraction=1.0)
