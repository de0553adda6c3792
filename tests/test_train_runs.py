"""Run directories: atomic writes, history files, training state round trips."""

import csv
import json
import os

import numpy as np
import pytest

from ml2dl import nn, optim
from ml2dl.files import atomic_write
from ml2dl.files import write_json
from ml2dl.train.runs import HISTORY_CSV, RunDir, RunError
from ml2dl.train.state import TrainState


def small_model(seed=0):
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(),
                         nn.Linear(2 * 4 * 4, 1)).reset_parameters(rng=seed)


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "a.txt"
    atomic_write(path, lambda f: f.write(b"first"))

    def broken(f):
        f.write(b"half of the second")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(path, broken)
    assert path.read_bytes() == b"first"
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]  # no temporary file left behind


def test_write_json_turns_nan_into_null(tmp_path):
    write_json(tmp_path / "x.json", {"auc": float("nan"), "v": [1.5, float("inf")], "n": np.int64(3)})
    assert json.loads((tmp_path / "x.json").read_text()) == {"auc": None, "v": [1.5, None], "n": 3}


def test_history_is_written_as_csv_and_json(tmp_path):
    run = RunDir(tmp_path / "run").prepare()
    rows = [{"epoch": 1, "train_loss": 0.5, "val_auc": 0.9, "best": True, "extra": "x"},
            {"epoch": 2, "train_loss": 0.25, "val_auc": None, "best": False, "extra": "y"}]
    run.write_history(rows)
    assert run.history() == rows
    with open(run.path / HISTORY_CSV, newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == ["epoch", "train_loss", "val_auc", "best", "extra"]
    assert table[0] == {"epoch": "1", "train_loss": "0.5", "val_auc": "0.9", "best": "1", "extra": "x"}
    assert table[1]["val_auc"] == "" and table[1]["best"] == "0"


def test_prepare_refuses_to_overwrite_a_run_unless_asked(tmp_path):
    run = RunDir(tmp_path / "run").prepare()
    run.write_config({"data": "x"})
    with pytest.raises(RunError, match="already holds a run"):
        RunDir(tmp_path / "run").prepare()
    RunDir(tmp_path / "run").prepare(resume=True)  # resuming is fine
    RunDir(tmp_path / "run").prepare(overwrite=True)
    assert not (tmp_path / "run" / "config.json").exists()
    with pytest.raises(RunError, match="cannot resume"):
        RunDir(tmp_path / "other").prepare(resume=True)


def test_config_records_versions(tmp_path):
    run = RunDir(tmp_path).prepare()
    run.write_config({"data": "phantom", "recipe": {"lr": 0.01}})
    cfg = run.config()
    assert cfg["data"] == "phantom" and cfg["recipe"] == {"lr": 0.01}
    assert cfg["numpy_version"] == np.__version__ and "ml2dl_version" in cfg


def test_best_checkpoint_round_trip_and_missing_checkpoint(tmp_path):
    run = RunDir(tmp_path).prepare()
    with pytest.raises(RunError, match="no checkpoint yet"):
        run.load_best()
    model = small_model()
    run.save_best(model, {"epoch": 3, "val_auc": float("nan")})
    loaded, meta = run.load_best(with_metadata=True)
    assert meta == {"epoch": 3, "val_auc": None}
    x = np.random.default_rng(0).random((2, 1, 4, 4), dtype=np.float32)
    np.testing.assert_array_equal(loaded.eval()(x), model.eval()(x))


@pytest.mark.parametrize("make", [
    lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1),
    lambda p: optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
])
def test_training_state_round_trip_continues_identically(tmp_path, make):
    """Save model + optimizer + one-cycle after 3 steps; the restored copy takes the same 3 next steps."""
    rng = np.random.default_rng(1)
    x = rng.random((8, 1, 4, 4), dtype=np.float32)
    y = (rng.random((8, 1)) > 0.5).astype(np.float32)

    def train_steps(model, opt, sched, k):
        loss_fn = nn.BCEWithLogitsLoss()
        for _ in range(k):
            loss_fn(model(x), y)
            model.backward(loss_fn.backward())
            opt.step()
            opt.zero_grad()
            sched.step()

    a = small_model()
    opt_a = make(a.parameters())
    sched_a = optim.OneCycleLR(opt_a, max_lr=0.05, total_steps=10)
    train_steps(a, opt_a, sched_a, 3)
    TrainState(epoch=3, history=[{"epoch": 3, "val_auc": float("nan")}]).capture(a, opt_a, sched_a).save(
        tmp_path / "last.npz")

    b = small_model(seed=99)
    opt_b = make(b.parameters())
    sched_b = optim.OneCycleLR(opt_b, max_lr=0.05, total_steps=10)
    state = TrainState.load(tmp_path / "last.npz")
    state.restore(b, opt_b, sched_b)
    assert state.epoch == 3 and state.history == [{"epoch": 3, "val_auc": None}]  # NaN is stored as null
    assert opt_b.lr == opt_a.lr and sched_b.last_step == 3

    train_steps(a, opt_a, sched_a, 3)
    train_steps(b, opt_b, sched_b, 3)
    for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(pa.data, pb.data, err_msg=name)


def test_unreadable_state_is_a_run_error(tmp_path):
    (tmp_path / "last.npz").write_bytes(b"not a zip file")
    with pytest.raises(RunError, match="not a readable training state"):
        TrainState.load(tmp_path / "last.npz")
    with pytest.raises(RunError, match="no training state"):
        TrainState.load(tmp_path / "missing.npz")
