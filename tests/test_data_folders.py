import numpy as np
import pytest
from PIL import Image

from ml2dl.data.dataset import DatasetError, ImageReadError
from ml2dl.data.folders import load_image_folder


def put(path, value, size=(40, 30), kind="PNG"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full(size, value, dtype=np.uint8)).save(path, kind)


def kaggle_tree(root, n_train=(6, 10), with_val=True, with_test=True):
    """root/{train,val,test}/{NORMAL,PNEUMONIA}: normal films are dark (value 40), pneumonia bright (200)."""
    for split, counts in (("train", n_train), ("val", (2, 2)), ("test", (3, 4))):
        if (split == "val" and not with_val) or (split == "test" and not with_test):
            continue
        for cls, value, count in (("NORMAL", 40, counts[0]), ("PNEUMONIA", 200, counts[1])):
            for i in range(count):
                kind, suffix = ("JPEG", "jpeg") if i % 2 else ("PNG", "png")
                put(root / split / cls / f"{cls.lower()}{i}.{suffix}", value, kind=kind)
    return root


def test_kaggle_layout_with_all_splits(tmp_path):
    splits = load_image_folder(kaggle_tree(tmp_path / "chest_xray"), size=(28, 28))
    assert splits.train.class_names == ("NORMAL", "PNEUMONIA")
    assert splits.train.class_counts().tolist() == [6, 10]
    assert splits.val.class_counts().tolist() == [2, 2]
    assert splits.test.class_counts().tolist() == [3, 4]
    x, y = splits.train.images, splits.train.labels
    assert x.shape == (16, 1, 28, 28) and x.dtype == np.float32
    # Labels follow the pixels: NORMAL (0) images are 40/255, PNEUMONIA (1) 200/255.
    np.testing.assert_allclose(x[y == 0], 40 / 255, atol=0.01)
    np.testing.assert_allclose(x[y == 1], 200 / 255, atol=0.01)
    assert not np.all(np.diff(y) >= 0)  # shuffled


def test_missing_val_is_carved_from_train_per_class(tmp_path):
    splits = load_image_folder(kaggle_tree(tmp_path / "d", n_train=(10, 20), with_val=False), val_fraction=0.2, seed=1)
    assert splits.val.class_counts().tolist() == [2, 4]
    assert splits.train.class_counts().tolist() == [8, 16]
    again = load_image_folder(tmp_path / "d", val_fraction=0.2, seed=1)
    np.testing.assert_array_equal(again.val.labels, splits.val.labels)


def test_class_folders_only_with_val_and_test_fractions(tmp_path):
    root = tmp_path / "flat"
    for i in range(10):
        put(root / "cats" / f"{i}.png", 10)
        put(root / "dogs" / f"{i}.png", 250)
    (root / "dogs" / "README.txt").write_text("ignored")
    (root / "dogs" / ".DS_Store").write_bytes(b"\x00")
    splits = load_image_folder(root, size=8, mode="RGB", val_fraction=0.2, test_fraction=0.2)
    assert splits.train.images.shape[1:] == (3, 8, 8)
    assert [len(splits.train), len(splits.val), len(splits.test)] == [12, 4, 4]
    assert splits.test.class_counts().tolist() == [2, 2]
    assert load_image_folder(root, val_fraction=0.0).val is None


def write_dicom(path, pixels, center, width):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    pixels = np.asarray(pixels, dtype=np.uint16)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.WindowCenter, ds.WindowWidth = center, width
    ds.PixelData = pixels.tobytes()
    ds.save_as(path, enforce_file_format=True)


def test_dicom_files_are_read(tmp_path):
    for i in range(2):
        (tmp_path / "r" / "a").mkdir(parents=True, exist_ok=True)
        (tmp_path / "r" / "b").mkdir(parents=True, exist_ok=True)
        write_dicom(tmp_path / "r" / "a" / f"{i}.dcm", [[0, 100], [200, 300]], center=150, width=300)
        put(tmp_path / "r" / "b" / f"{i}.png", 0, size=(2, 2))
    ds = load_image_folder(tmp_path / "r", size=(2, 2), val_fraction=0).train
    np.testing.assert_allclose(ds.images[ds.labels == 0][0, 0], [[0, 1 / 3], [2 / 3, 1]], atol=1e-6)


def test_one_class_is_an_error(tmp_path):
    put(tmp_path / "only" / "NORMAL" / "a.png", 1)
    with pytest.raises(DatasetError, match=r"expected at least 2 class folders in .*only, found 1: \['NORMAL'\]"):
        load_image_folder(tmp_path / "only")


def test_empty_class_and_missing_folder(tmp_path):
    put(tmp_path / "e" / "A" / "a.png", 1)
    (tmp_path / "e" / "B").mkdir()
    with pytest.raises(DatasetError, match=r"no images in class folder\(s\) \['B'\]"):
        load_image_folder(tmp_path / "e")
    with pytest.raises(DatasetError, match="got no such folder"):
        load_image_folder(tmp_path / "nowhere")
    (tmp_path / "nothing").mkdir()
    with pytest.raises(DatasetError, match="found 0"):
        load_image_folder(tmp_path / "nothing")


def test_unreadable_image_names_the_file_and_leaves_no_cache(tmp_path):
    root = kaggle_tree(tmp_path / "bad", with_val=False, with_test=False)
    (root / "train" / "PNEUMONIA" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    cache = tmp_path / "cache"
    with pytest.raises(ImageReadError, match=r"broken\.png"):
        load_image_folder(root, cache_dir=cache)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_cache_round_trip_and_invalidation(tmp_path):
    root = kaggle_tree(tmp_path / "c")
    cache = tmp_path / "cache"
    first = load_image_folder(root, cache_dir=cache, size=16)
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].suffix == ".npz"
    second = load_image_folder(root, cache_dir=cache, size=16)
    for (_, a), (_, b) in zip(first.items(), second.items()):
        np.testing.assert_array_equal(a.images, b.images)
        np.testing.assert_array_equal(a.labels, b.labels)
    put(root / "train" / "NORMAL" / "extra.png", 40)
    third = load_image_folder(root, cache_dir=cache, size=16)
    assert len(third.train) == len(first.train) + 1
    assert len(list(cache.iterdir())) == 2


def test_class_only_in_test_and_mixed_layout_errors(tmp_path):
    root = kaggle_tree(tmp_path / "m", with_val=False)
    put(root / "test" / "COVID" / "x.png", 9)
    with pytest.raises(DatasetError, match=r"\['COVID'\] appear in val/test but not in"):
        load_image_folder(root)
    put(tmp_path / "mix" / "train" / "A" / "a.png", 1)
    put(tmp_path / "mix" / "B" / "b.png", 1)
    with pytest.raises(DatasetError, match="mixes split folders"):
        load_image_folder(tmp_path / "mix")
