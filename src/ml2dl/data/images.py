"""Read one image file — PNG, JPEG (Pillow) or DICOM (pydicom) — as float32 in [0, 1].

Results:
    mode "L"   → (H, W) float32, luminance 0.299 R + 0.587 G + 0.114 B for colour files
    mode "RGB" → (H, W, 3) float32, grayscale files repeated on the three channels

PNG / JPEG: 8-bit values are divided by 255, 16-bit grayscale by 65535; the EXIF
orientation of photographs is applied.

DICOM, the way a viewer shows it:
    1. stored values → modality values: v = RescaleSlope · stored + RescaleIntercept
       (Hounsfield units for CT);
    2. window: y = clip((v − (c − w/2)) / w, 0, 1), with (c, w) the ``window``
       argument, else the file's WindowCenter / WindowWidth (the first pair when
       it holds several), else the image's own minimum and maximum;
    3. MONOCHROME1 (bright = low values) is inverted: y → 1 − y.
    The window above is the textbook level/width form; the DICOM standard's
    linear function (PS3.3 C.11.2.1.2) differs from it by under one stored value.
    Multi-frame files give their first frame; colour DICOM is scaled by its bit depth.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..checks import InputError, choice, finite, pair, positive_number
from .dataset import ImageReadError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
DICOM_SUFFIXES = (".dcm", ".dicom")
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _check_options(mode, size, window):
    choice("mode", mode, ("L", "RGB"))
    if size is not None:
        size = pair("size", size)
    if window is not None:
        if not isinstance(window, (tuple, list)) or len(window) != 2:
            raise InputError(f"window must be (center, width), got {window!r}")
        window = (finite("window center", window[0]), positive_number("window width", window[1]))
    return size, window


def _is_dicom(head: bytes, name: str) -> bool:
    return head[128:132] == b"DICM" or name.lower().endswith(DICOM_SUFFIXES)


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a float32 (H, W) or (H, W, C) image to ``size = (height, width)``.

    Pillow's bilinear filter on float data; when shrinking, Pillow widens the
    filter to the reduction so the result is antialiased (no moiré on ribs).
    """
    h, w = size
    if image.shape[:2] == (h, w):
        return image.astype(np.float32, copy=False)
    if image.ndim == 2:
        out = Image.fromarray(image.astype(np.float32), mode="F").resize((w, h), Image.BILINEAR)
        return np.asarray(out, dtype=np.float32)
    return np.stack([resize(image[..., c], size) for c in range(image.shape[2])], axis=-1)


def _to_mode(image: np.ndarray, mode: str) -> np.ndarray:
    if mode == "L":
        return image if image.ndim == 2 else image @ _LUMA
    return image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=-1)


def _finish(image, mode, size):
    image = _to_mode(np.asarray(image, dtype=np.float32), mode)
    if size is not None:
        image = resize(image, size)
    return np.clip(image, 0.0, 1.0).astype(np.float32, copy=False)


def _read_pil(source, name, mode, size):
    try:
        with Image.open(source) as img:
            if size is not None and img.format == "JPEG":
                # Let the JPEG decoder skip detail we would throw away (DCT scaling, ≥ 2× target).
                img.draft(img.mode, (2 * size[1], 2 * size[0]))
            img.load()
            img = ImageOps.exif_transpose(img)
            arr = _pil_to_float(img, name)
    except ImageReadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise ImageReadError(
            f"cannot read {name}: expected a PNG, JPEG or DICOM image, got "
            f"{type(e).__name__}: {e}"
        ) from e
    return _finish(arr, mode, size)


def _pil_to_float(img: Image.Image, name: str) -> np.ndarray:
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(img, dtype=np.float32) / 65535.0
    if img.mode == "I":
        # 32-bit integer PNGs usually hold 16-bit data.
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if arr.max(initial=0) <= 65535 else float(arr.max())
        return (np.clip(arr, 0, None) / top).astype(np.float32)
    if img.mode == "F":
        arr = np.asarray(img, dtype=np.float32)
        lo, hi = float(arr.min()), float(arr.max())
        return (arr - lo) / (hi - lo) if hi > lo else np.zeros_like(arr)
    if img.mode in ("L", "1"):
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    if img.mode in ("LA", "La"):
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    return np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0


MAX_DICOM_SAMPLES = 50_000_000  # Rows × Columns × frames × samples per pixel a DICOM may decode to


def dicom_samples(ds) -> int:
    """Rows × Columns × NumberOfFrames × SamplesPerPixel from the header: what decoding would make.

    A compressed DICOM of a few KB can claim gigabytes of pixels (a "decompression bomb"):
    this is read before any pixel is decoded.
    """
    def whole(key, default):
        try:
            return max(0, int(ds.get(key, default) or default))
        except (TypeError, ValueError):
            return default
    return whole("Rows", 0) * whole("Columns", 0) * max(1, whole("NumberOfFrames", 1)) * max(1, whole("SamplesPerPixel", 1))


def check_dicom_size(ds, name: str, limit: int = MAX_DICOM_SAMPLES) -> None:
    """ImageReadError if the header claims more than ``limit`` samples (before decoding)."""
    n = dicom_samples(ds)
    if n > limit:
        raise ImageReadError(f"cannot read {name}: at most {limit:,} pixel samples, got "
                             f"{n:,} (Rows × Columns × frames × samples per pixel in its header)")


def _read_dicom(source, name, mode, size, window):
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        ds = pydicom.dcmread(source, force=True)
    except (InvalidDicomError, OSError, EOFError, ValueError, TypeError, AttributeError, KeyError) as e:
        raise ImageReadError(f"cannot read {name}: expected a DICOM file, got {type(e).__name__}: {e}") from e
    if "PixelData" not in ds:
        what = ds.get("SOPClassUID", None)
        what = getattr(what, "name", what) or "no SOP class"
        raise ImageReadError(f"cannot read {name}: expected a DICOM image with pixel data, got a file without PixelData ({what})")
    check_dicom_size(ds, name)
    try:
        pixels = ds.pixel_array
    except Exception as e:  # missing decoder plugins, truncated data, bad attributes…
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "unknown transfer syntax")
        raise ImageReadError(
            f"cannot decode the pixel data of {name} ({syntax}): {type(e).__name__}: {e}"
        ) from e
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        pixels = pixels[0]
    if samples == 3:
        bits = int(ds.get("BitsStored", 8) or 8)
        return _finish(pixels.astype(np.float32) / float(2**bits - 1), mode, size)
    if pixels.ndim != 2:
        raise ImageReadError(f"cannot read {name}: expected a 2-D grayscale frame, got pixel shape {pixels.shape}")
    values = dicom_modality_values(ds, pixels)
    image = apply_window(values, window if window is not None else dicom_window(ds))
    if str(ds.get("PhotometricInterpretation", "")).upper() == "MONOCHROME1":
        image = 1.0 - image
    return _finish(image, mode, size)


def dicom_modality_values(ds, pixels: np.ndarray) -> np.ndarray:
    """Stored values → modality values (HU for CT): slope · stored + intercept, float64 (H, W)."""
    slope = float(ds.get("RescaleSlope", 1.0) or 1.0)
    intercept = float(ds.get("RescaleIntercept", 0.0) or 0.0)
    return pixels.astype(np.float64) * slope + intercept


def dicom_window(ds) -> tuple[float, float] | None:
    """The file's (WindowCenter, WindowWidth), first values if multi-valued; None if absent or invalid."""
    center, width = ds.get("WindowCenter"), ds.get("WindowWidth")
    if center is None or width is None:
        return None

    def first(v):
        if not isinstance(v, (int, float, str, bytes)):  # a MultiValue: take its first value
            try:
                v = v[0]
            except (TypeError, IndexError):
                return None
        try:
            return float(v)
        except (TypeError, ValueError):
            return None

    c, w = first(center), first(width)
    if c is None or w is None or not w > 0:
        return None
    return c, w


def apply_window(values: np.ndarray, window: tuple[float, float] | None) -> np.ndarray:
    """Map values to [0, 1]: window (center, width) → clip((v − (c − w/2)) / w, 0, 1); None → min–max.

    A constant image with no window maps to zeros.
    """
    values = np.asarray(values, dtype=np.float64)
    if window is None:
        lo, hi = float(values.min()), float(values.max())
        if hi <= lo:
            return np.zeros(values.shape, dtype=np.float32)
        return ((values - lo) / (hi - lo)).astype(np.float32)
    center, width = window
    return np.clip((values - (center - width / 2.0)) / width, 0.0, 1.0).astype(np.float32)


def to_uint8(image, *, scale: int = 1) -> np.ndarray:
    """Grey levels as 8-bit grey (uint8, same shape): the one conversion every page and figure uses.

    ``scale=1``: values in [0, 1] (what the engine and the data loaders hold) → round(255·v);
    ``scale=255``: values already on the 0–255 scale (filter outputs, luminance) → round(v).
    The product is taken in float64, rounding is half to even (``np.rint``), and anything
    outside 0…255 is clipped to black or white.

    Example:
        >>> to_uint8(np.array([0.0, 0.5, 1.0, 1.2])).tolist()
        [0, 128, 255, 255]
        >>> to_uint8(np.array([-3.0, 127.5, 128.5, 300.0]), scale=255).tolist()
        [0, 128, 128, 255]
    """
    values = np.asarray(image, dtype=np.float64)
    if choice("scale", scale, (1, 255)) == 1:
        values = values * 255
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def read_image(path, *, mode: str = "L", size=None, window=None) -> np.ndarray:
    """Read a PNG, JPEG or DICOM file as float32 in [0, 1].

    Args:
        path: the file.
        mode: "L" → (H, W); "RGB" → (H, W, 3).
        size: None to keep the size, an int for a square, or (height, width).
        window: DICOM only: (center, width) in modality units (HU for CT);
            overrides the file's window.

    Raises:
        ImageReadError: the file is missing, not an image, truncated, or a DICOM
            without pixel data; the message names the file.

    Example:
        >>> from pydicom.data import get_testdata_file
        >>> read_image(get_testdata_file("CT_small.dcm"), window=(40, 400)).shape
        (128, 128)
    """
    size, window = _check_options(mode, size, window)
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise ImageReadError(f"cannot read {name}: expected an image file, got {'a folder' if path.is_dir() else 'no such file'}")
    try:
        with open(path, "rb") as f:
            head = f.read(132)
    except OSError as e:
        raise ImageReadError(f"cannot read {name}: {e}") from e
    if _is_dicom(head, name):
        return _read_dicom(os.fspath(path), name, mode, size, window)
    return _read_pil(path, name, mode, size)


def read_image_bytes(data: bytes, filename_hint: str = "upload", *, mode: str = "L", size=None, window=None) -> np.ndarray:
    """`read_image` for bytes in memory (an upload); ``filename_hint`` names it in errors.

    DICOM is recognised by its "DICM" marker, or by a .dcm / .dicom hint.
    """
    size, window = _check_options(mode, size, window)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise ImageReadError(f"cannot read {filename_hint}: expected an image, got 0 bytes")
    if _is_dicom(data[:132], filename_hint):
        return _read_dicom(io.BytesIO(data), filename_hint, mode, size, window)
    return _read_pil(io.BytesIO(data), filename_hint, mode, size)
