"""Step 7 API: the kernel explorer, filters against SciPy / scikit-image references."""

import base64
import json
import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage import filters

from ml2dl.data import load_sample, uploads
from ml2dl.lessons import kernels as lesson


def _png(data_url: str) -> np.ndarray:
    assert data_url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))))


def _sample(name: str) -> np.ndarray:
    """What the route filters: the sample as 8-bit grey levels (float)."""
    image = uploads.sample_grey(name).astype(np.float64)
    assert (image == np.rint(load_sample(name, max_size=512).astype(np.float64) * 255)).mean() > 0.99
    return image


# ------------------------------------------------------------------------------ the maths


@pytest.mark.parametrize("name", list(lesson.PRESETS))
def test_every_preset_is_scipy_correlate_with_the_border_mirrored(name):
    image = _sample("ct_small")
    k = np.array(lesson.PRESETS[name]["kernel"], dtype=np.float64)
    ref = ndimage.correlate(image, k, mode="reflect")
    got = lesson.convolve(image, k)
    assert got.shape == image.shape and got.dtype == np.float32
    assert got == pytest.approx(ref, abs=2e-3 * max(1.0, np.abs(ref).max()) / 255)


@pytest.mark.parametrize("name", ["retina", "cell"])
def test_laplacian_matches_scikit_image_up_to_the_border(name):
    image = _sample(name)
    got = lesson.convolve(image, lesson.PRESETS["laplacian"]["kernel"])
    ref = filters.laplace(image, ksize=3)  # scikit-image's 3×3 Laplacian: 4·centre − 4 neighbours, mode "reflect"
    assert got == pytest.approx(ref, abs=1e-3)


@pytest.mark.parametrize("sigma", [0.5, 2.0, 3.3])
def test_gaussian_blur_of_sigma_matches_scikit_image(sigma):
    image = _sample("retina")
    got = lesson.gaussian_blur(image, sigma)
    ref = filters.gaussian(image, sigma=sigma)  # mode "nearest", truncate 4, as the lesson
    assert got.shape == image.shape and np.abs(got - ref).max() < 1e-3
    k = lesson.gaussian_kernel(sigma)
    assert k.shape == (2 * int(4 * sigma + 0.5) + 1,) * 2 and k.sum() == pytest.approx(1.0)


def test_the_border_invents_no_edge_so_the_cell_laplacian_scale_is_the_interior():
    image = _sample("cell")
    k = lesson.PRESETS["laplacian"]["kernel"]
    zero_padded = ndimage.correlate(image, np.array(k, float), mode="constant")
    interior = np.abs(zero_padded[1:-1, 1:-1]).max()
    assert np.abs(zero_padded).max() > 5 * interior  # what zeros at the border did: ±154 against 15
    body = lesson.apply_kernel(image, k)
    assert body["display"]["white"] == pytest.approx(interior) and body["padding"]["mode"] == "reflect"


def test_sobel_x_and_y_match_scipy_sobel():
    image = _sample("ihc")
    assert lesson.convolve(image, lesson.PRESETS["sobel_x"]["kernel"]) == pytest.approx(
        ndimage.sobel(image, axis=1, mode="reflect"), abs=1e-3)
    assert lesson.convolve(image, lesson.PRESETS["sobel_y"]["kernel"]) == pytest.approx(
        ndimage.sobel(image, axis=0, mode="reflect"), abs=1e-3)


def test_box_blur_is_the_3x3_mean_and_a_slow_loop_agrees():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(7, 9)).astype(np.float64)
    k = rng.normal(size=(3, 3))
    got = lesson.convolve(image, k)
    padded = np.pad(image, 1, mode="symmetric")  # mirrored: … b a | a b …
    for i in range(7):
        for j in range(9):
            assert got[i, j] == pytest.approx(float(np.sum(padded[i:i + 3, j:j + 3] * k)), abs=1e-3)
    box = lesson.convolve(image, lesson.PRESETS["box_blur"]["kernel"])
    assert box[3, 4] == pytest.approx(image[2:5, 3:6].mean(), abs=1e-4)


def test_display_modes():
    values = np.array([[-300.0, -10.0, 0.0], [100.4, 255.0, 900.0]])
    clipped, scale = lesson.to_display(values, "clip")
    assert clipped.tolist() == [[0, 0, 0], [100, 255, 255]] and scale == {"mode": "clip", "black": 0.0, "white": 255.0}
    signed, scale = lesson.to_display(values, "signed")
    assert scale["black"] == -900 and scale["white"] == 900
    assert signed[0, 2] == 128 and signed[1, 2] == 255 and signed[0, 0] == round(127.5 - 300 * 127.5 / 900)
    assert lesson.display_mode(lesson.PRESETS["laplacian"]["kernel"]) == "signed"
    assert lesson.display_mode(lesson.PRESETS["sharpen"]["kernel"]) == "clip"


# ------------------------------------------------------------------------------ the API


def test_apply_returns_the_clipped_filter_as_a_png(client):
    r = client.post("/api/kernels/apply", json={"image": "sample:retina", "kernel": lesson.PRESETS["sharpen"]["kernel"],
                                                "include_original": True})
    assert r.status_code == 200
    body = r.json()
    image = _sample("retina")
    ref = ndimage.correlate(image, np.array(lesson.PRESETS["sharpen"]["kernel"], float), mode="reflect")
    shown = _png(body["filtered_png"]).astype(int)
    assert shown.shape == image.shape == (body["height"], body["width"]) == (512, 512)
    assert np.abs(shown - np.clip(np.rint(ref), 0, 255)).max() <= 1
    assert (_png(body["original_png"]) == image).all()
    assert body["display"]["mode"] == "clip"
    assert body["stats"]["min"] == pytest.approx(ref.min(), abs=0.01)
    assert body["stats"]["max"] == pytest.approx(ref.max(), abs=0.01)
    assert body["stats"]["outside_0_255"] == pytest.approx(np.mean((ref < 0) | (ref > 255)), abs=1e-4)
    assert body["kernel_sum"] == 1 and body["parameters"] == 9


def test_apply_edges_are_shown_signed_around_mid_grey(client):
    k = lesson.PRESETS["outline"]["kernel"]
    body = client.post("/api/kernels/apply", json={"image": "sample:ct_small", "kernel": k}).json()
    ref = ndimage.correlate(_sample("ct_small"), np.array(k, float), mode="reflect")
    m = np.abs(ref).max()
    assert body["display"] == {"mode": "signed", "black": pytest.approx(-m, abs=0.01), "white": pytest.approx(m, abs=0.01)}
    shown = _png(body["filtered_png"]).astype(int)
    assert np.abs(shown - np.clip(np.rint(127.5 + ref * 127.5 / m), 0, 255)).max() <= 1
    assert "original_png" not in body


def test_pixel_explains_one_output_value(client):
    image = _sample("ihc")
    k = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]
    ref = ndimage.correlate(image, np.array(k, float), mode="reflect")
    body = client.post("/api/kernels/pixel", json={"image": "sample:ihc", "kernel": k, "row": 100, "col": 37}).json()
    assert body["patch"] == image[99:102, 36:39].tolist()
    assert np.array(body["products"]) == pytest.approx(image[99:102, 36:39] * np.array(k))
    assert body["sum"] == pytest.approx(ref[100, 37]) and body["conv_output"] == pytest.approx(ref[100, 37], abs=1e-3)
    assert all(all(row) for row in body["inside"])
    corner = client.post("/api/kernels/pixel", json={"image": "sample:ihc", "kernel": k, "row": 0, "col": 0}).json()
    assert corner["inside"] == [[False, False, False], [False, True, True], [False, True, True]]
    mirrored = np.pad(image, 1, mode="symmetric")[0:3, 0:3]  # SciPy's "reflect": … b a | a b …
    assert corner["patch"] == mirrored.tolist() and corner["sum"] == pytest.approx(ref[0, 0])
    assert corner["padding"]["mode"] == "reflect"


def test_apply_and_pixel_with_a_gaussian_sigma(client):
    image = _sample("ct_small")
    body = client.post("/api/kernels/apply", json={"image": "sample:ct_small", "sigma": 2}).json()
    ref = filters.gaussian(image, sigma=2)
    assert np.abs(_png(body["filtered_png"]).astype(int) - np.clip(np.rint(ref), 0, 255)).max() <= 1
    assert body["kernel_size"] == 17 and body["parameters"] == 289 and body["sigma"] == 2
    assert body["kernel_sum"] == pytest.approx(1) and body["padding"]["mode"] == "nearest"
    px = client.post("/api/kernels/pixel", json={"image": "sample:ct_small", "sigma": 2, "row": 0, "col": 5}).json()
    assert px["sum"] == pytest.approx(ref[0, 5], abs=1e-3) and len(px["patch"]) == 17
    assert px["patch"][0][8] == image[0, 5]  # above the top row: the nearest pixel repeated
    r = client.post("/api/kernels/apply", json={"image": "sample:ct_small", "sigma": 9})
    assert r.status_code == 422 and "sigma" in r.json()["message"]


def test_presets_say_cross_correlation_and_the_emboss_light():
    about = lesson.PRESETS["emboss"]["about"]
    assert "top left" in about and "cross-correlation" in about and "flips" in about


def test_lists_presets_and_at_least_three_real_medical_samples(client):
    presets = client.get("/api/kernels/presets").json()["presets"]
    assert [p["name"] for p in presets] == ["identity", "box_blur", "gaussian_blur", "sharpen", "laplacian",
                                            "sobel_x", "sobel_y", "emboss", "outline"]
    assert {p["name"]: p["sum"] for p in presets}["gaussian_blur"] == pytest.approx(1.0)
    samples = {s["name"] for s in client.get("/api/kernels/samples").json()["samples"]}
    assert {"retina", "ihc", "ct_small"} <= samples


def test_upload_png_jpeg_and_dicom(client):
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, size=(40, 60), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    r = client.post("/api/kernels/upload", files={"file": ("noise.png", buf.getvalue(), "image/png")})
    assert r.status_code == 200, r.text
    up = r.json()
    assert up["image"].startswith("upload:") and (up["height"], up["width"]) == (40, 60)
    assert (_png(up["original_png"]) == img).all()
    k = lesson.PRESETS["emboss"]["kernel"]
    body = client.post("/api/kernels/apply", json={"image": up["image"], "kernel": k}).json()
    ref = ndimage.correlate(img.astype(float), np.array(k, float), mode="reflect")
    assert np.abs(_png(body["filtered_png"]).astype(int) - np.clip(np.rint(ref), 0, 255)).max() <= 1

    rgb = rng.integers(0, 256, size=(30, 30, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG")
    r = client.post("/api/kernels/upload", files={"file": ("photo.jpg", buf.getvalue(), "image/jpeg")})
    assert r.status_code == 200 and r.json()["width"] == 30

    from pydicom.data import get_testdata_file

    with open(get_testdata_file("CT_small.dcm"), "rb") as f:
        r = client.post("/api/kernels/upload", files={"file": ("CT_small.dcm", f.read(), "application/dicom")})
    assert r.status_code == 200 and (r.json()["height"], r.json()["width"]) == (128, 128)


def test_uploads_survive_in_the_cache_dir_for_another_app(open_client, tmp_path):
    img = np.arange(64, dtype=np.uint8).reshape(8, 8) * 3
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    with open_client(tmp_path) as first:
        ref = first.post("/api/kernels/upload", files={"file": ("a.png", buf.getvalue(), "image/png")}).json()["image"]
    with open_client(tmp_path) as second:  # another worker: nothing in its memory, the same cache folder
        assert second.app.state.uploads is not first.app.state.uploads
        body = second.post("/api/kernels/pixel", json={"image": ref, "kernel": lesson.PRESETS["identity"]["kernel"],
                                                       "row": 3, "col": 5}).json()
    assert body["sum"] == img[3, 5]


def test_bad_uploads_get_clear_4xx(client):
    r = client.post("/api/kernels/upload", files={"file": ("notes.png", b"not an image at all", "image/png")})
    assert r.status_code == 422
    assert r.json()["detail"] == ("notes.png: expected a PNG, JPEG or DICOM image of at most 10 MB, "
                                  "got text, not an image (19 bytes)")  # no decoder internals
    r = client.post("/api/kernels/upload", files={"file": ("empty.png", b"", "image/png")})
    assert r.status_code == 422 and "empty file" in r.json()["detail"]
    folder = client.app.state.uploads.folder
    client.app.state.uploads = uploads.UploadStore(folder, max_bytes=1000)
    big = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (100, 100), dtype=np.uint8)).save(big, format="PNG")
    r = client.post("/api/kernels/upload", files={"file": ("big.png", big.getvalue(), "image/png")})
    assert r.status_code == 413 and "big.png" in r.json()["detail"]
    client.app.state.uploads = uploads.UploadStore(folder, max_pixels=5000)
    r = client.post("/api/kernels/upload", files={"file": ("wide.png", big.getvalue(), "image/png")})
    assert r.status_code == 413 and "100×100 = 10,000" in r.json()["detail"]


@pytest.mark.parametrize("payload, status, message", [
    ({"kernel": [[1, 2, 3], [4, 5, 6]]}, 422, "kernel must have at least 3 items, got 2"),
    ({"kernel": [[1, 2, 3], [4, 5, 6], [7, 8]]}, 422, "kernel[2] must have at least 3 items, got 2"),
    ({"kernel": [[0, 0, 0], [0, 1000, 0], [0, 0, 0]]}, 422, "kernel weights must be within ±100, got 1000"),
    ({"image": "sample:lena"}, 422, "image must be one of"),
    ({"image": "file:/etc/passwd"}, 422, "image must be 'sample:<name>' or 'upload:<id>', got 'file:/etc/passwd'"),
    ({"image": "upload:../../etc"}, 422, "upload id must be 24 hex digits"),
    ({"image": "upload:" + "ab" * 12}, 404, "no uploaded image"),
    ({"display": "rainbow"}, 422, "display must be one of"),
])
def test_invalid_requests(client, payload, status, message):
    r = client.post("/api/kernels/apply", json=payload)
    assert r.status_code == status
    body = r.json()
    assert message in (body.get("message") or body.get("detail"))


def test_pixel_outside_the_image_is_422(client):
    r = client.post("/api/kernels/pixel", json={"image": "sample:ct_small", "row": 200, "col": 3})
    assert r.status_code == 422 and r.json()["message"] == "row must be an int in [0, 127], got 200"


def test_with_real_xrays_on_the_server_a_chest_xray_is_the_first_sample(open_client, tmp_path):
    rng = np.random.default_rng(0)
    npz = tmp_path / "chest.npz"  # a MedMNIST-format file, as `ml2dl serve --data` takes
    np.savez(npz, train_images=rng.integers(0, 256, (80, 28, 28), dtype=np.uint8), train_labels=rng.integers(0, 2, (80, 1)),
             val_images=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8), val_labels=rng.integers(0, 2, (20, 1)))
    with open_client(tmp_path / "cache", data_path=npz) as client:
        first = client.get("/api/kernels/samples").json()["samples"][0]
        assert first["name"] == "chest_xray" and first["image"].startswith("upload:") and first["modality"] == "X-ray"
        body = client.post("/api/kernels/apply", json={"image": first["image"], "kernel": lesson.PRESETS["identity"]["kernel"]}).json()
    from ml2dl.lessons.images import load_chest_data
    expected = np.clip(np.rint(load_chest_data(npz, n_train=64, n_val=8).val_images[0, 0] * 255), 0, 255)
    assert (_png(body["filtered_png"]) == expected).all()  # the identity kernel gives the X-ray back
    assert str(tmp_path) not in json.dumps(first)  # the data set's name, not the server's path


def test_without_real_xrays_the_samples_are_the_bundled_ones(client):
    assert "chest_xray" not in [s["name"] for s in client.get("/api/kernels/samples").json()["samples"]]
