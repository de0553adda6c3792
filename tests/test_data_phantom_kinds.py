"""Sub-types of abnormality on the phantom films (the Esteva case's fine-grained classes)."""

import numpy as np
import pytest

from ml2dl.checks import InputError
from ml2dl.data.phantom import (
    CLASS_NAMES, KINDS, SUBTYPE_NAMES, binary_labels, make_phantom_dataset, phantom_dataset, phantom_image,
    phantom_splits,
)


def test_binary_films_are_those_of_earlier_versions():
    # Recorded before sub-types existed (labels exactly; pixels to float32 rounding across platforms).
    images, labels = make_phantom_dataset(12, size=28, seed=3)
    assert labels.tolist() == [1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1]
    np.testing.assert_allclose(images.sum(axis=(1, 2, 3))[:4], [340.8812, 387.5634, 372.7985, 417.9675], atol=2e-3)
    np.testing.assert_allclose(images[5, 0, 14, 7:12], [0.180742, 0.213797, 0.286870, 0.361777, 0.499547], atol=1e-5)
    again, _ = make_phantom_dataset(12, size=28, seed=3, subtypes=False)
    assert np.array_equal(again, images)


def test_subtype_labels_split_the_abnormal_films_evenly_and_map_back_to_binary():
    binary_images, binary = make_phantom_dataset(43, size=28, pneumonia_fraction=0.6, seed=9)
    images, labels = make_phantom_dataset(43, size=28, pneumonia_fraction=0.6, seed=9, subtypes=True)
    assert labels.dtype == np.int64 and set(labels.tolist()) <= set(range(5))
    # the normal / abnormal split is the binary one, film for film; only the pictures differ
    assert np.array_equal(binary_labels(labels), binary)
    assert not np.array_equal(images, binary_images)
    counts = np.bincount(labels, minlength=5)
    assert counts[0] == 43 - 26 and counts[1:].sum() == 26 == round(43 * 0.6)
    assert sorted(counts[1:].tolist()) == [6, 6, 7, 7]  # 26 kinds as even as they go
    assert binary_labels([0, 1, 2, 3, 4, 0]).tolist() == [0, 1, 1, 1, 1, 0]
    again = make_phantom_dataset(43, size=28, pneumonia_fraction=0.6, seed=9, subtypes=True)
    assert np.array_equal(again[0], images) and np.array_equal(again[1], labels)


def test_subtype_datasets_are_multi_class():
    ds = phantom_dataset(10, subtypes=True)
    assert ds.class_names == SUBTYPE_NAMES == ("normal", "lobar", "multifocal", "nodule", "effusion")
    assert ds.task == "multi-class" and ds.n_classes == 5 and ds.synthetic
    assert phantom_dataset(10).class_names == CLASS_NAMES
    splits = phantom_splits(20, 8, 8, seed=1, subtypes=True)
    assert {s.task for _, s in splits.items()} == {"multi-class"}
    assert not {i.tobytes() for i in splits.train.images} & {i.tobytes() for i in splits.test.images}


def _lesion_statistics(kind, seeds=range(40), size=64):
    """Per film: the lesion alone (the same patient with the kind minus without), then its share of the
    film's pixels, the height of its centre (0 top, 1 bottom), how one-sided it is (1: all on one side),
    and its darkest change (a lesion only adds density)."""
    rows = []
    for s in seeds:
        d = phantom_image(s, size, kind=kind) - phantom_image(s, size, kind="normal")
        mass = np.clip(d, 0, None)
        total = mass.sum()
        centre = (mass * np.arange(size)[:, None]).sum() / total / size
        one_sided = abs(mass[:, : size // 2].sum() - mass[:, size // 2:].sum()) / total
        rows.append((np.mean(d > 0.05), centre, one_sided, d.min()))
    return np.array(rows)


def test_the_four_kinds_look_different():
    stats = {k: _lesion_statistics(k) for k in KINDS}
    area, centre, one_sided, lowest = (lambda k, i=i: stats[k][:, i] for i in range(4))
    for k in KINDS:
        assert lowest(k).min() > -1e-5  # the lesion only adds density to the same film
        assert area(k).min() > 0.005  # and is visible on every film
    # multifocal: the only kind on both lungs; the others keep to one side
    assert np.mean(one_sided("multifocal") < 0.6) >= 0.9  # measured 40 of 40
    for k in ("lobar", "nodule", "effusion"):
        assert one_sided(k).min() > 0.99
    # nodule: the smallest, on every film (measured at most 1.7% of the film; the others at least 2.7%)
    assert area("nodule").max() < min(area(k).min() for k in ("lobar", "multifocal", "effusion"))
    # lobar: the largest on average (measured 8.7% of the film; effusion 5.4%, multifocal 4.3%)
    assert area("lobar").mean() > max(area(k).mean() for k in ("multifocal", "nodule", "effusion")) + 0.02
    # effusion: at the base (centre measured at 0.66 of the height against 0.44–0.49 for the others)
    assert centre("effusion").min() > 0.55
    assert centre("effusion").mean() > max(centre(k).mean() for k in ("lobar", "multifocal", "nodule")) + 0.1


def test_phantom_image_kind_arguments():
    a = phantom_image(4, 28, kind="nodule")
    assert a.shape == (28, 28) and a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
    assert np.array_equal(a, phantom_image(np.random.default_rng(4), 28, kind="nodule"))
    with pytest.raises(InputError, match="kind must be one of"):
        phantom_image(0, 28, kind="tumour")
    with pytest.raises(InputError, match="not both"):
        phantom_image(0, 28, pneumonia=True, kind="lobar")
    with pytest.raises(InputError, match="subtypes must be True or False, got 'yes'"):
        make_phantom_dataset(4, subtypes="yes")
