"""Hyperparameter search: train one model per setting, rank them by validation AUC.

The lectures' last step of the training loop — "repeat for several hyperparameter
settings" — as a function. ``space`` maps a setting to the values to try::

    tune(train, val, space={"lr": [1e-3, 3e-3], "width": [8, 16]})      # grid: 4 trials
    tune(train, val, space={...}, search="random", trials=5, seed=0)     # 5 of the grid, drawn at random

Settings: the tunable settings of the :class:`~ml2dl.train.Recipe` (``lr``, ``weight_decay``,
``epochs``, ``batch_size``) and ``width``, ``dropout``, ``hidden`` (the architecture). Every
trial starts from the recipe's seed, so differences come from the settings, not from luck of
the initialisation.

The validation set chooses the winner, so its AUC is an optimistic estimate of the
winner's performance: judge the chosen model on a test split it has never influenced.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path


from .. import checks
from ..checks import InputError
from ..files import atomic_write_text, write_json
from .architectures import build_model
from .loop import fit
from .recipe import Recipe, check_field, tunable_fields
from .runs import RunError, history_csv_text, read_json
from .scoring import as_arrays

RECIPE_KEYS = tunable_fields()
MODEL_KEYS = ("width", "dropout", "hidden")
RESULTS_JSON = "results.json"
RESULTS_CSV = "results.csv"


def settings(space: dict, *, search: str = "grid", trials: int | None = None, seed: int = 0) -> list[dict]:
    """The list of settings to try: the full grid, or ``trials`` distinct draws from it."""
    if not isinstance(space, dict) or not space:
        raise InputError(f"space must be a non-empty dict of setting → list of values, got {space!r}")
    unknown = sorted(set(space) - set(RECIPE_KEYS) - set(MODEL_KEYS))
    if unknown:
        raise InputError(f"cannot tune {', '.join(unknown)}; settings are {list(RECIPE_KEYS + MODEL_KEYS)}")
    for k, values in space.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise InputError(f"space[{k!r}] must be a non-empty list of values, got {values!r}")
        if k in RECIPE_KEYS:
            for v in values:
                check_field(k, v)
    keys = list(space)
    grid = [dict(zip(keys, combo)) for combo in itertools.product(*(space[k] for k in keys))]
    checks.choice("search", search, ("grid", "random"))
    if search == "grid":
        return grid
    if trials is None:
        raise InputError("random search needs trials, a positive int, got None")
    trials = checks.positive_int("trials", trials)
    order = checks.rng(seed, "seed").permutation(len(grid))[:trials]
    return [grid[i] for i in order]


def tune(train, val, *, model: str = "strong", space: dict, search: str = "grid", trials: int | None = None,
         out_dir=None, overwrite: bool = False, on_event=None, callbacks=(), config: dict | None = None,
         recipe: Recipe | None = None, **recipe_settings) -> list[dict]:
    """Train ``model`` once per setting; return the results sorted by validation AUC (best first).

    Args:
        train, val: as for :func:`fit` (``val`` is required: it ranks the trials).
        model: a built-in architecture name.
        space, search, trials: see :func:`settings`.
        recipe, recipe_settings: the :class:`Recipe` every trial shares (with these settings
            replaced, e.g. ``max_seconds=60``: a time budget per trial). Its seed draws the
            random search and seeds every trial.
        out_dir: a folder with one run directory per trial (``trial-01`` …) and
            ``results.csv`` / ``results.json``, rewritten after every trial.
        on_event: called with ``{"stage": "trial_start" | "trial_end", "trial", "trials", "result"}``.
        callbacks: passed to every trial's :func:`fit` (its per-batch and per-epoch progress; raise
            :class:`~ml2dl.train.StopTraining` to end a trial, anything else to end the search).

    Returns:
        One dict per trial: its settings, ``val_auc``, ``best_epoch``, ``val_accuracy`` and ``val_loss``
        (of the best epoch), ``epochs_run``, ``stopped``, ``seconds``, ``run_dir``.
    """
    if val is None:
        raise InputError("tune needs a validation set to rank the trials")
    base = (Recipe() if recipe is None else recipe).replace(**recipe_settings)
    seed = base.seed
    todo = settings(space, search=search, trials=trials, seed=seed)
    x_train, _ = as_arrays(train, "train")
    c, h, _ = x_train.shape[1:]
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        if (out / RESULTS_JSON).exists() and not overwrite:
            raise RunError(f"{out} already holds tuning results; choose another folder or overwrite it")
        out.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    for i, setting in enumerate(todo, 1):
        if on_event:
            on_event({"stage": "trial_start", "trial": i, "trials": len(todo), "setting": setting})
        model_opts = {k: v for k, v in setting.items() if k in MODEL_KEYS}
        trial_recipe = base.replace(**{k: v for k, v in setting.items() if k in RECIPE_KEYS})
        net = build_model(model, in_channels=int(c), image_size=int(h), seed=seed, **model_opts)
        run_dir = out / f"trial-{i:02d}" if out is not None else None
        res = fit(net, train, val, recipe=trial_recipe, run_dir=run_dir, overwrite=overwrite, callbacks=callbacks,
                  config={**(config or {}), "model": {"name": model, "options": model_opts}, "tune": setting})
        last = res.history[-1] if res.history else {}
        best = _best_row(res)
        row = {"trial": i, **setting, "val_auc": res.best_val_auc, "best_epoch": res.best_epoch,
               "val_accuracy": best.get("val_accuracy"), "val_loss": best.get("val_loss"),
               "epochs_run": last.get("epoch"),
               "seconds": res.seconds, "stopped": res.stopped, "run_dir": str(run_dir) if run_dir else None}
        results.append(row)
        if out is not None:
            _write_results(out, ranked(results))
        if on_event:
            on_event({"stage": "trial_end", "trial": i, "trials": len(todo), "result": row})
    return ranked(results)


def ranked(results: list[dict]) -> list[dict]:
    """Best validation AUC first; trials without an AUC last."""
    return sorted(results, key=lambda r: (-r["val_auc"] if r.get("val_auc") is not None
                                          and math.isfinite(r["val_auc"]) else math.inf, r["trial"]))


def _best_row(res) -> dict:
    for row in res.history:
        if row.get("epoch") == res.best_epoch:
            return row
    return {}


def _write_results(out: Path, rows: list[dict]) -> None:
    write_json(out / RESULTS_JSON, rows)
    atomic_write_text(out / RESULTS_CSV, history_csv_text(rows))


def load_results(out_dir) -> list[dict]:
    path = Path(out_dir) / RESULTS_JSON
    if not path.is_file():
        raise RunError(f"no tuning results at {path}")
    return read_json(path)
