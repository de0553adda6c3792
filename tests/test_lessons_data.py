"""lessons.data and lessons.words: every figure against a brute-force or library reference."""

import numpy as np
import pytest

from ml2dl.checks import InputError
from ml2dl.data.images import to_uint8
from ml2dl.lessons import data, words
from ml2dl.lessons.images import load_chest_data


@pytest.fixture(scope="module")
def chest():
    return load_chest_data(None, n_train=16, n_val=16, seed=0)


def test_row_is_the_lectures_vector():
    r = data.row()
    assert r["vector"] == [193, 224, 27] and r["shape"] == [3]


def test_pixels_grid_and_crop(chest):
    r = data.pixels("chest", 3, 2, 4, 18, data=chest)
    grid = np.array(r["image"])
    assert grid.shape == (28, 28) and r["numbers"] == 784
    assert np.array_equal(grid, np.rint(chest.val_images[3, 0].astype(np.float64) * 255).astype(int))
    crop = np.array(r["crop"]["values"])
    assert crop.shape == (18, 18) and np.array_equal(crop, grid[2:20, 4:22]) and r["crop"]["numbers"] == 324
    assert (r["crop"]["min"], r["crop"]["max"]) == (crop.min(), crop.max())
    assert r["crop"]["mean"] == pytest.approx(crop.mean(), abs=0.05)
    assert r["synthetic"] is True
    # clamped into the image; centred without a corner
    r = data.pixels("chest", 0, 100, 100, 18, data=chest)
    assert (r["crop"]["row"], r["crop"]["col"]) == (10, 10)
    r = data.pixels("chest", 0, None, None, 6, data=chest)
    assert (r["crop"]["row"], r["crop"]["col"]) == (11, 11)
    assert data.pixels("chest", 999, data=chest)["index"] == 15  # the last image of a smaller set
    with pytest.raises(InputError, match="size"):
        data.pixels("chest", 0, size=1, data=chest)


def test_a_bundled_sample():
    r = data.pixels("ct_small", size=9)
    assert max(r["height"], r["width"]) == data.SAMPLE_SIZE
    assert all(0 <= v <= 255 for line in r["image"] for v in line)
    assert r["crop"]["size"] == 9


def test_colour_photograph_is_three_grids():
    import skimage.data

    full = skimage.data.retina()
    r = data.colour()
    assert r["real_shape"] == list(full.shape) == [1411, 1411, 3]
    assert r["real_numbers"] == full.size
    assert [c["name"] for c in r["channels"]] == ["red", "green", "blue"]
    for i, c in enumerate(r["channels"]):
        assert np.array(c["values"]).shape == (96, 96)
        assert c["mean"] == pytest.approx(full[..., i].mean(), abs=0.05)
    assert r["pixel_example"]["rgb"] == full[705, 705].tolist()


def test_neighbours_are_the_brute_force_cosine_top_k():
    e = words.embedding()
    vecs, vocab = e["vectors"], e["vocab"]
    for word in ("doctors", "nutrition", "disease", "scan", "treatment"):
        i = vocab.index(word)
        sims = []
        for j, v in enumerate(vecs):  # cos(a, b) = a·b / (|a| |b|), one pair at a time
            if j != i:
                a, b = vecs[i], v
                sims.append((sum(x * y for x, y in zip(a, b)) / (sum(x * x for x in a) ** 0.5 * sum(y * y for y in b) ** 0.5), vocab[j]))
        sims.sort(key=lambda t: -t[0])
        got = words.neighbours(word, 5)["neighbours"]
        assert [n["word"] for n in got] == [w for _, w in sims[:5]]
        assert [n["cosine"] for n in got] == pytest.approx([s for s, _ in sims[:5]], abs=1e-4)


def test_related_words_come_out_near():
    # what the measured embedding gives (PPMI + SVD of the CC0 corpus; deterministic)
    top = lambda w, k=1: [n["word"] for n in words.neighbours(w, k)["neighbours"]]
    assert top("doctors") == ["nurses"]
    assert top("disease") == ["illness"]
    assert top("x-ray") == ["radiologist"]
    assert "diet" in top("nutrition", 2)
    assert "image" in top("scan", 3)
    assert "bacteria" in top("infection", 2)
    # and unrelated pairs are far apart
    unit = {w: v for w, v in zip(words.embedding()["vocab"], words.embedding()["unit"])}
    assert float(unit["doctors"] @ unit["vitamins"]) < 0.3


def test_words_picture_and_how():
    r = words.words()
    assert set(r["featured"]) == set(words.FEATURED)
    assert r["how"]["vocabulary"] == len(r["words"]) and r["how"]["dimensions"] == 16
    assert r["how"]["licence"].startswith("CC0")
    assert words.embedding() is words.embedding()  # computed once
    with pytest.raises(InputError, match="vocabulary"):
        words.neighbours("zzz")
