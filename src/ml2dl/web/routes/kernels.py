"""Step 7 API: the kernel explorer (``ml2dl.lessons.kernels``).

    GET  /api/kernels/presets            the classic 3×3 kernels
    GET  /api/kernels/samples            the bundled medical images
    POST /api/kernels/upload             a PNG / JPEG / DICOM file → an image id
    POST /api/kernels/apply              {image, kernel} → filtered image (PNG data URL)
    POST /api/kernels/pixel              {image, kernel, row, col} → the 9 products behind one output pixel

Images are referred to as ``sample:<name>`` or ``upload:<id>``. Uploads are decoded once,
kept as 8-bit grayscale (≤ 512 px a side) under ``<cache_dir>/uploads/<id>.npy`` (the id is
the content's hash, so any worker finds them) and in a small in-memory cache.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from ml2dl.data import list_samples, load_sample, read_image_bytes, to_uint8
from ml2dl.data.dataset import DatasetError
from ml2dl.lessons import kernels as lesson

router = APIRouter(prefix="/api/kernels", tags=["kernels"])

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_PIXELS = 40_000_000  # refuse decompression bombs before decoding
DEFAULT_SAMPLES = ("retina", "ct_small", "ihc", "microaneurysms", "mr_small", "cell")
_ID_RE = re.compile(r"^[0-9a-f]{24}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Kernel = list[Annotated[list[float], Field(min_length=3, max_length=3)]]


class ApplyRequest(_Strict):
    image: str = Field("sample:retina", max_length=64, description="'sample:<name>' or 'upload:<id>'")
    kernel: Kernel = Field(default_factory=lambda: lesson.PRESETS["sharpen"]["kernel"], min_length=3, max_length=3,
                           description="3×3 weights, each within ±100")
    display: Literal["auto", "clip", "signed"] = "auto"
    include_original: bool = False


class PixelRequest(ApplyRequest):
    row: int = Field(..., ge=0, le=lesson.MAX_SIDE - 1)
    col: int = Field(..., ge=0, le=lesson.MAX_SIDE - 1)
    include_original: bool = False


# ------------------------------------------------------------------------------ images


@functools.lru_cache(maxsize=16)
def _sample(name: str) -> np.ndarray:
    # 8-bit grey levels, like the PNG the page shows: the 9 values a student reads are the ones used.
    return np.rint(lesson.as_gray_image(load_sample(name, max_size=lesson.MAX_SIDE)))


class _Uploads:
    """Decoded uploads by id: memory (LRU) first, then the cache folder."""

    def __init__(self, size: int = 16):
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def put(self, key: str, image: np.ndarray, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{key}.npy"
        if not path.exists():
            tmp = folder / f".{key}.{threading.get_ident()}.tmp.npy"
            np.save(tmp, image.astype(np.uint8))
            tmp.replace(path)
        self._remember(key, image)

    def get(self, key: str, folder: Path) -> np.ndarray | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        try:
            image = np.load(folder / f"{key}.npy", allow_pickle=False).astype(np.float32)
        except (FileNotFoundError, ValueError, OSError):
            return None
        self._remember(key, image)
        return image

    def _remember(self, key, image):
        with self._lock:
            self._items[key] = image.astype(np.float32)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_UPLOADS = _Uploads()


def _uploads_dir(request: Request) -> Path:
    return Path(request.app.state.settings.cache_dir) / "uploads"


def resolve_image(ref: str, request: Request) -> np.ndarray:
    """'sample:retina' / 'upload:<id>' → the grayscale image (float32, 0..255)."""
    kind, _, name = ref.partition(":")
    if kind == "sample":
        known = {s["name"] for s in list_samples()}
        if name not in known:
            raise ValueError(f"image must be one of {sorted('sample:' + k for k in known)} or 'upload:<id>', got {ref!r}")
        return _sample(name)
    if kind == "upload":
        if not _ID_RE.match(name):
            raise ValueError(f"upload id must be 24 hex digits, got {name!r}")
        image = _UPLOADS.get(name, _uploads_dir(request))
        if image is None:
            raise HTTPException(404, detail=f"no uploaded image {ref!r} on this server (upload it again)")
        return image
    raise ValueError(f"image must be 'sample:<name>' or 'upload:<id>', got {ref!r}")


def _check_pixel_count(data: bytes, filename: str) -> None:
    """Read only the header of a PNG/JPEG to refuse huge images before decoding them."""
    from PIL import Image

    if data[128:132] == b"DICM":
        return  # DICOM: pydicom reads the header; its pixel count is bounded by the byte limit
    try:
        with Image.open(io.BytesIO(data)) as img:
            w, h = img.size
    except Exception:
        return  # not a Pillow image (DICOM, or garbage): read_image_bytes will say
    if w * h > MAX_UPLOAD_PIXELS:
        raise HTTPException(413, detail=f"{filename}: at most {MAX_UPLOAD_PIXELS:,} pixels, got {w}×{h} = {w * h:,}")


# ------------------------------------------------------------------------------ routes


@router.get("/presets")
def presets() -> dict:
    """The preset kernels, in the order the page shows them."""
    return {"presets": [{"name": k, **v, "sum": round(float(np.sum(v["kernel"])), 6),
                         "display": lesson.display_mode(v["kernel"])} for k, v in lesson.PRESETS.items()],
            "limit": lesson.KERNEL_LIMIT}


@router.get("/samples")
def samples() -> dict:
    """The bundled real images, the ones the page offers first."""
    by_name = {s["name"]: s for s in list_samples()}
    ordered = [by_name[n] for n in DEFAULT_SAMPLES if n in by_name]
    return {"samples": ordered, "max_upload_bytes": MAX_UPLOAD_BYTES, "max_upload_mb": MAX_UPLOAD_BYTES // 2**20,
            "max_side": lesson.MAX_SIDE}


@router.post("/apply")
def apply(req: ApplyRequest, request: Request) -> dict:
    """Filter the image with the kernel using the engine's Conv2d (padding 1)."""
    image = resolve_image(req.image, request)
    result = lesson.apply_kernel(image, req.kernel, display=req.display, include_original=req.include_original)
    result["image"] = req.image
    return result


@router.post("/pixel")
def pixel(req: PixelRequest, request: Request) -> dict:
    """The 3×3 patch, the 9 products and their sum behind one output pixel."""
    image = resolve_image(req.image, request)
    return lesson.explain_pixel(image, req.kernel, req.row, req.col, display=req.display)


@router.post("/upload")
async def upload(file: UploadFile, request: Request) -> dict:
    """A PNG, JPEG or DICOM file (≤ 10 MB) → ``upload:<id>``, its size and the grayscale image."""
    filename = (file.filename or "upload")[:120]
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, detail=f"{filename}: files up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, got more")
    if not data:
        raise HTTPException(422, detail=f"{filename}: expected a PNG, JPEG or DICOM image, got an empty file")
    _check_pixel_count(data, filename)
    try:
        image01 = read_image_bytes(data, filename)
    except (DatasetError, ValueError, TypeError) as err:
        raise HTTPException(422, detail=f"{filename}: expected a PNG, JPEG or DICOM image ({err})") from None
    image = lesson.shrink(lesson.as_gray_image(image01))
    image = to_uint8(image, scale=255)
    key = hashlib.sha256(image.tobytes() + str(image.shape).encode()).hexdigest()[:24]
    _UPLOADS.put(key, image, _uploads_dir(request))
    return {"image": f"upload:{key}", "name": filename, "height": int(image.shape[0]), "width": int(image.shape[1]),
            "original_png": lesson.png_data_url(image)}
