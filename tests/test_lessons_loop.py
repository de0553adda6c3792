"""The training-loop lesson: the plan's arithmetic, one run through fit, the search through tune."""

import math

import numpy as np
import pytest

from ml2dl.checks import InputError
from ml2dl.lessons import loop
from ml2dl.lessons.images import load_chest_data


@pytest.fixture(scope="module")
def data():
    return load_chest_data(None, n_train=64, n_val=32, seed=0)


@pytest.mark.parametrize("n, b", [(600, 32), (64, 64), (65, 64), (100, 1), (17, 256), (1000, 7)])
def test_plan_counts_batches_by_cutting_the_data(n, b):
    batches = [len(list(range(n))[i:i + b]) for i in range(0, n, b)]  # the loop's own slicing
    p = loop.plan(n, b, 5)
    assert p["batches_per_epoch"] == len(batches) == math.ceil(n / b)
    assert p["last_batch"] == batches[-1]
    assert p["updates_per_run"] == 5 * len(batches) and p["images"] == 5 * n


def test_budget_is_enforced_with_expected_and_received():
    assert loop.check_budget(600, 32, 20)["within_budget"]
    with pytest.raises(InputError, match=r"at most 24,000 images \(dataset size × epochs\), got 2000 × 13 = 26,000"):
        loop.check_budget(2000, 32, 13)
    with pytest.raises(InputError, match=r"at most 72,000 images \(dataset size × epochs × runs\), "
                                         r"got 700 × 20 × 6"):
        loop.check_budget(700, 32, 20, runs=6)
    with pytest.raises(InputError, match="at most 6 runs .*got 9"):
        loop.check_budget(16, 32, 1, runs=9)
    assert not loop.plan(700, 32, 20, runs=6)["within_budget"]


def test_bad_settings_say_what_was_expected(data):
    with pytest.raises(InputError, match=r"n_train \(dataset size\) must be .*16.*64.*got 65"):
        loop.run_loop(data, n_train=65, batch_size=8, epochs=1)
    with pytest.raises(InputError, match="lr must be"):
        loop.run_loop(data, n_train=32, batch_size=8, epochs=1, lr=2.0)
    with pytest.raises(InputError, match="distinct"):
        loop.run_search(data, n_train=32, batch_size=8, epochs=1, lrs=[1e-3, 1e-3], widths=[2])


def _expected_stop(aucs, patience, epochs):
    """fit's rule, re-stated: stop when `patience` epochs have passed without a new highest AUC."""
    top, stale = -math.inf, 0
    for e, a in enumerate(aucs, 1):
        if a > top:
            top, stale = a, 0
        else:
            stale += 1
        if patience and stale >= patience and e < epochs:
            return e
    return None


@pytest.mark.parametrize("kw", [dict(n_train=48, batch_size=16, epochs=4, patience=0, lr=3e-3, width=2),
                                dict(n_train=64, batch_size=20, epochs=6, patience=1, lr=0.1, width=2)])
def test_run_reports_every_epoch_the_kept_one_and_why_it_stopped(data, kw):
    events = []
    r = loop.run_loop(data, **kw, progress=lambda f, msg, extra: events.append((f, msg, extra)))
    rows, n = r["history"], kw["n_train"]
    assert r["plan"]["batches_per_epoch"] == math.ceil(n / kw["batch_size"])
    assert all(row["batches"] == math.ceil(n / kw["batch_size"]) for row in rows)
    aucs = [row["val_auc"] for row in rows]
    # best = the first epoch with the highest validation AUC; saved = a new highest AUC
    assert r["best_epoch"] == int(np.argmax(aucs)) + 1 and r["best"] == rows[r["best_epoch"] - 1]
    assert [row["saved"] for row in rows] == [a > max(aucs[:i], default=-1) for i, a in enumerate(aucs)]
    stop = _expected_stop(aucs, kw["patience"], kw["epochs"])
    assert r["epochs_run"] == (stop or kw["epochs"]) == len(rows)
    assert r["stopped"] == ("early_stopping" if stop else "completed")
    assert f"Epoch {r['best_epoch']} had the highest validation AUC ({rows[r['best_epoch'] - 1]['val_auc']:.4f})" \
        in r["text"]["kept"]
    if stop:
        assert f"stopped early after epoch {stop} of {kw['epochs']}" in r["text"]["stop"]
    assert r["data"]["n_train"] == n and sum(r["data"]["train_counts"].values()) == n
    # progress: one "train" event per update, one per epoch with the history so far
    train = [e for e in events if e[2].get("phase") == "train"]
    assert [e[2]["update"] for e in train] == list(range(1, r["updates"] + 1))
    assert train[-1][2]["batch_size"] == n - (r["plan"]["batches_per_epoch"] - 1) * kw["batch_size"]
    epochs = [e for e in events if "history" in e[2]]
    assert [len(e[2]["history"]) for e in epochs] == list(range(1, len(rows) + 1))
    assert [e[2]["phase"] == "keep" for e in epochs] == [row["saved"] for row in rows]
    assert all(0 < e[0] <= 1 for e in events)


def test_the_early_stopping_case_does_stop_early(data):
    r = loop.run_loop(data, n_train=64, batch_size=20, epochs=6, patience=1, lr=0.1, width=2)
    assert r["stopped"] == "early_stopping" and r["epochs_run"] < 6


def test_a_progress_callback_that_raises_cancels_the_run(data):
    class Cancelled(Exception):
        pass

    def progress(f, msg, extra):
        if extra.get("update") == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        loop.run_loop(data, n_train=64, batch_size=16, epochs=3, progress=progress)


def test_search_chooses_the_highest_validation_auc_and_each_run_is_the_loop(data):
    kw = dict(n_train=48, batch_size=16, epochs=3, patience=0)
    r = loop.run_search(data, **kw, lrs=[1e-3, 1e-2], widths=[2, 3])
    runs = r["runs"]
    assert [(x["lr"], x["width"]) for x in runs] == [(1e-3, 2), (1e-3, 3), (1e-2, 2), (1e-2, 3)]
    aucs = [x["val_auc"] for x in runs]
    assert [x["chosen"] for x in runs] == [i == int(np.argmax(aucs)) for i in range(4)]
    assert r["chosen"]["val_auc"] == max(aucs)
    # each row is what one run of the loop with that setting reports
    for x in (runs[0], runs[3]):
        one = loop.run_loop(data, **kw, lr=x["lr"], width=x["width"])
        assert (x["val_auc"], x["best_epoch"], x["val_loss"]) == \
            (one["best"]["val_auc"], one["best_epoch"], one["best"]["val_loss"])
        assert x["parameters"] == one["model"]["parameters"]
    c = r["chosen"]
    assert f"learning rate {c['lr']:g} and width {c['width']}" in r["text"]["chosen"]
    assert f"{c['val_auc']:.4f}" in r["text"]["chosen"] and "never on test" in r["text"]["why"]
    assert f"{min(aucs):.4f} to {max(aucs):.4f}" in r["text"]["chosen"]
