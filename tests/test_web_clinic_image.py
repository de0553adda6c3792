"""clinic-image's API: bad and over-limit uploads refused with what was expected and received; a DICOM
made here with a patient's name and ID read, windowed and judged by a run, with nothing identifying in
any answer or anywhere under the cache folder; the probability and label against the run's model
applied here; the upload removed when the page forgets it."""

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.data.images import resize
from ml2dl.explain import grad_cam
from ml2dl.lessons.clinic import image as lesson
from ml2dl.train import RunDir, predict_proba

pydicom = pytest.importorskip("pydicom")

TINY = {"n_train": 64, "epochs": 2, "width": 4, "batch_size": 32, "lr": 0.01}
NAME, PID = "Doe^Jane Secret", "PID-9071-XYZ"


def dicom_bytes(rows=64, cols=48, *, name=NAME, pid=PID, modality="CT", window=(40.0, 400.0), rng=None) -> tuple[bytes, np.ndarray]:
    """A CT slice with a patient name, ID, birth date and institution; returns (file bytes, HU values)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    rng = rng or np.random.default_rng(0)
    stored = rng.integers(0, 2000, size=(rows, cols)).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.PatientName, ds.PatientID, ds.PatientBirthDate = name, pid, "19700101"
    ds.InstitutionName, ds.ReferringPhysicianName = "Secret Hospital", "Dr^Who"
    ds.Modality, ds.Rows, ds.Columns = modality, rows, cols
    ds.PixelSpacing = [0.7, 0.8]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.WindowCenter, ds.WindowWidth = window
    ds.PixelData = stored.tobytes()
    ds.add_new(0x00091010, "LO", "private " + name)  # a private tag carrying the name too
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue(), stored.astype(np.float64) - 1024


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("clinic-image-cache")


@pytest.fixture(scope="module")
def trained(open_client, cache):
    with open_client(cache) as client:
        name = client.post("/api/clinic/train", json=TINY).json()["run"]
        deadline = time.monotonic() + 180
        while client.get("/api/clinic/status", params={"run": name}).json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        yield client, name


def upload(client, data, filename="scan.dcm"):
    return client.post("/api/clinic/image/upload", files={"file": (filename, data, "application/octet-stream")})


def files_containing(root: Path, needles) -> list[str]:
    hits = []
    for p in Path(root).rglob("*"):
        if p.is_file():
            blob = p.read_bytes()
            hits += [f"{p}: {n!r}" for n in needles if n in blob]
    return hits


def test_a_dicom_with_a_patient_is_read_without_anything_identifying(trained, cache):
    client, run = trained
    data, hu = dicom_bytes()
    r = upload(client, data, filename="Doe_Jane_Secret.dcm")
    assert r.status_code == 200, r.text
    up = r.json()
    assert up["kind"] == "dicom"
    assert up["header"] == {"modality": "CT", "rows": 64, "columns": 48, "pixel_spacing_mm": [0.7, 0.8], "unit": "HU"}
    assert (up["centre"], up["width"]) == (40.0, 400.0)
    assert (up["low"], up["high"]) == (hu.min(), hu.max())
    assert {p["name"]: (p["centre"], p["width"]) for p in up["presets"]}["lung"] == (-600.0, 1500.0)
    read = client.post("/api/clinic/image/read", json={"image": up["image"], "run": run, "centre": -600, "width": 1500})
    assert read.status_code == 200, read.text
    body = r.text + read.text
    for needle in ("Doe", "Jane", "Secret", PID, "19700101", "Dr^Who", "private"):
        assert needle not in body
    needles = [b"Doe", b"Jane", b"Secret", PID.encode(), b"19700101", b"Dr^Who"]
    assert files_containing(cache, needles) == []
    # what is kept is the HU values alone
    kept = list(lesson.scans_folder(cache).glob("*.npz"))
    assert [p.stem for p in kept] == [up["image"]]
    with np.load(kept[0]) as z:
        assert sorted(z.files) == ["about", "invert", "values"]
        np.testing.assert_array_equal(z["values"], hu.astype(np.float32))
        # beside them only what the page shows: the kind, the four header fields and the opening window
        assert json.loads(str(z["about"])) == {"kind": "dicom", "header": up["header"], "window": [40.0, 400.0]}
    # a reloaded page asks for the upload by its key and gets the same answer as the upload gave
    again = client.post("/api/clinic/image/kept", json={"image": up["image"]})
    assert again.status_code == 200 and again.json() == up


def test_probability_label_and_heatmap_are_the_runs_model_on_the_windowed_image(trained, cache):
    client, run = trained
    data, hu = dicom_bytes(rng=np.random.default_rng(3))
    key = upload(client, data).json()["image"]
    points = RunDir(Path(cache) / "runs" / run).operating_points()["points"]
    model = nn.load(Path(cache) / "runs" / run / "best.npz")
    model.eval()
    for point in ("screening", "high_specificity"):
        r = client.post("/api/clinic/image/read", json={"image": key, "run": run, "point": point, "centre": 40, "width": 400}).json()
        grey = np.clip((hu - (40 - 200)) / 400, 0, 1).astype(np.float32)  # the window, written out
        x = np.clip(resize(grey, (28, 28)), 0, 1)[None, None].astype(np.float32)
        p = float(predict_proba(model, x)[0])
        t = points[point]["threshold"]
        assert r["probability"] == pytest.approx(p, abs=1e-9)
        assert r["threshold"] == t and r["point"] == point
        assert r["label"] == ("pneumonia" if p >= t else "normal")
        cam = grad_cam(model, x, target=int(p >= t))[0]
        np.testing.assert_allclose(r["heatmap"], np.round(cam, 3), atol=1e-3)
        assert np.array(r["model_input"]).shape == (28, 28) and np.array(r["display"]).shape == (64, 48)
        assert r["words"][0].startswith(f"P(pneumonia) = {p:.3f}")
    # another window is another image to the model
    other = client.post("/api/clinic/image/read", json={"image": key, "run": run, "centre": 500, "width": 100}).json()
    assert other["model_input"] != r["model_input"]


def test_a_png_is_read_as_grey_levels(trained):
    from PIL import Image

    client, run = trained
    img = (np.arange(40 * 30).reshape(40, 30) % 256).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    up = upload(client, buf.getvalue(), "x.png").json()
    assert up["kind"] == "picture" and up["header"]["rows"] == 40 and up["header"]["columns"] == 30
    r = client.post("/api/clinic/image/read", json={"image": up["image"], "run": run, "centre": up["centre"],
                                                    "width": up["width"]}).json()
    assert r["display"] == img.tolist()  # the full-range window shows the picture unchanged


@pytest.mark.parametrize("data, expected", [
    (b"", "empty file"),
    (b"hello, not an image", "text, not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG file that could not be decoded"),
])
def test_bad_uploads_say_what_was_expected_and_received(trained, data, expected):
    client, _ = trained
    r = upload(client, data, "Doe_Jane.png")
    assert r.status_code == 422, r.text
    msg = r.json()["message"]
    assert "expected a PNG, JPEG or DICOM" in msg and expected in msg and "Doe" not in msg


def test_over_limit_uploads_are_refused_before_decoding(trained, cache, monkeypatch):
    client, _ = trained
    uploads = client.app.state.uploads
    before = sorted(lesson.scans_folder(cache).glob("*.npz"))
    monkeypatch.setattr(uploads, "max_pixels", 1000)
    data, _ = dicom_bytes(64, 48)  # 3072 pixels claimed by the header
    r = upload(client, data)
    assert r.status_code == 413, r.text
    assert r.json()["message"] == ("your file: at most 1,000 pixel samples, got 3,072 "
                                   "(Rows × Columns × frames × samples per pixel in its header)")
    monkeypatch.setattr(uploads, "max_bytes", 2 * 1024 * 1024)
    r = upload(client, b"\x00" * (2 * 1024 * 1024 + 1))
    assert r.status_code == 413 and r.json()["message"] == "your file: files up to 2 MB, got more"
    assert sorted(lesson.scans_folder(cache).glob("*.npz")) == before  # nothing refused was kept


def test_forget_removes_the_upload_and_reading_it_again_says_so(trained, cache):
    client, run = trained
    data, _ = dicom_bytes(rng=np.random.default_rng(9))
    key = upload(client, data).json()["image"]
    assert (lesson.scans_folder(cache) / f"{key}.npz").is_file()
    assert client.post("/api/clinic/image/forget", json={"image": key}).json() == {"forgotten": True}
    assert not (lesson.scans_folder(cache) / f"{key}.npz").exists()
    r = client.post("/api/clinic/image/read", json={"image": key, "run": run, "centre": 0, "width": 10})
    assert r.status_code == 404 and "upload it again" in r.json()["message"]
    r = client.post("/api/clinic/image/kept", json={"image": key})  # a reload after it has gone
    assert r.status_code == 404 and r.json()["message"] == (f"no uploaded image {key!r} here any more (removed after "
                                                           "60 minutes or when the page was done with it): upload it again")
    assert client.post("/api/clinic/image/kept", json={"image": "../" + "a" * 21}).status_code == 422
    assert client.post("/api/clinic/image/forget", json={"image": "g" * 24}).status_code == 422


def test_old_scans_are_pruned(tmp_path):
    scan = lesson.Scan(np.zeros((4, 4), np.float32), "picture")
    key = lesson.keep(tmp_path, scan)
    assert lesson.prune(tmp_path, now=time.time() + lesson.TTL + 1) == 1
    assert not (tmp_path / f"{key}.npz").exists()


def test_the_pydicom_example_loses_its_patient_fields(trained):
    client, run = trained
    r = client.post("/api/clinic/image/example", json={"name": "ct_small"})
    assert r.status_code == 200, r.text
    assert r.json()["header"]["modality"] == "CT" and "CompressedSamples" not in r.text
