"""The parts :func:`~ml2dl.train.fit` is built from: the loss, optimizer, schedule, augmentation,
batch-norm statistics, dropout seeds, and the rule that keeps a checkpoint.
"""

from __future__ import annotations

import math

import numpy as np

from .. import nn, optim
from ..checks import InputError
from .scoring import balanced_class_weights, balanced_pos_weight


def make_loss(classes: int, class_weight, y_train):
    """The loss of a ``classes``-class task and its weighting: ``(loss_fn, pos_weight, class_weights)``.

    Binary (2): ``BCEWithLogitsLoss(pos_weight)``, pos_weight = n_neg / n_pos when ``class_weight``
    is "balanced", the number given, or None. K > 2: ``CrossEntropyLoss(weight)``, w_k = N / (K·n_k)
    when "balanced", else None (a single number has no meaning for K classes).
    """
    if classes == 2:
        pos_weight = balanced_pos_weight(y_train) if class_weight == "balanced" else class_weight
        return nn.BCEWithLogitsLoss(pos_weight=pos_weight), pos_weight, None
    if class_weight not in ("balanced", None):
        raise InputError(f"class_weight of a {classes}-class task must be 'balanced' or None, got {class_weight!r}")
    weights = balanced_class_weights(y_train, classes) if class_weight == "balanced" else None
    return nn.CrossEntropyLoss(weight=weights), None, weights


def make_optimizer(name: str, params, *, lr: float, weight_decay: float, momentum: float = 0.9):
    """``adamw``, ``adam`` or ``sgd`` (Nesterov momentum when momentum > 0)."""
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=momentum > 0)


def make_schedule(name: str, opt, *, lr: float, total_steps: int):
    """One-cycle (peak ``lr``), cosine annealing over ``total_steps``, or None (constant)."""
    if name == "onecycle" and total_steps > 1:
        return optim.OneCycleLR(opt, max_lr=lr, total_steps=total_steps)
    if name == "cosine":
        return optim.CosineAnnealingLR(opt, T_max=max(total_steps, 1))
    return None


def schedule_position(step: int, total_steps: int, elapsed: float, max_seconds: float | None, reserve: float):
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


def advance_schedule(sched, position: int, total_steps: int) -> None:
    """Step the schedule up to ``position``."""
    # OneCycleLR is defined on steps 0 … total_steps − 1 (as PyTorch's).
    last = total_steps - 1 if isinstance(sched, optim.OneCycleLR) else total_steps
    while sched.last_step < min(position, last):
        sched.step()


def default_augment():
    """The chest X-ray augmentation, ``ml2dl.data.augment.Augment()``'s defaults: random
    rotation (±10°), scale (0.9–1.1), shift (±10 %), brightness and contrast (±0.1); no
    flips (a chest film is not left–right symmetric). A callable ``(images, rng) -> images``.
    """
    from ..data.augment import Augment

    return Augment()


def augmenter(augment):
    """The recipe's ``augment`` as ``f(images, rng) -> images``, or None."""
    if augment is None:
        return None
    if augment == "default":
        return default_augment()
    if isinstance(augment, dict):
        from ..data.augment import Augment

        return Augment(**augment)
    return augment


def apply_augment(aug, images, rng):
    try:
        return aug(images, rng=rng)
    except TypeError:
        return aug(images, rng)


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


def reseed_dropout(model, seed: int, epoch: int) -> None:
    """Give every Dropout layer a generator drawn from (seed, epoch, its index).

    So masks depend on the epoch only, not on how many epochs ran in this process: a
    resumed run draws the same masks as an uninterrupted one.
    """
    for k, m in enumerate(model.modules()):
        if isinstance(m, nn.Dropout):
            m.rng = np.random.default_rng([seed, epoch, 2, k])
