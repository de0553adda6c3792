"""Step ``data`` — data as numbers: what a network is given.

- a structured row: a patient as a feature vector, x = (height, weight, age) = (193, 224, 27),
  shape (3,) — the lecture's row, units as the lecture leaves them;
- a grey image: a grid of 0–255 grey levels (0 black, 255 white), shape H × W; the lecture
  zooms into an 18 × 18 crop until the numbers show. The chest images are the server's (a
  MedMNIST ``.npz`` given with ``ml2dl serve --data``, else synthetic phantoms), the others
  ship with scikit-image and pydicom (``ml2dl.data.samples``);
- a colour photograph: three such grids, red, green and blue, shape H × W × 3 (scikit-image's
  fundus photograph ``retina``, 1411 × 1411 × 3, shown shrunk);
- text: words as vectors (``ml2dl.lessons.words``).

Every function returns a JSON-ready dict; grey levels are ints 0–255.
"""

from __future__ import annotations

import functools

import numpy as np

from ml2dl.checks import InputError, choice, int_in_range
from ml2dl.data.images import resize, to_uint8
from ml2dl.data.samples import list_samples, load_sample

from .images import CLASS_NAMES, ChestData

ROW = (("height", 193), ("weight", 224), ("age", 27))
SAMPLES = ("ct_small", "mr_small", "shepp_logan_phantom")  # grey samples offered beside the chest images
SOURCES = ("chest",) + SAMPLES
SAMPLE_SIZE = 96  # the samples' longer side, in pixels, on the page
LECTURE_CROP = 18
MAX_CROP = 32
MIN_CROP = 2
COLOUR_SIZE = 96
CHANNELS = ("red", "green", "blue")


def row() -> dict:
    """The lecture's structured row as a feature vector."""
    return {"features": [{"name": n, "value": v} for n, v in ROW], "vector": [v for _, v in ROW],
            "shape": [len(ROW)]}


def _grey(source: str, index: int, data: ChestData | None) -> tuple[np.ndarray, dict]:
    if source == "chest":
        if data is None:
            raise InputError("the chest images are not available on this server")
        n = len(data.val_images)
        index = min(int_in_range("index", index, 0, 100_000), n - 1)  # a link made on a larger set: the last
        label = int(data.val_labels[index])
        return to_uint8(data.val_images[index, 0]), {
            "title": f"Chest image {index} of the held-out set ({CLASS_NAMES[label]})", "synthetic": data.synthetic,
            "source": data.source, "index": index, "count": n, "label_name": CLASS_NAMES[label]}
    meta = next(s for s in list_samples() if s["name"] == source)
    return _sample(source), {"title": meta["title"], "synthetic": "synthetic" in meta["modality"],
                             "source": f"{meta['source']} — {meta['attribution']}", "index": 0, "count": 1,
                             "label_name": None}


@functools.lru_cache(maxsize=len(SAMPLES))
def _sample(name: str) -> np.ndarray:
    image = to_uint8(load_sample(name, max_size=SAMPLE_SIZE))
    image.setflags(write=False)
    return image


def pixels(source: str = "chest", index: int = 0, row: int | None = None, col: int | None = None,
           size: int = LECTURE_CROP, *, data: ChestData | None = None) -> dict:
    """A grey image as its grid of 0–255 values, and a ``size`` × ``size`` crop at (``row``, ``col``).

    The crop's top-left corner is clamped into the image (None: centred). Returns the whole
    grid (``image``, H rows of W ints), its shape, the crop's values and their min, max, mean.
    """
    source = choice("source", source, SOURCES)
    image, meta = _grey(source, index, data)
    h, w = image.shape
    size = int_in_range("size", size, MIN_CROP, MAX_CROP)
    size = min(size, h, w)
    r = (h - size) // 2 if row is None else min(max(int_in_range("row", row, 0, 100_000), 0), h - size)
    c = (w - size) // 2 if col is None else min(max(int_in_range("col", col, 0, 100_000), 0), w - size)
    crop = image[r:r + size, c:c + size]
    return {**meta, "source_name": source, "height": h, "width": w, "shape": [h, w], "numbers": int(h * w), "image": image.tolist(),
            "crop": {"row": r, "col": c, "size": size, "numbers": int(size * size), "values": crop.tolist(), "min": int(crop.min()),
                     "max": int(crop.max()), "mean": round(float(crop.mean()), 1)},
            "lecture_crop": LECTURE_CROP, "min_crop": MIN_CROP, "max_crop": min(MAX_CROP, h, w)}


@functools.lru_cache(maxsize=1)
def _retina() -> tuple[np.ndarray, np.ndarray]:
    import skimage.data

    full = skimage.data.retina()[..., :3]  # uint8 (1411, 1411, 3)
    small = to_uint8(resize(full.astype(np.float32) / 255.0, (COLOUR_SIZE, COLOUR_SIZE)))
    return full, small


@functools.lru_cache(maxsize=1)
def _colour() -> dict:
    return colour_uncached()


def colour() -> dict:
    """:func:`colour_uncached`, computed once per process (a copy of the outer dict)."""
    return dict(_colour())


def colour_uncached() -> dict:
    """The fundus photograph as three grids (red, green, blue), shrunk to ``COLOUR_SIZE`` pixels.

    ``real_shape`` is the photograph's own (H, W, 3); ``channels`` hold the shown grids; the
    ``means`` are over the whole real photograph.
    """
    full, small = _retina()
    meta = next(s for s in list_samples() if s["name"] == "retina")
    h, w, c = full.shape
    return {"title": meta["title"], "source": f"{meta['source']} — {meta['attribution']}",
            "real_shape": [h, w, c], "real_numbers": int(h * w * c), "shown_shape": list(small.shape),
            "channels": [{"name": n, "values": small[..., i].tolist(), "mean": round(float(full[..., i].mean()), 1)}
                         for i, n in enumerate(CHANNELS)],
            "pixel_example": {"row": h // 2, "col": w // 2, "rgb": [int(v) for v in full[h // 2, w // 2]]}}
