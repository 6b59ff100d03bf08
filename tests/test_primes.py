from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rust_arrays
from rust_arrays import reference


def test_talks_example() -> None:
    assert rust_arrays.primes(100) == reference.primes_python(100)
    assert rust_arrays.primes(10) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


def test_no_cap_at_1000() -> None:
    result = rust_arrays.primes(1500)
    assert len(result) == 1500
    assert result == reference.primes_python(1500)


@given(st.integers(-10, 5000))
def test_matches_the_numpy_sieve(count: int) -> None:
    expected = reference.primes_numpy(count)
    assert rust_arrays.primes(count) == expected.tolist()
    array = rust_arrays.primes_array(count)
    assert array.dtype == np.int64
    assert array.shape == (max(count, 0),)
    np.testing.assert_array_equal(array, expected)


def test_large_counts() -> None:
    array = rust_arrays.primes_array(10**7)
    assert array[-1] == 179_424_673  # the 10**7-th prime
    assert bool(np.all(np.diff(array) > 0))
    np.testing.assert_array_equal(array[:200_000], reference.primes_numpy(200_000))
    listed = rust_arrays.primes(10**6)
    assert len(listed) == 10**6
    assert listed[-1] == 15_485_863
    assert all(type(p) is int for p in listed[:10])


@pytest.mark.parametrize("count", [0, -1, -(10**30)])
def test_non_positive_counts_give_nothing(count: int) -> None:
    assert rust_arrays.primes(count) == []
    assert rust_arrays.primes_array(count).shape == (0,)


def test_accepts_objects_with_index() -> None:
    assert rust_arrays.primes(np.int64(5)) == [2, 3, 5, 7, 11]
    assert rust_arrays.primes_array(np.uint8(3)).tolist() == [2, 3, 5]
    assert rust_arrays.primes(nb_primes=2) == [2, 3]


@pytest.mark.parametrize("function", [rust_arrays.primes, rust_arrays.primes_array])
@pytest.mark.parametrize(
    ("value", "type_name"),
    [(True, "bool"), (np.True_, "bool"), (10.0, "float"), ("10", "str"), (None, "NoneType")],
)
def test_wrong_types_raise_type_error(function: Any, value: Any, type_name: str) -> None:
    with pytest.raises(
        TypeError,
        match=rf"{function.__name__}\(\): nb_primes must be an int, "
        rf"not {type_name}",
    ):
        function(value)


@pytest.mark.parametrize("function", [rust_arrays.primes, rust_arrays.primes_array])
@pytest.mark.parametrize("count", [10**12, 2**63 - 1, 2**63, 10**30])
def test_counts_that_cannot_fit_raise_memory_error_before_allocating(
    function: Any, count: int
) -> None:
    with pytest.raises(MemoryError, match=rf"{function.__name__}\(.*memory"):
        function(count)
