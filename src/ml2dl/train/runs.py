"""A run directory: everything one training run leaves on disk, each file written atomically.

::

    runs/NAME/
      config.json           what was trained and how: model, data, recipe, seed, versions
      history.csv           one row per epoch (train/val loss, val AUC, accuracy, lr, seconds)
      history.json          the same rows as a JSON list
      best.npz              the model with the best validation AUC so far (``nn.load`` reads it)
      last.npz              the state at the end of the last finished epoch (model, optimizer,
                            schedule, history): what ``resume`` continues from
      operating_points.json thresholds chosen on validation after training (screening, ...)
      metrics.json, report.html   written by ``ml2dl evaluate``

Every write goes to a temporary file in the same folder, then ``os.replace`` moves it
into place: a run interrupted at any instant (Ctrl-C, a kill, a power cut) leaves each
file either in its previous complete state or in its new one, never half-written.
"""

from __future__ import annotations

import csv
import io
import json
import math
import platform
import time
import zipfile
from pathlib import Path

import numpy as np

from .. import nn
from ..checks import InputError
from ..files import atomic_write

CONFIG = "config.json"
HISTORY_CSV = "history.csv"
HISTORY_JSON = "history.json"
BEST = "best.npz"
LAST = "last.npz"
OPERATING_POINTS = "operating_points.json"
METRICS = "metrics.json"

# Column order of history.csv (extra keys a row may carry are appended after these).
HISTORY_COLUMNS = ("epoch", "train_loss", "train_auc", "val_loss", "val_auc", "val_accuracy",
                   "lr", "epoch_seconds", "elapsed_seconds", "batches", "best")

_STATE_KEY = "__state__"


class RunError(InputError):
    """A run directory that is missing, incomplete or does not match what was asked."""


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _finite(value):
    """NaN/inf → None so the JSON stays standard (browsers reject NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def write_json(path, data) -> Path:
    text = json.dumps(_finite(data), indent=2, default=_json_default, allow_nan=False) + "\n"
    return atomic_write(path, lambda f: f.write(text), binary=False)


def read_json(path):
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(f"{path} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise RunError(f"{path} is not valid JSON ({err})") from None


# --------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------
def history_columns(rows: list[dict]) -> list[str]:
    cols = [c for c in HISTORY_COLUMNS if any(c in r for r in rows)]
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    return cols


def history_csv_text(rows: list[dict]) -> str:
    cols = history_columns(rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: _csv_cell(r.get(c)) for c in cols})
    return buf.getvalue()


def _csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        return "" if not math.isfinite(v) else repr(round(v, 6))
    return v


# --------------------------------------------------------------------------------------
# Training state for resume: model + optimizer + schedule + loop counters in one .npz
# --------------------------------------------------------------------------------------
def save_state(path, model, *, optimizer=None, scheduler=None, meta: dict | None = None) -> Path:
    """Write everything ``resume`` needs into one ``.npz`` (atomically, ``allow_pickle=False``).

    Arrays: ``model/<name>`` (the state dict), ``optim/<key>`` (the optimizer's arrays);
    ``__state__``: a JSON string with the architecture, the optimizer's and schedule's
    scalar state and ``meta`` (epoch, history, best so far, ...).
    """
    arrays = {f"model/{k}": v for k, v in model.state_dict().items()}
    optim_scalars = {}
    if optimizer is not None:
        for k, v in optimizer_state(optimizer).items():
            if isinstance(v, np.ndarray):
                arrays[f"optim/{k}"] = v
            else:
                optim_scalars[k] = v
    state = {
        "format": 1,
        "architecture": nn.architecture(model),
        "optimizer": optim_scalars,
        "scheduler": scheduler_state(scheduler) if scheduler is not None else None,
        "meta": _finite(meta or {}),
    }
    arrays[_STATE_KEY] = np.array(json.dumps(state, default=_json_default))
    return atomic_write(path, lambda f: np.savez(f, **arrays))


def load_state(path) -> dict:
    """Read :func:`save_state`'s file: ``{"model": state_dict, "optim": dict, "scheduler", "meta",
    "architecture"}``. Raises :class:`RunError` on a missing or unreadable file."""
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
    return {"model": model, "optim": optim, "scheduler": state.get("scheduler"),
            "meta": state.get("meta", {}), "architecture": state.get("architecture")}


def optimizer_state(optimizer) -> dict:
    """The optimizer's state as a flat dict of arrays and scalars.

    Uses ``optimizer.state_dict()`` when the engine provides it; otherwise reads the
    per-parameter buffers (``m``/``v``/``velocity`` lists of arrays) and counters directly.
    """
    if hasattr(optimizer, "state_dict"):
        raw = optimizer.state_dict()
    else:
        raw = {k: v for k, v in vars(optimizer).items() if k != "params"}
    return _flatten(raw)


def load_optimizer_state(optimizer, flat: dict) -> None:
    raw = _unflatten(flat)
    if hasattr(optimizer, "load_state_dict"):
        optimizer.load_state_dict(raw)
        return
    for k, v in raw.items():
        current = getattr(optimizer, k, None)
        if isinstance(current, list) and isinstance(v, list):
            for dst, src in zip(current, v):
                if isinstance(dst, np.ndarray):
                    dst[...] = src
        elif k in vars(optimizer):
            setattr(optimizer, k, v)


def scheduler_state(scheduler) -> dict:
    if hasattr(scheduler, "state_dict"):
        return _finite(_flatten(scheduler.state_dict()))
    return {k: v for k, v in vars(scheduler).items()
            if isinstance(v, (int, float, str, bool)) or v is None}


def load_scheduler_state(scheduler, state: dict) -> None:
    if hasattr(scheduler, "load_state_dict"):
        scheduler.load_state_dict(_unflatten(state))
    else:
        for k, v in state.items():
            setattr(scheduler, k, v)


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


# --------------------------------------------------------------------------------------
# The run directory
# --------------------------------------------------------------------------------------
class RunDir:
    """The folder of one training run and the files in it (see the module docstring).

    Example::

        run = RunDir("runs/pneumonia")
        run.config()            # dict from config.json
        model = run.load_best() # the best checkpoint as an nn.Sequential
        run.history()           # list of per-epoch dicts
    """

    def __init__(self, path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    def __fspath__(self) -> str:
        return str(self.path)

    # paths ---------------------------------------------------------------------------
    def file(self, name: str) -> Path:
        return self.path / name

    @property
    def best_path(self) -> Path:
        return self.path / BEST

    @property
    def last_path(self) -> Path:
        return self.path / LAST

    # lifecycle -----------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.path / CONFIG).is_file()

    def prepare(self, *, overwrite: bool = False, resume: bool = False) -> "RunDir":
        """Create the folder for a new run (or check it for a resumed one).

        A folder that already holds a run is refused unless ``overwrite`` (its run files
        are then removed) or ``resume``. Stale temporary files of an interrupted write are
        cleaned up.
        """
        if self.path.exists() and not self.path.is_dir():
            raise RunError(f"run directory {self.path} exists and is not a folder")
        if resume:
            if not self.exists():
                raise RunError(f"cannot resume: {self.path} holds no run (no {CONFIG})")
        elif self.exists() or (self.path / BEST).exists():
            if not overwrite:
                raise RunError(f"{self.path} already holds a run; choose another folder, "
                               f"resume it, or overwrite it")
            for name in (CONFIG, HISTORY_CSV, HISTORY_JSON, BEST, LAST, OPERATING_POINTS, METRICS,
                         "report.html"):
                (self.path / name).unlink(missing_ok=True)
        self.path.mkdir(parents=True, exist_ok=True)
        for stale in self.path.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
        return self

    # config ------------------------------------------------------------------------------
    def write_config(self, config: dict) -> Path:
        import ml2dl

        full = {"ml2dl_version": getattr(ml2dl, "__version__", "?"),
                "numpy_version": np.__version__, "python": platform.python_version(),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **config}
        return write_json(self.path / CONFIG, full)

    def config(self) -> dict:
        if not self.exists():
            raise RunError(f"{self.path} is not a run directory (no {CONFIG})")
        return read_json(self.path / CONFIG)

    # history -----------------------------------------------------------------------------
    def write_history(self, rows: list[dict]) -> None:
        write_json(self.path / HISTORY_JSON, rows)
        text = history_csv_text(rows)
        atomic_write(self.path / HISTORY_CSV, lambda f: f.write(text), binary=False)

    def history(self) -> list[dict]:
        path = self.path / HISTORY_JSON
        return read_json(path) if path.is_file() else []

    # checkpoints ---------------------------------------------------------------------------
    def save_best(self, model, metadata: dict) -> Path:
        return nn.save(model, self.best_path, metadata=_finite(metadata))

    def load_best(self, *, with_metadata: bool = False):
        """The best checkpoint (``nn.load``); :class:`RunError` if there is none yet."""
        if not self.best_path.is_file():
            raise RunError(f"{self.path} has no checkpoint yet ({BEST} is missing: "
                           f"the run stopped before its first validation)")
        try:
            return nn.load(self.best_path, with_metadata=with_metadata)
        except nn.CheckpointError as err:
            raise RunError(str(err)) from None

    def save_state(self, model, **kwargs) -> Path:
        return save_state(self.last_path, model, **kwargs)

    def load_state(self) -> dict:
        return load_state(self.last_path)

    # operating points ------------------------------------------------------------------------
    def write_operating_points(self, points: dict) -> Path:
        return write_json(self.path / OPERATING_POINTS, points)

    def operating_points(self) -> dict | None:
        path = self.path / OPERATING_POINTS
        return read_json(path) if path.is_file() else None
