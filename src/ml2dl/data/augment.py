"""Seeded data augmentation for float image batches (N, C, H, W) in [0, 1].

Geometry: a random affine map about the image centre (rotation, scale,
translation), sampled bilinearly, all images of the batch at once (one gather
per corner: no Python loop over images). Pixels that come from outside the
image take the nearest edge value ("replicate"), not black: black wedges in the
corners would be an artificial cue a network could learn.

Intensity: per image, contrast then brightness,
    x' = clip((x − mean(x)) · c + mean(x) + b, 0, 1),
    c ~ U(1 − contrast, 1 + contrast), b ~ U(−brightness, brightness).

Horizontal flips are off by default: a chest film is not left–right symmetric
(the heart lies to the patient's left, the image's right; the right
hemidiaphragm sits higher; films carry an L/R marker). A flipped film shows
anatomy no patient has (dextrocardia aside) and teaches the network to ignore
laterality. Turn ``hflip`` on only for images without a handedness (cells,
histology, some dermatology).
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ..checks import InputError, fraction, number_in_range, positive_number


def _per_image(value, n, name, shape=()):
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape == shape:
        return np.broadcast_to(arr, (n, *shape))
    if arr.shape == (n, *shape):
        return arr
    raise InputError(f"{name} must be a scalar{' pair' if shape else ''} or one per image {(n, *shape)}, got shape {arr.shape}")


def _check_batch(batch) -> np.ndarray:
    batch = np.asarray(batch)
    if batch.ndim != 4:
        raise InputError(f"batch must be (N, C, H, W), got shape {batch.shape}")
    if not np.issubdtype(batch.dtype, np.floating):
        raise TypeError(f"batch must hold floats in [0, 1], got dtype {batch.dtype}")
    return batch


def affine_transform(batch, *, rotation=0.0, scale=1.0, translate=(0.0, 0.0)) -> np.ndarray:
    """Rotate, scale and shift each image about its centre, with bilinear sampling.

    Args:
        batch: (N, C, H, W) floats.
        rotation: degrees, counter-clockwise as displayed (row 0 at the top);
            a scalar or (N,). 90 gives exactly ``np.rot90`` on square images.
        scale: > 1 enlarges the content; a scalar or (N,).
        translate: (dx, dy) in pixels, content moves right / down; (2,) or (N, 2).

    Returns:
        (N, C, H, W) of the batch's dtype. Output pixel p takes the input at
        centre + R(−θ)(p − centre − t) / s, edges replicated beyond the border.
    """
    batch = _check_batch(batch)
    n, c, h, w = batch.shape
    theta = np.deg2rad(_per_image(rotation, n, "rotation"))[:, None, None]
    s = _per_image(scale, n, "scale")[:, None, None]
    if np.any(s <= 0):
        raise InputError(f"scale must be > 0, got min {float(s.min())}")
    t = _per_image(translate, n, "translate", (2,))
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    rows = np.arange(h, dtype=np.float64)[None, :, None]
    cols = np.arange(w, dtype=np.float64)[None, None, :]
    x = (cols - cx - t[:, 0, None, None]) / s
    y = (rows - cy - t[:, 1, None, None]) / s
    cos, sin = np.cos(theta), np.sin(theta)
    # Snap values within 1e-9 of a whole pixel, so 90° turns and whole-pixel shifts are exact.
    src_x = cx + cos * x - sin * y
    src_y = cy + sin * x + cos * y
    src_x = np.where(np.abs(src_x - np.round(src_x)) < 1e-9, np.round(src_x), src_x)
    src_y = np.where(np.abs(src_y - np.round(src_y)) < 1e-9, np.round(src_y), src_y)
    return _bilinear(batch, src_y, src_x)


def _bilinear(batch, src_y, src_x):
    """Sample (N, C, H, W) at float positions (N, H, W), replicating edges."""
    n, c, h, w = batch.shape
    src_y = np.clip(src_y, 0.0, h - 1.0)
    src_x = np.clip(src_x, 0.0, w - 1.0)
    y0 = np.minimum(np.floor(src_y).astype(np.int64), max(h - 2, 0))
    x0 = np.minimum(np.floor(src_x).astype(np.int64), max(w - 2, 0))
    wy = (src_y - y0).astype(batch.dtype)[:, None].reshape(n, 1, -1)
    wx = (src_x - x0).astype(batch.dtype)[:, None].reshape(n, 1, -1)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    flat = batch.reshape(n, c, h * w)

    def at(yy, xx):
        return np.take_along_axis(flat, (yy * w + xx).reshape(n, 1, -1), axis=2)

    top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
    bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
    return (top * (1 - wy) + bottom * wy).reshape(n, c, h, w)


class Augment:
    """Random affine + intensity jitter, reproducible from a seed.

    Args:
        rotation: maximum angle in degrees; each image gets U(−rotation, rotation).
        scale: (low, high) zoom range.
        translate: maximum shift as a fraction of the width / height.
        hflip: flip half of the images left–right (off for chest films: see the module docstring).
        brightness: maximum additive brightness change.
        contrast: maximum relative contrast change.

    Example:
        >>> aug = Augment(rotation=10, translate=0.1)
        >>> out = aug(np.zeros((64, 1, 28, 28), np.float32), rng=0)
        >>> out.shape
        (64, 1, 28, 28)
    """

    def __init__(self, rotation=10.0, scale=(0.9, 1.1), translate=0.1, hflip=False, brightness=0.1, contrast=0.1):
        self.rotation = number_in_range("rotation", rotation, 0.0)  # degrees
        if not isinstance(scale, (tuple, list)) or len(scale) != 2:
            raise InputError(f"scale must be a (low, high) pair, got {scale!r}")
        lo, hi = positive_number("scale[0]", scale[0]), positive_number("scale[1]", scale[1])
        if lo > hi:
            raise InputError(f"scale must satisfy 0 < low ≤ high, got {scale!r}")
        self.scale = (lo, hi)
        self.translate = fraction("translate", translate)
        self.hflip = bool(hflip)
        self.brightness = fraction("brightness", brightness, inclusive_high=True)
        self.contrast = fraction("contrast", contrast)

    def __call__(self, batch, rng) -> np.ndarray:
        """Augmented copy of ``batch`` (N, C, H, W); ``rng``: a Generator or an int seed."""
        batch = _check_batch(batch)
        rng = checks.rng(rng)
        n, _, h, w = batch.shape
        out = batch.copy()
        if self.hflip:
            flip = rng.uniform(size=n) < 0.5
            out[flip] = out[flip, :, :, ::-1]
        if self.rotation > 0 or self.scale != (1.0, 1.0) or self.translate > 0:
            out = affine_transform(
                out,
                rotation=rng.uniform(-self.rotation, self.rotation, size=n),
                scale=rng.uniform(*self.scale, size=n),
                translate=rng.uniform(-self.translate, self.translate, size=(n, 2)) * np.array([w, h]),
            )
        if self.brightness > 0 or self.contrast > 0:
            c = rng.uniform(1 - self.contrast, 1 + self.contrast, size=(n, 1, 1, 1)).astype(out.dtype)
            b = rng.uniform(-self.brightness, self.brightness, size=(n, 1, 1, 1)).astype(out.dtype)
            mean = out.mean(axis=(1, 2, 3), keepdims=True)
            out = np.clip((out - mean) * c + mean + b, 0.0, 1.0)
        return out

    def __repr__(self) -> str:
        defaults = Augment.__init__.__defaults__
        names = ("rotation", "scale", "translate", "hflip", "brightness", "contrast")
        parts = [f"{k}={getattr(self, k)!r}" for k, d in zip(names, defaults) if getattr(self, k) != d]
        return f"Augment({', '.join(parts)})"
