import numpy as np
import pytest

from ml2dl.data.dataset import DatasetError
from ml2dl.data.samples import list_samples, load_sample

NAMES = ["retina", "microaneurysms", "ihc", "cell", "shepp_logan_phantom", "ct_small", "mr_small"]


def test_list_samples_describes_every_sample():
    samples = list_samples()
    assert [s["name"] for s in samples] == NAMES
    for s in samples:
        assert s["title"] and s["modality"] and s["source"] and s["attribution"]
    samples[0]["name"] = "changed"
    assert list_samples()[0]["name"] == "retina"  # callers get copies


@pytest.mark.parametrize("name", NAMES)
def test_every_sample_loads_offline_as_2d_float(name):
    img = load_sample(name, max_size=128)
    assert img.ndim == 2 and img.dtype == np.float32
    assert max(img.shape) <= 128
    assert 0.0 <= img.min() and img.max() <= 1.0
    assert img.std() > 0.02


def test_sizes_and_references():
    import skimage.data

    retina = load_sample("retina", max_size=2000)
    np.testing.assert_allclose(retina, skimage.data.retina()[..., 1] / 255.0, atol=1e-6)  # green channel
    micro = load_sample("microaneurysms")
    assert micro.shape == (102, 102)  # never enlarged
    np.testing.assert_allclose(micro, skimage.data.microaneurysms() / 255.0, atol=1e-6)
    cell = load_sample("cell", max_size=110)
    assert cell.shape == (110, 92)  # 660 x 550 shrunk, aspect kept
    assert load_sample("CT_small.dcm").shape == (128, 128)
    assert load_sample("MR").shape == (64, 64)


def test_errors():
    with pytest.raises(DatasetError, match="unknown sample 'lena': expected one of retina, "):
        load_sample("lena")
    with pytest.raises(ValueError, match="max_size must be an int ≥ 8, got 0"):
        load_sample("cell", max_size=0)
