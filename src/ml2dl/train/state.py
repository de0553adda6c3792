"""Everything a resumed run needs, in one value saved and loaded whole: :class:`TrainState`.

A run continues exactly as if it had never stopped when it gets back the weights (and
batch-norm statistics), the optimizer's moments, the schedule's position, and the loop's
counters: the epoch reached, the step, the time spent, the history, the best epoch so far
and how long validation has not improved. The random streams need no saved position:
every epoch draws its shuffle, augmentation, dropout masks and batch-norm batches from
``(seed, epoch)``, so the epoch *is* the position.

On disk (``last.npz``, written atomically, read with ``allow_pickle=False``)::

    model/<name>    the state dict's arrays
    optim/<key>     the optimizer's arrays (Adam's m and v, SGD's velocity), flattened
    __state__       JSON: {"format": 1, "architecture", "optimizer" (its scalars),
                           "scheduler", "meta": {epoch, step, elapsed, history, best_val_auc,
                           best_epoch, max_val_auc, stale, recipe}}
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import nn
from ..files import atomic_write, jsonable
from .runs import RunError

FORMAT = 1
_STATE_KEY = "__state__"
_META_KEYS = ("epoch", "step", "elapsed", "history", "best_val_auc", "best_epoch", "max_val_auc", "stale", "recipe")


@dataclass
class TrainState:
    """The state of training at the end of an epoch.

    Attributes:
        model: the model's state dict (name → array).
        optimizer: the optimizer's state, flattened (``"m#0"`` → array, ``"lr"`` → float, …).
        scheduler: the schedule's state (its step), or None without a schedule.
        epoch: the last finished epoch (0 before the first). ``step``: optimizer steps taken.
        elapsed: seconds of training so far, over every process that worked on the run.
        history: one row per finished epoch (see :func:`ml2dl.train.fit`).
        best_val_auc, best_epoch: the kept checkpoint. ``max_val_auc``: the highest AUC seen
            (the kept one is within the recipe's tolerance of it).
        stale: epochs since the highest AUC (for ``patience``).
        recipe: the recipe's settings as recorded (with ``pos_weight``).
        architecture: the model's description (``nn.architecture``).
    """

    model: dict = field(default_factory=dict)
    optimizer: dict = field(default_factory=dict)
    scheduler: dict | None = None
    epoch: int = 0
    step: int = 0
    elapsed: float = 0.0
    history: list = field(default_factory=list)
    best_val_auc: float | None = None
    best_epoch: int | None = None
    max_val_auc: float | None = None
    stale: int = 0
    recipe: dict = field(default_factory=dict)
    architecture: list | None = None

    # -- from and into the objects that train ----------------------------------------------
    def capture(self, model, optimizer=None, scheduler=None) -> "TrainState":
        """Copy the current weights, optimizer and schedule state into this state (returns self)."""
        self.model = model.state_dict()
        self.architecture = nn.architecture(model)
        self.optimizer = optimizer_state(optimizer) if optimizer is not None else {}
        self.scheduler = scheduler_state(scheduler) if scheduler is not None else None
        return self

    def restore(self, model, optimizer=None, scheduler=None) -> None:
        """Put the saved weights, optimizer and schedule state back (RunError if the model differs)."""
        try:
            model.load_state_dict(self.model)
        except (KeyError, ValueError) as err:
            raise RunError(f"the model does not match the saved training state ({err})") from None
        if optimizer is not None:
            load_optimizer_state(optimizer, self.optimizer)
        if scheduler is not None and self.scheduler is not None:
            load_scheduler_state(scheduler, self.scheduler)

    # -- the file ----------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Write the whole state to ``path`` (one ``.npz``), atomically."""
        arrays = {f"model/{k}": v for k, v in self.model.items()}
        optim_scalars = {}
        for k, v in self.optimizer.items():
            if isinstance(v, np.ndarray):
                arrays[f"optim/{k}"] = v
            else:
                optim_scalars[k] = v
        meta = {k: getattr(self, k) for k in _META_KEYS}
        state = {"format": FORMAT, "architecture": self.architecture, "optimizer": optim_scalars,
                 "scheduler": self.scheduler, "meta": meta}
        arrays[_STATE_KEY] = np.array(json.dumps(jsonable(state)))
        return atomic_write(path, lambda f: np.savez(f, **arrays))

    @classmethod
    def load(cls, path) -> "TrainState":
        """The state saved in ``path``; :class:`RunError` on a missing or unreadable file."""
        path = Path(path)
        if not path.is_file():
            raise RunError(f"no training state at {path}")
        try:
            with np.load(path, allow_pickle=False) as npz:
                state = json.loads(str(npz[_STATE_KEY]))
                model = {k[len("model/"):]: npz[k] for k in npz.files if k.startswith("model/")}
                optim = {k[len("optim/"):]: npz[k] for k in npz.files if k.startswith("optim/")}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, json.JSONDecodeError) as err:
            raise RunError(f"{path} is not a readable training state ({type(err).__name__}: {err})") from None
        optim.update(state.get("optimizer") or {})
        meta = state.get("meta") or {}
        return cls(model=model, optimizer=optim, scheduler=state.get("scheduler"),
                   architecture=state.get("architecture"), **{k: meta[k] for k in _META_KEYS if k in meta})


# --------------------------------------------------------------------------------------
# Optimizer and schedule state as flat dicts of arrays and scalars
# --------------------------------------------------------------------------------------
def optimizer_state(optimizer) -> dict:
    """The optimizer's ``state_dict()`` flattened (see :func:`_flatten`)."""
    return _flatten(optimizer.state_dict())


def load_optimizer_state(optimizer, flat: dict) -> None:
    optimizer.load_state_dict(_unflatten(flat))


def scheduler_state(scheduler) -> dict:
    return jsonable(_flatten(scheduler.state_dict()))


def load_scheduler_state(scheduler, state: dict) -> None:
    scheduler.load_state_dict(_unflatten(state))


def _flatten(raw, prefix: str = "") -> dict:
    """Nested dicts/lists of arrays and scalars → ``{"a.0.m": array, "lr": 0.1}``.

    Lists are tagged ``#`` so :func:`_unflatten` rebuilds them: ``"m#0"``.
    """
    out = {}
    if isinstance(raw, dict):
        for k, v in raw.items():
            out.update(_flatten(v, f"{prefix}{k}."))
    elif isinstance(raw, (list, tuple)) and any(isinstance(v, (np.ndarray, dict, list, tuple)) for v in raw):
        for i, v in enumerate(raw):
            out.update(_flatten(v, f"{prefix[:-1]}#{i}."))
    elif isinstance(raw, np.ndarray):
        out[prefix[:-1]] = raw
    elif isinstance(raw, np.generic):
        out[prefix[:-1]] = raw.item()
    elif isinstance(raw, (int, float, str, bool, list, tuple)) or raw is None:
        out[prefix[:-1]] = list(raw) if isinstance(raw, tuple) else raw
    # anything else (parameter objects, callables) is not state
    return out


def _unflatten(flat: dict):
    root: dict = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = root
        for i, part in enumerate(parts):
            name, *idx = part.split("#")
            last = i == len(parts) - 1
            if idx:
                lst = node.setdefault(name, {})
                j = int(idx[0])
                if last:
                    lst[j] = value
                else:
                    node = lst.setdefault(j, {})
            elif last:
                node[name] = value
            else:
                node = node.setdefault(name, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(isinstance(k, int) for k in node):
            return [_lists(node[k]) for k in sorted(node)]
        return {k: _lists(v) for k, v in node.items()}
    return node
