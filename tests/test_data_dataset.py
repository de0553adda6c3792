import numpy as np
import pytest
from PIL import Image

from ml2dl.data import DatasetError, ImageDataset, Splits, load_dataset
from ml2dl.data.dataset import stratified_split


def small(n=4, labels=None):
    labels = np.arange(n) % 2 if labels is None else labels
    return ImageDataset(np.zeros((n, 1, 3, 3), np.float32), labels, ("normal", "pneumonia"))


def test_image_dataset_validates_and_describes():
    ds = small(5)
    assert len(ds) == 5 and ds.image_shape == (1, 3, 3) and ds.n_classes == 2
    assert ds.labels.dtype == np.int64
    assert ds.class_counts().tolist() == [3, 2]
    assert repr(ds) == (
        "ImageDataset(n=5, image_shape=(1, 3, 3), classes=('normal', 'pneumonia'), counts=[3, 2], synthetic=False)"
    )
    assert ds.task == "binary-class"  # inferred from two class names
    three = ImageDataset(np.zeros((2, 1, 1, 1), np.float32), [0, 2], ("a", "b", "c"))
    assert three.task == "multi-class"
    multi = ImageDataset(np.zeros((2, 1, 1, 1), np.float32), [[0, 1, 1], [1, 0, 0]], ("a", "b", "c"))
    assert multi.task == "multi-label" and multi.class_counts().tolist() == [1, 1, 1]
    sub = ds.subset([0, 1])
    assert len(sub) == 2 and sub.class_names == ds.class_names
    with pytest.raises(DatasetError, match=r"images must be \(N, C, H, W\), got shape \(4, 3, 3\)"):
        ImageDataset(np.zeros((4, 3, 3), np.float32), np.zeros(4), ("a", "b"))
    with pytest.raises(DatasetError, match="images must be float32 in \\[0, 1\\], got dtype float64"):
        ImageDataset(np.zeros((4, 1, 3, 3)), np.zeros(4), ("a", "b"))
    with pytest.raises(DatasetError, match=r"labels must be \(N,\) or \(N, K\) with N = 4 images, got shape \(3,\)"):
        ImageDataset(np.zeros((4, 1, 3, 3), np.float32), np.zeros(3), ("a", "b"))


def test_splits_iteration_and_indexing():
    s = Splits(train=small(), test=small(2))
    assert [name for name, _ in s.items()] == ["train", "test"]
    assert s["val"] is None and len(s["test"]) == 2
    with pytest.raises(KeyError, match="split must be 'train', 'val' or 'test', got 'dev'"):
        s["dev"]


def test_stratified_split_keeps_class_shares():
    labels = np.array([0] * 10 + [1] * 30)
    keep, taken = stratified_split(labels, 0.2, np.random.default_rng(0))
    assert np.bincount(labels[taken]).tolist() == [2, 6]
    assert sorted(np.concatenate([keep, taken]).tolist()) == list(range(40))
    keep, taken = stratified_split(np.array([0, 1]), 0.9, np.random.default_rng(0))
    assert len(taken) == 0  # every class keeps at least one


def test_load_dataset_dispatch(tmp_path):
    phantom = load_dataset("phantom", n_train=6, n_val=2, n_test=2, size=32)
    assert phantom.train.images.shape == (6, 1, 32, 32) and phantom.test.synthetic

    np.savez(tmp_path / "x.npz", train_images=np.zeros((3, 28, 28), np.uint8), train_labels=np.array([[0], [1], [0]]))
    assert len(load_dataset(str(tmp_path / "x.npz")).train) == 3
    assert load_dataset(tmp_path / "x.npz", size=14).train.image_shape == (1, 14, 14)

    for cls in ("a", "b"):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.zeros((5, 5), np.uint8)).save(tmp_path / "imgs" / cls / f"{i}.png")
    folder = load_dataset(tmp_path / "imgs", size=(4, 4), val_fraction=0)
    assert folder.train.class_names == ("a", "b")

    with pytest.raises(DatasetError, match="is not in the cache and download=False"):
        load_dataset("pneumoniamnist", cache_dir=tmp_path / "cache", download=False)
    with pytest.raises(DatasetError, match="cannot load 'nope': expected 'phantom', a folder"):
        load_dataset("nope")
    with pytest.raises(DatasetError, match="got no such file"):
        load_dataset(str(tmp_path / "missing.npz"))
