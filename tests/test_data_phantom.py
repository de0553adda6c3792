import numpy as np
import pytest

from ml2dl.data.phantom import (
    CLASS_NAMES, make_phantom_dataset, phantom_dataset, phantom_image, phantom_splits,
)

sklearn_lm = pytest.importorskip("sklearn.linear_model")


@pytest.fixture(scope="module")
def films28():
    return make_phantom_dataset(2000, size=28, seed=0)


@pytest.mark.parametrize("size, n", [(28, 10), (64, 6), (128, 3), (224, 2)])
def test_shape_dtype_range_at_every_size(size, n):
    images, labels = make_phantom_dataset(n, size=size, seed=1)
    assert images.shape == (n, 1, size, size) and images.dtype == np.float32
    assert labels.shape == (n,) and labels.dtype == np.int64
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert 0.15 < images.mean() < 0.85  # neither black nor white
    assert images.std() > 0.05


def test_deterministic_from_seed_and_exact_class_count():
    a = make_phantom_dataset(21, size=28, pneumonia_fraction=0.3, seed=4)
    b = make_phantom_dataset(21, size=28, pneumonia_fraction=0.3, seed=4)
    c = make_phantom_dataset(21, size=28, pneumonia_fraction=0.3, seed=5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert int(a[1].sum()) == round(21 * 0.3) == 6
    assert make_phantom_dataset(5, pneumonia_fraction=0.0)[1].sum() == 0
    assert make_phantom_dataset(5, pneumonia_fraction=1.0)[1].sum() == 5


def test_phantom_image_uses_the_given_generator():
    a = phantom_image(np.random.default_rng(3), size=64, pneumonia=True)
    b = phantom_image(np.random.default_rng(3), size=64, pneumonia=True)
    rng = np.random.default_rng(3)
    first, second = phantom_image(rng, 64), phantom_image(rng, 64)
    assert a.shape == (64, 64) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert not np.array_equal(first, second)


def test_anatomy_lungs_dark_heart_to_the_image_right():
    images, labels = make_phantom_dataset(200, size=64, pneumonia_fraction=0.0, seed=2)
    mean = images[:, 0].mean(axis=0)
    lung_right_patient = mean[16:36, 10:22].mean()  # image left, mid zone
    lung_left_patient = mean[16:36, 42:54].mean()
    mediastinum = mean[10:36, 29:35].mean()
    abdomen = mean[58:64, 10:54].mean()
    assert mediastinum > lung_right_patient + 0.15 and mediastinum > lung_left_patient + 0.15
    assert abdomen > lung_right_patient + 0.15
    # The heart fills the lower zone right of centre more than left of centre.
    heart_side, other_side = mean[38:48, 36:44].mean(), mean[38:48, 20:28].mean()
    assert heart_side > other_side + 0.05


def test_same_seed_gives_the_same_film_with_and_without_consolidation():
    diffs = []
    for seed in range(30):
        normal = phantom_image(np.random.default_rng(seed), 64, pneumonia=False)
        sick = phantom_image(np.random.default_rng(seed), 64, pneumonia=True)
        diffs.append(sick - normal)
    diffs = np.array(diffs)
    assert diffs.min() > -1e-6  # consolidation only ever adds density
    d = diffs.mean(axis=0)
    lungs = (d[12:44, 8:24].mean() + d[12:44, 40:56].mean()) / 2
    assert lungs > 0.02
    assert np.abs(d[:, :2]).mean() < 0.002  # next to nothing at the image edge
    assert np.abs(d[60:, 26:38]).max() < 0.01  # nor in the abdomen below the domes


def test_mean_brightness_alone_is_a_poor_classifier(films28):
    images, labels = films28
    mean = images.reshape(len(images), -1).mean(axis=1, keepdims=True)
    clf = sklearn_lm.LogisticRegression().fit(mean[:1500], labels[:1500])
    assert clf.score(mean[1500:], labels[1500:]) < 0.75  # measured 0.52


def test_images_are_learnable_from_raw_pixels(films28):
    images, labels = films28
    X = images.reshape(len(images), -1)
    clf = sklearn_lm.LogisticRegression(C=0.1, tol=1e-3, max_iter=300).fit(X[:1500], labels[:1500])
    assert clf.score(X[1500:], labels[1500:]) > 0.8  # measured 0.86


def test_splits_are_distinct_datasets():
    splits = phantom_splits(40, 10, 10, size=28, seed=0)
    assert [name for name, _ in splits.items()] == ["train", "val", "test"]
    assert splits.train.synthetic and splits.train.class_names == CLASS_NAMES
    assert splits.test.task == "binary-class"
    flat = lambda ds: {img.tobytes() for img in ds.images}  # noqa: E731
    assert not flat(splits.train) & flat(splits.test)
    assert not flat(splits.train) & flat(splits.val)
    again = phantom_splits(40, 10, 10, size=28, seed=0)
    assert np.array_equal(again.val.images, splits.val.images)
    assert phantom_splits(5, 0, 0).val is None
    assert phantom_dataset(3).images.shape == (3, 1, 28, 28)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n=0), "n must be an int ≥ 1, got 0"),
        (dict(n=2, size=4), "size must be an int in \\[8, 512\\], got 4"),
        (dict(n=2, pneumonia_fraction=1.5), "pneumonia_fraction must be a number in \\[0, 1\\], got 1.5"),
    ],
)
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_phantom_dataset(**kwargs)


def test_phantom_image_takes_a_generator_or_its_seed():
    np.testing.assert_array_equal(phantom_image(7, 28), phantom_image(np.random.default_rng(7), 28))
    with pytest.raises(ValueError, match="rng must be a non-negative int, got -1"):
        phantom_image(-1, 28)
