"""ml2dl.checks: the one home for argument checks and random generators."""

import numpy as np
import pytest

from ml2dl import checks
from ml2dl.checks import InputError


def test_int_in_range_with_and_without_an_upper_bound():
    assert checks.int_in_range("size", np.int64(8), 8, 512) == 8
    with pytest.raises(InputError, match=r"size must be an int in \[8, 512\], got 4"):
        checks.int_in_range("size", 4, 8, 512)
    assert checks.int_in_range("max_size", 10_000, 8) == 10_000
    with pytest.raises(InputError, match="max_size must be an int ≥ 8, got 0"):
        checks.int_in_range("max_size", 0, 8)
    with pytest.raises(InputError, match="n must be an int ≥ 1, got True"):
        checks.int_in_range("n", True, 1)


@pytest.mark.parametrize("seed", [0, 7, np.int64(7), (7, 1), [7, 2]])
def test_rng_gives_numpys_generator_for_the_same_seed(seed):
    expected = np.random.default_rng(list(seed) if isinstance(seed, (tuple, list)) else int(seed)).random(4)
    np.testing.assert_array_equal(checks.rng(seed).random(4), expected)


def test_rng_passes_a_generator_through_and_refuses_bad_seeds():
    g = np.random.default_rng(0)
    assert checks.rng(g) is g
    assert isinstance(checks.rng(None), np.random.Generator)
    with pytest.raises(InputError, match="seed must be a non-negative int, got -1"):
        checks.rng(-1, "seed")
    with pytest.raises(InputError, match=r"seed\[1\] must be a non-negative int, got 'a'"):
        checks.rng((1, "a"), "seed")
    with pytest.raises(InputError, match="rng must be a non-negative int, got 1.5"):
        checks.rng(1.5)
