"""The containers every loader returns: `ImageDataset` and `Splits`, and the data errors.

An `ImageDataset` holds images already in the engine's layout:

- ``images``: float32 ``(N, C, H, W)`` in ``[0, 1]`` (C = 1 grayscale, 3 RGB);
- ``labels``: int64 ``(N,)`` class indices, or ``(N, K)`` 0/1 for a multi-label
  dataset such as ChestMNIST (``task == "multi-label"``);
- ``class_names``: one name per class index (``("normal", "pneumonia")``);
- ``source``: where the images come from and how to attribute them;
- ``synthetic``: True for generated images (the module labels them "synthetic").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from ..checks import InputError, fraction as check_fraction


class DatasetError(InputError):
    """A data set is missing, malformed or cannot be fetched; the message says what was expected."""


class ImageReadError(DatasetError):
    """One image file cannot be read; the message names the file."""


@dataclass(repr=False)
class ImageDataset:
    """Images and labels of one split.

    Shape:
        images: (N, C, H, W) float32 in [0, 1]
        labels: (N,) int64, or (N, K) int64 of 0/1 when ``task == "multi-label"``
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    source: str = ""
    synthetic: bool = False
    task: str | None = None  # "binary-class", "multi-class" or "multi-label"; None: inferred
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        images = np.asarray(self.images)
        labels = np.asarray(self.labels)
        if images.ndim != 4:
            raise DatasetError(f"images must be (N, C, H, W), got shape {images.shape}")
        if images.dtype != np.float32:
            raise DatasetError(f"images must be float32 in [0, 1], got dtype {images.dtype}")
        if labels.ndim not in (1, 2) or len(labels) != len(images):
            raise DatasetError(
                f"labels must be (N,) or (N, K) with N = {len(images)} images, got shape {labels.shape}"
            )
        if self.task is None:
            self.task = "multi-label" if labels.ndim == 2 else (
                "binary-class" if len(self.class_names) == 2 else "multi-class")
        if self.task not in ("binary-class", "multi-class", "multi-label"):
            raise DatasetError(
                f"task must be 'binary-class', 'multi-class' or 'multi-label', got {self.task!r}"
            )
        self.images = images
        self.labels = labels.astype(np.int64, copy=False)
        self.class_names = tuple(str(c) for c in self.class_names)

    def __len__(self) -> int:
        return len(self.images)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image."""
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def class_counts(self) -> np.ndarray:
        """Images per class, int64 (n_classes,) (positives per label for multi-label)."""
        if self.labels.ndim == 2:
            return self.labels.sum(axis=0)
        return np.bincount(self.labels, minlength=self.n_classes)

    def subset(self, indices) -> "ImageDataset":
        """A new dataset with ``images[indices]``, ``labels[indices]`` and the same description."""
        idx = np.asarray(indices)
        return ImageDataset(
            self.images[idx], self.labels[idx], self.class_names, self.source,
            self.synthetic, self.task, dict(self.meta),
        )

    def __repr__(self) -> str:
        counts = self.class_counts().tolist()
        return (
            f"ImageDataset(n={len(self)}, image_shape={self.image_shape}, "
            f"classes={self.class_names}, counts={counts}, synthetic={self.synthetic})"
        )


@dataclass(repr=False)
class Splits:
    """train / val / test datasets; any may be None (e.g. a file without its test split)."""

    train: ImageDataset | None = None
    val: ImageDataset | None = None
    test: ImageDataset | None = None

    def items(self) -> Iterator[tuple[str, ImageDataset]]:
        """(name, dataset) for each split that is present, in the order train, val, test."""
        for name in ("train", "val", "test"):
            ds = getattr(self, name)
            if ds is not None:
                yield name, ds

    def __getitem__(self, name: str) -> ImageDataset | None:
        if name not in ("train", "val", "test"):
            raise KeyError(f"split must be 'train', 'val' or 'test', got {name!r}")
        return getattr(self, name)

    def __repr__(self) -> str:
        parts = [f"{name}={ds!r}" for name, ds in self.items()]
        return "Splits(" + ", ".join(parts) + ")"


def stratified_split(labels: np.ndarray, fraction: float, rng: np.random.Generator):
    """Indices (keep, taken) where ``taken`` holds about ``fraction`` of each class, shuffled.

    Every class keeps at least one image on the ``keep`` side. Multi-label labels are
    split on their first column.
    """
    check_fraction("fraction", fraction)
    labels = np.asarray(labels)
    key = labels[:, 0] if labels.ndim == 2 else labels
    keep, taken = [], []
    for c in np.unique(key):
        idx = rng.permutation(np.flatnonzero(key == c))
        k = min(int(round(fraction * len(idx))), len(idx) - 1)
        taken.append(idx[:k])
        keep.append(idx[k:])
    keep_idx = rng.permutation(np.concatenate(keep)) if keep else np.array([], dtype=np.int64)
    taken_idx = rng.permutation(np.concatenate(taken)) if taken else np.array([], dtype=np.int64)
    return keep_idx.astype(np.int64), taken_idx.astype(np.int64)


