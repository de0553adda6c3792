import numpy as np
import pytest

from ml2dl.data.augment import Augment, affine_transform


@pytest.fixture
def batch():
    return np.random.default_rng(0).uniform(size=(5, 2, 9, 9)).astype(np.float32)


def test_identity_parameters_return_the_input(batch):
    aug = Augment(rotation=0, scale=(1, 1), translate=0, hflip=False, brightness=0, contrast=0)
    out = aug(batch, rng=0)
    np.testing.assert_array_equal(out, batch)
    assert out is not batch
    np.testing.assert_array_equal(affine_transform(batch), batch)


def test_rotation_by_90_degrees_is_rot90(batch):
    np.testing.assert_allclose(affine_transform(batch, rotation=90), np.rot90(batch, 1, axes=(2, 3)), atol=1e-6)
    np.testing.assert_allclose(affine_transform(batch, rotation=-90), np.rot90(batch, -1, axes=(2, 3)), atol=1e-6)
    np.testing.assert_allclose(affine_transform(batch, rotation=180), batch[:, :, ::-1, ::-1], atol=1e-6)


def test_whole_pixel_translation_is_a_shift_with_edges_replicated(batch):
    out = affine_transform(batch, translate=(2, -1))  # right by 2, up by 1
    padded = np.pad(batch, ((0, 0), (0, 0), (1, 1), (2, 2)), mode="edge")
    expected = padded[:, :, 2:, :-4]  # rows: take r + 1, cols: take c - 2
    np.testing.assert_array_equal(out, expected)


def test_per_image_parameters_and_half_pixel_bilinear():
    img = np.zeros((2, 1, 3, 4), np.float32)
    img[:, 0, :, 1] = 1.0
    out = affine_transform(img, translate=np.array([[0.5, 0.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out[0, 0, 0], [0.0, 0.5, 0.5, 0.0])  # halfway between columns
    np.testing.assert_array_equal(out[1], img[1])


def test_scale_two_about_the_centre_matches_a_hand_value():
    img = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    out = affine_transform(img, scale=2.0)
    # output (r, c) samples input (2 + (r - 2) / 2, 2 + (c - 2) / 2); (0, 0) → (1, 1) = 6
    assert out[0, 0, 0, 0] == pytest.approx(6.0)
    assert out[0, 0, 2, 2] == pytest.approx(12.0)
    assert out[0, 0, 1, 1] == pytest.approx((6 + 7 + 11 + 12) / 4)


def test_seeded_determinism_and_variation(batch):
    aug = Augment()
    a, b = aug(batch, rng=3), aug(batch, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, aug(batch, rng=4))
    assert a.shape == batch.shape and a.dtype == batch.dtype
    assert a.min() >= 0 and a.max() <= 1


def test_intensity_jitter_formula():
    x = np.random.default_rng(1).uniform(0.3, 0.7, size=(4, 1, 6, 6)).astype(np.float32)
    aug = Augment(rotation=0, scale=(1, 1), translate=0, brightness=0.1, contrast=0.2)
    out = aug(x, rng=7)
    rng = np.random.default_rng(7)
    c = rng.uniform(0.8, 1.2, size=(4, 1, 1, 1))
    b = rng.uniform(-0.1, 0.1, size=(4, 1, 1, 1))
    m = x.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, np.clip((x - m) * c + m + b, 0, 1), atol=1e-6)


def test_hflip_is_off_by_default_and_flips_when_on(batch):
    flips = Augment(rotation=0, scale=(1, 1), translate=0, hflip=True, brightness=0, contrast=0)(batch, rng=0)
    flipped = [np.array_equal(f, b[:, :, ::-1]) for f, b in zip(flips, batch)]
    same = [np.array_equal(f, b) for f, b in zip(flips, batch)]
    assert all(f or s for f, s in zip(flipped, same)) and any(flipped)
    assert Augment().hflip is False


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(rotation=-1), "rotation must be a number in \\[0, inf\\), got -1"),
        (dict(scale=(1.2, 0.8)), "scale must satisfy 0 < low ≤ high"),
        (dict(translate=1.5), "translate must be a number in \\[0, 1\\), got 1.5"),
        (dict(contrast=1.0), "contrast must be a number in \\[0, 1\\), got 1.0"),
    ],
)
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Augment(**kwargs)


def test_batch_errors():
    with pytest.raises(ValueError, match=r"batch must be \(N, C, H, W\), got shape \(28, 28\)"):
        Augment()(np.zeros((28, 28), np.float32), rng=0)
    with pytest.raises(TypeError, match="batch must hold floats in \\[0, 1\\], got dtype uint8"):
        Augment()(np.zeros((1, 1, 4, 4), np.uint8), rng=0)
    with pytest.raises(ValueError, match=r"rotation must be a scalar or one per image \(2,\), got shape \(3,\)"):
        affine_transform(np.zeros((2, 1, 4, 4)), rotation=[1, 2, 3])


def test_repr_shows_non_defaults():
    assert repr(Augment()) == "Augment()"
    assert repr(Augment(rotation=5, hflip=True)) == "Augment(rotation=5.0, hflip=True)"
