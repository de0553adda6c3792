"""The recipe of a training run: every setting of :func:`ml2dl.train.fit`, in one frozen value.

::

    recipe = Recipe(epochs=10, lr=1e-3)           # checked once, here (InputError if wrong)
    fit(model, train, val, recipe=recipe)
    recipe.to_json()                              # what config.json records
    Recipe.from_json(text) == recipe              # True
    recipe.diff(Recipe(epochs=12))                # {"epochs": (10, 12)}: why a resume is refused

The fields carry their command-line help in their metadata, so ``ml2dl train`` and
``ml2dl tune`` build their options from this class (see :func:`fields_for_cli`) and
cannot drift from it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import checks
from ..checks import InputError

OPTIMIZERS = ("adamw", "adam", "sgd")
SCHEDULES = ("onecycle", "cosine", "constant")
CLASS_WEIGHTS = ("balanced", "none")

# Settings that a resumed run may change without changing the run's results so far.
RESUMABLE_CHANGES = ("patience", "max_seconds")


def _setting(default, help: str, *, expects: str, cli: bool = True, tunable: bool = False, choices=None):
    """A recipe field with what the command line needs: help, what a value looks like, choices."""
    return field(default=default, metadata={"help": help, "expects": expects, "cli": cli, "tunable": tunable,
                                            "choices": choices})


def _optional(check):
    return lambda name, value: None if value is None else check(name, value)


def _non_negative(name, value):
    return checks.number_in_range(name, value, 0.0)


def _precise_bn(name, value):
    return None if value in (None, 0) else checks.positive_int(name, value)


def _class_weight(name, value):
    """``"balanced"``, ``None`` (``"none"``) or a positive weight of the positive class."""
    if value is None or value == "none":
        return None
    if isinstance(value, str):
        return checks.choice(name, value, CLASS_WEIGHTS)
    return checks.positive_number(name, value)


def _augment(name, value):
    """``"default"`` (True), ``None`` (False, ``"none"``), a dict of ``Augment`` options, or a callable."""
    if value is None or value is False or value == "none":
        return None
    if value is True or value == "default":
        return "default"
    if isinstance(value, dict):
        from ..data.augment import Augment

        try:
            Augment(**value)
        except (TypeError, ValueError) as err:
            raise InputError(f"{name} options must be those of Augment, got {value!r} ({err})") from None
        return dict(value)
    if callable(value) and not isinstance(value, str):
        return value
    raise InputError(f"{name} must be None, 'default', a dict of Augment options or a callable "
                     f"(images, rng) -> images, got {value!r}")


# field name → the check that validates (and normalises) its value
_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "epochs": checks.positive_int,
    "batch_size": checks.positive_int,
    "lr": checks.positive_number,
    "optimizer": lambda name, v: checks.choice(name, v, OPTIMIZERS),
    "weight_decay": _non_negative,
    "momentum": _non_negative,
    "schedule": lambda name, v: checks.choice(name, v, SCHEDULES),
    "class_weight": _class_weight,
    "augment": _augment,
    "patience": _optional(checks.positive_int),
    "tolerance": _non_negative,
    "precise_bn": _precise_bn,
    "max_seconds": _optional(checks.positive_number),
    "seed": checks.non_negative_int,
}


@dataclass(frozen=True)
class Recipe:
    """How to train: optimizer, schedule, batches, class weighting, augmentation, stopping rules.

    The defaults are the recipe of ``ml2dl train``: AdamW with a one-cycle schedule peaking
    at lr 3·10⁻³, batches of 64, balanced class weights, random affine augmentation and
    re-estimated batch-norm statistics. Every value is checked when the recipe is made
    (:class:`~ml2dl.checks.InputError` says which and why).

    Attributes:
        epochs: passes over the training set.
        batch_size: images per gradient step; batches per epoch = ⌈N / batch_size⌉.
        lr: learning rate (the peak of the one-cycle schedule).
        optimizer: ``"adamw"`` (decoupled weight decay), ``"adam"`` or ``"sgd"`` (Nesterov momentum).
        weight_decay: λ, the L2 pull of the weights towards zero.
        momentum: SGD's momentum (unused by Adam/AdamW).
        schedule: ``"onecycle"`` (warm up then anneal, stepped per batch), ``"cosine"`` or ``"constant"``.
        class_weight: ``"balanced"`` (pos_weight = n_neg / n_pos; for K classes, class k weighs
            N / (K·n_k)), ``None`` (``"none"``), or a number (pos_weight; binary only).
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
        seed: shuffling, augmentation and dropout are drawn from ``(seed, epoch)``; the CLI
            also seeds the initial weights with it.
    """

    epochs: int = _setting(20, "passes over the training set", expects="a positive integer", tunable=True)
    batch_size: int = _setting(64, "images per gradient step", expects="a positive integer", tunable=True)
    lr: float = _setting(3e-3, "learning rate (the peak of the one-cycle schedule)",
                         expects="a positive number", tunable=True)
    optimizer: str = _setting("adamw", "the update rule: AdamW (decoupled weight decay), Adam, or SGD with "
                                         "Nesterov momentum", expects="adamw, adam or sgd", choices=OPTIMIZERS)
    weight_decay: float = _setting(1e-4, "L2 pull of the weights towards 0", expects="a number ≥ 0", tunable=True)
    momentum: float = _setting(0.9, "momentum of SGD (Nesterov when > 0)", expects="a number ≥ 0")
    schedule: str = _setting("onecycle", "the learning rate over the run: one-cycle (warm up, then anneal), "
                                            "cosine annealing, or constant", expects="onecycle, cosine or constant",
                             choices=SCHEDULES)
    class_weight: Any = _setting("balanced", "balanced (weigh pneumonia by n_normal/n_pneumonia) or none",
                                 expects="balanced or none", choices=CLASS_WEIGHTS)
    # random affine: rotation, scale, shift; no flips for chest X-rays. `--no-augment` turns it off.
    augment: Any = _setting("default", "train without random affine augmentation", expects="", cli=False)
    patience: int | None = _setting(None, "stop after N epochs without a better validation AUC",
                                    expects="a positive integer")
    tolerance: float = _setting(0.002, "validation AUC differences below this are ties, won by the later epoch",
                                expects="a number ≥ 0")
    precise_bn: int | None = _setting(16, "re-average batch-norm statistics over N clean batches each epoch "
                                          "(0: off)", expects="a non-negative integer")
    max_seconds: float | None = _setting(None, "time budget: the schedule is fitted to it", expects="a positive number")
    seed: int = _setting(0, "seed of initial weights, shuffling, augmentation, dropout",
                         expects="a non-negative integer")

    def __post_init__(self):
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, check_field(f.name, getattr(self, f.name)))

    # -- copies and comparison -------------------------------------------------------
    def replace(self, **changes) -> "Recipe":
        """A copy with ``changes`` (checked); an unknown name is a TypeError, as for a function."""
        unknown = sorted(set(changes) - set(FIELD_NAMES))
        if unknown:
            raise TypeError(f"unexpected recipe setting(s) {', '.join(unknown)}; settings are {', '.join(FIELD_NAMES)}")
        return dataclasses.replace(self, **changes) if changes else self

    def diff(self, other: "Recipe | dict") -> dict[str, tuple]:
        """``{name: (mine, theirs)}`` for every setting that differs (a dict: only the keys it has)."""
        theirs = other.to_dict() if isinstance(other, Recipe) else {k: _normal(k, v) for k, v in other.items()}
        mine = self.to_dict()
        return {k: (mine[k], theirs[k]) for k in FIELD_NAMES if k in theirs and theirs[k] != mine[k]}

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The settings as JSON values (a callable ``augment`` as its repr: it cannot be stored)."""
        return {k: _json_value(getattr(self, k)) for k in FIELD_NAMES}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False)

    @classmethod
    def from_dict(cls, values: dict) -> "Recipe":
        """A Recipe from :meth:`to_dict`'s settings; other keys (``pos_weight``, …) are ignored."""
        return cls(**{k: values[k] for k in FIELD_NAMES if k in values})

    @classmethod
    def from_json(cls, text: str) -> "Recipe":
        try:
            values = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"a recipe must be a JSON object, got {text[:40]!r} ({err})") from None
        if not isinstance(values, dict):
            raise InputError(f"a recipe must be a JSON object, got {type(values).__name__}")
        return cls.from_dict(values)


FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Recipe))


def check_field(name: str, value):
    """``value`` checked (and normalised) as the recipe's setting ``name``; InputError if wrong."""
    return _CHECKS[name](name, value)


def tunable_fields() -> tuple[str, ...]:
    """The settings a hyperparameter search may vary (``ml2dl tune``)."""
    return tuple(f.name for f in dataclasses.fields(Recipe) if f.metadata["tunable"])


def fields_for_cli():
    """The recipe's settings that are command-line options: (name, default, metadata)."""
    return [(f.name, f.default, f.metadata) for f in dataclasses.fields(Recipe) if f.metadata["cli"]]


def _normal(name, value):
    """A recorded setting as this version writes it ("none" → None, True → "default"), if it is valid."""
    if name not in _CHECKS:
        return value
    try:
        return _json_value(check_field(name, value))
    except (InputError, TypeError):
        return value


def _json_value(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return dict(value)
    return repr(value)
