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
from pathlib import Path

import numpy as np

from .. import files, nn
from ..checks import InputError
from ..files import atomic_write_text, jsonable, write_json

CONFIG = "config.json"
HISTORY_CSV = "history.csv"
HISTORY_JSON = "history.json"
BEST = "best.npz"
LAST = "last.npz"
OPERATING_POINTS = "operating_points.json"
METRICS = "metrics.json"

# Column order of history.csv (extra keys a row may carry are appended after these).
HISTORY_COLUMNS = ("epoch", "train_loss", "train_auc", "train_accuracy", "val_loss", "val_auc", "val_accuracy",
                   "lr", "epoch_seconds", "elapsed_seconds", "batches", "best")


class RunError(InputError):
    """A run directory that is missing, incomplete or does not match what was asked."""


def read_json(path):
    """The JSON in ``path``; :class:`RunError` if it is missing or not JSON."""
    path = Path(path)
    try:
        return files.read_json(path)
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
        atomic_write_text(self.path / HISTORY_CSV, history_csv_text(rows))

    def history(self) -> list[dict]:
        path = self.path / HISTORY_JSON
        return read_json(path) if path.is_file() else []

    # checkpoints ---------------------------------------------------------------------------
    def save_best(self, model, metadata: dict) -> Path:
        return nn.save(model, self.best_path, metadata=jsonable(metadata))

    def load_best(self, *, with_metadata: bool = False):
        """The best checkpoint (``nn.load``); :class:`RunError` if there is none yet."""
        if not self.best_path.is_file():
            raise RunError(f"{self.path} has no checkpoint yet ({BEST} is missing: "
                           f"the run stopped before its first validation)")
        try:
            return nn.load(self.best_path, with_metadata=with_metadata)
        except nn.CheckpointError as err:
            raise RunError(str(err)) from None

    def save_state(self, state) -> Path:
        """Write a :class:`~ml2dl.train.state.TrainState` to last.npz."""
        return state.save(self.last_path)

    def load_state(self):
        """The :class:`~ml2dl.train.state.TrainState` in last.npz (RunError if missing or unreadable)."""
        from .state import TrainState

        return TrainState.load(self.last_path)

    # operating points ------------------------------------------------------------------------
    def write_operating_points(self, points: dict) -> Path:
        return write_json(self.path / OPERATING_POINTS, points)

    def operating_points(self) -> dict | None:
        """The saved operating points, checked: ``{"points": {name: {"threshold": t in [0, 1], ...}}}``."""
        path = self.path / OPERATING_POINTS
        if not path.is_file():
            return None
        saved = read_json(path)
        points = saved.get("points") if isinstance(saved, dict) else None
        if not isinstance(points, dict) or not points:
            raise InputError(f"{path}: expected an object with \"points\": {{name: {{\"threshold\": …}}}}, "
                             f"got {str(saved)[:60]}")
        for name, point in points.items():
            t = point.get("threshold") if isinstance(point, dict) else None
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t <= 1:
                raise InputError(f"{path}: points.{str(name)[:30]}.threshold must be a number in [0, 1], "
                                 f"got {str(t)[:30]}")
        return saved
