from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rust_arrays
from rust_arrays import _core, reference
from strategies import FLOAT_DTYPES, REAL_DTYPES, real_arrays


def test_talks_example() -> None:
    assert rust_arrays.do_something(np.arange(5.0), np.arange(30.0)) == 1916
    assert rust_arrays.do_something(np.arange(5, dtype=np.float32), np.arange(30.0)) == 1916
    assert rust_arrays.do_something(list(range(5)), list(range(30))) == 1916


def test_returns_a_python_int() -> None:
    assert type(rust_arrays.do_something([20.0], [0.0])) is int


@given(real_arrays(), real_arrays())
def test_equals_the_talks_numpy_version_for_any_dtypes(a: Any, b: Any) -> None:
    assert rust_arrays.do_something(a, b) == reference.do_something_numpy(a, b)


@given(
    real_arrays(FLOAT_DTYPES, max_dims=1, max_side=40),
    real_arrays(FLOAT_DTYPES, max_dims=1, max_side=40),
)
def test_equals_the_talks_numpy_version_for_float_dtypes(a: Any, b: Any) -> None:
    assert rust_arrays.do_something(a, b) == reference.do_something_numpy(a, b)


@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20),
)
def test_equals_pure_python_loops_on_float64(a: list[float], b: list[float]) -> None:
    assert rust_arrays.do_something(a, b) == reference.do_something_python(a, b)


@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=str)
def test_every_dtype_on_random_data(dtype: np.dtype[Any]) -> None:
    rng = np.random.default_rng(7)
    if dtype.kind == "f":
        a, b = ((rng.random(n) * 100).astype(dtype) for n in (300, 301))
    else:
        a, b = (rng.integers(0, 120, size=n).astype(dtype) for n in (300, 301))
    assert rust_arrays.do_something(a, b) == reference.do_something_numpy(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_larger_random_inputs_match_numpy_in_blocks(dtype: type) -> None:
    rng = np.random.default_rng(2024)
    a = (rng.random(1500) * 100).astype(dtype)
    b = (rng.random(2500) * 100).astype(dtype)
    expected = reference.do_something_numpy_blocks(a, b)
    assert expected == reference.do_something_numpy(a[:300], b) + reference.do_something_numpy(
        a[300:], b
    )
    assert rust_arrays.do_something(a, b) == expected


def test_float32_ties_are_common_and_rounded_to_even() -> None:
    # x.5 roots: 10.5 -> 10 (not counted), 11.5 -> 12, 12.5 -> 12.
    a = np.array([10.5, 11.5, 12.5], dtype=np.float32)
    assert rust_arrays.do_something(a, np.zeros(1, np.float32)) == 24


def test_the_talks_rust_slide_skips_pairs_and_is_not_the_spec() -> None:
    a = np.array([20.0, 0.0])
    b = np.array([0.0, 20.0])
    # The slide skipped pairs with a_i > b_j and would count only one of the two 20s.
    assert rust_arrays.do_something(a, b) == reference.do_something_numpy(a, b) == 20 + 20 + 28


def test_sum_wraps_like_numpy_int64() -> None:
    a = np.full(5, 2.0**62)
    assert rust_arrays.do_something(a, [0.0]) == reference.do_something_numpy(a, [0.0])
    assert rust_arrays.do_something(a, [0.0]) == (5 * 2**62 + 2**63) % 2**64 - 2**63


def test_nan_inf_and_overflowing_squares_count_as_zero() -> None:
    a = np.array([np.nan, np.inf, -np.inf, 1e200, 1e19, 20.0])
    assert rust_arrays.do_something(a, [0.0]) == reference.do_something_numpy(a, [0.0]) == 20


def test_integer_squares_wrap_in_their_dtype() -> None:
    a = np.array([100, 127, -128, 11], dtype=np.int8)
    b = np.array([3, 0], dtype=np.int8)
    assert rust_arrays.do_something(a, b) == reference.do_something_numpy(a, b)
    big = np.array([2**32, 3**20], dtype=np.int64)
    assert rust_arrays.do_something(big, big) == reference.do_something_numpy(big, big)


def test_nd_inputs_are_flattened_like_meshgrid() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    b = np.arange(30.0).reshape(5, 6).T
    assert rust_arrays.do_something(a, b) == reference.do_something_numpy(a, b)


def test_scalars_act_as_one_element() -> None:
    assert rust_arrays.do_something(20.0, [0.0, 1.0]) == reference.do_something_numpy(20.0, [0, 1])


@pytest.mark.parametrize("empty", [[], np.zeros(0), np.zeros((3, 0), np.float32)])
def test_empty_inputs_give_zero(empty: Any) -> None:
    assert rust_arrays.do_something(empty, [50.0]) == 0
    assert rust_arrays.do_something([50.0], empty) == 0


@pytest.mark.parametrize(
    ("value", "dtype_text"),
    [
        (np.array([1 + 2j]), "complex128"),
        (np.array([1.0], dtype=object), "object"),
        (["a", "b"], "<U1"),
        (np.array([1.0], dtype=np.longdouble), "float128"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime64[D]"),
    ],
)
@pytest.mark.parametrize("argument", ["a", "b"])
def test_unsupported_dtypes_raise_type_error_naming_the_argument(
    value: Any, dtype_text: str, argument: str
) -> None:
    args = {"a": [1.0], "b": [1.0], argument: value}
    with pytest.raises(
        TypeError, match=rf"do_something\(\): {argument} must hold .* {re.escape(dtype_text)}$"
    ):
        rust_arrays.do_something(**args)


def test_low_level_kernel_rejects_mismatched_dtypes() -> None:
    with pytest.raises(TypeError, match="same dtype, got float64 and float32"):
        _core.do_something_from_squares(np.zeros(2), np.zeros(2, np.float32))
    with pytest.raises(TypeError):
        _core.do_something_from_squares(np.zeros(2, np.complex128), np.zeros(2, np.complex128))


@pytest.mark.parametrize("method", ["brute_force", "sweep", "auto"])
@given(
    real_arrays([np.dtype(np.float32), np.dtype(np.float64)], max_dims=1, max_side=60),
    real_arrays([np.dtype(np.float32), np.dtype(np.float64)], max_dims=1, max_side=60),
)
def test_every_method_equals_the_talks_numpy_version(method: str, a: Any, b: Any) -> None:
    dtype = rust_arrays._sum_dtype(a.dtype, b.dtype)
    a_sq, b_sq = rust_arrays._squares(a.ravel(), dtype), rust_arrays._squares(b.ravel(), dtype)
    for threads in (1, 2):
        result = _core.do_something_from_squares(a_sq, b_sq, num_threads=threads, method=method)
        assert result == reference.do_something_numpy(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [100.0, 1e4, 3e9])
def test_sweep_and_brute_force_agree_on_large_random_inputs(dtype: type, scale: float) -> None:
    rng = np.random.default_rng(int(scale))
    a_sq = ((rng.random(3000) * scale) ** 2).astype(dtype)
    b_sq = ((rng.random(4000) * scale) ** 2).astype(dtype)
    results = {
        method: _core.do_something_from_squares(a_sq, b_sq, method=method)
        for method in ("brute_force", "sweep", "auto")
    }
    assert len(set(results.values())) == 1, results


def test_unknown_method_raises_value_error() -> None:
    with pytest.raises(ValueError, match="method must be 'auto', 'brute_force' or 'sweep'"):
        _core.do_something_from_squares(np.zeros(1), np.zeros(1), method="fast")


@pytest.mark.parametrize("isa", _core.available_isas())
@given(
    real_arrays([np.dtype(np.float32), np.dtype(np.float64)], max_dims=1, max_side=70),
    real_arrays([np.dtype(np.float32), np.dtype(np.float64)], max_dims=1, max_side=70),
)
def test_every_instruction_set_equals_the_talks_numpy_version(isa: str, a: Any, b: Any) -> None:
    dtype = rust_arrays._sum_dtype(a.dtype, b.dtype)
    a_sq, b_sq = rust_arrays._squares(a.ravel(), dtype), rust_arrays._squares(b.ravel(), dtype)
    result = _core.do_something_from_squares(a_sq, b_sq, method="brute_force", isa=isa)
    assert result == reference.do_something_numpy(a, b)


@pytest.mark.parametrize("isa", _core.available_isas())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_instruction_set_on_random_data(isa: str, dtype: type) -> None:
    rng = np.random.default_rng(99)
    a_sq = ((rng.random(997) * 100) ** 2).astype(dtype)
    b_sq = ((rng.random(1003) * 100) ** 2).astype(dtype)
    expected = _core.do_something_from_squares(a_sq, b_sq, method="brute_force", isa="scalar")
    for threads in (1, 2):
        result = _core.do_something_from_squares(
            a_sq, b_sq, method="brute_force", isa=isa, num_threads=threads
        )
        assert result == expected


def test_available_instruction_sets() -> None:
    assert _core.available_isas()[0] == "scalar"
    with pytest.raises(ValueError, match="isa must be one of"):
        _core.do_something_from_squares(np.zeros(1), np.zeros(1), isa="sse9")
