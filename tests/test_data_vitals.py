"""The synthetic vital signs: deterministic, balanced, generated as the docstring says."""

import numpy as np
import pytest

from ml2dl.checks import InputError
from ml2dl.data import vitals


def test_deterministic_balanced_and_shaped():
    a, b = vitals.make_patients(101, seed=3), vitals.make_patients(101, seed=3)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert a["values"].shape == (101, 24, 3) and a["labels"].sum() == 50
    assert not np.array_equal(a["values"], vitals.make_patients(101, seed=4)["values"])
    on = a["onset"][a["labels"] == 1]
    assert on.min() >= 8 and on.max() <= 16 and np.all(a["onset"][a["labels"] == 0] == 0)
    v = a["values"]
    assert v[..., 2].max() <= 100 and v[..., 0].min() >= 30
    np.testing.assert_array_equal(np.round(v, 1), v)


def test_the_drift_is_as_documented():
    """Stable patients: hour 24 minus hours 1–4 averages 0; deteriorating: ramp × per-hour drift."""
    d = vitals.make_patients(4000, seed=0)
    change = d["values"][:, -1] - d["values"][:, :4].mean(axis=1)
    stable = change[d["labels"] == 0].mean(axis=0)
    np.testing.assert_allclose(stable[:2], 0, atol=0.3)
    ill = d["labels"] == 1
    hours_of_drift = 24 - d["onset"][ill] + 1  # onset ≥ 8: hours 1–4 have none
    expected = (hours_of_drift[:, None] * vitals.DRIFT).mean(axis=0)
    np.testing.assert_allclose(change[ill][:, :2].mean(axis=0), expected[:2], atol=0.3)
    assert change[ill][:, 2].mean() < -2  # SpO₂ falls (a little clipping at 100 %)


def test_standardise_uses_the_fixed_population_scale():
    x = np.array([[[78.0, 16.0, 97.0], [98.0, 21.0, 94.5]]])
    np.testing.assert_allclose(vitals.standardise(x), [[[0, 0, 0], [1, 1, -1]]])
    assert vitals.standardise(x).dtype == np.float32


def test_bad_arguments():
    with pytest.raises(InputError, match="n"):
        vitals.make_patients(1)
    with pytest.raises(InputError, match="seed"):
        vitals.make_patients(10, seed=-1)
