"""Image folders: one sub-folder per class, as in the Kaggle chest X-ray layout.

Two layouts are recognised:

    root/train/NORMAL/*.jpeg          root/NORMAL/*.png
    root/train/PNEUMONIA/*.jpeg       root/PNEUMONIA/*.png
    root/val/...   (optional)
    root/test/...  (optional)

Split folders are named train, val (also "valid", "validation") and test, in any
case. Class indices follow the sorted class-folder names (NORMAL = 0,
PNEUMONIA = 1). Files are PNG, JPEG or DICOM (by suffix: .png .jpg .jpeg .dcm
.dicom); other files and hidden files are ignored. Images are read with
`read_image` and resized to ``size``.

When there is no val folder, ``val_fraction`` of the training images (per
class) becomes the validation split; with the class-folders-only layout,
``test_fraction`` can likewise carve out a test split.

With ``cache_dir``, the decoded arrays are kept in an ``.npz`` keyed by the
files' names, sizes and modification times and by the options, written
atomically: a load that fails leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from .. import checks
from ..checks import InputError, choice, fraction, pair

from .dataset import DatasetError, ImageDataset, Splits, stratified_split
from ..files import atomic_write
from .images import DICOM_SUFFIXES, IMAGE_SUFFIXES, read_image

SPLIT_ALIASES = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}
SUFFIXES = IMAGE_SUFFIXES + DICOM_SUFFIXES


def _visible_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _image_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUFFIXES
    )


def _scan_classes(folder: Path) -> dict[str, list[Path]]:
    """{class name: image files} for the class sub-folders of ``folder``."""
    return {d.name: _image_files(d) for d in _visible_dirs(folder)}


def _scan(root: Path) -> dict[str, dict[str, list[Path]]]:
    """{split: {class: files}}; the class-only layout is returned as a lone "train" split."""
    subdirs = _visible_dirs(root)
    split_dirs = {SPLIT_ALIASES[d.name.lower()]: d for d in subdirs if d.name.lower() in SPLIT_ALIASES}
    if split_dirs:
        others = [d.name for d in subdirs if d.name.lower() not in SPLIT_ALIASES]
        if others:
            raise DatasetError(
                f"{root} mixes split folders ({', '.join(sorted(d.name for d in split_dirs.values()))}) "
                f"with other folders ({', '.join(others)}): expected either train/val/test folders "
                "holding class folders, or class folders only"
            )
        return {split: _scan_classes(d) for split, d in split_dirs.items()}
    return {"train": _scan_classes(root)}


def class_counts(root) -> dict[str, int]:
    """{class: images in its training folder} of an image folder, without decoding any image.

    A cheap check of a folder before it is used (``ml2dl serve --data``); class folders without
    images are left out. Raises DatasetError when ``root`` is not a folder or mixes split and
    class folders.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"expected a folder of class folders at {root}, got {'a file' if root.exists() else 'no such folder'}")
    return {c: len(files) for c, files in _scan(root).get("train", {}).items() if files}


def folder_fingerprint(root) -> str:
    """A short hash of a folder's image files (names, sizes, modification times): it changes when they do."""
    root = Path(root)
    return _cache_key(_scan(root), (0, 0), "", 0.0, 0.0, 0)[:12]


def _cache_key(layout, size, mode, val_fraction, test_fraction, seed) -> str:
    h = hashlib.sha1()
    h.update(json.dumps([list(size), mode, val_fraction, test_fraction, seed]).encode())
    for split, classes in sorted(layout.items()):
        for cls, files in sorted(classes.items()):
            for f in files:
                st = f.stat()
                h.update(f"{split}/{cls}/{f}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:20]


def load_image_folder(
    root, *, size=(28, 28), mode: str = "L", val_fraction: float = 0.1,
    test_fraction: float = 0.0, seed: int = 0, cache_dir=None,
) -> Splits:
    """Load a folder of class sub-folders as `Splits` of float32 (N, C, H, W) in [0, 1].

    Args:
        root: the folder (see the module docstring for the two layouts).
        size: (height, width) or an int; every image is resized to it.
        mode: "L" → C = 1, "RGB" → C = 3.
        val_fraction: share of each class of train moved to val when there is no val folder.
        test_fraction: same for test, class-folders-only layout only.
        seed: seeds the shuffles and the val / test draw.
        cache_dir: keep the decoded arrays there (None: no cache).

    Raises:
        DatasetError: no such folder, fewer than two classes, a class without
            images, classes that differ between splits; ImageReadError (a
            DatasetError) for an unreadable image, naming it.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"expected a folder of class folders at {root}, got {'a file' if root.exists() else 'no such folder'}")
    size = pair("size", size)
    choice("mode", mode, ("L", "RGB"))
    if fraction("val_fraction", val_fraction) + fraction("test_fraction", test_fraction) >= 1.0:
        raise InputError(f"val_fraction + test_fraction must be < 1, got {val_fraction + test_fraction}")

    layout = _scan(root)
    class_names = sorted({c for classes in layout.values() for c in classes})
    train_classes = layout.get("train", {})
    if len(class_names) < 2:
        raise DatasetError(
            f"expected at least 2 class folders in {root}{'/train' if len(layout) > 1 or 'val' in layout else ''}, "
            f"found {len(class_names)}: {class_names}"
        )
    for split, classes in layout.items():
        empty = [c for c, files in classes.items() if not files]
        if empty and split == "train":
            raise DatasetError(
                f"no images in class folder(s) {empty} of {root}: expected {', '.join(SUFFIXES)} files"
            )
    if not train_classes:
        raise DatasetError(f"{root} has no train folder: expected {root}/train/<class>/<images>")
    missing = [c for c in class_names if c not in train_classes]
    if missing:
        raise DatasetError(
            f"class folder(s) {missing} appear in val/test but not in {root}/train: "
            f"expected every class in train, got {sorted(train_classes)}"
        )

    cache_file = None
    if cache_dir is not None:
        key = _cache_key(layout, size, mode, val_fraction, test_fraction, seed)
        cache_file = Path(cache_dir) / f"folder-{key}.npz"
        if cache_file.is_file():
            return _from_cache(cache_file, class_names, root)

    rng = checks.rng(seed, "seed")
    arrays = {}
    for split, classes in layout.items():
        files = [(f, class_names.index(c)) for c, fs in classes.items() for f in fs]
        if not files:
            continue
        x, y = _read_all(files, size, mode)
        order = rng.permutation(len(y))
        arrays[split] = (x[order], y[order])
    if "val" not in arrays and val_fraction > 0:
        arrays = _carve(arrays, "val", val_fraction, rng)
    if "test" not in arrays and test_fraction > 0 and len(layout) == 1:
        arrays = _carve(arrays, "test", test_fraction / (1.0 - val_fraction), rng)

    if cache_file is not None:
        flat = {f"{s}_{k}": a for s, (x, y) in arrays.items() for k, a in (("images", x), ("labels", y))}
        atomic_write(cache_file, lambda f: np.savez(f, **flat))
    return _splits(arrays, class_names, root)


def _carve(arrays, name, fraction, rng):
    x, y = arrays["train"]
    keep, taken = stratified_split(y, fraction, rng)
    if len(taken):
        arrays = dict(arrays)
        arrays["train"] = (x[keep], y[keep])
        arrays[name] = (x[taken], y[taken])
    return arrays


def _read_all(files, size, mode):
    channels = 1 if mode == "L" else 3
    x = np.empty((len(files), channels, *size), dtype=np.float32)
    for i, (f, _) in enumerate(files):
        img = read_image(f, mode=mode, size=size)
        x[i] = img[None] if img.ndim == 2 else img.transpose(2, 0, 1)
    y = np.array([label for _, label in files], dtype=np.int64)
    return x, y


def _splits(arrays, class_names, root) -> Splits:
    task = "binary-class" if len(class_names) == 2 else "multi-class"
    return Splits(**{
        split: ImageDataset(x, y, tuple(class_names), source=f"image folder {root}", task=task, meta={"root": str(root)})
        for split, (x, y) in arrays.items()
    })


def _from_cache(path, class_names, root) -> Splits:
    with np.load(path, allow_pickle=False) as npz:
        arrays = {s: (npz[f"{s}_images"], npz[f"{s}_labels"]) for s in ("train", "val", "test") if f"{s}_images" in npz.files}
    return _splits(arrays, class_names, root)
