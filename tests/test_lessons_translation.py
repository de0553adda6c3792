"""Step 5's moved-image test and its findings: shifts against SciPy, equivariance, the brightness rule by brute force."""

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from ml2dl import nn
from ml2dl.lessons import images, translation

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pneumoniamnist_trainval.npz"


def test_shift_image_is_scipy_shift_with_the_edge_repeated():
    x = np.random.default_rng(0).normal(size=(9, 11))
    for dy, dx in ((0, 0), (2, -1), (-3, 4), (1, 1)):
        ref = ndimage.shift(x, (dy, dx), order=0, mode="nearest")
        assert np.array_equal(translation.shift_image(x, dy, dx), ref)


def test_offsets_lie_on_the_ring_of_k_and_images_move_by_them():
    off = translation.random_offsets(200, 3)
    assert (np.abs(off).max(axis=1) == 3).all() and len({tuple(o) for o in off}) > 10
    assert (translation.random_offsets(5, 0) == 0).all()
    x = np.random.default_rng(1).normal(size=(4, 1, 8, 8))
    moved = translation.shifted(x, 2)
    for img, m, (dy, dx) in zip(x, moved, translation.random_offsets(4, 2)):
        assert np.array_equal(m, translation.shift_image(img, dy, dx))


def test_a_convolution_is_equivariant_its_map_moves_with_the_image():
    conv = nn.Conv2d(1, 4, 3, padding=1, rng=np.random.default_rng(0))
    image = np.random.default_rng(2).normal(size=(1, 20, 20))
    assert translation.equivariance_gap(conv, image, 2, -3) < 1e-5
    # ...whereas a dense layer's output is not a moved copy: the same image moved scores differently
    dense = nn.Sequential(nn.Flatten(), nn.Linear(400, 1, rng=np.random.default_rng(0)))
    a, b = dense(image[None]), dense(translation.shift_image(image, 2, -3)[None])
    assert abs(float((a - b).ravel()[0])) > 1e-3


def test_brightness_rule_is_the_best_threshold_by_brute_force():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    x = (rng.normal(size=(60, 1, 4, 4)) + 0.8 * y[:, None, None, None]).astype(np.float32)
    yv = rng.integers(0, 2, 40)
    xv = (rng.normal(size=(40, 1, 4, 4)) + 0.8 * yv[:, None, None, None]).astype(np.float32)
    got = translation.brightness_rule(x, y, xv, yv)
    means = x.reshape(60, -1).mean(axis=1)
    best = max(((np.mean((means > t) == (y == 1)), t) for t in np.concatenate([means, [means.min() - 1]])))
    assert got["pneumonia_when"] == "brighter"
    assert np.mean((means > got["threshold"]) == (y == 1)) == pytest.approx(best[0])
    mv = xv.reshape(40, -1).mean(axis=1)
    assert got["percent"] == pytest.approx(round(100 * np.mean((mv > got["threshold"]) == (yv == 1)), 1))


def test_findings_follow_the_numbers():
    f = translation.shuffle_findings(95.8, 95.8, 96.0, 95.6, 90.0, 73.8)
    assert f["fc"].startswith("Exactly the same accuracy")
    assert "cost it only 0.4 points" in f["cnn"] and "destroy" not in f["cnn"]
    assert "0.2 points behind" in f["cnn"] and "90.0 %" in f["cnn"]
    f = translation.shuffle_findings(80.0, 80.0, 92.0, 71.0, 52.0, 50.0)
    assert "cost it 21 points" in f["cnn"] and "grey level" not in f["cnn"] and "behind" in f["cnn"]
    curves = {"fc": [{"shift": k, "percent": p} for k, p in zip(range(5), [95.8, 93.2, 84.8, 76.4, 73.4])],
              "cnn": [{"shift": k, "percent": p} for k, p in zip(range(5), [96.0, 95.6, 86.8, 77.2, 74.8])]}
    s = translation.shift_findings(curves, 73.8)
    assert "loses more than 2 points already at 1 pixel" in s["fc"] and "95.8 % to 73.4 %" in s["fc"]
    assert "up to a shift of 1 pixel;" in s["cnn"] and "majority" in s["cnn"]
    assert s["comparison"].startswith("Moved by 1 pixel, the CNN loses 0.4 points, the fully-connected network 2.6:")
    curves["cnn"][1]["percent"] = 90.0
    assert translation.shift_findings(curves, 73.8)["comparison"] == (
        "Moved by 1 pixel, the CNN loses 6 points, the fully-connected network 2.6.")


@pytest.mark.slow
@pytest.mark.skipif(not DATA.is_file(), reason=f"needs {DATA}")
def test_on_real_xrays_the_page_says_what_was_measured():
    data = images.load_chest_data(DATA, n_train=600, n_val=300)
    res = images.run_shuffle_experiment(data, images.Budget(n_train=600, n_val=300, epochs=3))
    s, f = res["summary"], res["findings"]
    assert s["fc"]["change_points"] == 0 and f["shuffle"]["fc"].startswith("Exactly the same")
    change = s["cnn"]["change_points"]
    if change <= -translation.SMALL_POINTS:
        assert f"cost it {abs(change):g} point" in f["shuffle"]["cnn"]
    else:
        assert "destroy" not in f["shuffle"]["cnn"] and "survives" in f["shuffle"]["cnn"]
    curves = res["translation"]["curves"]
    for m in ("fc", "cnn"):
        first, last = curves[m][0]["percent"], curves[m][-1]["percent"]
        assert f"{first:.1f} % to {last:.1f} %" in f["shift"][m] or f"still scores {last:.1f} %" in f["shift"][m]
    assert "PneumoniaMNIST" in res["source"] and "/" not in res["source"].split("file ")[-1]  # a name, not a path
