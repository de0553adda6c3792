"""Hyperparameter search: the settings it tries and the ranking it returns."""

import json

import pytest

from ml2dl.checks import InputError
from ml2dl.data import phantom_splits
from ml2dl.train.tune import ranked, settings, tune


def test_grid_is_the_cartesian_product_in_order():
    grid = settings({"lr": [1e-3, 3e-3], "width": [8, 16, 32]})
    assert len(grid) == 6
    assert grid[:3] == [{"lr": 1e-3, "width": 8}, {"lr": 1e-3, "width": 16}, {"lr": 1e-3, "width": 32}]


def test_random_search_draws_distinct_settings_reproducibly():
    space = {"lr": [1e-4, 3e-4, 1e-3, 3e-3], "dropout": [0.0, 0.2, 0.5]}
    a = settings(space, search="random", trials=5, seed=1)
    assert a == settings(space, search="random", trials=5, seed=1)
    assert len({tuple(sorted(s.items())) for s in a}) == 5
    assert all(s in settings(space) for s in a)
    assert len(settings(space, search="random", trials=50, seed=1)) == 12  # never more than the grid


@pytest.mark.parametrize("space,kw,message", [
    ({"momentum": [0.9]}, {}, "cannot tune momentum"),
    ({"lr": []}, {}, "non-empty list"),
    ({}, {}, "non-empty dict"),
    ({"lr": [1e-3]}, {"search": "bayes"}, "search must be one of 'grid', 'random'; got 'bayes'"),
    ({"lr": [0.0]}, {}, "lr must be a positive number"),
    ({"lr": [1e-3]}, {"search": "random"}, "needs trials"),
])
def test_settings_check_their_arguments(space, kw, message):
    with pytest.raises(InputError, match=message):
        settings(space, **kw)


def test_ranked_puts_missing_aucs_last():
    rows = [{"trial": 1, "val_auc": 0.7}, {"trial": 2, "val_auc": None}, {"trial": 3, "val_auc": 0.9}]
    assert [r["trial"] for r in ranked(rows)] == [3, 1, 2]


def test_tune_trains_one_run_per_setting_and_ranks_them(tmp_path):
    data = phantom_splits(64, 32, 0, size=16, seed=0)
    events, fit_events = [], []
    results = tune(data.train, data.val, model="lesson", space={"width": [2, 4], "lr": [3e-3]}, epochs=2,
                   batch_size=32, out_dir=tmp_path, on_event=events.append, callbacks=[fit_events.append])
    assert [r["width"] for r in results] != [] and sorted(r["width"] for r in results) == [2, 4]
    assert results[0]["val_auc"] >= results[1]["val_auc"]
    assert all(r["epochs_run"] == 2 for r in results)
    assert [e["stage"] for e in events] == ["trial_start", "trial_end"] * 2
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [r["trial"] for r in saved] == [r["trial"] for r in results]
    for r in results:
        assert (tmp_path / f"trial-{r['trial']:02d}" / "best.npz").is_file()
        history = json.loads((tmp_path / f"trial-{r['trial']:02d}" / "history.json").read_text())
        best = next(h for h in history if h["epoch"] == r["best_epoch"])
        assert (r["val_loss"], r["val_accuracy"]) == (best["val_loss"], best["val_accuracy"])
    # every trial's fit reported to the callbacks: 2 trials × (start, 2 batches × 2 epochs, 2 epochs, end)
    assert [e.stage for e in fit_events].count("epoch") == 4 and [e.stage for e in fit_events].count("end") == 2
    with pytest.raises(ValueError, match="validation set"):
        tune(data.train, None, space={"lr": [1e-3]})
