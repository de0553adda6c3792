"""Uploaded images: limits before decoding, 8-bit grey, area-averaged downscaling, a store shared by workers."""

import io

import numpy as np
import pytest
from PIL import Image

from ml2dl.checks import InputError
from ml2dl.data import load_sample
from ml2dl.data.uploads import (UnknownUpload, UploadError, UploadStore, UploadTooLarge, decode_upload, image_id,
                                sample_grey)


def _png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def test_a_large_image_is_the_mean_of_its_blocks(rng):
    pixels = rng.integers(0, 256, size=(600, 1024), dtype=np.uint8)
    image = decode_upload(_png(pixels), "big.png", max_side=512)
    assert image.dtype == np.uint8 and image.shape == (300, 512)
    blocks = pixels.astype(np.float64).reshape(300, 2, 512, 2).mean(axis=(1, 3))  # 2×2 area average, by hand
    assert np.abs(image.astype(int) - np.rint(blocks)).max() <= 1
    assert (decode_upload(_png(pixels[:40, :60]), "small.png") == pixels[:40, :60]).all()  # small: kept as is


def test_limits_are_checked_before_decoding():
    pixels = np.zeros((100, 100), np.uint8)
    with pytest.raises(UploadTooLarge, match="a.png: files up to 0 MB, got more"):
        decode_upload(_png(pixels), "a.png", max_bytes=10)
    with pytest.raises(UploadTooLarge, match=r"a.png: at most 5,000 pixels, got 100×100 = 10,000"):
        decode_upload(_png(pixels), "a.png", max_pixels=5000)
    with pytest.raises(UploadError, match="b.png: expected a PNG, JPEG or DICOM image, got an empty file"):
        decode_upload(b"", "b.png")
    with pytest.raises(UploadError, match=r"^c.png: expected a PNG, JPEG or DICOM image of at most 10 MB, "
                                          r"got text, not an image \(12 bytes\)$"):
        decode_upload(b"not an image", "c.png")
    # what came is named from its first bytes, never by the decoders' internals
    png = _png(pixels)
    with pytest.raises(UploadError, match=r"got a PNG file that could not be decoded \(damaged or cut short\?\) \(60 bytes\)$"):
        decode_upload(png[:60], "cut.png")
    with pytest.raises(UploadError, match=r"got a PDF document \(9 bytes\)$"):
        decode_upload(b"%PDF-1.7\n", "scan.pdf")
    with pytest.raises(UploadError, match=r"got a file of unknown type \(4 bytes\)$"):
        decode_upload(bytes([0, 159, 146, 150]), "x.bin")
    assert issubclass(UploadTooLarge, InputError) and issubclass(UnknownUpload, InputError)


def test_the_store_is_shared_through_its_folder(tmp_path, rng):
    pixels = rng.integers(0, 256, size=(20, 30), dtype=np.uint8)
    first, second = UploadStore(tmp_path), UploadStore(tmp_path)
    key, image = first.add(_png(pixels), "x.png")
    assert key == image_id(pixels) and len(key) == 24 and (image == pixels).all()
    again = second.resolve(f"upload:{key}")  # another worker: from the folder, as float grey levels
    assert again.dtype == np.float32 and (again == pixels).all()
    assert [p.name for p in tmp_path.iterdir()] == [f"{key}.npy"]  # written once, atomically
    with pytest.raises(UnknownUpload, match="no uploaded image 'upload:" + "0" * 24):
        second.resolve("upload:" + "0" * 24)
    with pytest.raises(UploadError, match="upload id must be 24 hex digits, got '../x'"):
        second.resolve("upload:../x")


def test_samples_are_their_8_bit_grey_levels():
    grey = UploadStore("unused").resolve("sample:ct_small")
    assert (grey == sample_grey("ct_small")).all()
    by_hand = np.rint(load_sample("ct_small").astype(np.float64) * 255)  # up to the float32 product's rounding
    assert np.abs(grey - by_hand).max() <= 1 and (grey == by_hand).mean() > 0.99


def dicom_bomb(rows: int = 60000, cols: int = 60000, frames: int = 50) -> bytes:
    """A small DICOM whose header claims rows × cols × frames pixels (its pixel data is 1 KB)."""
    import io as _io

    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Rows, ds.Columns, ds.NumberOfFrames = rows, cols, frames
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = b"\0" * 1024
    buf = _io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def test_a_dicom_decompression_bomb_is_refused_from_its_header():
    from ml2dl.data.images import MAX_DICOM_SAMPLES, read_image_bytes
    from ml2dl.data.uploads import UploadTooLarge

    bomb = dicom_bomb()
    assert len(bomb) < 2000
    claimed = 60000 * 60000 * 50
    with pytest.raises(UploadTooLarge, match=f"bomb.dcm: at most 40,000,000 pixel samples, got {claimed:,}"):
        decode_upload(bomb, "bomb.dcm")
    with pytest.raises(InputError, match=f"at most {MAX_DICOM_SAMPLES:,} pixel samples, got {claimed:,}"):
        read_image_bytes(bomb, "bomb.dcm")  # the lab's reader (ml2dl predict) refuses it too


def _random_png(rng, h=20, w=30) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (h, w), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def test_uploads_expire_and_the_folder_has_a_size_cap(tmp_path, rng):
    import os
    import time

    store = UploadStore(tmp_path, ttl=3600, max_folder_bytes=3 * (20 * 30 + 128))
    keys = [store.add(_random_png(rng), f"{i}.png")[0] for i in range(3)]
    now = time.time()
    for age, key in zip((7200, 60, 30), keys):  # the first is two hours old
        os.utime(tmp_path / f"{key}.npy", (now - age, now - age))
    assert store.prune(now=now) == [keys[0]]  # past its time to live
    assert store.resolve(f"upload:{keys[1]}").shape == (20, 30)
    with pytest.raises(UnknownUpload):
        store.resolve(f"upload:{keys[0]}")
    # two more: over the cap, the oldest go first, never the one just uploaded
    newer = [store.add(_random_png(rng), f"n{i}.png")[0] for i in range(2)]
    assert sorted(p.stem for p in tmp_path.glob("*.npy")) == sorted([keys[2], *newer])
    assert not list(tmp_path.glob("*.png")) and all(p.suffix == ".npy" for p in tmp_path.iterdir() if p.is_file())
