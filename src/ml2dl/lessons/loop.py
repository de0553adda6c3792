"""The training loop, for real: sample → predict → loss → update → evaluate on validation → keep the best.

::

    for epoch in 1..E:
        for each of ⌈N / b⌉ mini-batches:          sample b images (the last batch holds what is left)
            ŷ = σ(model(x))                          predict
            L = BCE(ŷ, y)                            loss
            w ← w − Adam step of ∂L/∂w               update
        validation loss, accuracy and AUC           evaluate on validation
        if val AUC > every earlier epoch's: save    keep the best
        if no better val AUC for `patience` epochs: stop early

Nothing here trains by itself: :func:`run_loop` and :func:`run_search` hand the chest images to
:func:`ml2dl.train.fit` and :func:`ml2dl.train.tune` (the one training loop and the one search of
ml2dl) with the lessons' recipe (plain Adam at a constant learning rate, unweighted BCE) and
turn what they report into what the page shows. The model is the lectures' small CNN
(``build_model("lesson", width=w)``: conv 3×3 with w filters, pool, conv with 2w, pool, dense 64, 1 logit).

"Best" follows fit's rule with ``tolerance=0``: the epoch with the highest validation AUC
(the earliest on ties); patience counts the epochs since the highest AUC so far.

Every run is bounded: at most :data:`RUN_IMAGES` training images in all (dataset size × epochs)
for one run, :data:`MAX_RUNS` runs and :data:`SEARCH_IMAGES` images for a search (see
:func:`check_budget`); the web routes check this before a job starts.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ml2dl import checks
from ml2dl.checks import InputError
from ml2dl.train import build_model, fit
from ml2dl.train import tune as tuning

from .images import IMAGE_SIZE, LESSON_RECIPE, ChestData, standardise

MIN_TRAIN = 16
MAX_BATCH = 256
MAX_EPOCHS = 30
MAX_PATIENCE = 10
LR_RANGE = (1e-4, 0.1)
MAX_WIDTH = 16
RUN_IMAGES = 24_000  # dataset size × epochs of one run
MAX_RUNS = 6  # learning rates × widths of a search
SEARCH_IMAGES = 72_000  # dataset size × epochs × runs of a search
SUBSET_SEED = 0  # which N of the pool's training images a run uses (nested: a larger N adds images)
LOOP_STEPS = ("sample", "predict", "loss", "update", "evaluate", "keep")

Progress = Callable[[float, str, dict], None]


# ------------------------------------------------------------------------------ the plan


def check_settings(n_train: int, batch_size: int, epochs: int, *, patience: int = 0, lr: float = 3e-3,
                   width: int = 8, pool: int | None = None) -> dict:
    """The settings of one run, checked (InputError says what was expected and what was received)."""
    s = {"n_train": checks.int_in_range("n_train (dataset size)", n_train, MIN_TRAIN, pool),
         "batch_size": checks.int_in_range("batch_size", batch_size, 1, MAX_BATCH),
         "epochs": checks.int_in_range("epochs", epochs, 1, MAX_EPOCHS),
         "patience": checks.int_in_range("patience (0 = never stop early)", patience, 0, MAX_PATIENCE),
         "lr": checks.number_in_range("lr", lr, *LR_RANGE),
         "width": checks.int_in_range("width", width, 1, MAX_WIDTH)}
    return s


def plan(n_train: int, batch_size: int, epochs: int, *, runs: int = 1) -> dict:
    """What a run (or a search of ``runs`` runs) will do, before it starts.

    batches per epoch = ⌈N / b⌉: ⌊N / b⌋ full ones, and the last holds N − (⌈N/b⌉ − 1)·b images,
    updates = epochs · batches per epoch, images trained on = N · epochs (· runs).
    ``message`` says why a job is over the budget (None when it is within).
    """
    n = checks.int_in_range("n_train (dataset size)", n_train, 1)
    b = checks.int_in_range("batch_size", batch_size, 1, MAX_BATCH)
    e = checks.int_in_range("epochs", epochs, 1, MAX_EPOCHS)
    runs = checks.int_in_range("runs", runs, 1)
    batches = -(-n // b)
    images = n * e * runs
    limit = RUN_IMAGES if runs == 1 else SEARCH_IMAGES
    if runs > MAX_RUNS:
        message = f"a search may train at most {MAX_RUNS} runs (learning rates × widths), got {runs}"
    elif images > limit:
        what, parts = ("dataset size × epochs × runs", f"{n} × {e} × {runs}") if runs > 1 else \
            ("dataset size × epochs", f"{n} × {e}")
        message = (f"{'a search' if runs > 1 else 'a run'} may train on at most {limit:,} images ({what}), "
                   f"got {parts} = {images:,}")
    else:
        message = None
    return {"n_train": n, "batch_size": b, "epochs": e, "runs": runs,
            "batches_per_epoch": batches, "full_batches": n // b, "last_batch": n - (batches - 1) * b,
            "updates_per_run": batches * e, "images": images, "limit": limit,
            "within_budget": message is None, "message": message}


def check_budget(n_train: int, batch_size: int, epochs: int, *, runs: int = 1) -> dict:
    """:func:`plan`, or InputError (its ``message``) when the job would train too long."""
    p = plan(n_train, batch_size, epochs, runs=runs)
    if not p["within_budget"]:
        raise InputError(p["message"])
    return p


# ------------------------------------------------------------------------------ the data


def training_data(data: ChestData, n_train: int):
    """The first ``n_train`` of a fixed shuffle of the pool's training images, and every validation image.

    Standardised with the training subset's mean and std: (x − mean) / std.
    Returns ``(x_train, y_train), (x_val, y_val), info``.
    """
    pool = len(data.train_images)
    n = checks.int_in_range("n_train (dataset size)", n_train, MIN_TRAIN, pool)
    idx = np.sort(np.random.default_rng(SUBSET_SEED).permutation(pool)[:n])
    y_train, y_val = data.train_labels[idx], data.val_labels
    _, x_train, x_val = standardise(data.train_images[idx], data.val_images)
    info = {"n_train": n, "n_val": int(len(y_val)), "pool": pool, "image_size": IMAGE_SIZE,
            "train_counts": _counts(y_train), "val_counts": _counts(y_val),
            "synthetic": data.synthetic, "source": data.source}
    return (x_train, y_train), (x_val, y_val), info


def _counts(y) -> dict:
    return {"normal": int(np.sum(y == 0)), "pneumonia": int(np.sum(y == 1))}


def model_facts(width: int, seed: int = 0) -> dict:
    model = build_model("lesson", width=width, seed=seed)
    return {"name": "lesson", "width": width, "parameters": int(model.num_parameters()),
            "layers": f"conv 3×3 ({width} filters) → pool → conv 3×3 ({2 * width}) → pool → dense 64 "
                      f"→ 1 logit"}


def recipe_for(s: dict, seed: int = 0):
    """The lessons' recipe with this run's settings; best = highest val AUC (tolerance 0)."""
    return LESSON_RECIPE.replace(epochs=s["epochs"], batch_size=s["batch_size"], lr=s["lr"], seed=seed,
                                 tolerance=0.0, patience=s["patience"] or None)


# ------------------------------------------------------------------------------ one run


def chart_row(row: dict) -> dict:
    """One epoch of fit's history, as the chart and the table show it."""
    keys = ("train_loss", "val_loss", "train_accuracy", "val_accuracy", "val_auc")
    return {"epoch": int(row["epoch"]), **{k: _round(row.get(k)) for k in keys},
            "saved": bool(row.get("best")), "batches": int(row["batches"])}


def run_loop(data: ChestData, *, n_train: int, batch_size: int, epochs: int, patience: int = 3, lr: float = 3e-3,
             width: int = 8, seed: int = 0, progress: Progress | None = None) -> dict:
    """Train the lesson CNN once with :func:`ml2dl.train.fit`; every epoch's figures and the kept one.

    ``progress(fraction, message, extra)`` is called after every batch (``extra``: the loop
    ``phase`` "train", ``epoch``, ``batch``, ``batches``, ``batch_loss``, ``update``) and every
    epoch (phase "evaluate", or "keep" when the epoch was saved, and the ``history`` so far). It
    may raise to cancel: the exception ends training and propagates.

    Returns:
        ``settings``, ``plan``, ``data``, ``model``, ``history`` (one :func:`chart_row` per epoch),
        ``best_epoch``, ``best`` (its row), ``stopped`` ("completed" or "early_stopping"),
        ``epochs_run``, ``updates``, ``text`` (sentences computed from these numbers), ``seconds``.
    """
    s = check_settings(n_train, batch_size, epochs, patience=patience, lr=lr, width=width,
                       pool=len(data.train_images))
    p = check_budget(s["n_train"], s["batch_size"], s["epochs"])
    train, val, info = training_data(data, s["n_train"])
    model = build_model("lesson", width=s["width"], seed=seed)
    history: list[dict] = []
    total = p["updates_per_run"]

    def on_event(e):
        if progress is None:
            return
        if e.stage == "batch":
            update = (e.epoch - 1) * e.batches + e.batch
            progress(update / total, f"epoch {e.epoch}/{e.epochs}: batch {e.batch}/{e.batches}",
                     {"phase": "train", "epoch": e.epoch, "epochs": e.epochs, "batch": e.batch, "batches": e.batches,
                      "batch_size": min(s["batch_size"], s["n_train"] - (e.batch - 1) * s["batch_size"]),
                      "batch_loss": _round(e.batch_loss), "update": update})
        elif e.stage == "epoch":
            history.append(chart_row(e.row))
            progress(e.epoch * e.batches / total, f"epoch {e.epoch}/{e.epochs}: validated",
                     {"phase": "keep" if e.row["best"] else "evaluate", "epoch": e.epoch,
                      "history": list(history), "best_epoch": e.best_epoch})

    result = fit(model, train, val, recipe=recipe_for(s, seed), callbacks=[on_event])
    rows = [chart_row(r) for r in result.history]
    best = next(r for r in rows if r["epoch"] == result.best_epoch)
    out = {"settings": {**s, "seed": seed}, "plan": p, "data": info, "model": model_facts(s["width"], seed),
           "history": rows, "best_epoch": int(result.best_epoch), "best": best, "stopped": result.stopped,
           "epochs_run": len(rows), "updates": sum(r["batches"] for r in rows), "seconds": round(result.seconds, 2)}
    out["text"] = run_text(out)
    return out


def run_text(r: dict) -> dict:
    """The run's sentences, each from numbers the result holds."""
    s, best, k, n = r["settings"], r["best"], r["best_epoch"], r["epochs_run"]
    auc = f"{best['val_auc']:.4f}" if best["val_auc"] is not None else "undefined"
    kept = (f"Epoch {k} had the highest validation AUC ({auc}): its weights were saved, and they are the "
            f"model this run keeps" + (" — the last epoch was the best." if k == n else
                                       f", not those of epoch {n}, the last one trained."))
    if r["stopped"] == "early_stopping":
        stop = (f"Validation did not beat epoch {k} for {n - k} epochs (patience {s['patience']}), so training "
                f"stopped early after epoch {n} of {s['epochs']}.")
    elif s["patience"] and n - k > 0:
        stop = (f"Training ran all {n} epochs: validation had not improved for {n - k} of them, fewer than the "
                f"patience of {s['patience']}.")
    else:
        stop = f"Training ran all {n} epochs" + (" without stopping early." if s["patience"] else
                                                  " (patience 0: never stop early).")
    return {"kept": kept, "stop": stop}


# ------------------------------------------------------------------------------ the search


def run_search(data: ChestData, *, n_train: int, batch_size: int, epochs: int, patience: int = 3,
               lrs=(1e-3, 3e-3, 1e-2), widths=(4, 8), seed: int = 0, progress: Progress | None = None) -> dict:
    """Train one run per (learning rate, width) with :func:`ml2dl.train.tune`; choose on validation AUC.

    Every run sees the same images in the same order from the same seed; only the learning rate
    and the width differ. The chosen setting is the highest best-epoch validation AUC (the
    earliest in the grid on ties), as ``tune`` ranks them. ``progress`` as for :func:`run_loop`,
    with ``trial``, ``trials`` and the ``runs`` finished so far.

    Returns:
        ``settings``, ``plan``, ``data``, ``runs`` (one row per setting in grid order, lr major:
        ``lr``, ``width``, ``parameters``, ``val_auc``, ``val_accuracy``, ``val_loss``,
        ``best_epoch``, ``epochs_run``, ``stopped``, ``seconds``, ``chosen``), ``chosen``, ``text``.
    """
    lrs, widths = _values("lrs", lrs, float), _values("widths", widths, int)
    for v in lrs:
        checks.number_in_range("lrs", v, *LR_RANGE)
    for v in widths:
        checks.int_in_range("widths", v, 1, MAX_WIDTH)
    s = check_settings(n_train, batch_size, epochs, patience=patience, lr=lrs[0], width=widths[0],
                       pool=len(data.train_images))
    p = check_budget(s["n_train"], s["batch_size"], s["epochs"], runs=len(lrs) * len(widths))
    train, val, info = training_data(data, s["n_train"])
    trials = p["runs"]
    done: list[dict] = []
    current = {"trial": 1}

    def on_trial(e):
        current["trial"] = e["trial"]
        if e["stage"] == "trial_end":
            done.append(_search_row(e["result"], seed))
            if progress is not None:
                progress(e["trial"] / trials, f"run {e['trial']}/{trials} done", {"runs": list(done)})

    def on_event(e):
        if progress is not None and e.stage == "batch":
            i = current["trial"]
            within = ((e.epoch - 1) * e.batches + e.batch) / (e.epochs * e.batches)
            progress((i - 1 + within) / trials, f"run {i}/{trials}: epoch {e.epoch}/{e.epochs}",
                     {"trial": i, "trials": trials, "epoch": e.epoch, "epochs": e.epochs, "runs": list(done)})

    ranked = tuning.tune(train, val, model="lesson", space={"lr": lrs, "width": widths},
                         recipe=recipe_for(s, seed), on_event=on_trial, callbacks=[on_event])
    chosen_trial = ranked[0]["trial"]
    rows = sorted((_search_row(r, seed) for r in ranked), key=lambda r: r["trial"])
    for r in rows:
        r["chosen"] = r["trial"] == chosen_trial
    chosen = next(r for r in rows if r["chosen"])
    settings = {k: v for k, v in s.items() if k not in ("lr", "width")}
    out = {"settings": {**settings, "lrs": lrs, "widths": widths, "seed": seed}, "plan": p, "data": info,
           "runs": rows, "chosen": chosen}
    out["text"] = search_text(out)
    return out


def _search_row(r: dict, seed: int) -> dict:
    return {"trial": int(r["trial"]), "lr": float(r["lr"]), "width": int(r["width"]),
            "parameters": model_facts(int(r["width"]), seed)["parameters"],
            "val_auc": _round(r.get("val_auc")), "val_accuracy": _round(r.get("val_accuracy")),
            "val_loss": _round(r.get("val_loss")), "best_epoch": r.get("best_epoch"),
            "epochs_run": r.get("epochs_run"), "stopped": r.get("stopped"), "seconds": round(float(r["seconds"]), 2)}


def search_text(r: dict) -> dict:
    """Why this setting, and why on validation: sentences from the search's numbers."""
    c, runs = r["chosen"], r["runs"]
    aucs = [x["val_auc"] for x in runs if x["val_auc"] is not None]
    chosen = (f"Chosen: learning rate {c['lr']:g} and width {c['width']}, whose best validation AUC, "
              f"{c['val_auc']:.4f}, is the highest of the {len(runs)} runs"
              + (f" (they range from {min(aucs):.4f} to {max(aucs):.4f})." if len(aucs) > 1 else "."))
    why = (f"The choice is made on the {r['data']['n_val']} validation images, never on test images: the test "
           f"set is kept for one final measurement. Picking the best of {len(runs)} on the test set would make "
           f"its score look better than the model is on new patients — the pick itself flatters it.")
    return {"chosen": chosen, "why": why}


# ------------------------------------------------------------------------------ helpers


def _values(name: str, values, kind) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InputError(f"{name} must be a list of numbers, got {values!r}")
    out = list(values)
    if not out or len(set(out)) != len(out):
        raise InputError(f"{name} must be a non-empty list of distinct numbers, got {out!r}")
    if kind is int:
        return [checks.positive_int(name, v) for v in out]
    return [float(checks.finite(name, v)) for v in out]


def _round(v, digits: int = 4):
    return None if v is None or not math.isfinite(v) else round(float(v), digits)
