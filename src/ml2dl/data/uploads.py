"""Uploaded images: bounded, decoded once, kept as 8-bit grey levels, found again by id.

A user's file (PNG, JPEG or DICOM) goes through :func:`decode_upload`:

    bytes  ── size ≤ max_bytes ──►  header: W·H ≤ max_pixels  ──►  read_image_bytes (grey, [0, 1])
           ──►  × 255  ──►  longer side ≤ max_side (area average)  ──►  rint, uint8 (H, W)

Every limit is checked before the expensive step it protects (the byte count before the
decoder runs, the pixel count from the header before the pixels are decoded). A bad file raises
:class:`UploadError` (an :class:`~ml2dl.checks.InputError`) saying what was expected and what was
received; :class:`UploadTooLarge` when a limit is exceeded.

:class:`UploadStore` keeps the decoded images under ``<folder>/<id>.npy``, the id being the
hash of the pixels, so every process sharing the folder (the workers of one server) finds
an image whichever of them decoded it; a small in-memory LRU saves re-reading the file.

Images are referred to as ``sample:<name>`` (bundled, see ``ml2dl.data.samples``) or
``upload:<id>``; :meth:`UploadStore.resolve` turns either into the grey image (float32, 0..255).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..checks import InputError, positive_int
from ..files import atomic_write
from .dataset import DatasetError
from .images import read_image_bytes, to_uint8
from .samples import list_samples, load_sample

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 512  # uploads and samples are shown and filtered at most this large
UPLOAD_TTL = 4 * 3600  # seconds an uploaded image is kept after its last upload (a lecture)
MAX_FOLDER_BYTES = 256 * 1024 * 1024  # the upload folder's size cap: the oldest images go first
_ID_RE = re.compile(r"^[0-9a-f]{24}$")


class UploadError(InputError):
    """An uploaded file that is not a usable image, or a reference to no known image."""


class UploadTooLarge(UploadError):
    """An upload beyond the byte or pixel limit."""


class UnknownUpload(UploadError):
    """``upload:<id>`` that this server does not have (never uploaded, or cleaned away)."""


# ------------------------------------------------------------------------------ decoding


def grey255(image01: np.ndarray) -> np.ndarray:
    """A grey image in [0, 1] as float32 grey levels 0..255 (computed in float64)."""
    return (np.asarray(image01, dtype=np.float64) * 255).astype(np.float32)


def fit_within(image: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray:
    """Downscale a float (H, W) image (area averaging, via Pillow) so its longer side is ≤ ``max_side``."""
    h, w = image.shape
    if max(h, w) <= max_side:
        return image
    from PIL import Image

    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(image.astype(np.float32), mode="F").resize(size, Image.BOX), dtype=np.float32)


def _check_pixel_count(data: bytes, filename: str, max_pixels: int) -> None:
    """Read only the header to refuse huge images before decoding them: PNG/JPEG (Pillow reads
    the size), DICOM (Rows × Columns × frames × samples per pixel)."""
    from PIL import Image

    if data[128:132] == b"DICM" or filename.lower().endswith((".dcm", ".dicom")):
        _check_dicom_header(data, filename, max_pixels)
        return
    try:
        with Image.open(io.BytesIO(data)) as img:
            w, h = img.size
    except Exception:
        return  # not a Pillow image (DICOM, or garbage): the decoder will say
    if w * h > max_pixels:
        raise UploadTooLarge(f"{filename}: at most {max_pixels:,} pixels, got {w}×{h} = {w * h:,}")


def _check_dicom_header(data: bytes, filename: str, max_pixels: int) -> None:
    import pydicom

    from .images import dicom_samples

    try:
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=True)
    except Exception:
        return  # not readable as DICOM: the decoder will say what is wrong
    n = dicom_samples(ds)
    if n > max_pixels:
        raise UploadTooLarge(f"{filename}: at most {max_pixels:,} pixel samples, got {n:,} "
                             "(Rows × Columns × frames × samples per pixel in its header)")


def check_upload(data: bytes, filename: str = "upload", *, max_bytes: int = MAX_UPLOAD_BYTES,
                 max_pixels: int = MAX_UPLOAD_PIXELS) -> None:
    """The limits checked before any decoding: not empty, ≤ ``max_bytes`` bytes, ≤ ``max_pixels``
    pixels by the header (DICOM: Rows × Columns × frames × samples). UploadError / UploadTooLarge."""
    if len(data) > max_bytes:
        raise UploadTooLarge(f"{filename}: files up to {max_bytes // (1024 * 1024)} MB, got more")
    if not data:
        raise UploadError(f"{filename}: expected a PNG, JPEG or DICOM image, got an empty file")
    _check_pixel_count(data, filename, max_pixels)


def decode_upload(data: bytes, filename: str = "upload", *, max_bytes: int = MAX_UPLOAD_BYTES,
                  max_pixels: int = MAX_UPLOAD_PIXELS, max_side: int = MAX_SIDE) -> np.ndarray:
    """The file's bytes → uint8 (H, W) grey image, longer side ≤ ``max_side``.

    Raises:
        UploadTooLarge: more than ``max_bytes`` bytes or ``max_pixels`` pixels.
        UploadError: empty, or not a PNG, JPEG or DICOM image.
    """
    check_upload(data, filename, max_bytes=max_bytes, max_pixels=max_pixels)
    try:
        image01 = read_image_bytes(data, filename)
    except (DatasetError, ValueError, TypeError):  # the decoders' words name their internals: say what came
        raise UploadError(f"{filename}: expected a PNG, JPEG or DICOM image of at most "
                          f"{max_bytes // (1024 * 1024)} MB, got {describe_bytes(data)}") from None
    return to_uint8(fit_within(grey255(image01), max_side), scale=255)


_SIGNATURES = (  # (offset, leading bytes, what a student would call the file)
    (0, b"\x89PNG\r\n\x1a\n", "a PNG file that could not be decoded (damaged or cut short?)"),
    (0, b"\xff\xd8\xff", "a JPEG file that could not be decoded (damaged or cut short?)"),
    (128, b"DICM", "a DICOM file without a readable image"),
    (0, b"GIF8", "a GIF image"), (0, b"%PDF", "a PDF document"), (0, b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (0, b"BM", "a BMP image"), (0, b"II*\x00", "a TIFF image"), (0, b"MM\x00*", "a TIFF image"),
    (8, b"WEBP", "a WebP image"), (0, b"\x93NUMPY", "a NumPy .npy array"),
)


def describe_bytes(data: bytes) -> str:
    """What a file looks like from its first bytes, in words, with its size: "text (13 bytes)"."""
    size = f"{len(data):,} byte{'s' if len(data) != 1 else ''}"
    for offset, magic, name in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return f"{name} ({size})"
    head = data[:512]
    try:
        head.decode("utf-8")
        text = b"\x00" not in head
    except UnicodeDecodeError:
        text = False
    return f"text, not an image ({size})" if text else f"a file of unknown type ({size})"


def image_id(image: np.ndarray) -> str:
    """24 hex digits of sha256 over the pixels and the shape: the same image, the same id."""
    return hashlib.sha256(image.tobytes() + str(image.shape).encode()).hexdigest()[:24]


@functools.lru_cache(maxsize=16)
def sample_grey(name: str, max_side: int = MAX_SIDE) -> np.ndarray:
    """A bundled sample as 8-bit grey levels (float32): the values a student reads off the PNG."""
    return to_uint8(grey255(load_sample(name, max_size=max_side)), scale=255).astype(np.float32)


# ------------------------------------------------------------------------------ the store


class UploadStore:
    """Decoded uploads by id: memory (LRU of ``memory`` images) first, then ``folder/<id>.npy``.

    Thread-safe; several processes may share ``folder`` (files are written atomically and
    named by content, so two writers of one id write the same bytes).

    Only the pixels are kept (8-bit grey levels): no file name, no DICOM header, nothing that
    could identify a patient. Images older than ``ttl`` seconds go, and the oldest go first
    when the folder holds more than ``max_folder_bytes`` (checked at every upload).

    Args:
        folder: where the decoded images are kept (created on the first upload).
        max_bytes, max_pixels, max_side: the limits of :func:`decode_upload`.
        memory: how many decoded images to keep in memory.
    """

    def __init__(self, folder: str | Path, *, max_bytes: int = MAX_UPLOAD_BYTES,
                 max_pixels: int = MAX_UPLOAD_PIXELS, max_side: int = MAX_SIDE, memory: int = 16,
                 ttl: float = UPLOAD_TTL, max_folder_bytes: int = MAX_FOLDER_BYTES):
        self.folder = Path(folder)
        self.ttl = float(ttl)
        self.max_folder_bytes = positive_int("max_folder_bytes", max_folder_bytes)
        self.max_bytes = positive_int("max_bytes", max_bytes)
        self.max_pixels = positive_int("max_pixels", max_pixels)
        self.max_side = positive_int("max_side", max_side)
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = memory
        self._lock = threading.Lock()

    def add(self, data: bytes, filename: str = "upload") -> tuple[str, np.ndarray]:
        """Decode and keep an uploaded file (see :func:`decode_upload`); returns (id, uint8 image)."""
        image = decode_upload(data, filename, max_bytes=self.max_bytes, max_pixels=self.max_pixels,
                              max_side=self.max_side)
        key = image_id(image)
        path = self.folder / f"{key}.npy"
        if not path.exists():
            atomic_write(path, lambda f: np.save(f, image))
        else:
            path.touch()  # uploaded again: its time to live starts again
        self._remember(key, image)
        self.prune(keep=path)
        return key, image

    def prune(self, *, keep: Path | None = None, now: float | None = None) -> list[str]:
        """Remove images past their time to live, then the oldest while the folder is over its cap.

        Returns the ids removed (any worker may prune: a file already gone is skipped).
        """
        now = time.time() if now is None else now
        files = []
        for path in self.folder.glob("*.npy"):
            try:
                st = path.stat()
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, path))
        files.sort()
        total = sum(size for _, size, _ in files)
        removed = []
        for mtime, size, path in files:
            if path == keep or (now - mtime <= self.ttl and total <= self.max_folder_bytes):
                continue
            path.unlink(missing_ok=True)
            total -= size
            removed.append(path.stem)
        with self._lock:
            for key in removed:
                self._items.pop(key, None)
        return removed

    def get(self, key: str) -> np.ndarray | None:
        """The image (float32, 0..255) kept under ``key``, or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        try:
            image = np.load(self.folder / f"{key}.npy", allow_pickle=False)
        except (FileNotFoundError, ValueError, OSError):
            return None
        return self._remember(key, image)

    def forget_memory(self) -> None:
        """Drop the in-memory copies (the files stay): what a fresh worker process sees."""
        with self._lock:
            self._items.clear()

    def resolve(self, ref: str) -> np.ndarray:
        """``sample:<name>`` or ``upload:<id>`` → the grey image (float32, 0..255).

        Raises:
            UploadError: the reference has neither form, or names no bundled sample.
            UnknownUpload: a well-formed id this server does not have.
        """
        kind, _, name = ref.partition(":")
        if kind == "sample":
            known = {s["name"] for s in list_samples()}
            if name not in known:
                raise UploadError(f"image must be one of {sorted('sample:' + k for k in known)} or 'upload:<id>', "
                                  f"got {ref!r}")
            return sample_grey(name, self.max_side)
        if kind == "upload":
            if not _ID_RE.match(name):
                raise UploadError(f"upload id must be 24 hex digits, got {name!r}")
            image = self.get(name)
            if image is None:
                raise UnknownUpload(f"no uploaded image {ref!r} on this server (upload it again)")
            return image
        raise UploadError(f"image must be 'sample:<name>' or 'upload:<id>', got {ref!r}")

    def _remember(self, key: str, image: np.ndarray) -> np.ndarray:
        image = image.astype(np.float32)
        with self._lock:
            self._items[key] = image
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return image
