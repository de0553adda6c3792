"""clinic-image: a student's own image (PNG, JPEG or DICOM) read by a trained run.

    scan = read_scan(data)                         # limits first, then decode; identifying fields dropped
    key = keep(folder, scan)                       # pixel values only, <folder>/<key>.npz
    answer = read_image(run, load(folder, key), point="screening", centre=-600, width=1500)
    forget(folder, key)                            # the page is done with it

A DICOM's stored values become modality values (``slope · stored + intercept``: Hounsfield units for
CT). A **window** (centre c, width w) maps them to grey levels,

    grey = clip((v − (c − w/2)) / w, 0, 1)

so that tissue between c − w/2 and c + w/2 fills the grey scale. The model sees the image *as
windowed*, shrunk to its input size (H × W): another window is another image to it.

Patient-identifying fields never leave :func:`read_scan`: every element outside :data:`KEEP` (the
ones needed to decode the pixels and the few a student reads) is deleted from the dataset before the
pixels are decoded, private tags included; what is kept on disk is the pixel values alone, and the
file name is never used. Kept scans go after :data:`TTL` seconds, or when the page forgets them.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ml2dl import checks
from ml2dl.checks import InputError
from ml2dl.data.images import apply_window, dicom_modality_values, dicom_window, read_image_bytes, resize, to_uint8
from ml2dl.data.uploads import (MAX_SIDE, MAX_UPLOAD_BYTES, MAX_UPLOAD_PIXELS, UnknownUpload, UploadError, check_upload,
                                describe_bytes, fit_within)
from ml2dl.explain import grad_cam, last_conv_index
from ml2dl.files import atomic_write, jsonable
from ml2dl.train import RunDir, predict_proba

from .judge import MODEL_LOCK, best_model

NAME = "your file"  # what messages call the upload: its file name may be a patient's name
SCANS_DIR = "clinic-scans"
TTL = 3600  # seconds a scan is kept when the page never says it is done (a tab closed)
DISPLAY_SIDE = 256  # the picture sent to the page (the model sees far fewer pixels)
KEEP = frozenset({  # every other element is deleted on load
    "Modality", "Rows", "Columns", "PixelSpacing", "ImagerPixelSpacing", "BitsAllocated", "BitsStored", "HighBit",
    "PixelRepresentation", "SamplesPerPixel", "PhotometricInterpretation", "PlanarConfiguration", "NumberOfFrames",
    "RescaleSlope", "RescaleIntercept", "WindowCenter", "WindowWidth", "PixelData"})
PRESETS = {  # name → (centre, width) in Hounsfield units: the usual CT windows
    "lung": (-600.0, 1500.0), "soft tissue": (40.0, 400.0), "bone": (400.0, 1800.0)}
POINT_ORDER = ("screening", "high_specificity", "balanced")


@dataclass
class Scan:
    """An uploaded image's values (H, W) float32 (modality units for DICOM, 0–255 for a picture), the
    few header fields a student needs, and the window it opens with."""

    values: np.ndarray
    kind: str  # "dicom" | "picture"
    header: dict = field(default_factory=dict)
    window: tuple[float, float] = (127.5, 255.0)
    invert: bool = False  # MONOCHROME1: high values are dark


def read_scan(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_UPLOAD_PIXELS) -> Scan:
    """Bytes of a PNG, JPEG or DICOM → :class:`Scan` (limits checked before decoding).

    Raises:
        UploadTooLarge: more than ``max_bytes`` bytes or ``max_pixels`` pixels (from the header).
        UploadError: not a PNG, JPEG or DICOM image (the message names only ``"your file"``).
    """
    check_upload(data, NAME, max_bytes=max_bytes, max_pixels=max_pixels)
    if data[128:132] == b"DICM":
        return _read_dicom(data)
    try:
        grey = read_image_bytes(data, NAME) * 255.0
    except Exception:  # the decoders' words name their internals: say what came
        raise UploadError(f"{NAME}: expected a PNG, JPEG or DICOM image, got {describe_bytes(data)}") from None
    values = fit_within(grey.astype(np.float32), MAX_SIDE)
    return Scan(values, "picture", {"modality": "picture (PNG or JPEG)", "rows": int(grey.shape[0]),
                                    "columns": int(grey.shape[1]), "pixel_spacing_mm": None, "unit": "grey level"})


def strip(ds) -> None:
    """Delete every element of a pydicom dataset outside :data:`KEEP` (patient name, ID, birth date,
    institution, UIDs, private tags, …) and the file meta information, in place."""
    ds.remove_private_tags()
    for elem in list(ds):
        if elem.keyword not in KEEP:
            del ds[elem.tag]
    meta = getattr(ds, "file_meta", None)
    if meta is not None:  # only the transfer syntax is needed to decode the pixels
        for elem in list(meta):
            if elem.keyword != "TransferSyntaxUID":
                del meta[elem.tag]


def _read_dicom(data: bytes) -> Scan:
    import pydicom

    bad = UploadError(f"{NAME}: expected a DICOM image with grey pixel data, got {describe_bytes(data)}")
    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
    except Exception:
        raise bad from None
    strip(ds)  # before anything reads the dataset
    if "PixelData" not in ds:
        raise bad
    try:
        pixels = ds.pixel_array
    except Exception:
        raise UploadError(f"{NAME}: its pixel data could not be decoded (a compression this server does not read?)") from None
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        pixels = pixels[0]
    if pixels.ndim != 2:
        raise UploadError(f"{NAME}: expected one grey frame, got pixels of shape {tuple(pixels.shape)}")
    values = dicom_modality_values(ds, pixels)
    rows, cols = values.shape
    lo, hi = float(values.min()), float(values.max())
    window = dicom_window(ds) or ((lo + hi) / 2, max(hi - lo, 1.0))
    spacing = ds.get("PixelSpacing") or ds.get("ImagerPixelSpacing")
    try:
        spacing = [round(float(v), 4) for v in spacing][:2] if spacing else None
    except (TypeError, ValueError):
        spacing = None
    modality = str(ds.get("Modality", "") or "not given")
    header = {"modality": modality, "rows": int(rows), "columns": int(cols), "pixel_spacing_mm": spacing,
              "unit": "HU" if modality == "CT" else "stored value × slope + intercept"}
    return Scan(fit_within(values.astype(np.float32), MAX_SIDE), "dicom", header, (float(window[0]), float(window[1])),
                str(ds.get("PhotometricInterpretation", "")).upper() == "MONOCHROME1")


# ------------------------------------------------------------------------------ kept scans


def scans_folder(cache_dir) -> Path:
    return Path(cache_dir) / SCANS_DIR


def keep(folder: Path, scan: Scan) -> str:
    """Write the scan's pixel values as ``<folder>/<key>.npz``, with only what the page shows beside
    them (kind, the header fields of :class:`Scan` — modality, size, spacing, unit — and the opening
    window), so a reloaded page finds its image again; returns the key (24 hex digits of the values'
    hash). Scans older than :data:`TTL` are removed first."""
    prune(folder)
    key = hashlib.sha256(scan.values.tobytes() + str(scan.values.shape).encode()).hexdigest()[:24]
    path = folder / f"{key}.npz"
    about = json.dumps(jsonable({"kind": scan.kind, "header": scan.header, "window": list(scan.window)}))
    atomic_write(path, lambda f: np.savez(f, values=scan.values, invert=np.array(scan.invert), about=np.array(about)))
    return key


def _path(folder: Path, key: str) -> Path:
    if not isinstance(key, str) or len(key) != 24 or any(c not in "0123456789abcdef" for c in key):
        raise InputError(f"image must be 24 hex digits (the key an upload returned), got {str(key)[:40]!r}")
    return folder / f"{key}.npz"


def load(folder: Path, key: str) -> Scan:
    """The kept scan (values, MONOCHROME1 flag, kind, header, window); UnknownUpload (404) when it is gone."""
    try:
        with np.load(_path(folder, key), allow_pickle=False) as z:
            about = json.loads(str(z["about"]))
            return Scan(z["values"].astype(np.float32), about["kind"], header=about["header"],
                        window=tuple(about["window"]), invert=bool(z["invert"]))
    except (FileNotFoundError, OSError, KeyError, ValueError, TypeError):
        raise UnknownUpload(f"no uploaded image {key!r} here any more (removed after {TTL // 60} minutes "
                         "or when the page was done with it): upload it again") from None


def forget(folder: Path, key: str) -> bool:
    """Remove a kept scan; True when there was one."""
    path = _path(folder, key)
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed


def prune(folder: Path, *, now: float | None = None) -> int:
    """Remove scans older than :data:`TTL`; returns how many."""
    now = time.time() if now is None else now
    n = 0
    for path in folder.glob("*.npz") if folder.is_dir() else []:
        try:
            if now - path.stat().st_mtime > TTL:
                path.unlink(missing_ok=True)
                n += 1
        except OSError:
            continue
    return n


# ------------------------------------------------------------------------------ the model's answer


def windowed(scan: Scan, centre: float, width: float) -> np.ndarray:
    """The grey image in [0, 1] (H, W) the window makes of the scan (inverted for MONOCHROME1)."""
    grey = apply_window(scan.values, (centre, width))
    return 1.0 - grey if scan.invert else grey


def operating_points(run: RunDir) -> dict[str, dict]:
    """The run's operating points chosen on validation after training ({} for a stopped run)."""
    saved = run.operating_points()
    points = saved["points"] if saved else {}
    return {n: points[n] for n in POINT_ORDER if n in points}


def read_image(run: RunDir, scan: Scan, *, centre: float, width: float, point: str | None = None,
               synthetic: bool = False) -> dict:
    """The run's probability of pneumonia for the windowed scan, the label at the operating point and
    the Grad-CAM of that label.

    Returns:
        ``display`` (≤ 256 px grey 0–255), ``model_input`` (H × W grey 0–255, what the model saw),
        ``probability``, ``point`` / ``threshold`` / ``label``, ``heatmap`` (H × W in [0, 1] or None),
        ``points`` offered, ``words`` (made from these numbers).
    """
    centre = checks.finite("centre", centre)
    width = checks.number_in_range("width", width, 1e-3, 1e7)
    points = operating_points(run)
    if point is None or point == "":
        point = next(iter(points), None)
    if points:
        checks.choice("point", point, tuple(points))
        threshold, rule = float(points[point]["threshold"]), points[point].get("rule", "")
    else:
        point, threshold, rule = None, 0.5, "no operating points saved (the run stopped early): threshold 0.5"
    model = best_model(run)
    shape = run.config().get("input_shape") or [1, 28, 28]
    c, h, w = (int(v) for v in shape)
    grey = windowed(scan, centre, width)
    small = np.clip(resize(grey, (h, w)), 0, 1)
    x = np.repeat(small[None, None], c, axis=1).astype(np.float32)
    try:
        last_conv_index(model)
        explained = True
    except InputError:
        explained = False
    with MODEL_LOCK:
        p = float(predict_proba(model, x)[0])
        call = int(p >= threshold)
        heat = grad_cam(model, x, target=call)[0] if explained else None
    label = "pneumonia" if call else "normal"
    side = "≥" if call else "<"
    point_words = f"the {point.replace('_', ' ')} point chosen on validation" if point else "0.5 (no saved points)"
    words = [f"P(pneumonia) = {p:.3f} {side} {threshold:.3f}, the threshold of {point_words}: called {label}."]
    words.append(f"The model saw this image as windowed, shrunk to {h} × {w} pixels; another window is another "
                 f"image to it.")
    if synthetic:
        words.append("This run learned from synthetic films only: on a real image its number describes the model, "
                     "not the patient.")
    display = fit_within(grey.astype(np.float32) * 255.0, DISPLAY_SIDE)
    return jsonable({
        "probability": p, "point": point, "threshold": threshold, "rule": rule, "label": label,
        "points": [{"name": n, "label": n.replace("_", " "), "threshold": float(v["threshold"])} for n, v in points.items()],
        "centre": centre, "width": width,
        "display": to_uint8(display, scale=255).tolist(),
        "model_input": to_uint8(small).tolist(),
        "heatmap": np.round(heat, 3).tolist() if heat is not None else None,
        "heatmap_words": (f"Grad-CAM of the call “{label}”: where the last convolution layer found evidence for it"
                          if heat is not None else "no heatmap: the model has no convolution layer"),
        "words": words,
    })
