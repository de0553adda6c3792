import dataclasses
import hashlib
import http.server
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from ml2dl.data.dataset import DatasetError
from ml2dl.data.medmnist import MEDMNIST_2D, download_medmnist, load_medmnist, parse_name

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pneumoniamnist_trainval.npz"


def make_npz(path, splits=("train", "val", "test"), n=6, shape=(28, 28), classes=2, rgb=False, seed=0, **extra):
    rng = np.random.default_rng(seed)
    arrays = {}
    for s in splits:
        arrays[f"{s}_images"] = rng.integers(0, 256, (n, *shape, 3) if rgb else (n, *shape), dtype=np.uint8)
        arrays[f"{s}_labels"] = rng.integers(0, classes, (n, 1), dtype=np.uint8)
    arrays.update(extra)
    np.savez_compressed(path, **arrays)
    return arrays


def test_grayscale_file_all_splits(tmp_path):
    raw = make_npz(tmp_path / "pneumoniamnist.npz")
    splits = load_medmnist(tmp_path / "pneumoniamnist.npz")
    for name, ds in splits.items():
        assert ds.images.shape == (6, 1, 28, 28) and ds.images.dtype == np.float32
        np.testing.assert_allclose(ds.images[:, 0], raw[f"{name}_images"] / 255.0, atol=1e-7)
        assert ds.labels.dtype == np.int64
        np.testing.assert_array_equal(ds.labels, raw[f"{name}_labels"][:, 0])
        assert ds.class_names == ("normal", "pneumonia") and ds.task == "binary-class"
        assert "PneumoniaMNIST" in ds.source and "CC BY 4.0" in ds.source and not ds.synthetic


def test_rgb_file_keeps_channel_order_and_missing_split_is_none(tmp_path):
    raw = make_npz(tmp_path / "bloodmnist_64.npz", splits=("train", "val"), shape=(64, 64), rgb=True, classes=8)
    splits = load_medmnist(str(tmp_path / "bloodmnist_64.npz"))
    assert splits.test is None
    assert splits.train.images.shape == (6, 3, 64, 64)
    np.testing.assert_allclose(splits.train.images[2, 1], raw["train_images"][2, :, :, 1] / 255.0, atol=1e-7)
    assert splits.train.n_classes == 8 and splits.train.class_names[0] == "basophil"


def test_unknown_file_gets_generic_names_and_multilabel(tmp_path):
    make_npz(tmp_path / "mine.npz", classes=3)
    ds = load_medmnist(tmp_path / "mine.npz").train
    assert ds.class_names == ("class 0", "class 1", "class 2") and ds.task == "multi-class"
    labels = np.random.default_rng(0).integers(0, 2, (5, 4), dtype=np.uint8)
    np.savez(tmp_path / "multi.npz", train_images=np.zeros((5, 28, 28), np.uint8), train_labels=labels)
    ds = load_medmnist(tmp_path / "multi.npz").train
    assert ds.task == "multi-label" and ds.labels.shape == (5, 4)
    np.testing.assert_array_equal(ds.class_counts(), labels.sum(axis=0))


def test_resize_a_file(tmp_path):
    np.savez(tmp_path / "flat.npz", train_images=np.full((3, 28, 28), 51, np.uint8), train_labels=np.array([[0], [1], [1]]))
    ds = load_medmnist(tmp_path / "flat.npz", size=64).train
    assert ds.images.shape == (3, 1, 64, 64)
    np.testing.assert_allclose(ds.images, 0.2, atol=1e-6)


def test_corrupt_and_malformed_files_give_clear_errors(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"this is not a zip file")
    with pytest.raises(DatasetError, match=r"junk\.npz: expected a MedMNIST \.npz"):
        load_medmnist(tmp_path / "junk.npz")

    make_npz(tmp_path / "whole.npz", n=200)
    data = (tmp_path / "whole.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match=r"cut\.npz"):
        load_medmnist(tmp_path / "cut.npz")

    np.savez(tmp_path / "keys.npz", x=np.zeros(3), y=np.zeros(3))
    with pytest.raises(DatasetError, match=r"expected keys train_images.*got \['x', 'y'\]"):
        load_medmnist(tmp_path / "keys.npz")

    np.savez(tmp_path / "half.npz", train_images=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(DatasetError, match="has train_images but not train_labels"):
        load_medmnist(tmp_path / "half.npz")

    np.savez(tmp_path / "vol.npz", train_images=np.zeros((2, 28, 28, 28), np.uint8), train_labels=np.zeros((2, 1)))
    with pytest.raises(DatasetError, match=r"expected 2-D images \(N, H, W\) or \(N, H, W, 3\), got shape \(2, 28, 28, 28\)"):
        load_medmnist(tmp_path / "vol.npz")

    np.savez(tmp_path / "count.npz", train_images=np.zeros((2, 28, 28), np.uint8), train_labels=np.zeros((3, 1)))
    with pytest.raises(DatasetError, match=r"expected labels \(N, 1\) or \(N, K\) with N = 2, got shape \(3, 1\)"):
        load_medmnist(tmp_path / "count.npz")

    np.savez(tmp_path / "range.npz", train_images=np.full((2, 28, 28), 3.0), train_labels=np.zeros((2, 1)))
    with pytest.raises(DatasetError, match=r"expected uint8 or floats in \[0, 1\], got floats in \[3, 3\]"):
        load_medmnist(tmp_path / "range.npz")

    with pytest.raises(DatasetError, match="got no such file"):
        load_medmnist(tmp_path / "absent.npz")


def test_name_parsing():
    assert parse_name("PneumoniaMNIST") == (MEDMNIST_2D["pneumoniamnist"], 28)
    assert parse_name("pneumoniamnist_64")[1] == 64
    assert parse_name("dermamnist", 224)[1] == 224
    with pytest.raises(DatasetError, match="unknown MedMNIST 2-D data set 'organmnist3d'"):
        parse_name("organmnist3d")
    with pytest.raises(DatasetError, match=r"size for PneumoniaMNIST must be one of \[28, 64, 128, 224\], got 32"):
        parse_name("pneumoniamnist", 32)
    with pytest.raises(DatasetError, match="names size 64 but size=128 was given"):
        parse_name("pneumoniamnist_64", 128)


def test_table_has_real_looking_checksums_and_urls():
    assert len(MEDMNIST_2D) == 12
    for info in MEDMNIST_2D.values():
        assert sorted(info.md5) == [28, 64, 128, 224]
        assert all(re.fullmatch(r"[0-9a-f]{32}", m) for m in info.md5.values())
        assert len(info.classes) >= 2 and info.channels in (1, 3)
    pneu = MEDMNIST_2D["pneumoniamnist"]
    assert pneu.md5[28] == "28209eda62fecd6e6a2d98b1501bb15f"
    assert pneu.n_samples == (4708, 524, 624)
    assert pneu.url(64) == "https://zenodo.org/records/10519652/files/pneumoniamnist_64.npz?download=1"


# --- downloading, against a server on 127.0.0.1 -------------------------------------------------

@pytest.fixture
def served(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; yields (base_url, folder)."""
    www = tmp_path / "www"
    www.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(www), **kw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", www
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fake_entry(monkeypatch, url_template, md5):
    info = dataclasses.replace(
        MEDMNIST_2D["pneumoniamnist"], name="fakemnist", title="FakeMNIST", md5={28: md5, 64: md5},
        url_template=url_template,
    )
    monkeypatch.setitem(MEDMNIST_2D, "fakemnist", info)
    return info


def test_download_verifies_md5_caches_and_reuses(served, tmp_path, monkeypatch):
    base, www = served
    make_npz(www / "fakemnist.npz")
    md5 = hashlib.md5((www / "fakemnist.npz").read_bytes()).hexdigest()
    fake_entry(monkeypatch, base + "/{filename}", md5)
    cache = tmp_path / "cache"
    seen = []
    path = download_medmnist("fakemnist", cache_dir=cache, progress=lambda done, total: seen.append((done, total)))
    assert path == cache / "fakemnist.npz" and path.read_bytes() == (www / "fakemnist.npz").read_bytes()
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    (www / "fakemnist.npz").unlink()  # the server no longer has it: the cache must serve
    splits = load_medmnist("FakeMNIST", cache_dir=cache)
    assert splits.train.images.shape == (6, 1, 28, 28) and splits.train.class_names == ("normal", "pneumonia")
    assert sorted(p.name for p in cache.iterdir()) == ["fakemnist.npz"]


def test_checksum_mismatch_leaves_nothing(served, tmp_path, monkeypatch):
    base, www = served
    make_npz(www / "fakemnist_64.npz")
    fake_entry(monkeypatch, base + "/{filename}", "0" * 32)
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match=r"checksum mismatch .*expected MD5 0{32}, got [0-9a-f]{32}"):
        load_medmnist("fakemnist", size=64, cache_dir=cache)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_http_404_and_offline_say_where_to_put_the_file(served, tmp_path, monkeypatch):
    base, _ = served
    fake_entry(monkeypatch, base + "/{filename}", "0" * 32)
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError) as err:
        download_medmnist("fakemnist", cache_dir=cache)
    msg = str(err.value)
    assert "HTTP Error 404" in msg and str(cache / "fakemnist.npz") in msg and base in msg

    fake_entry(monkeypatch, "http://127.0.0.1:9/{filename}", "0" * 32)  # discard port: refused
    with pytest.raises(DatasetError, match=r"could not download FakeMNIST \(28 px\) from http://127\.0\.0\.1:9/fakemnist\.npz"):
        download_medmnist("fakemnist", cache_dir=cache, timeout=5)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_download_false_names_path_and_url(tmp_path):
    with pytest.raises(DatasetError) as err:
        load_medmnist("pneumoniamnist", cache_dir=tmp_path, download=False)
    msg = str(err.value)
    assert str(tmp_path / "pneumoniamnist.npz") in msg
    assert "https://zenodo.org/records/10519652/files/pneumoniamnist.npz?download=1" in msg


def test_file_url(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    make_npz(src / "fakemnist.npz", splits=("train",))
    md5 = hashlib.md5((src / "fakemnist.npz").read_bytes()).hexdigest()
    fake_entry(monkeypatch, src.as_uri() + "/{filename}", md5)
    splits = load_medmnist("fakemnist", cache_dir=tmp_path / "c")
    assert splits.val is None and len(splits.train) == 6


@pytest.mark.skipif(not SHARED.is_file(), reason="needs ../shared/data/pneumoniamnist_trainval.npz")
def test_shared_pneumoniamnist_trainval():
    splits = load_medmnist(SHARED)
    assert splits.test is None
    assert splits.train.images.shape == (4708, 1, 28, 28)
    assert splits.train.class_counts().tolist() == [1214, 3494]
    assert splits.val.class_counts().tolist() == [135, 389]
    assert 0.0 <= splits.train.images.min() and splits.train.images.max() <= 1.0
