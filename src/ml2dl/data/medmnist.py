"""MedMNIST 2-D data sets: read their ``.npz`` files, or fetch them once by name.

File format (MedMNIST v2 / v3): a NumPy ``.npz`` with ``{split}_images`` uint8
(N, H, W) grayscale or (N, H, W, 3) RGB and ``{split}_labels`` (N, 1) — (N, 14) of
0/1 for the multi-label ChestMNIST — for split in train, val, test. A split that
is missing (like the test split of a shared train+val file) comes back as None.

By name, files come from the MedMNIST Zenodo record 10519652 (MedMNIST v3.0, the
"MedMNIST+" release: the v2 28×28 files plus 64, 128 and 224 px versions) and are
checked against the MD5 sums that MedMNIST's own ``medmnist/info.py`` (v3.0.2)
publishes. A file is downloaded once into ``cache_dir`` (default
``~/.cache/ml2dl``) with an atomic write, and used from there afterwards.

Attribution: Yang, J. et al. MedMNIST v2 — A large-scale lightweight benchmark for
2D and 3D biomedical image classification. Scientific Data 10, 41 (2023); each
data set under its own licence (CC BY 4.0, DermaMNIST CC BY-NC 4.0).

Memory: images become float32, four times their uint8 size (PneumoniaMNIST at
28 px: 23 MB; ChestMNIST at 224 px would need about 22 GB).
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..files import atomic_write
from .dataset import DatasetError, ImageDataset, Splits
from .images import resize

SPLIT_NAMES = ("train", "val", "test")
SIZES = (28, 64, 128, 224)
ZENODO_URL = "https://zenodo.org/records/10519652/files/{filename}?download=1"
CITATION = "Yang et al., MedMNIST v2, Scientific Data 10, 41 (2023)"


@dataclass(frozen=True)
class MedMNISTInfo:
    """One MedMNIST 2-D data set: what it holds and where its files are."""

    name: str  # file stem, e.g. "pneumoniamnist"
    title: str  # e.g. "PneumoniaMNIST"
    task: str  # "binary-class", "multi-class", "multi-label" (ordinal regression → multi-class)
    classes: tuple[str, ...]
    channels: int
    md5: dict = field(default_factory=dict)  # size in px → MD5 of the file
    n_samples: tuple[int, int, int] = (0, 0, 0)  # train, val, test
    license: str = "CC BY 4.0"
    url_template: str = ZENODO_URL

    def filename(self, size: int = 28) -> str:
        return f"{self.name}.npz" if size == 28 else f"{self.name}_{size}.npz"

    def url(self, size: int = 28) -> str:
        return self.url_template.format(filename=self.filename(size))


def _info(name, title, task, classes, channels, md5s, n, license="CC BY 4.0"):
    return MedMNISTInfo(name, title, task, tuple(classes), channels, dict(zip(SIZES, md5s)), n, license)


_ORGANS = ("bladder", "femur-left", "femur-right", "heart", "kidney-left", "kidney-right",
           "liver", "lung-left", "lung-right", "pancreas", "spleen")

# Values from MedMNIST's medmnist/info.py, version 3.0.2 (record 10519652).
MEDMNIST_2D: dict[str, MedMNISTInfo] = {i.name: i for i in [
    _info("pathmnist", "PathMNIST", "multi-class",
          ("adipose", "background", "debris", "lymphocytes", "mucus", "smooth muscle",
           "normal colon mucosa", "cancer-associated stroma", "colorectal adenocarcinoma epithelium"), 3,
          ("a8b06965200029087d5bd730944a56c1", "55aa9c1e0525abe5a6b9d8343a507616",
           "ac42d08fb904d92c244187169d1fd1d9", "2c51a510bcdc9cf8ddb2af93af1eadec"), (89996, 10004, 7180)),
    _info("chestmnist", "ChestMNIST", "multi-label",
          ("atelectasis", "cardiomegaly", "effusion", "infiltration", "mass", "nodule", "pneumonia",
           "pneumothorax", "consolidation", "edema", "emphysema", "fibrosis", "pleural", "hernia"), 1,
          ("02c8a6516a18b556561a56cbdd36c4a8", "9de6cd0b934ebb5b7426cfba5efbae16",
           "db107e5590b27930b62dbaf558aebee3", "45bd33e6f06c3e8cdb481c74a89152aa"), (78468, 11219, 22433)),
    _info("dermamnist", "DermaMNIST", "multi-class",
          ("actinic keratoses and intraepithelial carcinoma", "basal cell carcinoma",
           "benign keratosis-like lesions", "dermatofibroma", "melanoma", "melanocytic nevi",
           "vascular lesions"), 3,
          ("0744692d530f8e62ec473284d019b0c7", "b70a2f5635c6199aeaa28c31d7202e1f",
           "2defd784463fa5243564e855ed717de1", "8974907d8e169bef5f5b96bc506ae45d"), (7007, 1003, 2005),
          "CC BY-NC 4.0"),
    _info("octmnist", "OCTMNIST", "multi-class",
          ("choroidal neovascularization", "diabetic macular edema", "drusen", "normal"), 1,
          ("c68d92d5b585d8d81f7112f81e2d0842", "e229e9440236b774d9f0dfef9d07bdaf",
           "0a97e76651ace45c5d943ee3f65b63ae", "abc493b6d529d5de7569faaef2773ba3"), (97477, 10832, 1000)),
    _info("pneumoniamnist", "PneumoniaMNIST", "binary-class", ("normal", "pneumonia"), 1,
          ("28209eda62fecd6e6a2d98b1501bb15f", "8f4eceb4ccffa70c672198ea285246c6",
           "05b46931834c231683c68f40c47b2971", "d6a3c71de1b945ea11211b03746c1fe1"), (4708, 524, 624)),
    _info("retinamnist", "RetinaMNIST", "multi-class", ("0", "1", "2", "3", "4"), 3,
          ("bd4c0672f1bba3e3a89f0e4e876791e4", "afda852cc34dcda56f86ad2b2457dbcc",
           "e48e916a24454daf90583d4e6efb1a18", "eae7e3b6f3fcbda4ae613ebdcbe35348"), (1080, 120, 400)),
    _info("breastmnist", "BreastMNIST", "binary-class", ("malignant", "normal, benign"), 1,
          ("750601b1f35ba3300ea97c75c52ff8f6", "742edef2a1fd1524b2efff4bd7ba9364",
           "363e4b3f8d712e9b5de15470a2aaadf1", "b56378a6eefa9fed602bb16d192d4c8b"), (546, 78, 156)),
    _info("bloodmnist", "BloodMNIST", "multi-class",
          ("basophil", "eosinophil", "erythroblast",
           "immature granulocytes(myelocytes, metamyelocytes and promyelocytes)", "lymphocyte",
           "monocyte", "neutrophil", "platelet"), 3,
          ("7053d0359d879ad8a5505303e11de1dc", "2b94928a2ae4916078ca51e05b6b800b",
           "adace1e0ed228fccda1f39692059dd4c", "b718ff6835fcbdb22ba9eacccd7b2601"), (11959, 1712, 3421)),
    _info("tissuemnist", "TissueMNIST", "multi-class",
          ("Collecting Duct, Connecting Tubule", "Distal Convoluted Tubule", "Glomerular endothelial cells",
           "Interstitial endothelial cells", "Leukocytes", "Podocytes", "Proximal Tubule Segments",
           "Thick Ascending Limb"), 1,
          ("ebe78ee8b05294063de985d821c1c34b", "123ece2eba09d0aa5d698fda57103344",
           "61b955355d7425a89687b06cca3ce0c2", "b077128c4a949f0a4eb01517f9037b9c"), (165466, 23640, 47280)),
    _info("organamnist", "OrganAMNIST", "multi-class", _ORGANS, 1,
          ("68e3f8846a6bd62f0c9bf841c0d9eacc", "2dcccc29b88e6da5a01161ef20cda288",
           "eeae80d0a227a8d099027e1b3cfd3b60", "50747347e05c87dd3aaf92c49f9f3170"), (34561, 6491, 17778)),
    _info("organcmnist", "OrganCMNIST", "multi-class", _ORGANS, 1,
          ("b9ceb9546e10131b32923c5bbeaea2b1", "3ce34a8724ea6f548e6db4744d03b6a9",
           "773c1f009daa3fe5d9a2a201b2a7ed94", "050f5e875dc056f6768abf94ec9995d1"), (12975, 2392, 8216)),
    _info("organsmnist", "OrganSMNIST", "multi-class", _ORGANS, 1,
          ("9ab87b696fb54e2a387ebe992d6ed5f1", "53a6d115339d874c25e309a994ff46d3",
           "ded0c5fa01a95dc4978b956f613e9b8e", "b354719e553fbbb2513d5533f52a4cb1"), (13932, 2452, 8827)),
]}

_NAME_RE = re.compile(r"^([a-z]+mnist)(?:_(\d+))?")


def default_cache_dir() -> Path:
    """``~/.cache/ml2dl``: where downloaded MedMNIST files are kept."""
    return Path.home() / ".cache" / "ml2dl"


def parse_name(name: str, size: int | None = None) -> tuple[MedMNISTInfo, int]:
    """"PneumoniaMNIST", "pneumoniamnist_64" … → (its table entry, size in px)."""
    m = _NAME_RE.match(str(name).strip().lower())
    known = ", ".join(sorted(MEDMNIST_2D))
    if not m or m.group(1) not in MEDMNIST_2D or m.end() != len(str(name).strip()):
        raise DatasetError(f"unknown MedMNIST 2-D data set {name!r}: expected one of {known} (optionally _64, _128, _224)")
    info = MEDMNIST_2D[m.group(1)]
    suffix = int(m.group(2)) if m.group(2) else None
    if suffix is not None and size is not None and suffix != size:
        raise DatasetError(f"{name!r} names size {suffix} but size={size} was given")
    size = size or suffix or 28
    if size not in info.md5:
        raise DatasetError(f"size for {info.title} must be one of {sorted(info.md5)}, got {size!r}")
    return info, size


def download_medmnist(
    name: str, size: int | None = None, *, cache_dir=None, timeout: float = 60.0,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """The path of ``name``'s file in ``cache_dir``, downloading it first if it is not there.

    The download streams into a temp file beside the destination, is checked
    against the table's MD5 and only then moved into place (``os.replace``), so
    an interrupted or corrupt download never leaves a file behind.

    Args:
        progress: called as ``progress(bytes_done, bytes_total_or_None)`` per block.

    Raises:
        DatasetError: offline, HTTP error or checksum mismatch; the message gives the
            URL and the path to put the file at by hand.
    """
    info, size = parse_name(name, size)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    dest = cache / info.filename(size)
    if dest.is_file():
        return dest
    url, expected = info.url(size), info.md5[size]

    def write(f):
        h = hashlib.md5()
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            done = 0
            for block in iter(lambda: response.read(1 << 20), b""):
                f.write(block)
                h.update(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
        got = h.hexdigest()
        if got != expected:
            raise DatasetError(
                f"checksum mismatch for {url}: expected MD5 {expected}, got {got}; the file was not "
                f"saved. Try again, or download it by hand and save it as {dest}"
            )

    try:
        atomic_write(dest, write)
    except DatasetError:
        raise
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = e if isinstance(e, urllib.error.HTTPError) else getattr(e, "reason", None) or e
        raise DatasetError(
            f"could not download {info.title} ({size} px) from {url}: {reason}. Without network, "
            f"download that file on another machine and save it as {dest}, or pass its path: "
            f"load_medmnist('/path/to/{info.filename(size)}')"
        ) from e
    return dest


def _images_to_nchw(images: np.ndarray, where: str) -> np.ndarray:
    if images.ndim == 3:
        images = images[:, None]
    elif images.ndim == 4 and images.shape[-1] in (1, 3):
        images = images.transpose(0, 3, 1, 2)
    else:
        raise DatasetError(
            f"{where}: expected 2-D images (N, H, W) or (N, H, W, 3), got shape {images.shape}"
            + (" (a 3-D MedMNIST volume?)" if images.ndim == 4 else "")
        )
    if images.dtype == np.uint8:
        return images.astype(np.float32) / np.float32(255.0)
    if np.issubdtype(images.dtype, np.floating):
        lo, hi = (float(images.min()), float(images.max())) if images.size else (0.0, 0.0)
        if lo < 0.0 or hi > 1.0:
            raise DatasetError(f"{where}: expected uint8 or floats in [0, 1], got floats in [{lo:g}, {hi:g}]")
        return images.astype(np.float32)
    raise DatasetError(f"{where}: expected uint8 or float images, got dtype {images.dtype}")


def _labels(labels: np.ndarray, n: int, where: str) -> np.ndarray:
    if labels.ndim not in (1, 2) or len(labels) != n:
        raise DatasetError(f"{where}: expected labels (N, 1) or (N, K) with N = {n}, got shape {labels.shape}")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if not (np.issubdtype(labels.dtype, np.integer) or np.issubdtype(labels.dtype, np.bool_)):
        if not np.issubdtype(labels.dtype, np.floating) or not np.all(labels == np.round(labels)):
            raise DatasetError(f"{where}: expected integer class labels, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise DatasetError(f"{where}: expected labels ≥ 0, got {labels.min()}")
    return labels


def read_medmnist_npz(path, *, size: int | None = None, info: MedMNISTInfo | None = None) -> Splits:
    """Read a MedMNIST-format ``.npz``; ``size`` resizes the images to size × size.

    ``info`` gives class names and attribution; by default it is guessed from the
    file name (``pneumoniamnist_64.npz`` → PneumoniaMNIST) or left generic.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"expected a MedMNIST .npz file at {path}, got {'a folder' if path.is_dir() else 'no such file'}")
    if info is None:
        m = _NAME_RE.match(path.stem.lower())
        info = MEDMNIST_2D.get(m.group(1)) if m else None
    try:
        npz = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        raise DatasetError(f"cannot read {path}: expected a MedMNIST .npz (a zip of .npy arrays), got {type(e).__name__}: {e}") from e
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise DatasetError(f"cannot read {path}: expected a MedMNIST .npz archive, got a single .npy array")
    raw = {}
    with npz:
        keys = set(npz.files)
        for split in SPLIT_NAMES:
            ik, lk = f"{split}_images", f"{split}_labels"
            if (ik in keys) != (lk in keys):
                have, missing = (ik, lk) if ik in keys else (lk, ik)
                raise DatasetError(f"{path} has {have} but not {missing}: expected both or neither")
            if ik in keys:
                try:
                    raw[split] = (npz[ik], npz[lk])
                except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
                    raise DatasetError(f"cannot read {ik}/{lk} in {path} (corrupt or truncated file?): {type(e).__name__}: {e}") from e
    if not raw:
        raise DatasetError(
            f"{path} is not a MedMNIST file: expected keys train_images, train_labels, val_images, "
            f"val_labels, test_images, test_labels (any split may be missing), got {sorted(keys)}"
        )
    loaded = {}
    for split, (images, labels) in raw.items():
        where = f"{path} [{split}]"
        x = _images_to_nchw(images, where)
        if size is not None and x.shape[2:] != (size, size):
            x = np.stack([resize(img.transpose(1, 2, 0), (size, size)).reshape(size, size, -1).transpose(2, 0, 1) for img in x])
        loaded[split] = (x, _labels(labels, len(images), where))

    multi = any(y.ndim == 2 for _, y in loaded.values())
    n_classes = max((y.shape[1] if y.ndim == 2 else int(y.max(initial=-1)) + 1) for _, y in loaded.values())
    if info is not None and len(info.classes) >= n_classes:
        classes, task = info.classes, info.task
        source = f"{info.title} ({CITATION}; {info.license}); file {path}"
    else:
        n_classes = max(n_classes, 2)
        classes = tuple(f"class {i}" for i in range(n_classes))
        task = "multi-label" if multi else ("binary-class" if n_classes == 2 else "multi-class")
        source = f"MedMNIST-format file {path}"
    return Splits(**{
        split: ImageDataset(x, y, classes, source=source, synthetic=False, task=task, meta={"path": str(path)})
        for split, (x, y) in loaded.items()
    })


def load_medmnist(path_or_name, *, size: int | None = None, cache_dir=None, download: bool = True) -> Splits:
    """A MedMNIST 2-D data set as `Splits` of float32 (N, C, H, W) images in [0, 1].

    Args:
        path_or_name: a ``.npz`` file, or a name from ``MEDMNIST_2D`` ("pneumoniamnist",
            "PneumoniaMNIST", "pneumoniamnist_64").
        size: with a name, which official file: 28 (default), 64, 128 or 224; with a
            file, resize its images to size × size (None keeps them).
        cache_dir: where named files are kept (default ``~/.cache/ml2dl``).
        download: fetch a named file that is not in the cache; if False, a missing
            file raises DatasetError saying where to put it.

    Example:
        >>> splits = load_medmnist("../shared/data/pneumoniamnist_trainval.npz")  # doctest: +SKIP
        >>> splits.train.images.shape, splits.test                                   # doctest: +SKIP
        ((4708, 1, 28, 28), None)
    """
    text = os.fspath(path_or_name)
    if isinstance(path_or_name, Path) or text.lower().endswith(".npz") or os.sep in text or Path(text).exists():
        return read_medmnist_npz(text, size=size)
    info, size = parse_name(text, size)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    dest = cache / info.filename(size)
    if not dest.is_file():
        if not download:
            raise DatasetError(
                f"{info.title} ({size} px) is not in the cache and download=False: expected the file "
                f"{dest}. Download {info.url(size)} and save it there, or pass the file's path."
            )
        dest = download_medmnist(info.name, size, cache_dir=cache)
    return read_medmnist_npz(dest, info=info)
