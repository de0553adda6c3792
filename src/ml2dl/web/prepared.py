"""Data for the steps, prepared once per server: single-flight, cached on disk, memory-mapped.

The chest images of steps 5 and 9 take a second or more to make (phantoms) or read (a
``.npz`` or an image folder). When a class opens the steps at once, that must happen once, not once per request
or per worker:

- in a process, the first caller computes and the others wait for it (one lock per key);
- across processes, the first worker writes the arrays to ``<cache_dir>/data/<key>/`` (each
  ``.npy`` atomically, ``done.json`` last) under a file lock; the others wait on the lock and
  then read them;
- every worker opens the arrays memory-mapped and read-only, so the class's workers share one
  copy of the pages in the OS page cache instead of one copy each.

    data = chest_data(settings, n_train=2000, n_val=500, seed=0)   # a lessons.images.ChestData
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from time import monotonic
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ml2dl.data.folders import folder_fingerprint
from ml2dl.files import atomic_write, atomic_write_text
from ml2dl.lessons import images as lesson

from .jobs import fingerprint
from .settings import Settings

ARRAYS = ("train_images", "train_labels", "val_images", "val_labels")

_memory: dict[str, lesson.ChestData] = {}
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


async def chest_data_async(settings: Settings, *, n_train: int, n_val: int, seed: int) -> lesson.ChestData:
    """:func:`chest_data` for a request on the event loop: from memory at once, else prepared
    (or the data folder scanned again) in a worker thread."""
    key = _key(settings, n_train, n_val, seed, scan=False)
    found = _memory.get(key) if key is not None else None
    if found is not None:
        return found
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(lambda: chest_data(settings, n_train=n_train, n_val=n_val, seed=seed))


def chest_data(settings: Settings, *, n_train: int, n_val: int, seed: int) -> lesson.ChestData:
    """``lessons.images.load_chest_data`` for this server's data, prepared once (see the module)."""
    key = _key(settings, n_train, n_val, seed)
    found = _memory.get(key)
    if found is not None:
        return found
    with _guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:  # single flight in this process
        found = _memory.get(key)
        if found is None:
            found = _memory[key] = _from_disk(settings.cache_dir / "data" / key, settings, n_train, n_val, seed)
    return found


def step_images(settings: Settings) -> lesson.ChestData:
    """The chest images of step 5 (and the loop, the data step): :func:`chest_data` at the server's
    training budget (``Settings.training_budget``, else ``lessons.images.Budget()``)."""
    b = settings.training_budget or lesson.Budget()
    return chest_data(settings, n_train=b.n_train, n_val=b.n_val, seed=b.seed)


async def step_images_async(settings: Settings) -> lesson.ChestData:
    """:func:`step_images` for a request on the event loop (:func:`chest_data_async`)."""
    b = settings.training_budget or lesson.Budget()
    return await chest_data_async(settings, n_train=b.n_train, n_val=b.n_val, seed=b.seed)


# A folder of images is looked at again (its files' names, sizes and times) at most this often: a
# folder of 5,800 X-rays takes ~60 ms to scan, which every call of a chest step would pay otherwise.
FOLDER_RESCAN_SECONDS = 30.0
_scans: dict[str, tuple[float, str]] = {}  # resolved folder → (monotonic() of its scan, fingerprint)


def _folder_print(folder: str, scan: bool) -> str | None:
    """The folder's :func:`folder_fingerprint`, scanned again once FOLDER_RESCAN_SECONDS have passed
    (when that is due and not ``scan``: None, the caller scans in a thread)."""
    done = _scans.get(folder)
    if done is not None and monotonic() - done[0] < FOLDER_RESCAN_SECONDS:
        return done[1]
    if not scan:
        return None
    _scans[folder] = (monotonic(), folder_fingerprint(folder))
    return _scans[folder][1]


def _key(settings: Settings, n_train: int, n_val: int, seed: int, scan: bool = True) -> str | None:
    """The prepared data's name: its source (and that source's state), sizes and seed; None
    when the data folder's scan is due and ``scan`` is False."""
    source: list = ["phantom"]
    if settings.data_path is not None and Path(settings.data_path).is_dir():  # its files' names, sizes, times
        folder = str(Path(settings.data_path).resolve())
        found = _folder_print(folder, scan)
        if found is None:
            return None
        source = [folder, found]
    elif settings.data_path is not None:
        st = Path(settings.data_path).stat()  # FileNotFoundError when missing, as load_chest_data
        source = [str(Path(settings.data_path).resolve()), st.st_size, st.st_mtime_ns]
    return "chest-" + fingerprint(source, n_train, n_val, seed)  # includes the code's version


def _from_disk(folder: Path, settings: Settings, n_train: int, n_val: int, seed: int) -> lesson.ChestData:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # single flight across the workers: the others wait here
        loaded = _read(folder)
        if loaded is None:
            data = lesson.load_chest_data(settings.data_path, n_train=n_train, n_val=n_val, seed=seed)
            for name in ARRAYS:
                atomic_write(folder / f"{name}.npy", lambda f, a=getattr(data, name): np.save(f, a))
            meta = {k: v for k, v in asdict(data).items() if k not in ARRAYS}
            atomic_write_text(folder / "done.json", json.dumps(meta))  # last: the folder is complete
            loaded = _read(folder)
    finally:
        os.close(fd)
    return loaded


def _read(folder: Path) -> lesson.ChestData | None:
    try:
        meta = json.loads((folder / "done.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in ARRAYS}
    except (OSError, ValueError):
        return None
    return lesson.ChestData(**arrays, **meta)
