"""Synthetic chest radiographs: the embedded default data set (no download needed).

Each image is a frontal (PA) chest film drawn from analytic shapes, so it costs
nothing to ship and works offline. Conventions of a real film: the patient's right
is on the image's left, so the heart shadow bulges to the image's right, and the
right hemidiaphragm (image left) sits a little higher (the liver under it).

Anatomy, brightest = densest:
    thorax soft tissue, two dark lung fields (narrow apex, wide base, darker
    laterally, brighter at the hila), heart shadow, upper mediastinum with the
    dark trachea, spine with vertebrae, curved posterior ribs and the clavicles,
    diaphragm domes with the bright abdomen below, vessel markings fanning out
    from the hila.

Pneumonia = one to four patchy consolidations: soft, irregular bright blobs
(a Gaussian shaped by low-frequency noise) inside one or both lung fields.

Variation, for both classes alike: shift, rotation, scale, lung and heart size,
rib spacing, diaphragm height, brightness, contrast, gamma, an exposure
gradient, noise — and confounders that raise brightness without disease
(prominent vessel markings, mottled lung texture, soft-tissue / breast
shadows over the lower zones, a shallow inspiration). So the mean brightness
alone is a poor classifier (0.52–0.57 accuracy on balanced classes, measured)
while the images stay learnable (a logistic regression on the raw 28×28 pixels
gets about 0.86 on held-out films; a CNN should do better).

Sub-types (``subtypes=True``): abnormal films show one of four kinds of opacity instead — lobar,
multifocal, nodule, effusion (:mod:`.phantom_kinds`) — labelled 1 … 4; ``binary_labels`` maps
them back to normal / abnormal. Without it, every film and label is what it always was.

The same seed gives the same film with and without consolidation
(``phantom_image(np.random.default_rng(s), size, pneumonia=...)``), which makes
"before / after" pictures for teaching.

Images are float32 in [0, 1], shape (n, 1, size, size), like every loader here.
Sizes below 56 px are drawn at 2× (or more) and averaged down, which keeps
ribs and edges free of aliasing.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ..checks import InputError, fraction, int_in_range

from .dataset import ImageDataset, Splits
from .phantom_kinds import KINDS, SUBTYPE_NAMES, binary_labels, render_kinds, sample_kinds

CLASS_NAMES = ("normal", "pneumonia")
SOURCE = "ml2dl synthetic chest phantom (generated, not patient data)"
_CHUNK_PIXELS = 200_000  # pixels drawn at once: small arrays stay in cache (measured fastest)
_MAX_BLOBS = 4


def _smoothstep(z, edge):
    """0 for z ≤ −edge, 1 for z ≥ edge, a smooth cubic in between (cheap soft step)."""
    s = z * np.float32(0.5 / edge)
    s += 0.5
    np.clip(s, 0.0, 1.0, out=s)
    t = s * -2.0
    t += 3.0
    s *= s
    s *= t
    return s


def _col(a):
    """(n,) → (n, 1, 1) so per-image parameters broadcast over the pixel grid."""
    return np.asarray(a, dtype=np.float32)[:, None, None]


def _lowfreq_noise(rng, n, res, cells=7):
    """Smooth random fields in [0, 1], (n, res, res): a cells×cells grid, bilinearly upsampled."""
    small = rng.uniform(0.0, 1.0, size=(n, cells, cells)).astype(np.float32)
    pos = np.linspace(0.0, cells - 1.0, res)
    lo = np.minimum(np.floor(pos).astype(int), cells - 2)
    w = (pos - lo).astype(np.float32)
    interp = np.zeros((res, cells), dtype=np.float32)  # row i mixes grid points lo[i], lo[i] + 1
    interp[np.arange(res), lo] = 1.0 - w
    interp[np.arange(res), lo + 1] = w
    return interp @ small @ interp.T


def _sample_params(rng, pneumonia):
    """Per-image random parameters, each an (n,) array (blobs: (n, _MAX_BLOBS))."""
    n = len(pneumonia)
    u = lambda lo, hi, shape=n: rng.uniform(lo, hi, size=shape)  # noqa: E731
    p = {
        # pose
        "shift_x": u(-0.06, 0.06), "shift_y": u(-0.06, 0.06),
        "angle": np.deg2rad(u(-5.0, 5.0)), "scale": u(0.92, 1.08),
        # anatomy
        "body_w": u(0.88, 1.06), "soft": u(0.50, 0.60),
        "lung_cx": u(0.42, 0.48), "lung_cy": u(0.20, 0.30),
        "lung_ax": u(0.34, 0.42), "lung_ay": u(0.95, 1.10),
        "lung_asym": u(-0.05, 0.05), "lung_dark": u(0.30, 0.42),
        "med_w": u(0.11, 0.16),
        "dome_r": u(0.40, 0.56), "dome_drop": u(0.0, 0.08), "dome_h": u(0.10, 0.20),
        "heart_x": u(0.12, 0.20), "heart_rise": u(0.14, 0.22),
        "heart_ax": u(0.36, 0.46), "heart_ay": u(0.24, 0.31), "heart_tilt": u(0.2, 0.45),
        "rib_sp": u(0.15, 0.19), "rib_ph": u(0.0, 1.0), "rib_str": u(0.06, 0.12),
        "vessel_str": u(0.02, 0.08), "vessel_k": rng.integers(7, 12, size=n).astype(np.float32),
        "vessel_ph": u(0.0, 2 * np.pi, (n, 2)), "vessel_bend": u(-1.5, 1.5, (n, 2)),
        "mottle": u(0.0, 0.12),
        # soft-tissue (breast) shadow over the lower zones, in about half of the films
        "breast": u(0.0, 0.14) * (rng.uniform(size=n) < 0.5),
        # exposure
        "gain": u(0.82, 1.2), "offset": rng.normal(0.0, 0.05, size=n),
        "gamma": u(0.85, 1.18), "grad": rng.normal(0.0, 0.04, size=n), "noise": u(0.005, 0.02),
    }
    # Consolidations: 1..4 blobs per pneumonia film, each in a random lung, lower zones favoured.
    count = rng.integers(1, _MAX_BLOBS + 1, size=n)
    active = (np.arange(_MAX_BLOBS)[None, :] < count[:, None]) & pneumonia[:, None]
    side = rng.choice([-1.0, 1.0], size=(n, _MAX_BLOBS))
    p["blob_on"] = active.astype(np.float32)
    p["blob_x"] = side * u(0.25, 0.62, (n, _MAX_BLOBS))
    p["blob_y"] = -0.35 + 0.8 * np.sqrt(u(0.0, 1.0, (n, _MAX_BLOBS)))
    p["blob_sx"] = u(0.09, 0.24, (n, _MAX_BLOBS))
    p["blob_sy"] = u(0.09, 0.26, (n, _MAX_BLOBS))
    p["blob_amp"] = u(0.2, 0.4, (n, _MAX_BLOBS))
    return p


def _render(rng, p, res):
    """Draw the films described by ``p`` on a res × res grid → float32 (n, res, res) in [0, 1]."""
    n = len(p["scale"])
    edge = max(0.02, 1.2 / res)
    # Pixel centres in [-1, 1]; u to the image's right, v downwards.
    axis = ((np.arange(res, dtype=np.float32) + 0.5) / res) * 2.0 - 1.0
    u, v = axis[None, None, :], axis[None, :, None]
    # Anatomical coordinates (x, y): undo the film's shift, rotation and scale.
    c, s, k = _col(np.cos(p["angle"])), _col(np.sin(p["angle"])), _col(1.0 / p["scale"])
    du, dv = u - _col(p["shift_x"]), v - _col(p["shift_y"])
    x = (c * du + s * dv) * k
    y = (-s * du + c * dv) * k
    ax_ = np.abs(x)

    body = _smoothstep(_col(p["body_w"]) - ax_, 2 * edge)
    att = body * _col(p["soft"])

    # Lung fields: a tall ellipse per side, centred low so the apex is narrow and the base wide,
    # sheared so the apex leans towards the midline; cut by the mediastinum, the heart and the dome.
    side = np.where(x < 0, -1.0, 1.0).astype(np.float32)
    asym = 1.0 + side * _col(p["lung_asym"])
    cy, ay = _col(p["lung_cy"]), _col(p["lung_ay"]) * asym
    t = ax_ - _col(p["lung_cx"]) + 0.10 * (cy - y) / ay
    r = np.sqrt((t / (_col(p["lung_ax"]) * asym)) ** 2 + ((y - cy) / ay) ** 2)
    dome_top = _col(p["dome_r"]) + (side > 0) * _col(p["dome_drop"])
    dome = dome_top + _col(p["dome_h"]) * ((ax_ - 0.45) / 0.4) ** 2
    # The heart sits on the patient's left dome (image right): its centre is `heart_rise` above it.
    hx = _col(p["heart_x"])
    hy = _col(p["dome_r"] + p["dome_drop"] - p["heart_rise"])
    # Heart: an ellipse whose long axis runs down towards the image's right (the apex).
    ct, st = _col(np.cos(p["heart_tilt"])), _col(np.sin(p["heart_tilt"]))
    hu, hv = ct * (x - hx) + st * (y - hy), -st * (x - hx) + ct * (y - hy)
    heart = _smoothstep(
        1.0 - np.sqrt((hu / _col(p["heart_ax"])) ** 2 + (hv / _col(p["heart_ay"])) ** 2), 2 * edge
    )
    lung = (
        _smoothstep(1.0 - r, 2 * edge)
        * _smoothstep(ax_ - _col(p["med_w"]), edge)
        * _smoothstep(dome - y, edge)
        * (1.0 - heart)
    )
    hilum = np.exp(-((ax_ - 0.2) ** 2) / 0.02 - y**2 / 0.06)
    lateral = np.clip((ax_ - 0.15) / 0.6, 0.0, 1.0)
    att -= lung * _col(p["lung_dark"]) * (0.8 + 0.3 * lateral - 0.35 * hilum)

    # Vessel markings: streaks fanning out from each hilum, broken up and fading to the periphery.
    hdx, hdy = ax_ - 0.17, y  # hila at (±0.17, 0)
    rad = np.sqrt(hdx**2 + hdy**2)
    left = side > 0
    ph = np.where(left, _col(p["vessel_ph"][:, 1]), _col(p["vessel_ph"][:, 0]))
    bend = np.where(left, _col(p["vessel_bend"][:, 1]), _col(p["vessel_bend"][:, 0]))
    fan = 0.5 + 0.5 * np.cos(_col(p["vessel_k"]) * np.arctan2(hdy, hdx) + ph + bend * rad)
    breakup = _lowfreq_noise(rng, n, res, cells=12)
    vessels = fan**3 * np.exp(-rad / 0.3) * (hdx > -0.02) * breakup**2
    att += vessels * lung * _col(p["vessel_str"]) * 1.5

    # Mottled texture (both classes) and soft-tissue shadows over the lower zones.
    mottle = _lowfreq_noise(rng, n, res, cells=9)
    att += lung * _col(p["mottle"]) * (mottle - 0.3)
    breast = np.exp(-((ax_ - 0.5) ** 2) / 0.09 - ((y - 0.42) ** 2) / 0.05)
    att += breast * body * _col(p["breast"])

    # Mediastinum, trachea, spine with vertebrae.
    above_domes = _smoothstep(dome_top + 0.05 - y, 0.08)
    att += _smoothstep(_col(p["med_w"]) + 0.02 - ax_, 2 * edge) * above_domes * 0.05
    att -= _smoothstep(0.04 - ax_, edge) * _smoothstep(-0.3 - y, 0.08) * 0.06
    vertebrae = 0.6 + 0.4 * np.cos(2 * np.pi * y / 0.13) ** 2
    att += _smoothstep(0.075 - ax_, edge) * vertebrae * (0.02 + 0.04 * above_domes)

    # Posterior ribs: arcs concave downwards, rising from the spine then falling laterally.
    rib_y = y - (-0.2 * ax_ + 0.9 * ax_**2)
    rib_phase = np.maximum(rib_y + 1.2, 0.0) ** 0.8 / _col(p["rib_sp"]) + _col(p["rib_ph"])  # wider apart lower down
    ribs = (0.5 + 0.5 * np.cos(2 * np.pi * rib_phase)) ** 3
    thorax = _smoothstep(dome + 0.1 - y, 0.05) * _smoothstep(y + 0.92, 0.05) * _smoothstep(ax_ - 0.06, edge)
    att += ribs * thorax * body * _col(p["rib_str"]) * (0.4 + 0.6 * lung)
    # Clavicles: from the sternum, rising slightly towards the shoulders.
    clavicle = np.exp(-(((y - (-0.66 - 0.16 * ax_ + 0.1 * ax_**2)) / 0.045) ** 2))
    att += clavicle * _smoothstep(0.8 - ax_, 0.08) * _smoothstep(ax_ - 0.1, 0.04) * 0.1

    # Pneumonia: patchy consolidations, shaped by a low-frequency field, kept inside the lungs.
    # (The patch field is drawn for every film, so a seed gives the same film with and without disease.)
    patch = _lowfreq_noise(rng, n, res, cells=6)
    if p["blob_on"].any():
        cons = np.zeros_like(att)
        for b in range(_MAX_BLOBS):
            g = np.exp(
                -(((x - _col(p["blob_x"][:, b])) / _col(p["blob_sx"][:, b])) ** 2)
                - (((y - _col(p["blob_y"][:, b])) / _col(p["blob_sy"][:, b])) ** 2)
            )
            cons += g * _col(p["blob_amp"][:, b] * p["blob_on"][:, b])
        lung_soft = _smoothstep(1.05 - r, 0.1) * _smoothstep(dome + 0.03 - y, 0.05) * (1.0 - 0.7 * heart)
        att += np.minimum(cons, 0.45) * (0.35 + 1.1 * patch) * lung_soft
    if "kind" in p:  # sub-types asked for: lobar, nodule, effusion (multifocal is drawn as blobs above)
        att += render_kinds(p, x=x, y=y, r=r, dome=dome, heart=heart, lung=lung, patch=patch, edge=edge,
                            smoothstep=_smoothstep, col=_col)

    # Exposure: contrast, brightness, top-to-bottom gradient, gamma, quantum noise.
    img = 0.42 + _col(p["gain"]) * (att - 0.42) + _col(p["offset"]) + _col(p["grad"]) * v
    img = np.clip(img, 0.0, 1.0) ** _col(p["gamma"])
    img += rng.standard_normal(img.shape, dtype=np.float32) * _col(p["noise"])
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def _supersampling(size):
    """Films are drawn at ``size · factor`` ≥ 56 px, then box-averaged down to ``size``."""
    return max(1, int(np.ceil(56 / size)))


def _draw(rng, pneumonia, size, kind=None):
    """Films of the given labels: binary (``pneumonia`` (n,) bool) or, with ``kind`` (n,) in 0 … 4,
    sub-types (see :mod:`.phantom_kinds`; the extra draws happen only then)."""
    factor = _supersampling(size)
    params = _sample_params(rng, pneumonia)
    if kind is not None:
        sample_kinds(rng, kind, params)
    img = _render(rng, params, size * factor)
    if factor > 1:
        img = img.reshape(len(img), size, factor, size, factor).mean(axis=(2, 4))
    return img


def phantom_image(rng: np.random.Generator, size: int = 28, pneumonia: bool = False,
                  kind: str | None = None) -> np.ndarray:
    """One synthetic chest film, float32 (size, size) in [0, 1].

    Args:
        rng: the generator that draws every random choice, or its seed (see :func:`ml2dl.checks.rng`).
        size: side in pixels, 8 … 512 (28, 64, 128 and 224 are the usual ones).
        pneumonia: draw consolidations in the lungs.
        kind: a sub-type film instead (see :mod:`.phantom_kinds`): ``"normal"``, ``"lobar"``,
            ``"multifocal"``, ``"nodule"`` or ``"effusion"``. The same seed gives the same
            patient with every kind.
    """
    size = int_in_range("size", size, 8, 512)
    if kind is None:
        return _draw(checks.rng(rng), np.array([bool(pneumonia)]), size)[0]
    if pneumonia:
        raise InputError(f"give pneumonia=True or a kind, not both; got kind {kind!r} with pneumonia=True")
    k = SUBTYPE_NAMES.index(checks.choice("kind", kind, SUBTYPE_NAMES))
    return _draw(checks.rng(rng), np.array([False]), size, kind=np.array([k]))[0]


def make_phantom_dataset(n: int, size: int = 28, pneumonia_fraction: float = 0.5, seed: int = 0,
                         subtypes: bool = False):
    """``n`` synthetic chest films and their labels.

    Args:
        n: number of images (≥ 1).
        size: side in pixels, 8 … 512.
        pneumonia_fraction: share of pneumonia (abnormal) films; exactly ``round(n · fraction)`` of them.
        seed: everything is a pure function of the arguments.
        subtypes: label the abnormal films with their kind (:data:`SUBTYPE_NAMES`: 1 lobar,
            2 multifocal, 3 nodule, 4 effusion; as equal in number as ``n`` allows) instead of 1.
            ``binary_labels(labels)`` gives the normal / abnormal labels back. Without it, the
            films and labels are exactly those of earlier versions.

    Returns:
        ``images`` float32 (n, 1, size, size) in [0, 1]; ``labels`` int64 (n,),
        0 = normal, 1 = pneumonia (or 1 … 4, the kind), in shuffled order.

    Example:
        >>> images, labels = make_phantom_dataset(4, size=28, seed=0)
        >>> images.shape, images.dtype.name, labels.tolist()
        ((4, 1, 28, 28), 'float32', [1, 0, 0, 1])
    """
    n = int_in_range("n", n, 1)
    size = int_in_range("size", size, 8, 512)
    fraction("pneumonia_fraction", pneumonia_fraction, inclusive_high=True)
    if not isinstance(subtypes, bool):
        raise InputError(f"subtypes must be True or False, got {subtypes!r}")
    rng = checks.rng(seed, "seed")
    n_pos = int(round(n * pneumonia_fraction))
    labels = rng.permutation(np.r_[np.zeros(n - n_pos, np.int64), np.ones(n_pos, np.int64)])
    if subtypes:  # drawn after the binary labels, so the normal / abnormal split is the binary one
        labels[labels == 1] = rng.permutation(np.arange(n_pos) % len(KINDS)) + 1
    images = np.empty((n, 1, size, size), dtype=np.float32)
    chunk = max(1, _CHUNK_PIXELS // (size * _supersampling(size)) ** 2)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        part = labels[start:stop]
        if subtypes:
            images[start:stop, 0] = _draw(rng, np.zeros(len(part), bool), size, kind=part)
        else:
            images[start:stop, 0] = _draw(rng, part.astype(bool), size)
    return images, labels


def phantom_dataset(n: int, size: int = 28, pneumonia_fraction: float = 0.5, seed: int = 0,
                    subtypes: bool = False) -> ImageDataset:
    """`make_phantom_dataset` wrapped in an `ImageDataset` (synthetic=True; multi-class with ``subtypes``)."""
    images, labels = make_phantom_dataset(n, size, pneumonia_fraction, seed, subtypes)
    return ImageDataset(
        images, labels, SUBTYPE_NAMES if subtypes else CLASS_NAMES, source=SOURCE, synthetic=True,
        task="multi-class" if subtypes else "binary-class", meta={"seed": seed, "size": size},
    )


def phantom_splits(
    n_train: int = 2000, n_val: int = 500, n_test: int = 500, *, size: int = 28,
    pneumonia_fraction: float = 0.5, seed: int = 0, subtypes: bool = False,
) -> Splits:
    """Train / val / test phantom sets from three independent random streams of ``seed``.

    The streams are ``default_rng((seed, 0))``, ``((seed, 1))`` and ``((seed, 2))``, so the
    splits never share an image, whatever the seed. ``subtypes``: see :func:`make_phantom_dataset`.

    ``n_val`` or ``n_test`` of 0 leaves that split as None.
    """
    sets = []
    for i, count in enumerate((n_train, n_val, n_test)):
        sets.append(phantom_dataset(count, size, pneumonia_fraction, (seed, i), subtypes) if count else None)
    if sets[0] is None:
        raise InputError(f"n_train must be ≥ 1, got {n_train!r}")
    return Splits(*sets)


__all__ = ["CLASS_NAMES", "KINDS", "SOURCE", "SUBTYPE_NAMES", "binary_labels", "make_phantom_dataset",
           "phantom_dataset", "phantom_image", "phantom_splits"]
