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
