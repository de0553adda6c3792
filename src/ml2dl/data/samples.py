"""Real sample images that ship inside scikit-image and pydicom: no download needed.

Each loads offline from the installed package (scikit-image keeps these files in
``skimage/data``; pydicom keeps its test files in ``pydicom/data/test_files``).
``load_sample`` returns a float32 2-D grayscale image in [0, 1], shrunk (never
enlarged) so that its longer side is at most ``max_size``.
"""

from __future__ import annotations

import numpy as np

from ..checks import int_in_range

from .dataset import DatasetError
from .images import read_image, resize

_SAMPLES = [
    {
        "name": "retina", "title": "Fundus photograph (normal left eye)", "modality": "fundus photography",
        "source": "scikit-image skimage.data.retina()",
        "attribution": "Häggström, M. (2014), Medical gallery of Mikael Häggström, WikiJournal of Medicine 1(2); "
                       "CC0 / public domain, via Wikimedia Commons",
        "note": "green channel (the usual choice in retinal image analysis: vessels show best there)",
    },
    {
        "name": "microaneurysms", "title": "Retina with microaneurysms (detail)", "modality": "fundus photography",
        "source": "scikit-image skimage.data.microaneurysms()",
        "attribution": "High-Resolution Fundus (HRF) Image Database, image 07_dr (Budai et al., 2013); CC0",
        "note": "green channel, as published",
    },
    {
        "name": "ihc", "title": "Immunohistochemistry of colonic glands", "modality": "histology (IHC, DAB + hematoxylin)",
        "source": "scikit-image skimage.data.immunohistochemistry()",
        "attribution": "Center for Microscopy And Molecular Imaging (CMMI); no known copyright restrictions",
        "note": "luminance of the RGB image",
    },
    {
        "name": "cell", "title": "Cell floating in saline", "modality": "quantitative phase microscopy",
        "source": "scikit-image skimage.data.cell()",
        "attribution": "Müller, P. et al. (2018), Optics Express 26(8): 10729-10743; CC0",
        "note": "",
    },
    {
        "name": "shepp_logan_phantom", "title": "Shepp-Logan head phantom", "modality": "CT phantom (synthetic)",
        "source": "scikit-image skimage.data.shepp_logan_phantom()",
        "attribution": "Shepp, L. A. & Logan, B. F. (1974), IEEE Transactions on Nuclear Science 21(3): 21-43",
        "note": "",
    },
    {
        "name": "ct_small", "title": "CT slice through a thoracic vertebra", "modality": "CT (DICOM)",
        "source": "pydicom test file CT_small.dcm",
        "attribution": "pydicom test data (pydicom.data.get_testdata_file('CT_small.dcm'))",
        "note": "Hounsfield units shown through a wide window, centre 300 HU, width 1500 HU",
    },
    {
        "name": "mr_small", "title": "MR slice", "modality": "MR (DICOM)",
        "source": "pydicom test file MR_small.dcm",
        "attribution": "pydicom test data (pydicom.data.get_testdata_file('MR_small.dcm'))",
        "note": "the file's own window (centre 600, width 1600)",
    },
]
_BY_NAME = {s["name"]: s for s in _SAMPLES}
_ALIASES = {"immunohistochemistry": "ihc", "ct": "ct_small", "ct_small.dcm": "ct_small", "mr": "mr_small",
            "mr_small.dcm": "mr_small", "shepp_logan": "shepp_logan_phantom"}


def list_samples() -> list[dict]:
    """One dict per sample: name, title, modality, source, attribution, note (copies)."""
    return [dict(s) for s in _SAMPLES]


def _raw(name: str) -> np.ndarray:
    """The sample as a float32 2-D array in [0, 1], full size."""
    if name in ("ct_small", "mr_small"):
        from pydicom.data import get_testdata_file

        path = get_testdata_file("CT_small.dcm" if name == "ct_small" else "MR_small.dcm")
        if path is None:
            raise DatasetError(f"pydicom's test file for sample {name!r} is not installed")
        return read_image(path, window=(300.0, 1500.0) if name == "ct_small" else None)

    import skimage.data

    loader = {"ihc": "immunohistochemistry"}.get(name, name)
    image = getattr(skimage.data, loader)()
    if image.ndim == 3:
        rgb = image[..., :3].astype(np.float32) / 255.0
        image = rgb[..., 1] if name == "retina" else rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    elif image.dtype == np.uint8:
        image = image.astype(np.float32) / 255.0
    image = np.asarray(image, dtype=np.float32)
    lo, hi = float(image.min()), float(image.max())
    if lo < 0.0 or hi > 1.0:  # float phantoms: map their range to [0, 1]
        image = (image - lo) / (hi - lo)
    return image


def load_sample(name: str, *, max_size: int = 512) -> np.ndarray:
    """A bundled sample as float32 (H, W) in [0, 1], longer side ≤ ``max_size``.

    Example:
        >>> img = load_sample("retina", max_size=256)
        >>> img.shape, img.dtype.name
        ((256, 256), 'float32')
    """
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    if key not in _BY_NAME:
        raise DatasetError(f"unknown sample {name!r}: expected one of {', '.join(_BY_NAME)}")
    int_in_range("max_size", max_size, 8)
    image = _raw(key)
    h, w = image.shape
    if max(h, w) > max_size:
        f = max_size / max(h, w)
        image = resize(image, (max(1, round(h * f)), max(1, round(w * f))))
    return np.clip(image, 0.0, 1.0).astype(np.float32)
