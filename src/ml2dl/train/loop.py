"""The training loop of the lectures, for real: feed, predict, lose, update, validate, keep the best.

::

    for epoch in 1..E:
        for each mini-batch (shuffled, augmented):       batches per epoch = ⌈N / batch_size⌉
            logits = model(x);  loss = BCE(logits, y)    (positives weighted by n_neg / n_pos)
            model.backward(loss_fn.backward()); opt.step(); opt.zero_grad(); schedule.step()
        validate: val loss, AUC, accuracy at 0.5
        the best validation AUC so far → best.npz;  the whole state → last.npz (for resume)

:func:`fit` is the one function the CLI, the web module and notebooks share. It reports
progress through callbacks (``callback(event)`` with a :class:`TrainEvent`), keeps a run
directory (see :mod:`ml2dl.train.runs`), stops early on request, on a time budget, or
after ``patience`` epochs without progress, and is reproducible: the same seed gives the
same weights, and a resumed run continues exactly as if it had never stopped (every
epoch draws its shuffle, augmentation and dropout masks from ``(seed, epoch)``).

Class weighting and the decision threshold: with ``class_weight="balanced"`` the loss
weighs each pneumonia image by n_normal / n_pneumonia, so both classes carry the same
total weight. The network's probability then estimates P(pneumonia | image) *for a
balanced population* rather than for the training set's 74 % pneumonia, and the 0.5
threshold sits where sensitivity and specificity are traded evenly — which is what
keeps accuracy at 0.5 stable when the test set's prevalence differs (62.5 %).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .. import metrics, nn, optim
from .runs import RunDir, RunError, load_optimizer_state, load_scheduler_state

OPTIMIZERS = ("adamw", "adam", "sgd")
SCHEDULES = ("onecycle", "cosine", "constant")

# The default recipe: what `ml2dl train` and `fit()` use unless told otherwise.
DEFAULT_RECIPE = {
    "epochs": 20,
    "batch_size": 64,
    "lr": 3e-3,                 # the peak of the one-cycle schedule
    "optimizer": "adamw",
    "weight_decay": 1e-4,
    "momentum": 0.9,            # SGD only
    "schedule": "onecycle",
    "class_weight": "balanced",
    "augment": "default",       # random affine: rotation, scale, shift; no flips for chest X-rays
    "patience": None,           # early stopping after this many epochs without a better val AUC
    "tolerance": 0.002,         # val AUC differences below this are ties, won by the later epoch
    "precise_bn": 16,           # batch-norm statistics re-averaged over 16 clean batches each epoch
    "max_seconds": None,
    "seed": 0,
}


class StopTraining(Exception):
    """Raise from a callback to end training cleanly after the current batch.

    The current (partial) epoch is validated, the best checkpoint kept, and :func:`fit`
    returns normally with ``result.stopped == "callback"``.
    """


@dataclass
class TrainEvent:
    """What a callback receives.

    Attributes:
        stage: ``"start"`` (before the first batch), ``"batch"`` (after each batch),
            ``"epoch"`` (after each validation, with ``row``) or ``"end"``.
        epoch: the current epoch, from 1. ``epochs``: how many are planned.
        batch, batches: the batch just done in this epoch (from 1) and batches per epoch.
        loss: mean training loss of this epoch so far.
        lr: the learning rate of the last step.
        elapsed: seconds of training in this run (including before a resume).
        row: the history row of the epoch just validated (``"epoch"`` stage).
        best_epoch, best_val_auc: the best checkpoint so far.
        stopped: why training ended (``"end"`` stage): completed, early_stopping,
            time_budget, callback, interrupted.
    """

    stage: str
    epoch: int
    epochs: int
    batch: int = 0
    batches: int = 0
    loss: float | None = None
    lr: float | None = None
    elapsed: float = 0.0
    row: dict | None = None
    best_epoch: int | None = None
    best_val_auc: float | None = None
    stopped: str | None = None


@dataclass
class FitResult:
    """What :func:`fit` returns. ``model`` holds the best weights unless ``restore_best=False``."""

    model: nn.Sequential
    history: list[dict]
    best_epoch: int | None
    best_val_auc: float | None
    stopped: str
    seconds: float
    run_dir: Path | None = None
    operating_points: dict | None = None
    recipe: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# Data helpers
# --------------------------------------------------------------------------------------
def as_arrays(data, name: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """(images float32 (N, C, H, W), labels float32 (N,) of 0/1) from an ImageDataset or a pair."""
    if hasattr(data, "images") and hasattr(data, "labels"):
        x, y = data.images, data.labels
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = data
    else:
        raise TypeError(f"{name} must be an ImageDataset or an (images, labels) pair, "
                        f"got {type(data).__name__}")
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{name} images must have shape (N, C, H, W), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{name} images must be floats in [0, 1], got dtype {x.dtype}")
    x = x.astype(np.float32, copy=False)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (len(x),):
        raise ValueError(f"{name} labels must have shape ({len(x)},) for {len(x)} images, got {y.shape}")
    values = np.unique(y)
    if not set(values.tolist()) <= {0, 1}:
        raise ValueError(f"{name} labels must be 0/1 (a binary task such as normal vs pneumonia), "
                         f"got values {values[:10].tolist()}")
    return x, y.astype(np.float32)


def predict_logits(model, images, *, batch_size: int = 256) -> np.ndarray:
    """Logits (N,) in evaluation mode (dropout off, batch-norm running statistics).

    The model's train/eval mode is restored afterwards.
    """
    images = np.asarray(images, dtype=np.float32)
    was_training = model.training
    model.eval()
    try:
        out = [np.asarray(model(images[i:i + batch_size])).reshape(-1)
               for i in range(0, len(images), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def predict_proba(model, images, *, batch_size: int = 256) -> np.ndarray:
    """P(positive) = σ(logit), float64 (N,), computed without overflow."""
    return nn.functional.sigmoid(predict_logits(model, images, batch_size=batch_size).astype(np.float64))


def balanced_pos_weight(labels) -> float:
    """n_negative / n_positive: the positive-class weight that balances the two classes."""
    y = np.asarray(labels).reshape(-1)
    n_pos = float(np.sum(y == 1))
    n_neg = float(np.sum(y == 0))
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"class_weight='balanced' needs both classes in train, got "
                         f"{int(n_neg)} negatives and {int(n_pos)} positives")
    return n_neg / n_pos


def default_augment():
    """The chest X-ray augmentation, ``ml2dl.data.augment.Augment()``'s defaults: random
    rotation (±10°), scale (0.9–1.1), shift (±10 %), brightness and contrast (±0.1); no
    flips (a chest film is not left–right symmetric). A callable ``(images, rng) -> images``.
    """
    from ..data.augment import Augment

    return Augment()


def _augmenter(augment):
    """Normalise the ``augment`` option into ``f(images, rng) -> images`` or None."""
    if augment is None or augment is False or augment == "none":
        return None
    if augment == "default" or augment is True:
        augment = default_augment()
    if isinstance(augment, dict):
        from ..data.augment import Augment

        augment = Augment(**augment)
    if not callable(augment):
        raise TypeError(f"augment must be None, 'default', a dict of Augment options or a callable "
                        f"(images, rng) -> images, got {augment!r}")
    return augment


def _apply_augment(aug, images, rng):
    try:
        return aug(images, rng=rng)
    except TypeError:
        return aug(images, rng)


# --------------------------------------------------------------------------------------
# Recipe checks
# --------------------------------------------------------------------------------------
def _positive_int(name, value, *, allow_none=False):
    if allow_none and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _positive_float(name, value, *, allow_zero=False, allow_none=False):
    if allow_none and value is None:
        return None
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        raise ValueError(f"{name} must be a {'non-negative' if allow_zero else 'positive'} number, "
                         f"got {value!r}")
    return float(value)


def _choice(name, value, options):
    if value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}")
    return value


def make_optimizer(name: str, params, *, lr: float, weight_decay: float, momentum: float = 0.9):
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=momentum > 0)


def make_schedule(name: str, opt, *, lr: float, total_steps: int):
    if name == "onecycle" and total_steps > 1:
        return optim.OneCycleLR(opt, max_lr=lr, total_steps=total_steps)
    if name == "cosine":
        return optim.CosineAnnealingLR(opt, T_max=max(total_steps, 1))
    return None


def validate(model, images, labels, *, pos_weight=None, batch_size: int = 256) -> dict:
    """``val_loss`` (the training loss's weighting), ``val_auc`` and ``val_accuracy`` (at 0.5)."""
    z = predict_logits(model, images, batch_size=batch_size)
    return {"val_loss": float(nn.BCEWithLogitsLoss(pos_weight=pos_weight)(z, labels)),
            "val_auc": _auc(labels, z),
            "val_accuracy": float(np.mean((z > 0) == (labels == 1)))}


def keeps(auc: float, best: float, tolerance: float) -> bool:
    """Does an epoch with validation ``auc`` replace the kept checkpoint, ``best`` being the
    highest AUC seen before it? Yes when auc ≥ best − tolerance (ties go to the later epoch)."""
    if tolerance == 0:
        return auc > best
    return auc >= best - tolerance


def recompute_batchnorm(model, images, *, batches: int, batch_size: int, rng) -> None:
    """Running statistics of every batch-norm layer := the average over ``batches`` batches.

    Runs the forward pass in training mode (each batch normalised by its own statistics, as
    in training) over ``batches · batch_size`` images drawn without replacement, with each
    layer's momentum set to 1/(k+1) at the k-th batch, which makes the running values the
    plain mean of the batch statistics. Parameters are untouched; momentum and the
    ``num_batches_tracked`` counters are restored.
    """
    norms = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    if not norms:
        return
    idx = rng.permutation(len(images))[:batches * batch_size]
    saved = [(m.momentum, np.array(m.num_batches_tracked, copy=True)) for m in norms]
    was_training = model.training
    model.train()
    try:
        for k, start in enumerate(range(0, len(idx), batch_size)):
            chunk = idx[start:start + batch_size]
            if len(chunk) < 2:
                break
            for m in norms:
                m.momentum = 1.0 / (k + 1)
            model(images[chunk])
    finally:
        for m, (momentum, tracked) in zip(norms, saved):
            m.momentum, m.num_batches_tracked = momentum, tracked
        model.train(was_training)


def _reseed_dropout(model, seed: int, epoch: int) -> None:
    """Give every Dropout layer a generator drawn from (seed, epoch, its index).

    So masks depend on the epoch only, not on how many epochs ran in this process: a
    resumed run draws the same masks as an uninterrupted one.
    """
    for k, m in enumerate(model.modules()):
        if isinstance(m, nn.Dropout):
            m.rng = np.random.default_rng([seed, epoch, 2, k])


# --------------------------------------------------------------------------------------
# fit
# --------------------------------------------------------------------------------------
def fit(model, train, val=None, *, epochs: int = DEFAULT_RECIPE["epochs"],
        batch_size: int = DEFAULT_RECIPE["batch_size"], lr: float = DEFAULT_RECIPE["lr"],
        optimizer: str = DEFAULT_RECIPE["optimizer"], weight_decay: float = DEFAULT_RECIPE["weight_decay"],
        momentum: float = DEFAULT_RECIPE["momentum"], schedule: str = DEFAULT_RECIPE["schedule"],
        class_weight=DEFAULT_RECIPE["class_weight"], augment=DEFAULT_RECIPE["augment"],
        patience: int | None = DEFAULT_RECIPE["patience"], max_seconds: float | None = None,
        tolerance: float = DEFAULT_RECIPE["tolerance"], precise_bn: int | None = DEFAULT_RECIPE["precise_bn"],
        seed: int = DEFAULT_RECIPE["seed"], run_dir=None, resume: bool = False, overwrite: bool = False,
        callbacks: Iterable[Callable[[TrainEvent], None]] = (), restore_best: bool = True,
        eval_batch_size: int = 256, threads: int | None = None, config: dict | None = None) -> FitResult:
    """Train a binary classifier (one logit) with mini-batches, validating every epoch.

    Args:
        model: an ``nn.Sequential`` ending in one logit (see :func:`build_model`).
        train, val: ``ImageDataset`` s (or ``(images, labels)`` pairs): images float32
            (N, C, H, W) in [0, 1], labels 0/1. Without ``val`` nothing is selected: the
            last epoch is kept as "best".
        epochs: passes over the training set.
        batch_size: images per gradient step; batches per epoch = ⌈N / batch_size⌉.
        lr: learning rate (the peak of the one-cycle schedule).
        optimizer: ``"adamw"`` (decoupled weight decay), ``"adam"`` or ``"sgd"`` (Nesterov momentum).
        weight_decay: λ, the L2 pull of the weights towards zero.
        schedule: ``"onecycle"`` (warm up then anneal, stepped per batch), ``"cosine"`` or ``"constant"``.
        class_weight: ``"balanced"`` (pos_weight = n_neg / n_pos), ``None``, or a number (pos_weight).
        augment: ``"default"`` (random affine), ``None``, a dict of ``Augment`` options, or a
            callable ``(images, rng) -> images``.
        patience: stop after this many epochs without a better validation AUC (None: never).
        tolerance: the kept checkpoint is the latest epoch whose validation AUC is within
            ``tolerance`` of the best seen. A 524-image validation set measures an AUC near
            0.99 to about ±0.002: smaller differences are noise, and the later epoch (further
            along the schedule) wins the tie. 0 keeps the strict maximum (the earliest on ties).
        precise_bn: after each epoch, set every batch-norm layer's running mean and variance
            to the plain average over this many un-augmented training batches (None or 0:
            keep the moving averages of training). The moving averages lag behind weights
            that change fast at the peak learning rate and come from augmented images; the
            recomputed ones describe the current weights on images like those evaluated,
            which steadies validation and the calibration of the 0.5 threshold
            (Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm").
        max_seconds: time budget. The schedule is compressed so that it completes within the
            budget (it advances by elapsed time when that is ahead of the step count), and
            training stops when the budget is spent. Runs with a budget are not bit-for-bit
            reproducible (they depend on the machine's speed).
        seed: shuffling, augmentation and dropout are drawn from ``(seed, epoch)``.
        run_dir: a folder for config.json, history, best.npz and last.npz (see :mod:`.runs`).
        resume: continue the run in ``run_dir`` from its last finished epoch.
        overwrite: replace a previous run in ``run_dir``.
        callbacks: functions called with a :class:`TrainEvent`; raise :class:`StopTraining` to stop.
        restore_best: load the best weights into ``model`` before returning.
        threads: threads the engine uses while training (see :func:`ml2dl.nn.set_num_threads`);
            None keeps its setting (by default, every usable core).
        config: extra JSON-able facts for config.json (model name and options, data spec).

    Returns:
        :class:`FitResult`.

    Raises:
        KeyboardInterrupt: re-raised after Ctrl-C, once the run directory is consistent (the
            best checkpoint and last finished epoch stay on disk) and ``model`` holds the best weights.
    """
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    lr = _positive_float("lr", lr)
    weight_decay = _positive_float("weight_decay", weight_decay, allow_zero=True)
    momentum = _positive_float("momentum", momentum, allow_zero=True)
    _choice("optimizer", optimizer, OPTIMIZERS)
    _choice("schedule", schedule, SCHEDULES)
    patience = _positive_int("patience", patience, allow_none=True)
    tolerance = _positive_float("tolerance", tolerance, allow_zero=True)
    precise_bn = None if precise_bn in (None, 0) else _positive_int("precise_bn", precise_bn)
    threads = _positive_int("threads", threads, allow_none=True)
    max_seconds = _positive_float("max_seconds", max_seconds, allow_none=True)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    seed = int(seed)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an ml2dl nn.Module, got {type(model).__name__}")
    if resume and run_dir is None:
        raise ValueError("resume=True needs the run_dir of the run to continue")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"callbacks must be callables taking a TrainEvent, got {cb!r}")

    x_train, y_train = as_arrays(train, "train")
    x_val, y_val = as_arrays(val, "val") if val is not None else (None, None)
    if x_val is not None and x_val.shape[1:] != x_train.shape[1:]:
        raise ValueError(f"val images have shape {x_val.shape[1:]}, train images {x_train.shape[1:]}")

    if class_weight == "balanced":
        pos_weight = balanced_pos_weight(y_train)
    elif class_weight is None or class_weight == "none":
        pos_weight = None
    else:
        pos_weight = _positive_float("class_weight", class_weight)
    aug = _augmenter(augment)

    recipe = {"epochs": epochs, "batch_size": batch_size, "lr": lr, "optimizer": optimizer,
              "weight_decay": weight_decay, "momentum": momentum, "schedule": schedule,
              "class_weight": class_weight if isinstance(class_weight, (str, type(None))) else float(class_weight),
              "pos_weight": pos_weight,
              "augment": augment if isinstance(augment, (str, dict, type(None), bool)) else repr(augment),
              "patience": patience, "tolerance": tolerance, "precise_bn": precise_bn,
              "max_seconds": max_seconds, "seed": seed}

    n = len(x_train)
    batches = math.ceil(n / batch_size)
    total_steps = epochs * batches
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = make_optimizer(optimizer, model.parameters(), lr=lr, weight_decay=weight_decay, momentum=momentum)
    sched = make_schedule(schedule, opt, lr=lr, total_steps=total_steps)

    # -- run directory: new, or resumed ----------------------------------------------------
    run = RunDir(run_dir) if run_dir is not None else None
    history: list[dict] = []
    start_epoch, step, elapsed_before = 1, 0, 0.0
    best_auc, best_epoch, stale = -math.inf, None, 0
    max_auc = -math.inf  # the highest validation AUC seen (the kept epoch's is within `tolerance` of it)
    if run is not None:
        run.prepare(overwrite=overwrite, resume=resume)
        if resume and run.last_path.is_file():
            state = run.load_state()
            _check_resume(state["meta"].get("recipe", {}), recipe, run.path)
            try:
                model.load_state_dict(state["model"])
            except (KeyError, ValueError) as err:
                raise RunError(f"cannot resume {run.path}: the model does not match its checkpoint ({err})") from None
            load_optimizer_state(opt, state["optim"])
            if sched is not None and state["scheduler"] is not None:
                load_scheduler_state(sched, state["scheduler"])
            meta = state["meta"]
            history = list(meta.get("history", []))
            start_epoch = int(meta["epoch"]) + 1
            step = int(meta.get("step", (start_epoch - 1) * batches))
            elapsed_before = float(meta.get("elapsed", 0.0))
            best_auc = meta.get("best_val_auc")
            best_auc = -math.inf if best_auc is None else float(best_auc)
            best_epoch = meta.get("best_epoch")
            stale = int(meta.get("stale", 0))
            max_auc = meta.get("max_val_auc")
            max_auc = -math.inf if max_auc is None else float(max_auc)
            run.write_history(history)
        elif not resume or not run.exists():
            run.write_config({**(config or {}), "recipe": recipe,
                              "architecture": nn.architecture(model),
                              "parameters": int(model.num_parameters()),
                              "input_shape": list(x_train.shape[1:]),
                              "train": _describe(y_train), "val": _describe(y_val)})

    with nn.num_threads(threads or nn.get_num_threads()):
        t_start = time.perf_counter()

        def elapsed():
            return elapsed_before + time.perf_counter() - t_start

        def emit(event):
            for cb in callbacks:
                cb(event)

        def best_so_far():
            return {"best_epoch": best_epoch, "best_val_auc": _or_none(best_auc)}

        stopped = "completed"
        last_eval_seconds = 0.0
        best_state = None  # the best weights of this process, so no reload is needed at the end
        epoch = start_epoch - 1
        try:
            emit(TrainEvent("start", start_epoch, epochs, 0, batches, elapsed=elapsed(), **best_so_far()))
            for epoch in range(start_epoch, epochs + 1):
                t_epoch = time.perf_counter()
                order = np.random.default_rng([seed, epoch, 0]).permutation(n)
                aug_rng = np.random.default_rng([seed, epoch, 1])
                _reseed_dropout(model, seed, epoch)
                model.train()
                loss_sum, seen, train_logits, train_targets = 0.0, 0, [], []
                for b in range(batches):
                    idx = order[b * batch_size:(b + 1) * batch_size]
                    xb, yb = x_train[idx], y_train[idx]
                    if aug is not None:
                        xb = np.asarray(_apply_augment(aug, xb, aug_rng), dtype=np.float32)
                    logits = model(xb)
                    if logits.shape not in ((len(idx), 1), (len(idx),)):
                        raise ValueError(f"fit trains a binary classifier: the model must give one logit per "
                                         f"image, shape ({len(idx)}, 1), got shape {logits.shape}")
                    loss = loss_fn(logits, yb.reshape(logits.shape))
                    if not math.isfinite(loss):
                        raise FloatingPointError(f"the training loss became {loss} at epoch {epoch}, batch {b + 1}; "
                                                 f"try a smaller learning rate (lr={lr})")
                    model.backward(loss_fn.backward())
                    opt.step()
                    opt.zero_grad()
                    step += 1
                    position = _position(step, total_steps, elapsed(), max_seconds, last_eval_seconds)
                    if sched is not None:
                        _advance_schedule(sched, position, total_steps)
                    loss_sum += loss * len(idx)
                    seen += len(idx)
                    train_logits.append(np.asarray(logits, dtype=np.float64).reshape(-1))
                    train_targets.append(yb)
                    try:
                        emit(TrainEvent("batch", epoch, epochs, b + 1, batches, loss_sum / seen, opt.lr, elapsed(),
                                        **best_so_far()))
                    except StopTraining:
                        stopped = "callback"
                    if stopped == "completed" and max_seconds is not None and position >= total_steps:
                        stopped = "time_budget"
                    if stopped != "completed":
                        break
                # -- validate ------------------------------------------------------------------
                t_eval = time.perf_counter()
                if precise_bn:
                    recompute_batchnorm(model, x_train, batches=precise_bn, batch_size=batch_size,
                                        rng=np.random.default_rng([seed, epoch, 3]))
                row = {"epoch": epoch, "train_loss": loss_sum / max(seen, 1),
                       "train_auc": _auc(np.concatenate(train_targets), np.concatenate(train_logits))}
                if x_val is not None:
                    row.update(validate(model, x_val, y_val, pos_weight=pos_weight, batch_size=eval_batch_size))
                last_eval_seconds = time.perf_counter() - t_eval
                row.update({"lr": float(opt.lr), "epoch_seconds": time.perf_counter() - t_epoch,
                            "elapsed_seconds": elapsed(), "batches": b + 1})
                if x_val is None:
                    improved = True  # nothing to select on: the latest epoch is the one kept
                elif row["val_auc"] is None:
                    improved = best_epoch is None  # one-class validation set: AUC undefined
                else:
                    improved = keeps(row["val_auc"], max_auc, tolerance)
                row["best"] = bool(improved)
                if improved:
                    best_auc = row.get("val_auc") if row.get("val_auc") is not None else -math.inf
                    best_epoch = epoch
                    best_state = model.state_dict()
                if row.get("val_auc") is not None and row["val_auc"] > max_auc:
                    max_auc, stale = row["val_auc"], 0
                elif x_val is not None:
                    stale += 1
                history.append(row)
                if run is not None:
                    if improved:
                        run.save_best(model, {"epoch": epoch, "val_auc": row.get("val_auc"),
                                              "val_loss": row.get("val_loss"), "recipe": recipe,
                                              **_model_facts(config, x_train)})
                    run.save_state(model, optimizer=opt, scheduler=sched,
                                   meta={"epoch": epoch, "step": step, "elapsed": elapsed(), "history": history,
                                         "best_val_auc": _or_none(best_auc), "best_epoch": best_epoch,
                                         "max_val_auc": _or_none(max_auc), "stale": stale, "recipe": recipe})
                    run.write_history(history)
                try:
                    emit(TrainEvent("epoch", epoch, epochs, b + 1, batches, row["train_loss"], opt.lr, elapsed(),
                                    row, **best_so_far()))
                except StopTraining:
                    stopped = "callback"
                if stopped == "completed" and patience is not None and stale >= patience and epoch < epochs:
                    stopped = "early_stopping"
                if stopped != "completed":
                    break
        except StopTraining:  # raised by a callback at the "start" event
            stopped = "callback"
        except KeyboardInterrupt:
            _restore_best(model, run, best_state, restore_best, best_epoch)
            _emit_quietly(callbacks, TrainEvent("end", epoch, epochs, elapsed=elapsed(), stopped="interrupted",
                                                **best_so_far()))
            raise
        _restore_best(model, run, best_state, restore_best, best_epoch)

        points = None
        if x_val is not None and best_epoch is not None and len(np.unique(y_val)) == 2:
            s_val = predict_proba(model, x_val, batch_size=eval_batch_size)
            points = metrics.operating_points(y_val, s_val)
            if run is not None:
                run.write_operating_points({"chosen_on": "val", "epoch": best_epoch if restore_best else epoch,
                                            "points": points})
        emit(TrainEvent("end", epoch, epochs, elapsed=elapsed(), stopped=stopped, **best_so_far()))
        return FitResult(model=model, history=history, best_epoch=best_epoch, best_val_auc=_or_none(best_auc),
                         stopped=stopped, seconds=elapsed(), run_dir=run.path if run else None,
                         operating_points=points, recipe=recipe)


def _restore_best(model, run, best_state, restore_best, best_epoch):
    """Put the best weights into ``model``: from memory, or from best.npz after a resume."""
    if not restore_best or best_epoch is None:
        return
    if best_state is None and run is not None and run.best_path.is_file():
        best_state = nn.load(run.best_path).state_dict()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()


def _emit_quietly(callbacks, event):
    for cb in callbacks:
        try:
            cb(event)
        except Exception:  # a failing progress display must not hide the interrupt
            pass


def _position(step, total_steps, elapsed, max_seconds, reserve):
    """Where training is in its schedule, in steps: the step count, or further by the clock.

    With a time budget the position is max(step, elapsed / (budget − reserve) · total_steps),
    ``reserve`` being the time the last validation took. On a slow machine the learning
    rate then anneals by the clock and reaches its end when the budget does, instead of
    being cut off at its peak.
    """
    if max_seconds is None:
        return step
    budget = max(max_seconds - reserve, 1e-9)
    return max(step, math.ceil(elapsed / budget * total_steps))


def _advance_schedule(sched, position, total_steps):
    # OneCycleLR is defined on steps 0 … total_steps − 1 (as PyTorch's).
    last = total_steps - 1 if isinstance(sched, optim.OneCycleLR) else total_steps
    while sched.last_step < min(position, last):
        sched.step()


def _check_resume(saved: dict, current: dict, path):
    keys = [k for k in ("epochs", "batch_size", "lr", "optimizer", "weight_decay", "momentum", "schedule",
                        "class_weight", "pos_weight", "augment", "tolerance", "precise_bn", "seed")
            if k in saved and saved[k] != current.get(k)]
    if keys:
        diff = ", ".join(f"{k} {saved[k]!r} → {current.get(k)!r}" for k in keys)
        raise RunError(f"cannot resume {path} with a different recipe ({diff})")


def _auc(y, scores) -> float | None:
    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        return None
    return float(metrics.roc_auc_score(y, np.asarray(scores, dtype=np.float64)))


def _describe(y):
    if y is None:
        return None
    return {"n": int(len(y)), "positives": int(np.sum(y == 1)), "negatives": int(np.sum(y == 0))}


def _model_facts(config, x_train):
    facts = {"input_shape": list(x_train.shape[1:])}
    if config:
        for key in ("model", "data", "class_names"):
            if key in config:
                facts[key] = config[key]
    return facts


def _or_none(v):
    return None if v is None or not math.isfinite(v) else float(v)
