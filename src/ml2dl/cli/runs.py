"""Data and run directories as the commands meet them: load, describe, check, resolve."""

from __future__ import annotations

from pathlib import Path

from ..checks import InputError


def load_data(spec: str, size: int | None = None):
    """The splits of ``spec`` (a .npz, a MedMNIST name, a folder, ``phantom``), resized to ``size``."""
    from ..data import load_dataset

    return load_dataset(spec, **({"size": int(size)} if size else {}))


def labels_of(ds):
    """The 0/1 label of each image (N,)."""
    return ds.labels.reshape(len(ds.labels), -1)[:, 0]


def data_summary(name: str, ds) -> str:
    """``train 160 (80 pneumonia, 80 normal)``."""
    y = labels_of(ds)
    pos = int((y == 1).sum())
    return f"{name} {len(y)} ({pos} {positive_name(ds)}, {len(y) - pos} {negative_name(ds)})"


def positive_name(ds) -> str:
    names = getattr(ds, "class_names", None) or ()
    return names[1] if len(names) > 1 else "positive"


def negative_name(ds) -> str:
    names = getattr(ds, "class_names", None) or ()
    return names[0] if names else "negative"


def check_binary(ds, spec) -> None:
    """The lab trains and evaluates two-class classifiers: refuse anything else."""
    task = getattr(ds, "task", "binary-class")
    names = getattr(ds, "class_names", ()) or ()
    if task == "multi-label" or len(names) > 2:
        raise InputError(f"{spec} is a {task} data set with {len(names)} classes; the lab trains binary "
                         f"classifiers (such as normal vs pneumonia)")


def resolved(spec) -> str:
    """An existing file or folder as an absolute path (so a run can be resumed from anywhere)."""
    path = Path(spec)
    return str(path.resolve()) if path.exists() else spec


def recorded_data(config: dict, *, resolved: bool = False):
    """The data a run was trained on: the absolute path if it still exists, else the spec as given."""
    full = config.get("data_resolved")
    if full and (resolved or Path(full).exists()):
        return full
    return config.get("data")


def load_run(path):
    """(RunDir, config, best model, its metadata) of a run directory."""
    from ..train import RunDir

    run = RunDir(path)
    if not run.path.exists():
        raise InputError(f"no run directory at {run.path}")
    config = run.config()
    check_input_shape(config.get("input_shape"), run.path / "config.json")
    model, meta = run.load_best(with_metadata=True)
    return run, config, model, meta


MAX_SIDE = 4096  # images the lab reads: at most this many pixels a side


def check_input_shape(shape, where) -> None:
    """A recorded input shape (C, H, W): 1 or 3 channels, sides 1..MAX_SIDE (None: not recorded)."""
    if shape is None:
        return
    ok = (isinstance(shape, list) and len(shape) == 3 and all(isinstance(v, int) and not isinstance(v, bool)
                                                               for v in shape)
          and shape[0] in (1, 3) and all(1 <= v <= MAX_SIDE for v in shape[1:]))
    if not ok:
        raise InputError(f"{where}: input_shape must be [channels 1 or 3, height, width ≤ {MAX_SIDE}], "
                         f"got {str(shape)[:60]}")


def check_shape(ds, config: dict, spec, split: str) -> None:
    """The images of ``split`` have the shape the run was trained on."""
    expected = config.get("input_shape")
    got = list(ds.images.shape[1:])
    if expected and list(expected) != got:
        raise InputError(f"the run was trained on images of shape {tuple(expected)} (C, H, W) but the {split} split "
                         f"of {spec} has images of shape {tuple(got)}")
