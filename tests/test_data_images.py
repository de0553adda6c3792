import io

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

from ml2dl.data.dataset import ImageReadError
from ml2dl.data.images import apply_window, read_image, read_image_bytes, to_uint8


def write_dicom(path, pixels, *, slope=None, intercept=None, center=None, width=None,
                photometric="MONOCHROME2", with_pixels=True):
    """A minimal Secondary Capture DICOM file with signed 16-bit pixels."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = "Phantom^Test"
    if with_pixels:
        pixels = np.asarray(pixels, dtype=np.int16)
        ds.Rows, ds.Columns = pixels.shape
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = photometric
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.PixelData = pixels.tobytes()
    if slope is not None:
        ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    if center is not None:
        ds.WindowCenter, ds.WindowWidth = center, width
    ds.save_as(path, enforce_file_format=True)
    return path


PIXELS = [[0, 100], [200, 300]]  # × 2 − 100 → [[-100, 100], [300, 500]]


def test_dicom_rescale_then_file_window(tmp_path):
    path = write_dicom(tmp_path / "a.dcm", PIXELS, slope=2, intercept=-100, center=200, width=400)
    # window 200 ± 200 → [0, 400]: v / 400 clipped
    np.testing.assert_allclose(read_image(path), [[0.0, 0.25], [0.75, 1.0]], atol=1e-7)


def test_dicom_first_of_several_windows_and_explicit_window(tmp_path):
    path = write_dicom(tmp_path / "b.dcm", PIXELS, slope=2, intercept=-100, center=[200, 50], width=[400, 100])
    np.testing.assert_allclose(read_image(path), [[0.0, 0.25], [0.75, 1.0]], atol=1e-7)
    # window 100 ± 100 → [0, 200]
    np.testing.assert_allclose(read_image(path, window=(100, 200)), [[0.0, 0.5], [1.0, 1.0]], atol=1e-7)


def test_dicom_without_window_uses_min_max_and_monochrome1_inverts(tmp_path):
    path = write_dicom(tmp_path / "c.dcm", PIXELS, slope=2, intercept=-100)
    np.testing.assert_allclose(read_image(path), [[0.0, 1 / 3], [2 / 3, 1.0]], atol=1e-6)
    path = write_dicom(tmp_path / "d.dcm", PIXELS, center=150, width=300, photometric="MONOCHROME1")
    # no rescale: v = stored; window [0, 300]; then inverted
    np.testing.assert_allclose(read_image(path), [[1.0, 2 / 3], [1 / 3, 0.0]], atol=1e-6)


def test_dicom_rgb_mode_and_resize(tmp_path):
    path = write_dicom(tmp_path / "e.dcm", np.full((8, 6), 7), center=0, width=100)
    rgb = read_image(path, mode="RGB", size=(4, 3))
    assert rgb.shape == (4, 3, 3) and rgb.dtype == np.float32
    np.testing.assert_allclose(rgb, 0.57, atol=1e-6)


def test_ct_small_matches_pydicom_reference():
    path = get_testdata_file("CT_small.dcm")
    ds = pydicom.dcmread(path)
    hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    img = read_image(path, window=(40, 400))
    assert img.shape == (128, 128) and img.dtype == np.float32
    np.testing.assert_allclose(img, np.clip((hu + 160) / 400, 0, 1), atol=1e-6)
    full = read_image(path)  # CT_small has no window: min–max of HU
    assert full.min() == 0.0 and full.max() == 1.0
    np.testing.assert_allclose(full, (hu - hu.min()) / (hu.max() - hu.min()), atol=1e-6)


def test_mr_small_window_matches_pydicom_voi_lut_within_one_value():
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    path = get_testdata_file("MR_small.dcm")
    ds = pydicom.dcmread(path)
    ref = apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds)
    ref = (ref + 32768) / 65535  # signed 16-bit output range → [0, 1]
    assert np.abs(read_image(path) - ref).max() <= 1 / float(ds.WindowWidth) + 1e-6


def test_png_8_and_16_bit_and_colour_conversions(tmp_path):
    gray = np.array([[0, 51], [102, 255]], dtype=np.uint8)
    Image.fromarray(gray).save(tmp_path / "g.png")
    np.testing.assert_allclose(read_image(tmp_path / "g.png"), gray / 255.0, atol=1e-7)
    rgb_of_gray = read_image(tmp_path / "g.png", mode="RGB")
    assert rgb_of_gray.shape == (2, 2, 3)
    np.testing.assert_allclose(rgb_of_gray[..., 2], gray / 255.0, atol=1e-7)

    deep = np.array([[0, 65535], [1000, 30000]], dtype=np.uint16)
    Image.fromarray(deep).save(tmp_path / "d.png")
    np.testing.assert_allclose(read_image(tmp_path / "d.png"), deep / 65535.0, atol=1e-6)

    colour = np.zeros((2, 2, 3), dtype=np.uint8)
    colour[0, 0] = (255, 0, 0)
    colour[0, 1] = (0, 255, 0)
    colour[1, 0] = (0, 0, 255)
    colour[1, 1] = (100, 200, 50)
    Image.fromarray(colour).save(tmp_path / "c.png")
    expected = colour.astype(np.float64) / 255 @ np.array([0.299, 0.587, 0.114])
    np.testing.assert_allclose(read_image(tmp_path / "c.png"), expected, atol=1e-6)
    np.testing.assert_allclose(read_image(tmp_path / "c.png", mode="RGB"), colour / 255.0, atol=1e-7)


def test_jpeg_resize_and_exif_orientation(tmp_path):
    yy, xx = np.mgrid[0:400, 0:300]
    smooth = (127 + 100 * np.sin(xx / 40.0) * np.cos(yy / 50.0)).astype(np.uint8)
    Image.fromarray(smooth).save(tmp_path / "s.jpg", quality=95)
    full = read_image(tmp_path / "s.jpg")
    np.testing.assert_allclose(full, smooth / 255.0, atol=0.03)
    small = read_image(tmp_path / "s.jpg", size=(40, 30))
    assert small.shape == (40, 30)
    ref = np.asarray(Image.fromarray(smooth).resize((30, 40), Image.BILINEAR), dtype=np.float64) / 255
    np.testing.assert_allclose(small, ref, atol=0.03)

    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    Image.fromarray(smooth).save(tmp_path / "o.jpg", exif=exif)
    assert read_image(tmp_path / "o.jpg").shape == (300, 400)


def test_bytes_reader_matches_file_reader(tmp_path):
    Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4) * 20).save(tmp_path / "x.png")
    data = (tmp_path / "x.png").read_bytes()
    np.testing.assert_array_equal(read_image_bytes(data, "x.png"), read_image(tmp_path / "x.png"))
    dcm = write_dicom(tmp_path / "y.dcm", PIXELS, slope=2, intercept=-100, center=200, width=400)
    np.testing.assert_allclose(read_image_bytes(dcm.read_bytes(), "upload"), [[0, 0.25], [0.75, 1]], atol=1e-7)


def test_truncated_png_names_the_file(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)).save(buf, "PNG")
    (tmp_path / "cut.png").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ImageReadError, match=r"cut\.png.*expected a PNG, JPEG or DICOM image"):
        read_image(tmp_path / "cut.png")
    with pytest.raises(ImageReadError, match=r"upload\.png"):
        read_image_bytes(buf.getvalue()[:100], "upload.png")


def test_non_image_missing_file_and_empty_bytes(tmp_path):
    (tmp_path / "notes.png").write_text("not an image at all")
    with pytest.raises(ImageReadError, match=r"notes\.png.*UnidentifiedImageError"):
        read_image(tmp_path / "notes.png")
    with pytest.raises(ImageReadError, match=r"missing\.png: expected an image file, got no such file"):
        read_image(tmp_path / "missing.png")
    with pytest.raises(ImageReadError, match="expected an image, got 0 bytes"):
        read_image_bytes(b"", "empty.png")


def test_dicom_without_pixel_data_names_the_file(tmp_path):
    path = write_dicom(tmp_path / "report.dcm", None, with_pixels=False)
    with pytest.raises(ImageReadError, match=r"report\.dcm: expected a DICOM image with pixel data"):
        read_image(path)


def test_garbage_with_dicom_suffix(tmp_path):
    (tmp_path / "junk.dcm").write_bytes(b"\x00" * 10)
    with pytest.raises(ImageReadError, match=r"junk\.dcm"):
        read_image(tmp_path / "junk.dcm")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(mode="CMYK"), "mode must be one of 'L', 'RGB'; got 'CMYK'"),
        (dict(size=(0, 5)), "size must be a positive int, got 0"),
        (dict(size="big"), "size must be a positive int, got 'big'"),
        (dict(window=(40, 0)), "window width must be a positive number, got 0"),
    ],
)
def test_option_errors(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        read_image(tmp_path / "whatever.png", **kwargs)


def test_apply_window_formula():
    np.testing.assert_allclose(apply_window(np.array([-1.0, 0, 5, 10, 11]), (5, 10)), [0, 0, 0.5, 1, 1])
    np.testing.assert_array_equal(apply_window(np.full((2, 2), 3.0), None), np.zeros((2, 2)))


def test_to_uint8_is_round_half_even_and_clipped():
    # the reference: Python's round (half to even) on each value, then clipped to 0..255
    values = np.array([-0.2, 0.0, 0.5 / 255, 1.5 / 255, 0.25, 0.5, 127.5 / 255, 1.0, 1.3])
    expected = [min(255, max(0, round(v * 255))) for v in values]
    assert to_uint8(values).tolist() == expected
    assert to_uint8(values.astype(np.float32)).dtype == np.uint8
    levels = np.array([-4.0, 0.49, 0.5, 1.5, 2.5, 254.5, 255.2, 400.0], dtype=np.float32)
    assert to_uint8(levels, scale=255).tolist() == [0, 0, 0, 2, 2, 254, 255, 255]
    with pytest.raises(ValueError, match="scale must be one of 1, 255; got 100"):
        to_uint8(levels, scale=100)
