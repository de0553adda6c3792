"""Step ``overfitting``: the default shows overfitting on the phantoms; the figures and verdicts follow from the curves."""

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.lessons import overfitting as lesson
from ml2dl.lessons.images import load_chest_data, standardise
from ml2dl.train import fit, predict_logits


def _data(n_train):
    d = load_chest_data(None, n_train=n_train, n_val=lesson.N_VAL, seed=0)
    _, xt, xv = standardise(d.train_images, d.val_images)
    return xt, d.train_labels.astype(np.float32), xv, d.val_labels.astype(np.float32)


def _bce(logits, y):
    """−mean[y ln σ(z) + (1 − y) ln(1 − σ(z))], written out."""
    z = np.asarray(logits, dtype=np.float64)
    return float(np.mean(np.logaddexp(0, z) - y * z))


def test_the_default_overfits_on_the_phantoms():
    """100 images, 60 epochs, no cure: training loss near 0, validation loss turns up after its best epoch."""
    settings = lesson.Settings()
    none = lesson.train_arm(settings.arms()[0], settings, *_data(settings.n_train))
    assert none["key"] == "none" and none["parameters"] == 784 * 128 + 128 + 129
    assert none["overfits"] and none["train_fell"]
    assert none["best_epoch"] < 40
    assert none["rise"] > 0.1 and none["final_train_loss"] < 0.05 and none["gap"] > 0.3
    assert none["gap"] > 1.5 * none["gap_at_best"]  # the gap grows after the best epoch
    assert len(none["val_loss"]) == 60 and min(none["val_loss"]) == pytest.approx(none["best_val_loss"], abs=1e-4)


def test_curves_are_what_the_trained_network_gives():
    """The last epoch's figures, recomputed with an independent BCE on a second identical training."""
    settings = lesson.Settings(n_train=50, epochs=4, dropout=0.5, l2=0.01, augment=True)
    xt, yt, xv, yv = _data(50)
    arm = [a for a in settings.arms() if a["key"] == "all"][0]
    got = lesson.train_arm(arm, settings, xt, yt, xv, yv)
    assert (got["dropout"], got["l2"], got["augment"]) == (0.5, 0.01, True)
    model = lesson.fc_net(0.5, 0)
    assert any(isinstance(m, nn.Dropout) for m in model.layers)
    recipe = lesson.LESSON_RECIPE.replace(epochs=4, batch_size=lesson.BATCH_SIZE, lr=lesson.LR, seed=0,
                                          weight_decay=0.01, augment=dict(lesson.AUGMENT))
    fit(model, (xt, yt), (xv, yv), recipe=recipe, restore_best=False, threads=1)
    zt, zv = predict_logits(model, xt), predict_logits(model, xv)
    assert got["train_loss"][-1] == pytest.approx(_bce(zt, yt), abs=2e-5)
    assert got["val_loss"][-1] == pytest.approx(_bce(zv, yv), abs=2e-5)
    assert got["val_accuracy"][-1] == pytest.approx(np.mean((zv > 0) == (yv == 1)))
    assert got["train_accuracy"][-1] == pytest.approx(np.mean((zt > 0) == (yt == 1)))


def test_analyse_reads_the_curves():
    curves = {"train_loss": [0.6, 0.4, 0.2, 0.1], "val_loss": [0.65, 0.5, 0.55, 0.7],
              "train_accuracy": [0.6, 0.8, 0.9, 1.0], "val_accuracy": [0.6, 0.75, 0.74, 0.72]}
    a = lesson.analyse(curves)
    assert a["best_epoch"] == 2 and a["best_val_loss"] == 0.5 and a["best_val_accuracy"] == 0.75
    assert a["rise"] == pytest.approx(0.2) and a["gap"] == pytest.approx(0.6) and a["gap_at_best"] == pytest.approx(0.1)
    assert a["overfits"] and a["train_fell"]
    still_learning = {**curves, "val_loss": [0.65, 0.5, 0.45, 0.44]}
    b = lesson.analyse(still_learning)
    assert b["best_epoch"] == 4 and b["rise"] == 0 and not b["overfits"]
    # a rise within the tolerance is noise, not overfitting
    assert not lesson.analyse({**curves, "val_loss": [0.65, 0.5, 0.51, 0.515]})["overfits"]


def test_verdicts_follow_the_differences():
    base = {"final_val_loss": 0.65, "best_val_loss": 0.47, "gap": 0.64, "final_val_accuracy": 0.785}
    cure = {"final_val_loss": 0.55, "best_val_loss": 0.48, "gap": 0.70, "final_val_accuracy": 0.77}
    v = lesson.compare_to(cure, base)
    assert v["final_val_loss_verdict"] == "lower" and v["helped"]
    assert v["best_val_loss_verdict"] == "same" and v["gap_verdict"] == "higher"
    assert v["final_val_loss_change"] == pytest.approx(-0.1) and v["final_accuracy_change_points"] == pytest.approx(-1.5)
    worse = lesson.compare_to({**cure, "final_val_loss": 0.70}, base)
    assert worse["final_val_loss_verdict"] == "higher" and not worse["helped"]


def test_the_arms_follow_the_switches():
    keys = lambda s: [a["key"] for a in s.arms()]  # noqa: E731
    assert keys(lesson.Settings()) == ["none", "dropout", "l2", "augment", "all"]
    assert keys(lesson.Settings(dropout=0, l2=0, augment=False)) == ["none"]
    assert keys(lesson.Settings(dropout=0.2, l2=0, augment=False)) == ["none", "dropout"]
    assert keys(lesson.Settings(dropout=0, l2=0.1, augment=True)) == ["none", "l2", "augment", "all"]
    assert lesson.Settings(dropout=0, l2=0.1, augment=True).arms()[-1]["cures"] == ["l2", "augment"]


def test_run_experiment_reports_progress_and_compares_each_cure(rng):
    settings = lesson.Settings(n_train=50, epochs=3, dropout=0.2, l2=0.0, augment=False)
    data = load_chest_data(None, n_train=50, n_val=lesson.N_VAL, seed=0)
    seen = []
    r = lesson.run_experiment(data, settings, progress=lambda f, msg, extra: seen.append((f, msg, len(extra["arms"]))))
    assert [a["key"] for a in r["arms"]] == ["none", "dropout"]
    assert r["arms"][1]["versus_none"] == lesson.compare_to(r["arms"][1], r["arms"][0])
    assert "versus_none" not in r["arms"][0]
    assert seen[-1][0] == 1.0 and seen[-1][2] == 2
    assert all(b[0] >= a[0] for a, b in zip(seen, seen[1:]))
    assert r["n_train"] == 50 and r["n_val"] == 400 and r["synthetic"]
    assert r["train_counts"]["normal"] + r["train_counts"]["pneumonia"] == 50
    majority = int(np.mean(data.train_labels) >= 0.5)
    assert r["baseline"]["accuracy"] == pytest.approx(np.mean(data.val_labels == majority), abs=1e-4)
    assert r["best"]["at_last_epoch"] == min(r["arms"], key=lambda a: a["final_val_loss"])["key"]
    assert r["parameters_per_image"] == pytest.approx(100_609 / 50, abs=0.05)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_train": 10}, "n_train must be an int in [20, 2000], got 10"),
    ({"dropout": 0.95}, "dropout must be"),
    ({"augment": "yes"}, "augment must be true or false, got 'yes'"),
])
def test_bad_settings_say_what_was_expected(kwargs, message):
    with pytest.raises(InputError, match=__import__("re").escape(message)):
        lesson.Settings(**kwargs)
