"""The clinic, page clinic-image: a student's own image read by a run (``ml2dl.lessons.clinic.image``).

    POST /api/clinic/image/upload    a PNG, JPEG or DICOM file (multipart) → the key of its pixel values
    POST /api/clinic/image/example   a DICOM shipped with pydicom, read exactly as an upload
    POST /api/clinic/image/read      {image, run, point, centre, width} → probability, label, Grad-CAM
    POST /api/clinic/image/kept      {image}: the upload's description again (a reloaded page), 404 when gone
    POST /api/clinic/image/forget    {image}: the page is done with it, remove it

Limits (bytes, pixels from the header) are checked before decoding; a DICOM loses every element but
the pixels and the few fields shown before its pixels are decoded; only pixel values are kept, under
``<cache_dir>/clinic-scans``, for an hour at most. The file's name is never read: it may name a patient.
"""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from fastapi.concurrency import run_in_threadpool

from ml2dl.lessons.clinic import image as lesson
from ml2dl.lessons.clinic.runs import existing_run, run_summary
from ml2dl.web.deps import SettingsDep, UploadsDep
from ml2dl.web.routes.clinic import folder_of
from ml2dl.web.schemas.clinic_image import (ExampleRequest, ForgetRequest, ForgetResult, KeptRequest, ReadRequest,
                                            ReadResult, UploadScanResult)

router = APIRouter(prefix="/api/clinic/image", tags=["clinic"])


def _kept(scan: lesson.Scan, settings) -> dict:
    return _described(lesson.keep(lesson.scans_folder(settings.cache_dir), scan), scan)


def _described(key: str, scan: lesson.Scan) -> dict:
    return {"image": key, "kind": scan.kind, "header": scan.header, "centre": scan.window[0], "width": scan.window[1],
            "low": float(scan.values.min()), "high": float(scan.values.max()),
            "presets": [{"name": n, "centre": c, "width": w} for n, (c, w) in lesson.PRESETS.items()],
            "ttl_minutes": lesson.TTL // 60}


@router.post("/upload", response_model=UploadScanResult)
async def upload(file: UploadFile, settings: SettingsDep, uploads: UploadsDep) -> dict:
    """A PNG, JPEG or DICOM file → its key, header fields and window (nothing identifying)."""
    data = await file.read(uploads.max_bytes + 1)  # one byte more than allowed tells "too large"
    return await run_in_threadpool(lambda: _kept(lesson.read_scan(data, max_bytes=uploads.max_bytes,
                                                                  max_pixels=uploads.max_pixels), settings))


@router.post("/example", response_model=UploadScanResult)
def example(req: ExampleRequest, settings: SettingsDep) -> dict:
    """pydicom's CT_small or MR_small test file, read as if uploaded (its patient fields are stripped too)."""
    from pydicom.data import get_testdata_file

    path = get_testdata_file("CT_small.dcm" if req.name == "ct_small" else "MR_small.dcm")
    with open(path, "rb") as f:
        return _kept(lesson.read_scan(f.read()), settings)


@router.post("/read", response_model=ReadResult)
def read(req: ReadRequest, settings: SettingsDep) -> dict:
    """The run's P(pneumonia) for the image under this window, the label at the operating point, Grad-CAM."""
    run = existing_run(folder_of(settings), req.run)
    scan = lesson.load(lesson.scans_folder(settings.cache_dir), req.image)
    return lesson.read_image(run, scan, centre=req.centre, width=req.width, point=req.point or None,
                             synthetic=run_summary(run)["synthetic"])


@router.post("/kept", response_model=UploadScanResult)
def kept(req: KeptRequest, settings: SettingsDep) -> dict:
    """The kept upload's key, header fields and window, as the upload answered (404 once it is gone):
    a reloaded page shows the image it had, with nothing but its key in the URL."""
    return _described(req.image, lesson.load(lesson.scans_folder(settings.cache_dir), req.image))


@router.post("/forget", response_model=ForgetResult)
def forget(req: ForgetRequest, settings: SettingsDep) -> dict:
    """Remove the kept pixel values now (the page has another image, or is closed)."""
    return {"forgotten": lesson.forget(lesson.scans_folder(settings.cache_dir), req.image)}
