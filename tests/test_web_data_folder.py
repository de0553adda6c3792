"""``ml2dl serve --data FOLDER``: a folder of two class folders feeds the steps' chest images and is
offered on clinic-train by its name; ``--data`` that is neither a ``.npz`` nor such a folder is a
one-line error naming what was expected and what was received."""

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ml2dl import cli
from ml2dl.lessons.chest import load_chest_data

PER_CLASS = 40


def write_folder(root, classes=("NORMAL", "PNEUMONIA"), per_class=PER_CLASS, seed=0):
    """``root/<class>/<i>.png``: 28 × 28 grey PNGs, class k's pixels drawn around 60 + 120·k.
    Returns {the image's bytes: its class index} to find every image again."""
    rng = np.random.default_rng(seed)
    found = {}
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            img = np.clip(rng.normal(60 + 120 * k, 25, (28, 28)), 0, 255).astype(np.uint8)
            Image.fromarray(img, mode="L").save(root / name / f"{i:03d}.png")
            found[img.tobytes()] = k
    return found


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("served") / "chest"
    return root, write_folder(root)


def as_bytes(images):
    return [np.rint(np.asarray(x)[0] * 255).astype(np.uint8).tobytes() for x in images]


# ------------------------------------------------------------------------------ the steps' chest images


def test_the_folder_gives_the_steps_its_own_images_with_their_labels(folder):
    root, truth = folder
    data = load_chest_data(root, n_train=50, n_val=12, seed=0)
    train, val = as_bytes(data.train_images), as_bytes(data.val_images)
    # every image is one of the folder's PNGs (read back exactly) and carries its folder's class
    assert [truth[b] for b in train] == data.train_labels.tolist()
    assert [truth[b] for b in val] == data.val_labels.tolist()
    assert not set(train) & set(val)  # held-out images are not trained on
    # 20 % of each class is held out (8 + 8); the 64 others are the pool of training images
    assert len(val) == 12 and len(train) == 50
    assert data.synthetic is False and data.source == "Image folder chest (NORMAL = 0, PNEUMONIA = 1)"
    # a folder smaller than asked for gives what it has
    few = load_chest_data(root, n_train=2000, n_val=500, seed=0)
    assert len(few.train_labels) == 64 and len(few.val_labels) == 16
    assert sorted(np.bincount(few.val_labels).tolist()) == [8, 8]


def test_the_fingerprint_follows_the_folder_s_files(tmp_path):
    root = tmp_path / "chest"
    write_folder(root, per_class=10)
    before = load_chest_data(root, n_train=8, n_val=8).fingerprint
    assert load_chest_data(root, n_train=8, n_val=8).fingerprint == before
    Image.fromarray(np.zeros((28, 28), np.uint8), mode="L").save(root / "NORMAL" / "extra.png")
    assert load_chest_data(root, n_train=8, n_val=8).fingerprint != before


def test_a_folder_of_three_classes_is_refused_by_the_steps(tmp_path):
    write_folder(tmp_path / "three", classes=("a", "b", "c"), per_class=6)
    with pytest.raises(ValueError, match=r"^three: expected two class folders \(normal, pneumonia\), got 3: a, b, c$"):
        load_chest_data(tmp_path / "three", n_train=8, n_val=8)


# ------------------------------------------------------------------------------ ml2dl serve --data


@pytest.fixture
def serve_calls(monkeypatch):
    import ml2dl.web.app as app

    calls = []
    monkeypatch.setattr(app, "serve", lambda **kw: calls.append(kw))
    return calls


def test_serve_takes_a_folder_of_two_class_folders(serve_calls, folder):
    root, _ = folder
    assert cli.main(["serve", "--data", str(root), "--no-browser"]) == 0
    assert serve_calls[-1]["data"] == str(root)
    split = root.parent / "split"  # the train/ val/ layout
    write_folder(split / "train", per_class=3)
    write_folder(split / "val", per_class=2, seed=1)
    assert cli.main(["serve", "--data", str(split), "--no-browser"]) == 0


def test_serve_itself_starts_on_a_folder(monkeypatch, folder):
    """Past the CLI's check, ``serve`` hands the folder to every worker (it once took only a file)."""
    import uvicorn

    from ml2dl.web.settings import ENV_VAR, Settings

    root, _ = folder
    started = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: started.append(kw))
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert cli.main(["serve", "--data", str(root), "--no-browser", "--no-prestart"]) == 0
    assert len(started) == 1
    assert Path(Settings.from_env().data_path) == root
    monkeypatch.delenv(ENV_VAR)


@pytest.mark.parametrize("make, got", [
    (lambda p: write_folder(p, classes=("a", "b", "c"), per_class=2),
     "got a folder with 3 class folders of images: a/ (2), b/ (2), c/ (2)"),
    (lambda p: write_folder(p, classes=("NORMAL",), per_class=2), "got a folder with 1 class folder of images: NORMAL/ (2)"),
    (lambda p: p.mkdir(), "got a folder without class folders of PNG, JPEG or DICOM files"),
    (lambda p: (p / "NORMAL").mkdir(parents=True), "got a folder without class folders of PNG, JPEG or DICOM files"),
    (lambda p: p.with_suffix(".csv").write_text("a,b\n"), "got a .csv file"),
    (lambda p: None, "got no such file or folder"),
])
def test_serve_refuses_other_data_on_one_line(serve_calls, tmp_path, capsys, make, got):
    path = tmp_path / "data"
    make(path)
    if path.with_suffix(".csv").exists():
        path = path.with_suffix(".csv")
    assert cli.main(["serve", "--data", str(path), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err == (f"ml2dl serve: error: --data {path}: expected a MedMNIST .npz file or a folder of two class "
                   f"folders (e.g. NORMAL/ and PNEUMONIA/), {got}\n")
    assert serve_calls == []


def test_serve_refuses_a_folder_that_mixes_splits_and_classes(serve_calls, tmp_path, capsys):
    write_folder(tmp_path / "mixed" / "train", per_class=2)
    (tmp_path / "mixed" / "NORMAL").mkdir()
    assert cli.main(["serve", "--data", str(tmp_path / "mixed")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mixes split folders (train) with other folders (NORMAL)" in err


# ------------------------------------------------------------------------------ the steps, served a folder


def test_every_step_on_chest_images_uses_the_folder_and_says_so(open_client, folder, tmp_path):
    root, truth = folder
    with open_client(tmp_path, data_path=root) as client:
        view = client.get("/api/images/view?index=3").json()
        assert view["synthetic"] is False and view["source"].startswith("Image folder chest")
        assert truth[np.asarray(view["original"], dtype=np.uint8).tobytes()] == view["label"]
        pixels = client.post("/api/data/pixels", json={"source": "chest", "index": 0}).json()
        assert "Image folder chest" in pixels["source"]
        first = client.get("/api/kernels/samples").json()["samples"][0]
        assert first["name"] == "chest_xray" and first["source"].startswith("Image folder chest")
        # the overfitting page says what it will train on before it trains
        assert client.get("/api/overfitting/options").json()["data"] == {
            "synthetic": False, "source": "Image folder chest (NORMAL = 0, PNEUMONIA = 1)"}
        loop = client.get("/api/loop/options")
        assert loop.status_code == 200 and "Image folder chest" in json.dumps(loop.json())
        assert str(tmp_path) not in json.dumps([view, pixels, first, loop.json()])  # its name, not the server's path


def test_clinic_train_offers_the_folder_by_name_and_trains_on_it(open_client, folder, tmp_path):
    root, _ = folder
    with open_client(tmp_path, data_path=root) as client:
        sources = {s["id"]: s for s in client.get("/api/clinic/options").json()["sources"]}
        assert list(sources) == ["phantom", "folder"]
        f = sources["folder"]
        # 80 images: 10 % of each class to validation, 10 % to test, 64 left to train on
        assert f["label"] == "Image folder chest" and f["synthetic"] is False and f["max_train"] == 64
        assert f["test_from"] == "10% of each class of the folder, held out"
        r = client.post("/api/clinic/train", json={"source": "folder", "n_train": 64, "epochs": 1, "width": 4,
                                                   "batch_size": 32})
        assert r.status_code == 200, r.text
        run = r.json()["run"]
        deadline = time.monotonic() + 300  # generous: the machine may be loaded
        while (snap := client.get("/api/clinic/status", params={"run": run}).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, snap
            time.sleep(0.2)
        assert snap["status"] == "done", snap
        listed = {r["name"]: r for r in client.get("/api/clinic/runs").json()["runs"]}
        assert run in listed
        too_many = client.post("/api/clinic/train", json={"source": "folder", "n_train": 65, "epochs": 1})
        assert too_many.status_code == 422
        assert too_many.json()["message"] == "n_train must be ≤ 64 for Image folder chest, got 65"


@pytest.mark.parametrize("start, state, body", [
    ("/api/images/experiment", "/api/images/experiment", None),              # step 5: FC and CNN, shuffled or not
    ("/api/pipeline/train", "/api/pipeline/status", None),                   # step 9: the CNN it explains
    ("/api/overfitting/experiment", "/api/overfitting/experiment?n_train=50&epochs=20&dropout=0&l2=0&augment=false",
     {"n_train": 50, "epochs": 20, "dropout": 0.0, "l2": 0.0, "augment": False}),
])
def test_the_training_steps_train_on_the_folder_and_say_so(open_client, folder, tmp_path, start, state, body):
    root, _ = folder
    with open_client(tmp_path, data_path=root) as client:
        r = client.post(start, json=body) if body is not None else client.post(start)
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 300  # a bound for a loaded machine
        while (snap := client.get(state).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, snap
            time.sleep(0.2)
        assert snap["status"] == "done", snap
        said = json.dumps(snap["result"])
        assert "Image folder chest (NORMAL = 0, PNEUMONIA = 1)" in said and str(tmp_path) not in said


def test_a_rewritten_image_gives_the_clinic_s_folder_runs_another_name(tmp_path):
    from ml2dl.lessons.clinic import data as clinic_data

    root = tmp_path / "chest"
    write_folder(root, per_class=10)
    src = clinic_data.source("folder", root)
    before = clinic_data.fingerprint(src, 16, 0)
    image = root / "NORMAL" / "000.png"
    mtime = image.stat().st_mtime_ns
    Image.fromarray(np.full((28, 28), 255, np.uint8), mode="L").save(image)  # same name, same folder entries
    os.utime(image, ns=(mtime + 10**9, mtime + 10**9))  # a later time, as a rewrite a second later has
    assert clinic_data.fingerprint(src, 16, 0) != before


def test_a_folder_with_an_unreadable_image_is_said_not_crashed_on(open_client, tmp_path):
    root = tmp_path / "chest"
    write_folder(root, per_class=10)
    (root / "PNEUMONIA" / "broken.png").write_bytes(b"not a png")
    with open_client(tmp_path / "cache", data_path=root) as client:
        sources = {s["id"]: s for s in client.get("/api/clinic/options").json()["sources"]}
        assert sources["phantom"]["max_train"] > 0  # the phantoms still train
        assert sources["folder"]["max_train"] == 0 and "cannot be read" in sources["folder"]["label"]
        assert "broken.png" in sources["folder"]["label"] and str(tmp_path) not in sources["folder"]["label"]
        r = client.post("/api/clinic/train", json={"source": "folder", "n_train": 32, "epochs": 1})
        assert r.status_code == 422 and "cannot be read" in r.json()["message"]
        view = client.get("/api/images/view?index=0")
        assert view.status_code == 422 and "broken.png" in view.json()["message"]


def test_a_request_scans_the_folder_at_most_every_half_minute(tmp_path, monkeypatch):
    """A chest step's call on the event loop finds its data by the folder's fingerprint; scanning
    5,800 files takes ~60 ms, so it is kept FOLDER_RESCAN_SECONDS and then taken again, in a thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from ml2dl.web import prepared
    from ml2dl.web.settings import Settings

    root = tmp_path / "chest"
    write_folder(root)
    settings = Settings.make(data_path=root, cache_dir=tmp_path / "cache")
    scans = []
    real = prepared.folder_fingerprint
    monkeypatch.setattr(prepared, "folder_fingerprint", lambda f: scans.append(f) or real(f))
    monkeypatch.setattr(prepared, "_scans", {})
    clock = [1000.0]
    monkeypatch.setattr(prepared, "monotonic", lambda: clock[0])

    def ask():  # in a thread of its own: the browser tests' Playwright may keep a loop running in this one
        with ThreadPoolExecutor(1) as one:
            return one.submit(asyncio.run, prepared.chest_data_async(settings, n_train=8, n_val=8, seed=0)).result()

    first = ask()
    assert len(scans) == 1
    clock[0] += prepared.FOLDER_RESCAN_SECONDS - 1
    assert ask() is first and len(scans) == 1  # from memory, no scan
    Image.fromarray(np.zeros((28, 28), np.uint8), mode="L").save(next((root / "NORMAL").glob("*.png")))
    assert ask() is first and len(scans) == 1  # an edit is seen only at the next scan ...
    clock[0] += 1
    again = ask()
    assert len(scans) == 2 and again is not first  # ... which finds the folder changed: prepared anew
    assert again.fingerprint != first.fingerprint
