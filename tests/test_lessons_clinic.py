"""The clinic's lesson code without training: data sources and fingerprints, snapped thresholds, and the
sentences, which must follow the numbers they describe whichever way the numbers go."""

import numpy as np
import pytest
from PIL import Image

from ml2dl.checks import InputError
from ml2dl.lessons.clinic import data as D
from ml2dl.lessons.clinic import words as W
from ml2dl.lessons.clinic.judge import SNAP, snap_points
from ml2dl.metrics import CalibrationFit, DecisionCurve


def test_sources_are_the_phantoms_and_the_servers_data(tmp_path):
    assert [s.id for s in D.sources(None)] == ["phantom"]
    with pytest.raises(InputError, match="data source must be one of"):
        D.source("file", None)
    npz = tmp_path / "mini.npz"
    rng = np.random.default_rng(0)
    np.savez(npz, train_images=rng.integers(0, 256, (700, 28, 28), dtype=np.uint8),
             train_labels=rng.integers(0, 2, (700, 1)), val_images=rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
             val_labels=rng.integers(0, 2, (50, 1)))
    file = D.source("file", npz)
    # no test split: a fifth of the training split is held out (at most FILE_TEST = 600 images)
    assert file.max_train == 700 - 140 and file.test_from.startswith("140 images held out")
    data = D.load(file, 64, 3)
    assert (len(data.train), len(data.val), len(data.test)) == (64, 50, 140)
    assert data.fingerprint == D.fingerprint(file, 64, 3)  # a run's name is known before its data is loaded
    # the held-out test images are never among the training images
    train = {img.tobytes() for img in data.train.images}
    assert not any(img.tobytes() in train for img in data.test.images)
    with pytest.raises(InputError, match="n_train must be"):
        D.load(file, 1000, 0)


def test_a_folder_given_to_the_server_is_a_source(tmp_path):
    rng = np.random.default_rng(1)
    for cls in ("normal", "pneumonia"):
        (tmp_path / "xr" / cls).mkdir(parents=True)
        for i in range(12):
            Image.fromarray(rng.integers(0, 256, (20, 20), dtype=np.uint8)).save(tmp_path / "xr" / cls / f"{i}.png")
    folder = D.source("folder", tmp_path / "xr")
    assert folder.label == "Image folder xr" and not folder.synthetic


def test_a_saved_threshold_moves_onto_the_validation_score_it_was_chosen_as():
    scores = np.array([0.1, 0.43484028373493644, 0.9])
    points = {"screening": {"rule": "r", "threshold": 0.4348402617627979}, "other": {"threshold": 0.5},
              "none": {"threshold": float("nan")}}
    out = snap_points(points, scores)
    assert out["screening"] == {"rule": "r", "threshold": 0.43484028373493644}
    assert out["other"]["threshold"] == 0.5 and np.isnan(out["none"]["threshold"])
    assert snap_points({"p": {"threshold": 0.1 + 2 * SNAP}}, scores)["p"]["threshold"] == 0.1 + 2 * SNAP


def point(target, val, test, low_v, high_v, low_t, high_t):
    def split(v, lo, hi, n=100):
        k = round(v * n)
        counts = {"tp": k, "fn": n - k, "tn": k, "fp": n - k}
        return {**counts, target: v, f"{target}_low": lo, f"{target}_high": hi}
    return {"target": target, "label": "high specificity", "rule": "specificity ≥ 98.0% on validation",
            "validation": split(val, low_v, high_v), "test": split(test, low_t, high_t)}


def test_shift_words_follow_the_numbers():
    beyond = W.shift_words(point("specificity", 0.98, 0.88, 0.93, 0.99, 0.80, 0.93))
    assert "98 of 100 normal images scored below" in beyond and "88 of 100 (88.0%" in beyond
    assert "−10.0 points" in beyond and "more than samples of these sizes usually vary by chance" in beyond
    chance = W.shift_words(point("specificity", 0.98, 0.96, 0.93, 0.99, 0.90, 0.98))
    assert "−2.0 points" in chance and "by chance alone" in chance
    up = W.shift_words(point("sensitivity", 0.97, 0.99, 0.93, 0.99, 0.95, 1.0))
    assert "+2.0 points" in up and "pneumonia images scored at or above" in up


def test_calibration_words_follow_slope_and_intercept():
    assert "over-confident" in W.calibration_words(CalibrationFit(0.3, 0.6), 0.5, None)
    assert "too timid" in W.calibration_words(CalibrationFit(0.0, 1.5), 0.5, None)
    assert "close to 1" in W.calibration_words(CalibrationFit(0.05, 1.04), 0.5, None)
    assert "under-estimates" in W.calibration_words(CalibrationFit(0.9, 1.0), 0.74, None)
    assert "over-estimates" in W.calibration_words(CalibrationFit(-0.9, 1.0), 0.2, None)
    assert "balanced class weights" in W.calibration_words(CalibrationFit(0.9, 1.0), 0.74, "balanced")
    assert "balanced class weights" not in W.calibration_words(CalibrationFit(0.9, 1.0), 0.5, "balanced")
    assert "undefined" in W.calibration_words(CalibrationFit(float("nan"), float("nan")), 0.5, None)


def test_decision_words_follow_the_curves():
    t = np.array([0.1, 0.2, 0.3, 0.4])
    zero = np.zeros(4)
    every = W.decision_words(DecisionCurve(t, np.array([0.5, 0.4, 0.3, 0.15]), np.array([0.4, 0.3, 0.1, -0.2]), zero))
    assert "for every threshold probability from 0.10 to 0.40" in every
    assert "largest gain is at 0.30" in every and "20.0 more cases per 100 patients" in every
    some = W.decision_words(DecisionCurve(t, np.array([0.5, 0.2, 0.3, -0.1]), np.array([0.4, 0.3, 0.1, -0.2]), zero))
    assert "at 2 of the 4 threshold probabilities between 0.10 and 0.30" in some
    never = W.decision_words(DecisionCurve(t, np.array([0.3, 0.2, 0.0, -0.1]), np.array([0.4, 0.3, 0.1, -0.2]), zero))
    assert never.startswith("At no threshold probability")
