"""The chest images of the module's steps: the server's ``--data`` (a MedMNIST ``.npz`` or a folder
of two class folders), else synthetic phantoms.

Every step that trains or shows "the chest images" (steps 5, 7, 9, the loop, overfitting) takes
them from :func:`load_chest_data`, so one ``ml2dl serve --data PATH`` feeds them all:

* no data: phantoms drawn by ml2dl (``synthetic``: the pages say so);
* a ``.npz`` (PneumoniaMNIST layout): ``n_train`` of its training images, ``n_val`` of its
  ``val`` split (carved out of train when it has none);
* a folder of two class folders (``NORMAL/``, ``PNEUMONIA/``, or ``train/…`` ``val/…``): read
  grey at 28 × 28 (``ml2dl.data.load_image_folder``), class 1 the second class folder in sorted
  order; then sampled as a file is. A folder holds fewer images than a MedMNIST file: a step
  gets what there is (at most ``n_train`` / ``n_val``) and shows the counts it used.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml2dl.checks import InputError
from ml2dl.data import DatasetError, load_image_folder, phantom_splits
from ml2dl.data.folders import class_counts, folder_fingerprint
from ml2dl.data.medmnist import read_medmnist_npz

IMAGE_SIZE = 28
FOLDER_VAL_FRACTION = 0.2  # of each class, when a folder has no val folder


@dataclass(frozen=True)
class ChestData:
    """Training and held-out chest images for the module's experiments.

    Attributes:
        train_images, val_images: float32 (N, 1, 28, 28) in [0, 1].
        train_labels, val_labels: int64 (N,), 0 = normal, 1 = pneumonia.
        synthetic: True for generated phantoms (the page must say "synthetic").
        source: where the images come from, for the caption.
        fingerprint: a short hash that changes when the images change (job cache keys).
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    val_images: np.ndarray
    val_labels: np.ndarray
    synthetic: bool
    source: str
    fingerprint: str


def load_chest_data(data_path: str | os.PathLike | None = None, *, n_train: int = 2000, n_val: int = 500,
                    seed: int = 0) -> ChestData:
    """Chest images at 28×28: from a MedMNIST-style ``.npz``, a folder of two class folders or,
    without either, synthetic phantoms.

    From a file or folder: a random subset (seeded) of ``n_train`` training images and ``n_val``
    images of its ``val`` split (carved out of train when it has none); fewer when it has fewer.
    The data must be binary (2-class) grayscale like PneumoniaMNIST.
    """
    for name, v in (("n_train", n_train), ("n_val", n_val)):
        if isinstance(v, bool) or not isinstance(v, int) or not 8 <= v <= 100_000:
            raise InputError(f"{name} must be an int in 8..100000, got {v!r}")
    if data_path is None:
        return _phantom_data(n_train, n_val, seed)
    path = Path(data_path)
    if path.is_dir():
        return _folder_data(str(path.resolve()), folder_fingerprint(path), n_train, n_val, seed)
    stat = path.stat()  # FileNotFoundError if missing; the cache key needs the mtime
    return _npz_data(str(path.resolve()), stat.st_mtime_ns, stat.st_size, n_train, n_val, seed)


def describe(data_path: str | os.PathLike | None) -> dict:
    """What :func:`load_chest_data` draws from, said before any image is read: {"synthetic", "source"}
    (a page says which data a step will train on before it trains)."""
    if data_path is None:
        return {"synthetic": True, "source": "synthetic chest films drawn by ml2dl (phantoms), not patient data"}
    path = Path(data_path)
    if path.is_dir():
        return {"synthetic": False, "source": _folder_source(path.name, sorted(class_counts(path)))}
    return {"synthetic": False, "source": f"the server's file {path.name}"}


def _folder_source(name: str, classes) -> str:
    return f"Image folder {name} ({classes[0]} = 0, {classes[1]} = 1)" if len(classes) == 2 \
        else f"Image folder {name}"


@functools.lru_cache(maxsize=4)
def _phantom_data(n_train: int, n_val: int, seed: int) -> ChestData:
    splits = phantom_splits(n_train, n_val, 0, size=IMAGE_SIZE, seed=seed)
    return ChestData(splits.train.images, splits.train.labels, splits.val.images, splits.val.labels,
                     synthetic=True, source=splits.train.source,
                     fingerprint=f"phantom-{n_train}-{n_val}-{seed}")


@functools.lru_cache(maxsize=4)
def _npz_data(path: str, mtime_ns: int, size: int, n_train: int, n_val: int, seed: int) -> ChestData:
    splits = read_medmnist_npz(path, size=IMAGE_SIZE)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    # the data set's name, not where the server keeps the file
    source = splits.train.source.replace(path, Path(path).name) if splits.train is not None else ""
    return _sample(splits, path, source, f"npz-{digest}", n_train, n_val, seed)


@functools.lru_cache(maxsize=4)
def _folder_data(path: str, digest: str, n_train: int, n_val: int, seed: int) -> ChestData:
    try:
        splits = load_image_folder(path, size=IMAGE_SIZE, mode="L", val_fraction=FOLDER_VAL_FRACTION, seed=0)
    except DatasetError as err:
        raise InputError(str(err).replace(path, Path(path).name)) from None
    names = splits.train.class_names
    if len(names) != 2:
        raise InputError(f"{Path(path).name}: expected two class folders (normal, pneumonia), "
                         f"got {len(names)}: {', '.join(names)}")
    source = _folder_source(Path(path).name, names)
    return _sample(splits, path, source, f"folder-{digest}", n_train, n_val, seed)


def _sample(splits, path: str, source: str, tag: str, n_train: int, n_val: int, seed: int) -> ChestData:
    """A seeded subset of ``n_train`` training and ``n_val`` validation images of ``splits``."""
    train = splits.train
    if train is None:
        raise InputError(f"{Path(path).name} has no train split: expected train_images and train_labels")
    labels = train.labels.reshape(len(train.labels), -1)
    if train.images.shape[1] != 1 or labels.shape[1] != 1 or labels.max(initial=0) > 1:
        raise InputError(f"{Path(path).name}: expected binary grayscale images (like PneumoniaMNIST), "
                         f"got {train.images.shape[1]} channel(s), labels of shape {train.labels.shape}")
    rng = np.random.default_rng(seed)
    if splits.val is not None:
        val_x, val_y = splits.val.images, splits.val.labels.reshape(-1)
        pool = rng.permutation(len(train.images))
    else:  # carve a held-out set out of train
        order = rng.permutation(len(train.images))
        k = min(n_val, len(order) // 5)
        val_x, val_y = train.images[order[:k]], labels[order[:k], 0]
        pool = order[k:]
    tr = np.sort(pool[:n_train])
    va = np.sort(rng.permutation(len(val_x))[:n_val])
    return ChestData(train.images[tr], labels[tr, 0].astype(np.int64), val_x[va], val_y[va].astype(np.int64),
                     synthetic=False, source=source, fingerprint=f"{tag}-{n_train}-{n_val}-{seed}")
