"""Step 7 API: the kernel explorer (``ml2dl.lessons.kernels``).

    GET  /api/kernels/presets            the classic 3×3 kernels
    GET  /api/kernels/samples            the bundled medical images
    POST /api/kernels/upload             a PNG / JPEG / DICOM file → an image id
    POST /api/kernels/apply              {image, kernel} → filtered image (PNG data URL)
    POST /api/kernels/pixel              {image, kernel, row, col} → the 9 products behind one output pixel

Images are referred to as ``sample:<name>`` or ``upload:<id>``; decoding, limits and the
store that every worker shares are ``ml2dl.data.uploads`` (the ``uploads`` dependency).
"""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, UploadFile
from starlette.concurrency import run_in_threadpool

from ml2dl.data import list_samples
from ml2dl.lessons import kernels as lesson
from ml2dl.web import prepared
from ml2dl.web.deps import SettingsDep, UploadsDep
from ml2dl.web.schemas import (ApplyRequest, ApplyResult, PixelRequest, PixelResult, PresetsResult, SamplesResult,
                               UploadResult)

router = APIRouter(prefix="/api/kernels", tags=["kernels"])

DEFAULT_SAMPLES = ("retina", "ct_small", "ihc", "microaneurysms", "mr_small", "cell")


@router.get("/presets", response_model=PresetsResult)
async def presets() -> dict:
    """The preset kernels, in the order the page shows them."""
    return {"presets": [{"name": k, **v, "sum": round(float(np.sum(v["kernel"])), 6),
                         "display": lesson.display_mode(v["kernel"])} for k, v in lesson.PRESETS.items()],
            "limit": lesson.KERNEL_LIMIT, "sigma": {"min": lesson.SIGMA_RANGE[0], "max": lesson.SIGMA_RANGE[1], "default": 2.0}}


@router.get("/samples", response_model=SamplesResult)
async def samples(uploads: UploadsDep, settings: SettingsDep) -> dict:
    """The bundled real images, the ones the page offers first, and the upload limits.

    With real chest X-rays on the server (``ml2dl serve --data``), one of them comes first:
    the module's own patients, as an image of the upload store (``image``: ``upload:<id>``).
    """
    by_name = {s["name"]: s for s in list_samples()}
    ordered = [by_name[n] for n in DEFAULT_SAMPLES if n in by_name]
    if settings.data_path is not None:
        ordered.insert(0, _chest_xray(uploads, await prepared.chest_data_async(settings, n_train=64, n_val=8, seed=0)))
    return {"samples": ordered, "max_upload_bytes": uploads.max_bytes, "max_upload_mb": uploads.max_bytes // 2**20,
            "max_side": uploads.max_side}


def _chest_xray(uploads, data) -> dict:
    """The first held-out chest X-ray of the server's ``data``, kept in the upload store (same id each time)."""
    import io

    from PIL import Image

    grey = np.clip(np.rint(np.asarray(data.val_images[0, 0]) * 255), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(grey, mode="L").save(buf, format="PNG")
    key, image = uploads.add(buf.getvalue(), "chest-xray.png")
    return {"name": "chest_xray", "title": "Chest X-ray", "modality": "X-ray",
            "source": data.source, "attribution": data.source,
            "note": f"a held-out chest film of the server's data, {image.shape[1]} × {image.shape[0]} pixels",
            "image": f"upload:{key}"}


@router.post("/apply", response_model=ApplyResult, response_model_exclude_unset=True)
async def apply(req: ApplyRequest, uploads: UploadsDep) -> dict:
    """Filter the image with the kernel (or the Gaussian of σ) using the engine's Conv2d, the border extended."""
    image = uploads.resolve(req.image)
    result = lesson.apply_kernel(image, req.kernel, display=req.display, include_original=req.include_original,
                                 sigma=req.sigma)
    result["image"] = req.image
    return result


@router.post("/pixel", response_model=PixelResult)
async def pixel(req: PixelRequest, uploads: UploadsDep) -> dict:
    """The 3×3 patch, the 9 products and their sum behind one output pixel."""
    image = uploads.resolve(req.image)
    return lesson.explain_pixel(image, req.kernel, req.row, req.col, display=req.display, sigma=req.sigma)


@router.post("/upload", response_model=UploadResult)
async def upload(file: UploadFile, uploads: UploadsDep) -> dict:
    """A PNG, JPEG or DICOM file (≤ 10 MB) → ``upload:<id>``, its size and the grayscale image."""
    filename = (file.filename or "upload")[:120]
    data = await file.read(uploads.max_bytes + 1)  # one byte more than allowed tells "too large"

    def keep() -> dict:
        key, image = uploads.add(data, filename)
        return {"image": f"upload:{key}", "name": filename, "height": int(image.shape[0]),
                "width": int(image.shape[1]), "original_png": lesson.png_data_url(image)}

    return await run_in_threadpool(keep)  # decoding and encoding are CPU work: off the event loop
