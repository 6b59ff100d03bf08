from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rust_arrays
from rust_arrays import _core, reference
from strategies import elements, same_bits, views_of

FLOATS = [np.dtype(np.float32), np.dtype(np.float64)]

thresholds = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2.0, 2.1, 0.0, -0.0, 1e300, 3]),
    st.floats(-10, 10).map(np.float32),
    st.floats(-10, 10).map(np.float64),
)


@st.composite
def same_shape_pair(draw: st.DrawFn) -> tuple[Any, Any]:
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=8))
    a_dtype, b_dtype = draw(st.sampled_from(FLOATS)), draw(st.sampled_from(FLOATS))
    a = draw(hnp.arrays(a_dtype, shape, elements=elements(a_dtype)))
    b = draw(hnp.arrays(b_dtype, shape, elements=elements(b_dtype)))
    return draw(views_of(a)), draw(views_of(b))


@given(same_shape_pair(), thresholds)
def test_equals_the_talks_numpy_code_bit_for_bit(pair: tuple[Any, Any], threshold: Any) -> None:
    a, b = pair
    expected = reference.masked_hypot_numpy(a, b, threshold=threshold)
    assert same_bits(rust_arrays.masked_hypot(a, b, threshold=threshold), expected)


@given(same_shape_pair(), st.floats(allow_nan=True))
def test_keeps_out_where_the_mask_is_false(pair: tuple[Any, Any], fill: float) -> None:
    a, b = pair
    dtype = np.result_type(a, b)
    with np.errstate(over="ignore"):
        out = np.full(a.shape, fill, dtype=dtype)
    expected = reference.masked_hypot_numpy(a, b, out.copy())
    result = rust_arrays.masked_hypot(a, b, out)
    assert result is out
    assert same_bits(out, expected)


@given(st.lists(st.floats(allow_nan=True), max_size=30), st.data())
def test_equals_pure_python_loops_on_float64(a: list[float], data: st.DataObject) -> None:
    b = data.draw(st.lists(st.floats(allow_nan=True), min_size=len(a), max_size=len(a)))
    expected = np.array(reference.masked_hypot_python(a, b), dtype=np.float64)
    assert same_bits(rust_arrays.masked_hypot(a, b), expected)


def test_talks_example() -> None:
    a = np.array([1.0, 2.0, 3.0, 6.0])
    b = np.array([9.0, 9.0, 4.0, 8.0])
    assert rust_arrays.masked_hypot(a, b).tolist() == [0.0, 0.0, 5.0, 10.0]


def test_float32_compares_in_float32_for_python_numbers() -> None:
    # float32(2.1) < 2.1, so NumPy's `a > 2.1` with float32 `a` is True for a = float32(2.1)?
    # No: NEP 50 rounds 2.1 to float32 first and the comparison is False; a float64 scalar
    # threshold compares in float64 instead.
    a = np.array([2.1], dtype=np.float32)
    b = np.zeros(1, dtype=np.float32)
    for threshold in (2.1, np.float64(2.1), np.float32(2.1), 2):
        assert same_bits(
            rust_arrays.masked_hypot(a, b, threshold=threshold),
            reference.masked_hypot_numpy(a, b, threshold=threshold),
        )


@pytest.mark.parametrize("alias", ["a", "b"])
def test_out_may_be_an_input(alias: str) -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(2, 2, 100), rng.normal(2, 2, 100)
    inputs = {"a": a, "b": b}
    expected = reference.masked_hypot_numpy(a, b, inputs[alias].copy())
    assert same_bits(rust_arrays.masked_hypot(a, b, inputs[alias]), expected)


def test_out_overlapping_an_input_with_an_offset() -> None:
    buffer = np.arange(10.0)
    expected_buffer = buffer.copy()
    reference.masked_hypot_numpy(
        expected_buffer[:-1], expected_buffer[:-1] * 0 + 1, expected_buffer[1:]
    )
    rust_arrays.masked_hypot(buffer[:-1], np.ones(9), buffer[1:])
    assert same_bits(buffer, expected_buffer)


def test_big_endian_out() -> None:
    a, b = np.array([1.0, 3.0]), np.array([0.0, 4.0])
    out = np.zeros(2, dtype=">f8")
    assert rust_arrays.masked_hypot(a, b, out) is out
    assert out.tolist() == [0.0, 5.0]


def test_large_input_crosses_chunks() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(2, 3, 3_000_001).astype(np.float32)
    b = rng.normal(0, 3, 3_000_001).astype(np.float32)
    assert same_bits(rust_arrays.masked_hypot(a, b), reference.masked_hypot_numpy(a, b))
    # 1.5 million strided elements, chunked along the leading axis.
    a2, b2 = a[1:].reshape(3000, 1000)[:, ::2], b[1:].reshape(1000, 3000).T[:, ::2]
    assert same_bits(rust_arrays.masked_hypot(a2, b2), reference.masked_hypot_numpy(a2, b2))


def test_shape_mismatch_raises_value_error() -> None:
    with pytest.raises(
        ValueError, match=r"a and b must have the same shape, got \(3,\) and \(4,\)"
    ):
        rust_arrays.masked_hypot(np.zeros(3), np.zeros(4))
    with pytest.raises(
        ValueError, match=r"out must have the shape of a and b \(3,\), got \(3, 1\)"
    ):
        rust_arrays.masked_hypot(np.zeros(3), np.zeros(3), np.zeros((3, 1)))


@pytest.mark.parametrize("argument", ["a", "b"])
@pytest.mark.parametrize("dtype", [np.int64, np.float16, np.complex128, np.longdouble, object])
def test_non_float_inputs_raise_type_error(argument: str, dtype: Any) -> None:
    args = {"a": np.zeros(2), "b": np.zeros(2), argument: np.zeros(2, dtype=dtype)}
    with pytest.raises(TypeError, match=rf"{argument} must be a float32 or float64 array"):
        rust_arrays.masked_hypot(**args)


def test_wrong_out_dtype_raises_type_error() -> None:
    with pytest.raises(TypeError, match=r"out must have dtype float64 .* got float32"):
        rust_arrays.masked_hypot(np.zeros(2), np.zeros(2, np.float32), np.zeros(2, np.float32))
    with pytest.raises(TypeError, match=r"out must be a numpy\.ndarray, not list"):
        rust_arrays.masked_hypot(np.zeros(2), np.zeros(2), [0.0, 0.0])  # type: ignore[arg-type]


def test_read_only_out_raises_value_error() -> None:
    out = np.zeros(2)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        rust_arrays.masked_hypot(np.zeros(2), np.zeros(2), out)


@pytest.mark.parametrize("threshold", ["2", None, True, 1j])
def test_non_real_threshold_raises_type_error(threshold: Any) -> None:
    with pytest.raises(TypeError, match="threshold must be a real number"):
        rust_arrays.masked_hypot(np.zeros(2), np.zeros(2), threshold=threshold)


def test_threshold_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        rust_arrays.masked_hypot(np.zeros(2), np.zeros(2), None, 2.0)  # type: ignore[misc]


@pytest.mark.parametrize("isa", _core.available_isas())
@given(same_shape_pair(), thresholds)
def test_every_instruction_set_equals_the_talks_numpy_code(
    isa: str, pair: tuple[Any, Any], threshold: Any
) -> None:
    a, b = pair
    expected = reference.masked_hypot_numpy(a, b, threshold=threshold)
    # The low-level kernel takes native byte order; np.array keeps 0-d arrays 0-d.
    a = np.array(a, dtype=a.dtype.newbyteorder("="), order="C")
    b = np.array(b, dtype=b.dtype.newbyteorder("="), order="C")
    out = np.zeros(a.shape, dtype=np.result_type(a, b))
    with np.errstate(over="ignore"):
        compared = float(np.result_type(a.dtype, threshold).type(threshold))
    _core.masked_hypot_into(a, b, out, compared, isa=isa)
    assert same_bits(out, expected)


def test_unknown_instruction_set_raises_value_error() -> None:
    with pytest.raises(ValueError, match="isa must be one of"):
        _core.masked_hypot_into(np.zeros(1), np.zeros(1), np.zeros(1), 2.0, isa="neon")
