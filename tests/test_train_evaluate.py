"""ml2dl.train.evaluate: one Evaluation of a trained model, checked against scikit-learn."""

import json
import math

import numpy as np
import pytest

from ml2dl import metrics as M
from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.data import phantom_splits
from ml2dl.explain import grad_cam
from ml2dl.train import Evaluation, build_model, evaluate, evaluate_scores, fit, predict_proba

sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny CNN fitted for 3 epochs on phantom films, its run directory and its data."""
    root = tmp_path_factory.mktemp("evaluate")
    splits = phantom_splits(160, 80, 96, size=28, seed=5)
    model = build_model("lesson", in_channels=1, image_size=28, width=4, hidden=16, seed=0)
    result = fit(model, splits.train, splits.val, epochs=3, batch_size=32, lr=3e-3, precise_bn=None,
                 augment=None, threads=1, run_dir=root / "run")
    return {"model": result.model, "splits": splits, "run": root / "run", "result": result}


@pytest.fixture(scope="module")
def evaluation(trained):
    return evaluate(trained["model"], trained["splits"], split="test", run=trained["run"])


def _labels(ds):
    return ds.labels.reshape(-1).astype(int)


def test_auc_and_medmnist_acc_match_scikit_learn(trained, evaluation):
    test = trained["splits"].test
    y, p = _labels(test), predict_proba(trained["model"], test.images)
    assert isinstance(evaluation, Evaluation) and evaluation.split == "test"
    np.testing.assert_array_equal(evaluation.y_true, y)
    np.testing.assert_allclose(evaluation.y_score, p, rtol=0, atol=0)
    assert evaluation.auc == pytest.approx(sk.roc_auc_score(y, p), abs=1e-12)
    assert evaluation.acc == pytest.approx(sk.accuracy_score(y, (p > 0.5).astype(int)), abs=1e-12)
    low, high = evaluation.auc_ci95
    assert (low, high) == M.bootstrap_auc_ci(y, p, n_boot=1000, rng=0)
    assert low <= evaluation.auc <= high
    fpr, tpr, _ = evaluation.scores.roc
    sk_fpr, sk_tpr, _ = sk.roc_curve(y, p, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr, atol=1e-12)
    np.testing.assert_allclose(tpr, sk_tpr, atol=1e-12)


def test_operating_points_chosen_on_validation_are_applied_unchanged(trained, evaluation):
    saved = json.loads((trained["run"] / "operating_points.json").read_text())["points"]
    assert evaluation.points_chosen_on == "val (after training)"
    y, p = evaluation.y_true, evaluation.y_score
    for name, chosen in saved.items():
        applied = evaluation.points[name]
        assert applied["threshold"] == chosen["threshold"]  # the validation threshold, unchanged
        called = (p >= applied["threshold"]).astype(int)
        (tn, fp), (fn, tp) = sk.confusion_matrix(y, called, labels=[0, 1])
        assert (applied["tp"], applied["fp"], applied["tn"], applied["fn"]) == (tp, fp, tn, fn)
        assert applied["sensitivity"] == pytest.approx(sk.recall_score(y, called))
        assert applied["specificity"] == pytest.approx(tn / (tn + fp))
        if tp + fp:
            assert applied["ppv"] == pytest.approx(sk.precision_score(y, called))
    # The validation split's own figures are those the thresholds were chosen with.
    val = evaluation.splits["validation"]
    assert list(evaluation.splits) == ["validation", "test"]
    for name, chosen in saved.items():
        for key in ("tp", "fp", "tn", "fn"):
            assert val.operating_points[name][key] == chosen[key]


def test_calibration_matches_scikit_learn(evaluation):
    calibration = pytest.importorskip("sklearn.calibration")
    rel = evaluation.calibration
    observed, _ = calibration.calibration_curve(evaluation.y_true, evaluation.y_score, n_bins=10)
    np.testing.assert_allclose(rel.observed[rel.counts > 0], observed, atol=1e-12)
    assert rel.counts.sum() == len(evaluation.y_true)


def test_best_epoch_and_history_come_from_the_run(trained, evaluation):
    _, meta = nn.load(trained["run"] / "best.npz", with_metadata=True)
    assert evaluation.best_epoch == meta["epoch"] == trained["result"].best_epoch
    history = json.loads((trained["run"] / "history.json").read_text())
    assert evaluation.history == history and len(history) == 3


def test_misclassified_are_the_most_confident_mistakes_with_grad_cam(trained, evaluation):
    t = evaluation.point["threshold"]
    y, p = evaluation.y_true, evaluation.y_score
    wrong = np.flatnonzero((p >= t) != (y == 1))
    assert len(evaluation.misclassified) == min(24, len(wrong)) > 0
    assert evaluation.misclassified_total == len(wrong)
    margins = [abs(m.score - t) for m in evaluation.misclassified]
    assert margins == sorted(margins, reverse=True)
    assert min(margins) >= np.sort(np.abs(p[wrong] - t))[::-1][len(margins) - 1]
    images = trained["splits"].test.images
    for m in evaluation.misclassified[:3]:
        assert m.label == y[m.index] and m.score == p[m.index]
        np.testing.assert_allclose(m.image, images[m.index, 0])
        called = int(p[m.index] >= t)  # the heat map explains the wrong call
        np.testing.assert_allclose(m.heatmap, grad_cam(trained["model"], images[m.index][None],
                                                       target=called)[0], atol=1e-6)


def test_json_round_trip_is_strict_and_holds_the_same_numbers(evaluation):
    def reject(const):
        raise AssertionError(f"non-standard JSON constant {const}")

    record = json.loads(evaluation.to_json(), parse_constant=reject)

    def no_nan(value):
        if isinstance(value, float):
            assert math.isfinite(value)
        elif isinstance(value, dict):
            for v in value.values():
                no_nan(v)
        elif isinstance(value, list):
            for v in value:
                no_nan(v)

    no_nan(record)
    test = record["splits"]["test"]
    assert test["auc"] == evaluation.auc and test["auc_ci95"] == list(evaluation.auc_ci95)
    assert test["acc_medmnist"] == evaluation.acc and test["n"] == len(evaluation.y_true)
    assert record["best_epoch"] == evaluation.best_epoch and record["split"] == "test"
    for name, point in evaluation.points.items():
        assert record["operating_points"][name]["test"]["tp"] == point["tp"]
    assert [m["index"] for m in record["misclassified"]] == [m.index for m in evaluation.misclassified]


def test_without_run_points_are_chosen_on_validation(trained):
    splits = trained["splits"]
    ev = evaluate(trained["model"], {"val": splits.val, "test": splits.test}, split="test")
    yv, pv = _labels(splits.val), predict_proba(trained["model"], splits.val.images)
    expected = M.operating_points(yv, pv)
    assert ev.points_chosen_on == "val" and ev.best_epoch is None and ev.history == []
    assert {n: p["threshold"] for n, p in ev.operating_points.items()} == \
        {n: p["threshold"] for n, p in expected.items()}


def test_given_points_and_a_validation_evaluation(trained):
    splits = trained["splits"]
    points = {"strict": {"rule": "by hand", "threshold": 0.9}}
    ev = evaluate(trained["model"], splits, split="val", operating_points=points, operating_point="strict")
    assert ev.split == "validation" and list(ev.splits) == ["validation"]
    assert ev.points_chosen_on == "given" and ev.point["threshold"] == 0.9
    y, p = _labels(splits.val), predict_proba(trained["model"], splits.val.images)
    assert ev.point["tp"] == int(np.sum((p >= 0.9) & (y == 1)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"title": ""}, "title must be a non-empty string"),
        ({"scores": {"test": ([0, 1],)}}, r"scores\['test'\] must be a \(y_true, y_score\) pair"),
        ({"scores": {"test": ([0, 1, 2], [0.1, 0.2, 0.3])}}, "only the labels 0"),
        ({"split": "val"}, "scores must hold the validation split"),
        ({"split": "holdout"}, "split must be one of"),
        ({"misclassified": [{"image": np.full((4, 4), 2.0), "heatmap": None, "label": 1, "score": 0.3}]},
         r"misclassified\[0\]\['image'\] must be a 2-D array of values in \[0, 1\]"),
        ({"misclassified": [{"image": np.zeros((4, 4)), "heatmap": None, "label": 3, "score": 0.3}]},
         r"misclassified\[0\]\['label'\] must be 0 or 1, got 3"),
        ({"history": [1.0]}, r"history\[0\] must be a dict"),
        ({"operating_points": {"a": {"threshold": 0.5}}, "operating_point": "screening"},
         "operating_point must be one of 'a'"),
    ],
)
def test_evaluate_scores_checks_its_input(kwargs, message):
    args = {"scores": {"test": ([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3])}, "split": "test", "title": "t", **kwargs}
    with pytest.raises(InputError, match=message):
        evaluate_scores(args.pop("scores"), **args)


def test_evaluate_checks_split_and_data(trained):
    with pytest.raises(InputError, match="data has no test split"):
        evaluate(trained["model"], {"train": trained["splits"].train}, split="test")
    with pytest.raises(InputError, match="data must be Splits"):
        evaluate(trained["model"], trained["splits"].test, split="test")
