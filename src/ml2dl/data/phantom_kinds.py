"""Kinds of abnormality on the synthetic chest films: the fine-grained classes of the Esteva case.

Esteva et al. (Nature 2017) trained on 757 fine-grained skin diseases and answered "malignant?"
by summing the probabilities of the malignant ones. The phantoms' analogue: an abnormal film
shows one of four kinds of opacity, each drawn so that it reads differently on a 28 × 28 film:

    lobar        one lobe filled: dense, homogeneous, sharply cut by a fissure (upper or lower
                 zone of one lung)
    multifocal   three or four small soft patches scattered over both lungs
    nodule       one small round dense spot with a sharp edge
    effusion     fluid at the base of one lung: bright, hiding the diaphragm dome and the
                 costophrenic angle, its upper edge a meniscus rising laterally

Everything here is drawn only when sub-types are asked for (``subtypes=True`` in
:mod:`ml2dl.data.phantom`); the binary films keep every random draw they had. The lesion
parameters are drawn for every film, whatever its kind, so one seed gives the same patient
with each kind (and without any): "before / after" pictures per kind.

Coordinates are the film's anatomical ones of :func:`ml2dl.data.phantom._render`: x to the
image's right, y downwards, both about [-1, 1]; every array is (n, res, res) or broadcasts to it.
"""

from __future__ import annotations

import numpy as np

SUBTYPE_NAMES = ("normal", "lobar", "multifocal", "nodule", "effusion")
KINDS = SUBTYPE_NAMES[1:]
LOBAR, MULTIFOCAL, NODULE, EFFUSION = 1, 2, 3, 4
_MULTIFOCAL_BLOBS = 4


def binary_labels(labels) -> np.ndarray:
    """Sub-type labels (0 = normal, 1 … 4 a kind of abnormality) → 0 normal / 1 abnormal, int64."""
    return (np.asarray(labels) > 0).astype(np.int64)


def sample_kinds(rng: np.random.Generator, kind: np.ndarray, p: dict) -> None:
    """Add the lesions' random parameters to ``p`` (each (n,) or (n, blobs)); ``kind`` (n,) in 0 … 4.

    Multifocal films reuse the phantom's consolidation blobs (``blob_*``), made smaller and
    more numerous; the other kinds get their own parameters. The draws do not depend on
    ``kind``, so a seed draws the same patient whatever the kind.
    """
    n = len(kind)
    u = lambda lo, hi, shape=n: rng.uniform(lo, hi, size=shape)  # noqa: E731
    count = rng.integers(3, _MULTIFOCAL_BLOBS + 1, size=n)
    blobs = np.arange(_MULTIFOCAL_BLOBS)[None, :] < count[:, None]
    side = np.where(np.arange(_MULTIFOCAL_BLOBS) % 2 == 0, -1.0, 1.0)[None, :] * rng.choice([-1.0, 1.0], size=(n, 1))
    p["blob_on"] = (blobs & (kind == MULTIFOCAL)[:, None]).astype(np.float32)  # both lungs, alternately
    p["blob_x"] = side * u(0.25, 0.6, (n, _MULTIFOCAL_BLOBS))
    p["blob_y"] = u(-0.45, 0.3, (n, _MULTIFOCAL_BLOBS))
    p["blob_sx"] = u(0.07, 0.12, (n, _MULTIFOCAL_BLOBS))
    p["blob_sy"] = u(0.07, 0.12, (n, _MULTIFOCAL_BLOBS))
    p["blob_amp"] = u(0.35, 0.5, (n, _MULTIFOCAL_BLOBS))
    p.update({
        "kind": np.asarray(kind, dtype=np.int64),
        "lesion_side": rng.choice([-1.0, 1.0], size=n),
        # lobar: a fissure at height `lobe_y` (tilted by `lobe_tilt`), the lower or the upper zone filled
        # to `lobe_fill` of soft-tissue density
        "lobe_lower": (rng.uniform(size=n) < 0.6).astype(np.float32),
        "lobe_y": u(-0.15, 0.05), "lobe_tilt": u(-0.2, 0.2), "lobe_fill": u(0.5, 0.7),
        # nodule: centre, radius, density
        "nod_x": u(0.3, 0.55), "nod_y": u(-0.4, 0.15), "nod_r": u(0.10, 0.14), "nod_amp": u(0.4, 0.55),
        # effusion: fluid level at the medial side, meniscus rise at the lateral wall, share of the air replaced
        "eff_y": u(0.2, 0.35), "eff_rise": u(0.12, 0.25), "eff_fill": u(0.9, 1.0),
    })


def render_kinds(p: dict, *, x, y, r, dome, heart, lung, patch, edge: float, smoothstep, col) -> np.ndarray:
    """Density the lobar, nodule and effusion lesions add, (n, res, res) (multifocal: the blobs).

    ``r`` is the lung ellipse's radius (< 1 inside), ``dome`` the diaphragm's height, ``heart``
    and ``lung`` the masks of :func:`~ml2dl.data.phantom._render`, ``patch`` a low-frequency
    field in [0, 1] that keeps the opacities from looking flat.
    """
    kind = p["kind"]
    if not np.any((kind == LOBAR) | (kind == NODULE) | (kind == EFFUSION)):
        return np.zeros_like(r)
    ax_ = np.abs(x)
    on = lambda k: col(kind == k)  # noqa: E731
    this_side = smoothstep(col(p["lesion_side"]) * x, edge)
    lung_soft = smoothstep(1.05 - r, 0.1) * smoothstep(dome + 0.03 - y, 0.05) * (1.0 - 0.7 * heart)

    # How dark the lung is at each point: an opacity of fill f takes back f of it (f = 1: soft tissue).
    hilum = np.exp(-((ax_ - 0.2) ** 2) / 0.02 - y**2 / 0.06)
    air = lung * col(p["lung_dark"]) * (0.8 + 0.3 * np.clip((ax_ - 0.15) / 0.6, 0.0, 1.0) - 0.35 * hilum)

    # lobar: the lung on one side, above or below a fissure, filled in part, unevenly
    fissure = col(p["lobe_y"]) + col(p["lobe_tilt"]) * ax_
    lower = col(p["lobe_lower"])
    lobe = lower * smoothstep(y - fissure, edge) + (1.0 - lower) * smoothstep(fissure - y, edge)
    add = on(LOBAR) * col(p["lobe_fill"]) * (0.7 + 0.6 * patch) * air * this_side * lobe

    # nodule: a small disc with a sharp edge
    d = np.sqrt((x - col(p["lesion_side"] * p["nod_x"])) ** 2 + (y - col(p["nod_y"])) ** 2)
    add += on(NODULE) * col(p["nod_amp"]) * smoothstep(col(p["nod_r"]) - d, edge) * lung_soft

    # effusion: fluid below a meniscus at the base of one lung, as dense as soft tissue, so the
    # diaphragm dome and the costophrenic angle under it disappear
    level = col(p["eff_y"]) - col(p["eff_rise"]) * np.clip((ax_ - 0.15) / 0.55, 0.0, 1.0)
    add += on(EFFUSION) * col(p["eff_fill"]) * smoothstep(y - level, 2 * edge) * air * this_side
    return add
