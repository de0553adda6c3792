"""The clinic's runs: train one through :func:`ml2dl.train.fit`, keep it on disk, list what is there.

A run is a run directory (:class:`ml2dl.train.RunDir`) in the server's runs folder
(``<cache_dir>/runs``). A clinic run is named after the fingerprint of everything that
defines it (``clinic-<16 hex>``: data, model, recipe), so the same settings find the same
run and train nothing new. Runs made with ``ml2dl train --out <runs folder>/NAME`` are
listed beside them.

    plan = Plan(source="phantom", n_train=600, architecture="strong", width=8,
                recipe=Recipe(epochs=4, batch_size=32))
    name = plan.name(data.fingerprint)                    # "clinic-3f2a…"
    train_run(plan, src, data, folder / name, on_event)   # fit with progress and cancel callbacks
    list_runs(folder)                                     # what a reload or a second tab sees
"""

from __future__ import annotations

import math
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ml2dl import checks, train
from ml2dl.checks import InputError
from ml2dl.train import Recipe, RunDir
from ml2dl.train.runs import CONFIG, LAST, OPERATING_POINTS

from .data import ClinicData, Source, data_of_run

RUNS_DIR = "runs"
MAX_RUNS = 24  # runs kept in the runs folder; a new one needs a free place
MAX_EPOCHS = 30  # epochs one training job may run
ARCHITECTURES = {"strong": "batch norm, 5 conv layers, global average pooling",
                 "lesson": "the lectures' CNN: 2 conv layers, a dense layer"}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CLINIC_NAME_RE = re.compile(r"^clinic-([0-9a-f]{16})$")
HISTORY_KEYS = ("epoch", "train_loss", "val_loss", "train_auc", "val_auc", "val_accuracy", "epoch_seconds")


@dataclass(frozen=True)
class Plan:
    """What to train: the data (source, training images, seed is the recipe's), the model, the recipe."""

    source: str
    n_train: int
    architecture: str
    width: int
    recipe: Recipe

    def __post_init__(self):
        checks.choice("architecture", self.architecture, tuple(ARCHITECTURES))
        checks.int_in_range("width", self.width, 4, 64)
        checks.int_in_range("epochs", self.recipe.epochs, 1, MAX_EPOCHS)

    def as_dict(self) -> dict:
        return {"source": self.source, "n_train": self.n_train, "architecture": self.architecture,
                "width": self.width, "recipe": self.recipe.to_dict()}

    def fingerprint(self, data_fingerprint: str) -> str:
        """16 hex digits of the data's fingerprint and every setting: the run's (and job's) key."""
        import hashlib
        import json

        text = json.dumps(["clinic-run-v1", data_fingerprint, self.as_dict()], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def name(self, data_fingerprint: str) -> str:
        return f"clinic-{self.fingerprint(data_fingerprint)}"


# ------------------------------------------------------------------------------ the runs folder


def runs_folder(cache_dir) -> Path:
    return Path(cache_dir) / RUNS_DIR


def run_path(folder: Path, name: str) -> Path:
    """``folder / name`` for a valid run name (InputError otherwise: no path tricks)."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InputError(f"a run name is 1–64 letters, digits, '.', '_' or '-' (not starting with '.' or '-'), "
                         f"got {name!r}")
    return folder / name


def existing_run(folder: Path, name: str) -> RunDir:
    """The run ``name`` in the folder (InputError when there is none)."""
    run = RunDir(run_path(folder, name))
    if not run.exists():
        raise InputError(f"no run named {name!r} in the runs folder; choose one of: "
                         f"{', '.join(r['name'] for r in list_runs(folder)) or 'none yet (train one first)'}")
    return run


def judged(folder: Path, name: str, data_path) -> tuple[RunDir, ClinicData]:
    """The run ``name`` and the splits it is judged on (InputError if either is missing)."""
    run = existing_run(folder, name)
    return run, data_of_run(run.config(), data_path)


def run_names(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and NAME_RE.match(p.name) and (p / CONFIG).is_file())


def check_room(folder: Path, name: str) -> None:
    """A new run needs a free place: at most :data:`MAX_RUNS` are kept (InputError when full)."""
    names = run_names(folder)
    if name not in names and len(names) >= MAX_RUNS:
        raise InputError(f"the runs folder keeps at most {MAX_RUNS} runs, got {len(names)} already: "
                         f"delete one before training another")


def delete_run(folder: Path, name: str) -> None:
    path = run_path(folder, name)
    if not (path / CONFIG).is_file():
        raise InputError(f"no run named {name!r} in the runs folder")
    shutil.rmtree(path)


def list_runs(folder: Path) -> list[dict]:
    """A summary of every run in the folder, newest first (unreadable ones are skipped)."""
    out = []
    for name in run_names(folder):
        try:
            out.append(run_summary(RunDir(folder / name)))
        except (InputError, OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(out, key=lambda r: r["modified"], reverse=True)


def run_summary(run: RunDir) -> dict:
    """What the list shows of a run: its data, model, recipe, how far it got, its best epoch."""
    config = run.config()
    history = run.history()
    recipe = config.get("recipe") or {}
    clinic = config.get("clinic") or {}
    model = config.get("model") or {}
    epochs = int(recipe.get("epochs") or len(history) or 0)
    best = max((r for r in history if r.get("best")), key=lambda r: r["epoch"], default=None)
    complete = (run.path / OPERATING_POINTS).is_file()
    return {
        "name": run.path.name,
        "origin": "clinic" if clinic else "ml2dl train",
        "data": clinic.get("label") or str(config.get("data", "?")),
        "source": clinic.get("source"),
        "synthetic": bool(clinic.get("source") == "phantom" or str(config.get("data", "")).lower() == "phantom"),
        "n_train": (config.get("train") or {}).get("n"),
        "architecture": model.get("name", "?"),
        "width": (model.get("options") or {}).get("width"),
        "parameters": config.get("parameters"),
        "recipe": {k: recipe.get(k) for k in ("epochs", "batch_size", "lr", "optimizer", "schedule",
                                              "class_weight", "augment", "seed")},
        "epochs": epochs,
        "epochs_done": len(history),
        "complete": complete,
        "state": "complete" if complete else f"stopped after {len(history)} of {epochs} epochs",
        "best_epoch": best["epoch"] if best else None,
        "best_val_auc": _round(best.get("val_auc")) if best else None,
        "history": [_row(r) for r in history],
        "created": config.get("created"),
        "modified": max((run.path / f).stat().st_mtime for f in (CONFIG, "history.json")
                        if (run.path / f).is_file()),
    }


# ------------------------------------------------------------------------------ training


def train_run(plan: Plan, src: Source, data: ClinicData, path: Path,
              on_event: Callable[[float, str, dict], None]) -> dict:
    """Train ``plan`` on ``data`` into the run directory ``path`` through :func:`ml2dl.train.fit`.

    ``on_event(fraction, message, extra)`` is called after every batch (``extra`` holds the
    history so far, one row per finished epoch); an exception it raises (a cancel) ends
    training and propagates, leaving the run directory consistent (the finished epochs,
    best.npz, last.npz): the same plan started again resumes from its last finished epoch.

    Returns:
        :func:`run_summary` of the finished run.
    """
    if data.train is None:
        raise InputError("this data has no training images to train on")
    run = RunDir(path)
    resume = (path / LAST).is_file() and run.exists() and \
        not Recipe.from_dict(run.config().get("recipe") or {}).diff(plan.recipe)
    c, h, _ = data.train.images.shape[1:]
    model = train.build_model(plan.architecture, in_channels=int(c), image_size=int(h), seed=plan.recipe.seed,
                              width=plan.width)
    rows: list[dict] = []
    if resume:
        rows = [_row(r) for r in run.history()]

    def callback(event: train.TrainEvent) -> None:
        if event.stage == "epoch" and event.row is not None:
            rows.append(_row(event.row))
        if event.stage in ("batch", "epoch"):
            done = (event.epoch - 1) * event.batches + event.batch
            fraction = done / max(1, event.epochs * event.batches)
            on_event(fraction, f"epoch {event.epoch} of {event.epochs}, batch {event.batch} of {event.batches}",
                     {"history": list(rows), "epochs": event.epochs})

    config = {"data": src.spec, "data_resolved": src.spec, "size": None,
              "model": {"name": plan.architecture, "options": {"width": plan.width}},
              "class_names": list(data.train.class_names),
              "clinic": {"source": src.id, "label": src.label, "spec": src.spec, "n_train": plan.n_train,
                         "seed": plan.recipe.seed, "test_from": data.test_from, "fingerprint": data.fingerprint,
                         "synthetic": data.synthetic}}
    t0 = time.perf_counter()
    train.fit(model, data.train, data.val, recipe=plan.recipe, run_dir=path, resume=resume, overwrite=not resume,
              callbacks=[callback], config=config)
    summary = run_summary(run)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    return summary


def _row(r: dict) -> dict:
    return {k: _round(r.get(k)) for k in HISTORY_KEYS if k in r}


def _round(v, digits: int = 5):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    v = float(v)
    return round(v, digits) if math.isfinite(v) else None
