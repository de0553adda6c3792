"""The training loop of the lectures, for real: feed, predict, lose, update, validate, keep the best.

::

    for epoch in 1..E:                                   run_epoch
        for each mini-batch (shuffled, augmented):       batches per epoch = ⌈N / batch_size⌉
            logits = model(x);  loss = BCE(logits, y)    (positives weighted by n_neg / n_pos;
                                                          K classes: cross-entropy, see below)
            model.backward(loss_fn.backward()); opt.step(); opt.zero_grad(); schedule.step()
        validate: val loss, AUC, accuracy at 0.5         validate_epoch (and the epoch's running train figures)
        the best validation AUC so far → best.npz        keep_best
        the whole state → last.npz (for resume)          save_epoch
        early stopping, time budget, a callback          should_stop

:func:`fit` is the one training loop of ml2dl: the CLI, the web module's steps and notebooks
all train through it. It reports progress through callbacks (``callback(event)`` with a
:class:`TrainEvent`), keeps a run directory (see :mod:`ml2dl.train.runs`), stops early on
request, on a time budget, or after ``patience`` epochs without progress, and is
reproducible: the same seed gives the same weights, and a resumed run continues exactly as
if it had never stopped (every epoch draws its shuffle, augmentation and dropout masks from
``(seed, epoch)``).

K classes (training data an ``ImageDataset`` with ``task="multi-class"``): the same loop, with K
logits per image, the cross-entropy loss (:func:`.parts.make_loss`) and the history's AUC and
accuracy those of :func:`.scoring.auc_and_accuracy` (mean one-vs-rest AUC, arg-max accuracy).

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
from typing import Callable, Iterable

import numpy as np

from .. import checks, metrics, nn
from ..checks import InputError
from .events import FitResult, StopTraining, TrainEvent
from .parts import (advance_schedule, apply_augment, augmenter, keeps, make_loss, make_optimizer, make_schedule,
                    recompute_batchnorm, reseed_dropout, schedule_position)
from .recipe import RESUMABLE_CHANGES, Recipe
from .runs import RunDir, RunError
from .scoring import as_arrays, auc_and_accuracy, check_logits, classes_of, describe, predict_proba, validate
from .state import TrainState


def gradient_step(model, loss_fn, optimizer, x, y, *, check: Callable | None = None) -> tuple[float, np.ndarray]:
    """One update of the training loop, the only one in ml2dl: predict, lose, backpropagate, step.

        logits = model(x);  loss = loss_fn(logits, y)
        model.backward(dL/dlogits)          (every Parameter's .grad; x needs no gradient)
        θ ← the optimizer's rule(θ, ∂L/∂θ);  every .grad set back to 0

    :func:`fit` runs it on every batch; the playground, which trains a few steps per request,
    calls it too. ``check(logits)``, if given, may refuse the model's output before the loss
    (fit: one logit per image, or K). Shapes: ``x`` (N, …) as the model takes it; ``y`` is reshaped
    to the logits' shape when it has as many values (class indices (N,) for logits (N, K) are not). Returns the loss (a float; a non-finite loss is the caller's to
    report: the update has been made) and the logits.
    """
    logits = model(x)
    if check is not None:
        check(logits)
    target = np.reshape(y, logits.shape) if np.size(y) == logits.size else y  # class indices (N,) for (N, K)
    loss = loss_fn(logits, target)
    model.backward(loss_fn.backward(), input_grad=False)
    optimizer.step()
    optimizer.zero_grad()
    return loss, logits


def fit(model, train, val=None, *, recipe: Recipe | None = None, run_dir=None, resume: bool = False,
        overwrite: bool = False, callbacks: Iterable[Callable[[TrainEvent], None]] = (),
        restore_best: bool = True, eval_batch_size: int = 256, threads: int | None = None,
        config: dict | None = None, **settings) -> FitResult:
    """Train a binary classifier (one logit) — or a K-class one (K logits) — with mini-batches,
    validating every epoch.

    Args:
        model: an ``nn.Sequential`` ending in one logit (see :func:`build_model`), or in K
            logits for K-class data.
        train, val: ``ImageDataset`` s (or ``(images, labels)`` pairs): images float32
            (N, C, H, W) in [0, 1], labels 0/1 — or 0 … K−1 when ``train`` is an ImageDataset
            with ``task="multi-class"`` and K class names. Without ``val`` nothing is selected:
            the last epoch is kept as "best".
        recipe: how to train (a :class:`~ml2dl.train.Recipe`; default ``Recipe()``).
        **settings: recipe settings that replace the recipe's, e.g. ``fit(m, tr, va, epochs=3)``.
        run_dir: a folder for config.json, history, best.npz and last.npz (see :mod:`.runs`).
        resume: continue the run in ``run_dir`` from its last finished epoch; the recipe must
            be the run's (only ``patience`` and ``max_seconds`` may change).
        overwrite: replace a previous run in ``run_dir``.
        callbacks: functions called with a :class:`TrainEvent`; raise :class:`StopTraining` to
            stop. Any other exception from a callback ends training and propagates.
        restore_best: load the best weights into ``model`` before returning.
        eval_batch_size: images per forward pass when validating.
        threads: threads the engine uses while training (see :func:`ml2dl.nn.num_threads`; the
            count changes results in the last bits); None keeps the caller's setting (by
            default, every usable core).
        config: extra JSON-able facts for config.json (model name and options, data spec).

    Returns:
        :class:`FitResult`.

    Raises:
        InputError: a bad setting or bad data (before anything is trained).
        KeyboardInterrupt: re-raised after Ctrl-C, once the run directory is consistent (the
            best checkpoint and last finished epoch stay on disk) and ``model`` holds the best weights.
    """
    recipe = (Recipe() if recipe is None else recipe).replace(**settings)
    threads = None if threads is None else checks.positive_int("threads", threads)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an ml2dl nn.Module, got {type(model).__name__}")
    if resume and run_dir is None:
        raise InputError("resume=True needs the run_dir of the run to continue")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"callbacks must be callables taking a TrainEvent, got {cb!r}")
    classes = classes_of(train)
    x_train, y_train = as_arrays(train, "train", classes)
    x_val, y_val = as_arrays(val, "val", classes) if val is not None else (None, None)
    if x_val is not None and x_val.shape[1:] != x_train.shape[1:]:
        raise InputError(f"val images have shape {x_val.shape[1:]}, train images {x_train.shape[1:]}")

    training = Training(model, recipe, (x_train, y_train), (x_val, y_val), callbacks=callbacks,
                        eval_batch_size=eval_batch_size, classes=classes)
    run = RunDir(run_dir) if run_dir is not None else None
    if run is not None:
        training.open_run(run, resume=resume, overwrite=overwrite, config=config)
    with nn.num_threads(threads or nn.get_num_threads()):
        return training.run(restore_best=restore_best)


class Training:
    """One call of :func:`fit`: the data, the recipe, optimizer and schedule, and the loop's counters.

    Each method is one named part of the loop; :meth:`run` strings them together.
    """

    def __init__(self, model, recipe: Recipe, train, val, *, callbacks=(), eval_batch_size: int = 256,
                 classes: int = 2):
        self.model, self.recipe, self.classes = model, recipe, classes
        self.x_train, self.y_train = train
        self.x_val, self.y_val = val
        self.callbacks = list(callbacks)
        self.eval_batch_size = eval_batch_size
        self.loss_fn, self.pos_weight, self.class_weights = make_loss(classes, recipe.class_weight, self.y_train)
        self.augment = augmenter(recipe.augment)
        self.n = len(self.x_train)
        self.batches = math.ceil(self.n / recipe.batch_size)
        self.total_steps = recipe.epochs * self.batches
        self.opt = make_optimizer(recipe.optimizer, model.parameters(), lr=recipe.lr,
                                  weight_decay=recipe.weight_decay, momentum=recipe.momentum)
        self.sched = make_schedule(recipe.schedule, self.opt, lr=recipe.lr, total_steps=self.total_steps)
        self.recorded = {**recipe.to_dict(), "pos_weight": self.pos_weight}  # what config.json and last.npz say
        if classes > 2:
            self.recorded.update(classes=classes, class_weights=self.class_weights)
        self.run_dir: RunDir | None = None
        self.config: dict | None = None
        # the loop's counters (saved in last.npz as a TrainState)
        self.history: list[dict] = []
        self.start_epoch, self.step, self.elapsed_before = 1, 0, 0.0
        self.best_auc, self.best_epoch, self.stale = -math.inf, None, 0
        self.max_auc = -math.inf  # the highest validation AUC seen (the kept epoch's is within `tolerance` of it)
        self.best_weights = None  # the best weights of this process, so no reload is needed at the end
        self.last_eval_seconds = 0.0
        self.t_start = time.perf_counter()

    # -- the run directory --------------------------------------------------------------------
    def open_run(self, run: RunDir, *, resume: bool, overwrite: bool, config: dict | None) -> None:
        """Prepare ``run``: a new run writes config.json; a resumed one loads last.npz."""
        self.run_dir, self.config = run, config
        run.prepare(overwrite=overwrite, resume=resume)
        if resume and run.last_path.is_file():
            self.resume_from(TrainState.load(run.last_path), run.path)
            run.write_history(self.history)
        elif not resume or not run.exists():
            run.write_config({**(config or {}), "recipe": self.recorded,
                              "architecture": nn.architecture(self.model),
                              "parameters": int(self.model.num_parameters()),
                              "input_shape": list(self.x_train.shape[1:]),
                              "train": describe(self.y_train, self.classes),
                              "val": describe(self.y_val, self.classes)})

    def resume_from(self, state: TrainState, path) -> None:
        """Continue from ``state``: same recipe (RunError naming what differs), weights, counters."""
        saved = dict(state.recipe)
        changed = {k: v for k, v in self.recipe.diff(saved).items() if k not in RESUMABLE_CHANGES}
        if "pos_weight" in saved and saved["pos_weight"] != self.pos_weight:
            changed["pos_weight"] = (self.pos_weight, saved["pos_weight"])
        for key, default in (("classes", None), ("class_weights", None)):
            if saved.get(key, default) != self.recorded.get(key, default):
                changed[key] = (self.recorded.get(key, default), saved.get(key, default))
        if changed:
            diff = ", ".join(f"{k} {theirs!r} → {mine!r}" for k, (mine, theirs) in changed.items())
            raise RunError(f"cannot resume {path} with a different recipe ({diff})")
        try:
            state.restore(self.model, self.opt, self.sched)
        except RunError as err:
            raise RunError(f"cannot resume {path}: {err}") from None
        self.history = list(state.history)
        self.start_epoch = int(state.epoch) + 1
        self.step = int(state.step)
        self.elapsed_before = float(state.elapsed)
        self.best_auc = -math.inf if state.best_val_auc is None else float(state.best_val_auc)
        self.best_epoch = state.best_epoch
        self.stale = int(state.stale)
        self.max_auc = -math.inf if state.max_val_auc is None else float(state.max_val_auc)

    # -- time and events --------------------------------------------------------------------
    def elapsed(self) -> float:
        return self.elapsed_before + time.perf_counter() - self.t_start

    def emit(self, stage: str, epoch: int, **fields) -> None:
        event = TrainEvent(stage, epoch, self.recipe.epochs, elapsed=self.elapsed(), best_epoch=self.best_epoch,
                           best_val_auc=_or_none(self.best_auc), **fields)
        for cb in self.callbacks:
            cb(event)

    # -- the loop -----------------------------------------------------------------------------
    def run(self, *, restore_best: bool = True) -> FitResult:
        self.t_start = time.perf_counter()
        stopped, epoch = "completed", self.start_epoch - 1
        try:
            self.emit("start", self.start_epoch, batch=0, batches=self.batches)
            for epoch in range(self.start_epoch, self.recipe.epochs + 1):
                t_epoch = time.perf_counter()
                epoch_loss, stopped = self.run_epoch(epoch)
                row = self.validate_epoch(epoch, epoch_loss, t_epoch)
                improved = self.keep_best(row)
                self.save_epoch(row, improved)
                try:
                    self.emit("epoch", epoch, batch=row["batches"], batches=self.batches, loss=row["train_loss"],
                              lr=self.opt.lr, row=row)
                except StopTraining:
                    stopped = "callback"
                stopped = self.should_stop(stopped, epoch)
                if stopped != "completed":
                    break
        except StopTraining:  # raised by a callback at the "start" event
            stopped = "callback"
        except KeyboardInterrupt:
            self.restore_best(restore_best)
            self.emit_quietly("end", epoch, stopped="interrupted")
            raise
        self.restore_best(restore_best)
        points = self.choose_operating_points(epoch if not restore_best else self.best_epoch)
        self.emit("end", epoch, stopped=stopped)
        return FitResult(model=self.model, history=self.history, best_epoch=self.best_epoch,
                         best_val_auc=_or_none(self.best_auc), stopped=stopped, seconds=self.elapsed(),
                         run_dir=self.run_dir.path if self.run_dir else None, operating_points=points,
                         recipe=self.recipe, pos_weight=self.pos_weight, classes=self.classes)

    def run_epoch(self, epoch: int) -> tuple[dict, str]:
        """One pass over the shuffled, augmented training set; returns the epoch's loss tally and
        why it stopped early (``"completed"`` if it did not)."""
        r = self.recipe
        order = np.random.default_rng([r.seed, epoch, 0]).permutation(self.n)
        aug_rng = np.random.default_rng([r.seed, epoch, 1])
        reseed_dropout(self.model, r.seed, epoch)
        self.model.train()
        tally = {"loss_sum": 0.0, "seen": 0, "logits": [], "targets": [], "batches": 0}
        stopped = "completed"
        for b in range(self.batches):
            idx = order[b * r.batch_size:(b + 1) * r.batch_size]
            loss, logits, yb = self.train_step(self.x_train[idx], self.y_train[idx], aug_rng, epoch, b)
            tally["loss_sum"] += loss * len(idx)
            tally["seen"] += len(idx)
            tally["logits"].append(np.asarray(logits, dtype=np.float64).reshape(-1 if self.classes == 2 else (len(idx), -1)))
            tally["targets"].append(yb)
            tally["batches"] = b + 1
            position = schedule_position(self.step, self.total_steps, self.elapsed(), r.max_seconds,
                                         self.last_eval_seconds)
            if self.sched is not None:
                advance_schedule(self.sched, position, self.total_steps)
            try:
                self.emit("batch", epoch, batch=b + 1, batches=self.batches, loss=tally["loss_sum"] / tally["seen"],
                          lr=self.opt.lr, batch_loss=loss)
            except StopTraining:
                stopped = "callback"
            if stopped == "completed" and r.max_seconds is not None and position >= self.total_steps:
                stopped = "time_budget"
            if stopped != "completed":
                break
        return tally, stopped

    def train_step(self, xb, yb, aug_rng, epoch: int, b: int):
        """Forward, loss, backward, optimizer step on one batch; returns (loss, logits, labels)."""
        if self.augment is not None:
            xb = np.asarray(apply_augment(self.augment, xb, aug_rng), dtype=np.float32)
        loss, logits = gradient_step(self.model, self.loss_fn, self.opt, xb, yb,
                                     check=lambda z: check_logits(z, len(xb), self.classes))
        if not math.isfinite(loss):
            raise FloatingPointError(f"the training loss became {loss} at epoch {epoch}, batch {b + 1}; "
                                     f"try a smaller learning rate (lr={self.recipe.lr})")
        self.step += 1
        return loss, logits, yb

    def validate_epoch(self, epoch: int, tally: dict, t_epoch: float) -> dict:
        """The epoch's history row: training loss, AUC and accuracy (at 0.5), validation loss, AUC and accuracy."""
        r = self.recipe
        t_eval = time.perf_counter()
        if r.precise_bn:
            recompute_batchnorm(self.model, self.x_train, batches=r.precise_bn, batch_size=r.batch_size,
                                rng=np.random.default_rng([r.seed, epoch, 3]))
        # train_loss, train_auc and train_accuracy are running figures: each batch is scored by the
        # weights as they were when it was trained on (no second pass over the training set).
        logits, targets = np.concatenate(tally["logits"]), np.concatenate(tally["targets"])
        train_auc, train_accuracy = auc_and_accuracy(targets, logits, self.classes)
        row = {"epoch": epoch, "train_loss": tally["loss_sum"] / max(tally["seen"], 1),
               "train_auc": train_auc, "train_accuracy": train_accuracy}
        if self.x_val is not None:
            row.update(validate(self.model, self.x_val, self.y_val, pos_weight=self.pos_weight,
                                batch_size=self.eval_batch_size, classes=self.classes,
                                class_weights=self.class_weights))
        self.last_eval_seconds = time.perf_counter() - t_eval
        row.update({"lr": float(self.opt.lr), "epoch_seconds": time.perf_counter() - t_epoch,
                    "elapsed_seconds": self.elapsed(), "batches": tally["batches"]})
        return row

    def keep_best(self, row: dict) -> bool:
        """Is this epoch the one to keep? Updates the best and highest AUC, and ``row["best"]``."""
        if self.x_val is None:
            improved = True  # nothing to select on: the latest epoch is the one kept
        elif row["val_auc"] is None:
            improved = self.best_epoch is None  # one-class validation set: AUC undefined
        else:
            improved = keeps(row["val_auc"], self.max_auc, self.recipe.tolerance)
        row["best"] = bool(improved)
        if improved:
            self.best_auc = row.get("val_auc") if row.get("val_auc") is not None else -math.inf
            self.best_epoch = row["epoch"]
            self.best_weights = self.model.state_dict()
        if row.get("val_auc") is not None and row["val_auc"] > self.max_auc:
            self.max_auc, self.stale = row["val_auc"], 0
        elif self.x_val is not None:
            self.stale += 1
        self.history.append(row)
        return improved

    def save_epoch(self, row: dict, improved: bool) -> None:
        """best.npz when the epoch is kept; last.npz (the whole TrainState) and the history always."""
        run = self.run_dir
        if run is None:
            return
        if improved:
            run.save_best(self.model, {"epoch": row["epoch"], "val_auc": row.get("val_auc"),
                                       "val_loss": row.get("val_loss"), "recipe": self.recorded,
                                       **_model_facts(self.config, self.x_train)})
        state = TrainState(epoch=row["epoch"], step=self.step, elapsed=self.elapsed(), history=self.history,
                           best_val_auc=_or_none(self.best_auc), best_epoch=self.best_epoch,
                           max_val_auc=_or_none(self.max_auc), stale=self.stale, recipe=self.recorded)
        run.save_state(state.capture(self.model, self.opt, self.sched))
        run.write_history(self.history)

    def should_stop(self, stopped: str, epoch: int) -> str:
        """Why training ends after ``epoch`` (``"completed"``: it goes on, or it ran all epochs)."""
        patience = self.recipe.patience
        if stopped == "completed" and patience is not None and self.stale >= patience and epoch < self.recipe.epochs:
            return "early_stopping"
        return stopped

    # -- the end ------------------------------------------------------------------------------
    def restore_best(self, restore: bool) -> None:
        """Put the best weights into the model: from memory, or from best.npz after a resume."""
        if not restore or self.best_epoch is None:
            return
        weights = self.best_weights
        if weights is None and self.run_dir is not None and self.run_dir.best_path.is_file():
            weights = nn.load(self.run_dir.best_path).state_dict()
        if weights is not None:
            self.model.load_state_dict(weights)
        self.model.eval()

    def choose_operating_points(self, epoch) -> dict | None:
        """Thresholds chosen on validation for the model as returned (saved in the run directory)."""
        if self.classes != 2 or self.x_val is None or self.best_epoch is None or len(np.unique(self.y_val)) != 2:
            return None
        s_val = predict_proba(self.model, self.x_val, batch_size=self.eval_batch_size)
        points = metrics.operating_points(self.y_val, s_val)
        if self.run_dir is not None:
            self.run_dir.write_operating_points({"chosen_on": "val", "epoch": epoch, "points": points})
        return points

    def emit_quietly(self, stage: str, epoch: int, **fields) -> None:
        try:
            self.emit(stage, epoch, **fields)
        except Exception:  # a failing progress display must not hide the interrupt
            pass


def _model_facts(config, x_train):
    facts = {"input_shape": list(x_train.shape[1:])}
    if config:
        for key in ("model", "data", "class_names"):
            if key in config:
                facts[key] = config[key]
    return facts


def _or_none(v):
    return None if v is None or not math.isfinite(v) else float(v)
