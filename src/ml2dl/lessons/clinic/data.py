"""The clinic's images: what the server can train on, and the splits a run is judged on.

Sources a server offers (:func:`sources`):

* ``phantom`` — synthetic chest films drawn by ml2dl (always there): independent train,
  validation and test draws of the same generator;
* ``file`` — the MedMNIST ``.npz`` given with ``ml2dl serve --data``: its validation split, and
  its test split — or, when the file has none (``pneumoniamnist_trainval.npz``), a test split
  held out of its training images before any are used for training;
* ``folder`` — a folder of class folders, when the server's data path is a folder.

Every image is 28 × 28 grey, as in MedMNIST. A clinic run records its source, training-set
size and seed in ``config.json`` (``"clinic"``), so its splits can be made again exactly.
A run made with ``ml2dl train`` is judged on the splits of the data its ``config.json``
names (a missing test split stays missing; nothing is downloaded).
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml2dl import checks
from ml2dl.checks import InputError
from ml2dl.data import (DatasetError, ImageDataset, load_image_folder, load_medmnist, phantom_splits)
from ml2dl.data.folders import SPLIT_ALIASES, folder_fingerprint
from ml2dl.data.medmnist import read_medmnist_npz

IMAGE_SIZE = 28
PHANTOM_VAL, PHANTOM_TEST, PHANTOM_MAX_TRAIN = 300, 300, 3000
FILE_TEST = 600  # images held out of a file's training split when it has no test split
MIN_TRAIN = 32


@dataclass(frozen=True)
class Source:
    """Data a server offers for training. ``spec`` is ``"phantom"`` or an absolute path."""

    id: str
    label: str
    spec: str
    synthetic: bool
    max_train: int
    test_from: str  # where the test split comes from, in words

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "synthetic": self.synthetic, "max_train": self.max_train,
                "min_train": MIN_TRAIN, "test_from": self.test_from}


@dataclass(frozen=True)
class ClinicData:
    """The splits of one run. Images float32 (N, 1, 28, 28) in [0, 1]; labels int64 (N,) 0/1.

    ``test`` is None when the data has no test split; ``train`` may be None when only a
    run's judgement is needed and training images cannot be rebuilt.
    """

    train: ImageDataset | None
    val: ImageDataset
    test: ImageDataset | None
    synthetic: bool
    source: str  # attribution, for the caption
    test_from: str
    fingerprint: str


def sources(data_path: str | os.PathLike | None) -> list[Source]:
    """What this server can train on: the phantoms, and its ``--data`` file or folder."""
    out = [Source("phantom", "Synthetic chest films (phantoms)", "phantom", True, PHANTOM_MAX_TRAIN,
                  "an independent draw of the same generator")]
    if data_path is None:
        return out
    path = Path(data_path).expanduser().resolve()
    if path.is_dir():
        try:
            splits = _folder(str(path), _stamp(path))
        except InputError as err:  # an unreadable image: offered by name with the reason, nothing to train on
            reason = str(err).replace(str(path), path.name)
            out.append(Source("folder", f"Image folder {path.name} (cannot be read: {reason})", str(path), False, 0, ""))
            return out
        n, has_test = len(splits.train), splits.test is not None
        out.append(Source("folder", f"Image folder {path.name}", str(path), False, n - (0 if has_test else _held_out(n)),
                          _test_from(has_test, n, "folder", carved=not _has_split_folders(path))))
    elif path.is_file():
        counts = _file_counts(str(path), _stamp(path))
        has_test, n = "test" in counts, counts.get("train", 0)
        train = n - (0 if has_test else _held_out(n))
        out.append(Source("file", f"{path.name} (real X-rays)", str(path), False, max(train, 0), _test_from(has_test, n)))
    return out


def source(source_id: str, data_path) -> Source:
    """The offered source ``source_id`` (InputError naming the ones offered)."""
    offered = {s.id: s for s in sources(data_path)}
    checks.choice("data source", source_id, tuple(offered))
    return offered[source_id]


def load(src: Source, n_train: int, seed: int) -> ClinicData:
    """The splits of ``src`` with ``n_train`` training images drawn with ``seed``."""
    checks.int_in_range("n_train", n_train, MIN_TRAIN, max(MIN_TRAIN, src.max_train))
    checks.non_negative_int("seed", seed)
    if src.id == "phantom":
        return _phantoms(n_train, seed)
    path = Path(src.spec)
    if not path.exists():
        raise InputError(f"the data of this run is no longer available: expected {path}, got no such "
                         f"{'folder' if src.id == 'folder' else 'file'}")
    return _real(str(path), _stamp(path), src.id, n_train, seed)


def fingerprint(src: Source, n_train: int, seed: int) -> str:
    """The fingerprint :func:`load` gives these splits, without loading them (a run's name needs it)."""
    if src.id == "phantom":
        return f"phantom-{n_train}-{seed}"
    path = Path(src.spec)
    return f"{src.id}-{_digest(str(path), _stamp(path))}-{n_train}-{seed}"


def data_of_run(config: dict, data_path) -> ClinicData:
    """The splits a run was trained and is judged on, from its ``config.json``.

    A clinic run (``config["clinic"]``) gets its exact splits again; a run of ``ml2dl train``
    gets the validation and test splits of the data it names (``train`` left None).
    """
    clinic = config.get("clinic")
    if clinic:
        src = Source(clinic["source"], "", clinic.get("spec") or config.get("data"), clinic["source"] == "phantom",
                     10**9, clinic.get("test_from", ""))
        return load(src, int(clinic["n_train"]), int(clinic["seed"]))
    spec = config.get("data_resolved") if config.get("data_resolved") and Path(config["data_resolved"]).exists() \
        else config.get("data")
    if not spec:
        raise InputError("this run's config.json does not say which data it was trained on")
    size = config.get("size")
    return _cli_data(str(spec), int(size) if size else None)


# ------------------------------------------------------------------------------ loading (cached)


def _stamp(path: Path):
    """What changes when the data does: a file's time and size; a folder's images' names, sizes and times
    (a folder's own time changes only when entries come or go, not when an image is rewritten)."""
    if path.is_dir():
        return folder_fingerprint(path)
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _held_out(n_train_split: int) -> int:
    """Test images held out of a training split of this size when the data has no test split."""
    return min(FILE_TEST, n_train_split // 5)


def _has_split_folders(path: Path) -> bool:
    return any(p.is_dir() and p.name.lower() in SPLIT_ALIASES for p in path.iterdir())


def _test_from(has_test: bool, n_train_split: int = 0, kind: str = "file", carved: bool = False) -> str:
    if carved:  # a folder of class folders only: load_image_folder held out 10 % of each class
        return "10% of each class of the folder, held out"
    return f"the {kind}'s own test split" if has_test else \
        f"{_held_out(n_train_split)} images held out of the training split (the data has no test split)"


@functools.lru_cache(maxsize=4)
def _phantoms(n_train: int, seed: int) -> ClinicData:
    splits = phantom_splits(n_train, PHANTOM_VAL, PHANTOM_TEST, size=IMAGE_SIZE, seed=seed)
    return ClinicData(splits.train, splits.val, splits.test, True, splits.train.source,
                      "an independent draw of the same generator", f"phantom-{n_train}-{seed}")


@functools.lru_cache(maxsize=2)
def _file_counts(path: str, stamp) -> dict[str, int]:
    with np.load(path, allow_pickle=False) as npz:
        return {k.removesuffix("_labels"): int(npz[k].shape[0]) for k in npz.files if k.endswith("_labels")}


@functools.lru_cache(maxsize=2)
def _folder(path: str, stamp):
    return load_image_folder(path, size=IMAGE_SIZE, mode="L", val_fraction=0.1, test_fraction=0.1, seed=0)


@functools.lru_cache(maxsize=4)
def _real(path: str, stamp, kind: str, n_train: int, seed: int) -> ClinicData:
    splits = _folder(path, stamp) if kind == "folder" else read_medmnist_npz(path, size=IMAGE_SIZE)
    train, val, test = splits.train, splits.val, splits.test
    if train is None or val is None:
        raise InputError(f"{path}: expected train and validation splits, got {', '.join(n for n, _ in splits.items())}")
    for name, ds in splits.items():
        _check_binary_grey(ds, f"{path} [{name}]")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(train))
    if test is None:  # hold a test split out of train before anything is used for training
        held = _held_out(len(train))
        test = _subset(train, np.sort(order[:held]), "held out of the training split")
        order = order[held:]
    if n_train > len(order):
        raise InputError(f"n_train must be ≤ {len(order)} for {Path(path).name}, got {n_train}")
    train = _subset(train, np.sort(order[:n_train]), "")
    digest = _digest(path, stamp)
    source = splits.val.source.replace(path, Path(path).name)  # the data's name, not where the server keeps it
    folder = kind == "folder"
    return ClinicData(train, _flat(val), _flat(test), False, source,
                      _test_from(splits.test is not None, len(splits.train), kind, folder and not _has_split_folders(Path(path))),
                      f"{kind}-{digest}-{n_train}-{seed}")


@functools.lru_cache(maxsize=2)
def _cli_data(spec: str, size: int | None) -> ClinicData:
    if spec.strip().lower() == "phantom":
        splits = phantom_splits(size=size or IMAGE_SIZE)
        test_from = "an independent draw of the same generator"
    else:
        path = Path(spec)
        try:
            if path.is_dir():
                splits = load_image_folder(path, **({"size": size} if size else {}))
            elif path.is_file():
                splits = read_medmnist_npz(path, size=size)
            else:  # a MedMNIST name: only if its file is already in the cache (no download here)
                splits = load_medmnist(spec, size=size, download=False)
        except DatasetError as err:
            raise InputError(f"the data of this run is not available on this server: {err}") from None
        test_from = "the data's own test split"
    if splits.val is None:
        raise InputError(f"{spec} has no validation split: the clinic judges a run on its validation split")
    for name, ds in splits.items():
        _check_binary_grey(ds, f"{spec} [{name}]", grey=False)
    val = _flat(splits.val)
    test = _flat(splits.test) if splits.test is not None else None
    return ClinicData(None, val, test, bool(val.synthetic), val.source, test_from if test is not None else "",
                      f"cli-{hashlib.sha256(f'{spec}|{size}'.encode()).hexdigest()[:12]}")


def _check_binary_grey(ds: ImageDataset, where: str, grey: bool = True) -> None:
    labels = ds.labels.reshape(len(ds.labels), -1)
    if labels.shape[1] != 1 or labels.max(initial=0) > 1 or labels.min(initial=0) < 0:
        raise InputError(f"{where}: the clinic judges two-class data (0 normal, 1 pneumonia), got labels "
                         f"of shape {ds.labels.shape} with values up to {int(labels.max(initial=0))}")
    if grey and ds.images.shape[1] != 1:
        raise InputError(f"{where}: expected grey images (1 channel), got {ds.images.shape[1]} channels")


def _flat(ds: ImageDataset) -> ImageDataset:
    """The dataset with labels (N,) (MedMNIST files store them as (N, 1))."""
    return ImageDataset(ds.images, ds.labels.reshape(len(ds.labels), -1)[:, 0], ds.class_names, source=ds.source,
                        synthetic=ds.synthetic, task="binary-class")


def _subset(ds: ImageDataset, idx: np.ndarray, note: str) -> ImageDataset:
    return ImageDataset(ds.images[idx], ds.labels.reshape(len(ds.labels), -1)[idx, 0], ds.class_names,
                        source=ds.source, synthetic=ds.synthetic, task="binary-class",
                        meta={**ds.meta, **({"note": note} if note else {})})


@functools.lru_cache(maxsize=8)
def _digest(path: str, stamp) -> str:
    h = hashlib.sha256()
    p = Path(path)
    files = sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]
    for f in files:
        h.update(str(f.relative_to(p) if p.is_dir() else f.name).encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:12]
