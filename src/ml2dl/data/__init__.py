"""Data for ml2dl: toy 2-D problems, synthetic chest films, MedMNIST files, image
folders, PNG/JPEG/DICOM reading, bundled sample images and augmentation.

Every image loader returns `Splits` of `ImageDataset` (float32 (N, C, H, W) in
[0, 1], int64 labels). `load_dataset` picks the loader from a spec:

    load_dataset("phantom", size=28)                      synthetic films (no download)
    load_dataset("../shared/data/pneumoniamnist_trainval.npz")   a MedMNIST file
    load_dataset("pneumoniamnist", size=64)               a MedMNIST data set by name (cached download)
    load_dataset("chest_xray/")                           a folder of class folders

Sequences: `ml2dl.data.vitals` makes synthetic hourly vital signs of patients (float64 (N, 24, 3)),
for the recurrent network of step ``rnn``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .augment import Augment, affine_transform
from .dataset import DatasetError, ImageDataset, ImageReadError, Splits
from .folders import load_image_folder
from .images import apply_window, read_image, read_image_bytes, to_uint8
from .medmnist import MEDMNIST_2D, download_medmnist, load_medmnist
from .phantom import make_phantom_dataset, phantom_dataset, phantom_image, phantom_splits
from .samples import list_samples, load_sample
from .toy import PLOT_RANGE, PROBLEMS, grid, make_problem, split

__all__ = [
    "Augment", "DatasetError", "ImageDataset", "ImageReadError", "MEDMNIST_2D", "PLOT_RANGE", "PROBLEMS",
    "Splits", "affine_transform", "apply_window", "download_medmnist", "grid", "list_samples",
    "load_dataset", "load_image_folder", "load_medmnist", "load_sample", "make_phantom_dataset",
    "make_problem", "phantom_dataset", "phantom_image", "phantom_splits", "read_image",
    "read_image_bytes", "split", "to_uint8",
]


def load_dataset(spec, **kw) -> Splits:
    """Load a data set from a spec, passing ``kw`` to the loader it picks.

    spec:
        "phantom"             → `phantom_splits` (kw: n_train=2000, n_val=500, n_test=500, size=28,
                                pneumonia_fraction=0.5, seed=0)
        a directory           → `load_image_folder` (kw: size, mode, val_fraction, test_fraction, seed, cache_dir)
        a ``.npz`` file       → `load_medmnist` (kw: size resizes)
        a MedMNIST name       → `load_medmnist` by name (kw: size picks 28/64/128/224, cache_dir, download)

    Raises:
        DatasetError: the spec is none of these (the message lists what is accepted).
    """
    if isinstance(spec, str) and spec.strip().lower() == "phantom":
        return phantom_splits(**kw)
    text = os.fspath(spec)
    path = Path(text)
    if path.is_dir():
        return load_image_folder(path, **kw)
    if text.lower().endswith(".npz") or path.is_file():
        return load_medmnist(path, **kw)
    try:
        return load_medmnist(text, **kw)
    except DatasetError as e:
        if "unknown MedMNIST" not in str(e):
            raise
        raise DatasetError(
            f"cannot load {text!r}: expected 'phantom', a folder of class folders, a MedMNIST .npz file "
            f"or a MedMNIST name ({', '.join(sorted(MEDMNIST_2D))}); no such file or folder either"
        ) from None
