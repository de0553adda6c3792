"""fit() on tiny synthetic data: history, checkpoints, resume, reproducibility, stopping rules."""

import math

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.data import phantom_splits
from ml2dl.train import (RunDir, RunError, StopTraining, balanced_pos_weight, build_model, fit, predict_logits,
                         predict_proba)
from ml2dl.train.parts import keeps, recompute_batchnorm

SIZE = 16


@pytest.fixture(scope="module")
def data():
    return phantom_splits(96, 48, 0, size=SIZE, seed=3)


def tiny(name="strong", seed=0):
    return build_model(name, in_channels=1, image_size=SIZE, width=2, seed=seed)


def weights(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_fit_writes_config_history_and_the_best_checkpoint(data, tmp_path):
    events = []
    model = tiny()
    result = fit(model, data.train, data.val, epochs=3, batch_size=32, run_dir=tmp_path / "run",
                 callbacks=[events.append], config={"data": "phantom"})
    run = RunDir(tmp_path / "run")
    history = run.history()
    assert [r["epoch"] for r in history] == [1, 2, 3] and history == result.history
    for r in history:
        assert set(r) >= {"train_loss", "train_auc", "train_accuracy", "val_loss", "val_auc", "val_accuracy", "lr",
                          "epoch_seconds"}
        assert r["batches"] == 3  # ⌈96 / 32⌉
    # the kept epoch: the latest whose AUC is within the tolerance of the best before it
    kept, top = None, -1.0
    for r in history:
        if r["val_auc"] >= top - 0.002:
            kept = r
        top = max(top, r["val_auc"])
    assert result.best_epoch == kept["epoch"] and result.best_val_auc == kept["val_auc"]
    assert [r["epoch"] for r in history if r["best"]][-1] == kept["epoch"]
    assert [r["best"] for r in history].count(True) >= 1
    cfg = run.config()
    assert cfg["data"] == "phantom" and cfg["recipe"]["epochs"] == 3 and cfg["input_shape"] == [1, SIZE, SIZE]
    assert cfg["recipe"]["pos_weight"] == pytest.approx(1.0)  # the phantom is balanced
    # best.npz holds the best epoch, and the returned model holds its weights
    loaded, meta = run.load_best(with_metadata=True)
    assert meta["epoch"] == result.best_epoch and meta["val_auc"] == pytest.approx(result.best_val_auc)
    np.testing.assert_array_equal(predict_logits(loaded, data.val.images), predict_logits(model, data.val.images))
    # validation metrics in the history are those of the kept model
    z = predict_logits(model, data.val.images)
    from ml2dl.metrics import roc_auc_score

    assert roc_auc_score(data.val.labels, z) == pytest.approx(result.best_val_auc, abs=1e-12)
    # operating points chosen on validation are saved
    points = run.operating_points()
    assert set(points["points"]) == {"screening", "high_specificity", "balanced"}
    # the progress protocol: start, batches, epoch, …, end
    stages = [e.stage for e in events]
    assert stages[0] == "start" and stages[-1] == "end"
    assert stages.count("batch") == 9 and stages.count("epoch") == 3
    assert events[-1].stopped == "completed"
    assert [e.batch for e in events if e.stage == "batch"][:3] == [1, 2, 3]


def test_train_accuracy_is_the_share_of_training_images_classified_right(data):
    # With a learning rate of 1e-12 the weights stay (to ~1e-12) the initial ones, so the running
    # accuracy over one epoch (every image once) is the initial model's accuracy on the training set.
    model = tiny("lesson")
    z0 = predict_logits(model, data.train.images)
    expected = float(np.mean((z0 > 0) == (data.train.labels == 1)))
    assert np.min(np.abs(z0)) > 1e-6  # no decision sits on the fence
    result = fit(model, data.train, data.val, epochs=1, batch_size=32, lr=1e-12, optimizer="sgd", momentum=0.0,
                 schedule="constant", augment=None, precise_bn=None, class_weight=None)
    assert result.history[0]["train_accuracy"] == expected


def test_same_seed_same_weights(data):
    a, b = tiny(seed=1), tiny(seed=1)
    fit(a, data.train, data.val, epochs=2, batch_size=32, seed=7, restore_best=False)
    fit(b, data.train, data.val, epochs=2, batch_size=32, seed=7, restore_best=False)
    assert_same_weights(weights(a), weights(b))
    c = tiny(seed=1)
    fit(c, data.train, data.val, epochs=2, batch_size=32, seed=8, restore_best=False)
    assert any(not np.array_equal(v, weights(c)[k]) for k, v in weights(a).items())


def test_interrupt_keeps_best_and_resume_continues_exactly(data, tmp_path):
    """Ctrl-C in epoch 3 of 4, then resume: the final weights equal those of an uninterrupted run."""
    recipe = dict(epochs=4, batch_size=32, seed=2, restore_best=False)
    straight = tiny()
    fit(straight, data.train, data.val, run_dir=tmp_path / "straight", **recipe)

    def interrupt(event):
        if event.stage == "batch" and event.epoch == 3 and event.batch == 2:
            raise KeyboardInterrupt

    model = tiny()
    with pytest.raises(KeyboardInterrupt):
        fit(model, data.train, data.val, run_dir=tmp_path / "cut", callbacks=[interrupt], **recipe)
    run = RunDir(tmp_path / "cut")
    best, meta = run.load_best(with_metadata=True)  # intact and loadable
    assert meta["epoch"] in (1, 2)
    assert [r["epoch"] for r in run.history()] == [1, 2]
    assert run.load_state().epoch == 2

    resumed = tiny(seed=123)  # whatever it holds is replaced from last.npz
    result = fit(resumed, data.train, data.val, run_dir=tmp_path / "cut", resume=True, **recipe)
    assert [r["epoch"] for r in result.history] == [1, 2, 3, 4]
    assert_same_weights(weights(resumed), weights(straight))
    hist_a, hist_b = RunDir(tmp_path / "straight").history(), run.history()
    for ra, rb in zip(hist_a, hist_b):
        for key in ("train_loss", "val_loss", "val_auc", "lr", "best"):
            assert ra[key] == rb[key], (ra["epoch"], key)


def test_resume_with_another_recipe_is_refused(data, tmp_path):
    fit(tiny(), data.train, data.val, epochs=1, batch_size=32, run_dir=tmp_path / "r")
    with pytest.raises(RunError, match="different recipe.*lr"):
        fit(tiny(), data.train, data.val, epochs=1, batch_size=32, lr=0.1, run_dir=tmp_path / "r", resume=True)
    with pytest.raises(RunError, match="already holds a run"):
        fit(tiny(), data.train, data.val, epochs=1, batch_size=32, run_dir=tmp_path / "r")


def test_stop_training_from_a_callback_validates_the_partial_epoch(data):
    def stop(event):
        if event.stage == "batch" and event.epoch == 2 and event.batch == 1:
            raise StopTraining

    result = fit(tiny(), data.train, data.val, epochs=5, batch_size=32, callbacks=[stop])
    assert result.stopped == "callback"
    assert [r["epoch"] for r in result.history] == [1, 2] and result.history[-1]["batches"] == 1


@pytest.mark.filterwarnings("ignore::ml2dl.metrics.UndefinedMetricWarning")  # constant scores
def test_early_stopping_when_validation_auc_cannot_improve(data):
    # Validation images all black: every score is equal, the AUC stays 0.5.
    val = (np.zeros_like(data.val.images), data.val.labels)
    model = nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, 1))
    result = fit(model, data.train, val, epochs=10, batch_size=32, patience=2, augment=None)
    assert result.stopped == "early_stopping"
    assert [r["val_auc"] for r in result.history] == [0.5, 0.5, 0.5]
    assert result.best_epoch == 3  # equal AUCs: the later epoch is kept
    strict = fit(nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, 1)), data.train, val, epochs=10,
                 batch_size=32, patience=2, augment=None, tolerance=0)
    assert strict.best_epoch == 1  # tolerance 0: the strict maximum, the earliest on ties


def test_time_budget_compresses_the_schedule(data):
    """A budget far shorter than the epochs: training stops in time, with the learning rate annealed."""
    result = fit(tiny(), data.train, data.val, epochs=1000, batch_size=32, lr=0.01, max_seconds=1.5)
    assert result.stopped == "time_budget"  # the stop reason, not a wall-clock figure (no timed asserts)
    assert len(result.history) < 1000
    assert result.history[-1]["lr"] < 0.01 / 100  # the one-cycle schedule reached its end


def test_without_validation_the_last_epoch_is_kept(data):
    model = tiny()
    result = fit(model, data.train, None, epochs=2, batch_size=32)
    assert result.best_epoch == 2 and result.best_val_auc is None and result.operating_points is None
    assert "val_auc" not in result.history[-1]


def test_keeps_treats_small_differences_as_ties():
    assert keeps(0.990, 0.991, 0.002) and keeps(0.995, 0.991, 0.002)
    assert not keeps(0.988, 0.991, 0.002)
    assert not keeps(0.991, 0.991, 0.0) and keeps(0.9911, 0.991, 0.0)
    assert keeps(0.5, -math.inf, 0.002)


def test_recompute_batchnorm_averages_clean_batch_statistics():
    rng = np.random.default_rng(0)
    images = rng.random((40, 1, 3, 3), dtype=np.float64)
    model = nn.Sequential(nn.BatchNorm2d(1), nn.Flatten(), nn.Linear(9, 1)).double()
    model.eval()
    recompute_batchnorm(model, images, batches=3, batch_size=8, rng=np.random.default_rng(5))
    idx = np.random.default_rng(5).permutation(40)[:24]
    chunks = [images[idx[i:i + 8]] for i in (0, 8, 16)]
    bn = model[0]
    np.testing.assert_allclose(bn.running_mean, [np.mean([c.mean() for c in chunks])], rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, [np.mean([c.var(ddof=1) for c in chunks])], rtol=1e-12)
    assert bn.momentum == 0.1 and int(bn.num_batches_tracked) == 0 and not model.training


def test_balanced_class_weight():
    assert balanced_pos_weight([0, 1, 1, 1]) == pytest.approx(1 / 3)
    # PneumoniaMNIST's training split: 1,214 normal, 3,494 pneumonia
    assert balanced_pos_weight(np.r_[np.zeros(1214), np.ones(3494)]) == pytest.approx(1214 / 3494)
    with pytest.raises(ValueError, match="both classes"):
        balanced_pos_weight([1, 1])


def test_class_weight_is_the_loss_pos_weight(data):
    """One step of a bias-only model: the gradient is the weighted BCE's, worked by hand."""
    x = np.zeros((4, 1, 2, 2), np.float32)
    y = np.array([0, 1, 1, 1])
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 1))
    model[1].weight.data[...] = 0
    model[1].bias.data[...] = 0
    fit(model, (x, y), None, epochs=1, batch_size=4, optimizer="sgd", momentum=0.0, lr=1.0, schedule="constant",
        weight_decay=0.0, augment=None)
    # dL/db = mean(p·y·(σ(0) − 1) + (1 − y)·σ(0)) with p = 1/3: (3·(1/3)·(−½) + ½) / 4 = 0
    assert model[1].bias.data[0] == pytest.approx(0.0, abs=1e-7)
    model[1].bias.data[...] = 0
    fit(model, (x, y), None, epochs=1, batch_size=4, optimizer="sgd", momentum=0.0, lr=1.0, schedule="constant",
        weight_decay=0.0, augment=None, class_weight=None)
    # unweighted: (3·(−½) + ½) / 4 = −¼, so b ← 0 − 1·(−¼)
    assert model[1].bias.data[0] == pytest.approx(0.25)


def test_predict_proba_is_the_sigmoid_of_the_logits(data):
    model = tiny()
    z = predict_logits(model, data.val.images)
    p = predict_proba(model, data.val.images)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-z.astype(np.float64))), rtol=1e-12)
    # evaluation mode: each image's logit does not depend on the others in its batch
    np.testing.assert_allclose(predict_logits(model, data.val.images, batch_size=7), z, rtol=1e-5, atol=1e-6)
    assert model.training  # the mode is restored


@pytest.mark.parametrize("kwargs,message", [
    ({"epochs": 0}, "epochs must be a positive int, got 0"),
    ({"lr": -1.0}, "lr must be a positive number, got -1.0"),
    ({"optimizer": "rmsprop"}, "optimizer must be one of"),
    ({"schedule": "linear"}, "schedule must be one of"),
    ({"max_seconds": 0}, "max_seconds must be a positive number"),
    ({"augment": 3}, "augment must be"),
])
def test_bad_options_say_what_was_expected(data, kwargs, message):
    with pytest.raises(InputError, match=message):
        fit(tiny(), data.train, data.val, **kwargs)
    with pytest.raises(TypeError, match="unexpected recipe setting.*learning_rate"):
        fit(tiny(), data.train, data.val, learning_rate=0.1)


def test_bad_data_says_what_was_expected(data):
    x = data.train.images
    with pytest.raises(ValueError, match=r"labels must be 0/1 .* got values \[0, 1, 2\]"):
        fit(tiny(), (x[:3], np.array([0, 1, 2])), None)
    # fit takes examples of any shape (images, sequences, rows); the CNN says what it expects
    with pytest.raises(ValueError, match=r"must be \(N, C, H, W\), got shape \(64, 16, 16\)"):
        fit(tiny(), (x[:, 0], data.train.labels), None)
    with pytest.raises(ValueError, match="val images have shape"):
        fit(tiny(), data.train, (x[:, :, :8, :8], data.train.labels))


def test_a_diverging_loss_is_reported(data):
    x = data.train.images * 1e30
    model = nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, 1))
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="smaller learning rate"):
        fit(model, (x, data.train.labels), None, optimizer="sgd", lr=1e30, schedule="constant", augment=None,
            epochs=5)


def test_a_model_with_two_outputs_is_refused(data):
    model = nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, 2))
    with pytest.raises(ValueError, match=r"one logit per image, shape \(32, 1\), got shape \(32, 2\)"):
        fit(model, data.train, data.val, batch_size=32)


# Recorded from fit() as it was before the Recipe / TrainState refactor (commit 81efe4b, threads=1):
# the refactor must not change a single bit of training.
RECORDED = {
    # re-recorded when dL/dx of a convolution became one flipped convolution (issue 9): the last
    # bits moved, the PyTorch parity and gradient checks pass as before
    "strong": {"sha256": "6ce4ee7cd82be626321452ce2294bacd8e132918f29db4e2774258efdb9cc6b7",
               "train_loss": [0.6966390411059061, 0.6937556664148966, 0.689535121122996],
               "val_auc": [0.7170138888888888, 0.6909722222222222, 0.6875],
               "val_loss": [0.6912569999694824, 0.688121497631073, 0.6875045895576477],
               "lr": [0.0026956999780393407, 0.0006861898594789441, 1.2e-08], "best_epoch": 1},
    "lesson_sgd": {"sha256": "aef20d4ba5dd1b76da1f74c2cc41af3a1dbeeb1c6c015b2edb899a1ab8fec7fc",
                   "train_loss": [0.6970891753832499, 0.6945793131987253, 0.6942826310793558],
                   "val_auc": [0.5607638888888888, 0.5607638888888888, 0.5625], "best_epoch": 3},
}


# The recording's matrix products ran on OpenBLAS's Haswell kernels. OpenBLAS picks its kernels by
# the CPU, and another CPU's (AVX-512) round the last bits differently: the run is repeated in a
# process held to the recording's kernels, so the test watches our code, not the machine.
RECORDED_BLAS = {"OPENBLAS_CORETYPE": "Haswell"}


def _runs_on_the_recording_s_kernels() -> dict:
    """The two recorded runs, in a process on the recording's BLAS kernels: {name: history, best
    epoch and the weights' sha256}."""
    import json
    import os
    import subprocess
    import sys

    code = f"""
import hashlib, json
import numpy as np
from ml2dl.data import phantom_splits
from ml2dl.train import Recipe, build_model, fit
data = phantom_splits(96, 48, 0, size={SIZE}, seed=3)
runs = {{"strong": (build_model("strong", in_channels=1, image_size={SIZE}, width=2, seed=0),
                   Recipe(epochs=3, batch_size=32)),
        "lesson_sgd": (build_model("lesson", in_channels=1, image_size={SIZE}, width=2, hidden=8, seed=1),
                       Recipe(epochs=3, batch_size=16, optimizer="sgd", schedule="cosine", lr=0.05,
                              class_weight=None, augment=None, precise_bn=None, weight_decay=1e-3,
                              momentum=0.8, seed=5))}}
out = {{}}
for name, (model, recipe) in runs.items():
    result = fit(model, data.train, data.val, recipe=recipe, threads=1)
    h = hashlib.sha256()
    for k, v in sorted(model.state_dict().items()):
        h.update(k.encode()); h.update(np.ascontiguousarray(v).tobytes())
    out[name] = {{"history": result.history, "best_epoch": result.best_epoch, "sha256": h.hexdigest()}}
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **RECORDED_BLAS},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_training_is_bit_identical_to_the_recorded_loop():
    import numpy as np

    if "openblas" not in str(np.show_config(mode="dicts")).lower():
        pytest.skip("recorded on OpenBLAS's kernels")
    runs = _runs_on_the_recording_s_kernels()
    got, want = runs["strong"], RECORDED["strong"]
    for key in ("train_loss", "val_auc", "val_loss", "lr"):
        assert [r[key] for r in got["history"]] == want[key], key
    assert got["best_epoch"] == want["best_epoch"] and got["sha256"] == want["sha256"]
    got, want = runs["lesson_sgd"], RECORDED["lesson_sgd"]
    for key in ("train_loss", "val_auc"):
        assert [r[key] for r in got["history"]] == want[key], key
    assert got["best_epoch"] == want["best_epoch"] and got["sha256"] == want["sha256"]
