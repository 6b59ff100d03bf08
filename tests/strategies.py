"""Hypothesis strategies for hostile inputs: NaN, ±inf, ±0, ties at .5, huge values, any
dtype, shape, stride and byte order."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOAT_DTYPES = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)]
INT_DTYPES = [np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64)]
UINT_DTYPES = [np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64)]
REAL_DTYPES = [np.dtype(bool), *INT_DTYPES, *UINT_DTYPES, *FLOAT_DTYPES]

# Values whose rounded root is a tie (x.5) when paired with 0, or hits the "> 10" boundary.
TIES = [k + 0.5 for k in range(0, 40)] + [10.0, 10.5, 10.499999999, 11.0, -10.5, -11.5]
HUGE = [1e19, 3.0e9, 4.0e9, 2.0**62, 1e154, 1.4e154, 1e200, 1e308, 65504.0, 3e38]


def elements(dtype: np.dtype[Any]) -> st.SearchStrategy[Any]:
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return st.one_of(
            st.integers(int(info.min), int(info.max)),
            st.integers(-40, 40).filter(lambda v: info.min <= v <= info.max),
        )
    width = dtype.itemsize * 8
    finfo = np.finfo(dtype)
    special = [v for v in TIES + HUGE if abs(v) <= float(finfo.max)]
    return st.one_of(
        st.floats(width=width, allow_nan=True, allow_infinity=True),
        st.floats(-100, 100, width=width),
        st.sampled_from(special + [-v for v in special]).map(lambda v: dtype.type(v).item()),
    )


@st.composite
def real_arrays(
    draw: st.DrawFn,
    dtypes: list[np.dtype[Any]] | None = None,
    max_dims: int = 2,
    max_side: int = 12,
) -> np.ndarray[Any, Any]:
    """An array of any listed dtype, maybe big-endian, maybe a strided or reversed view."""
    dtype = draw(st.sampled_from(dtypes or REAL_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side))
    array = draw(hnp.arrays(dtype, shape, elements=elements(dtype)))
    return draw(views_of(array))


@st.composite
def views_of(draw: st.DrawFn, array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The same values as a differently laid out array: big-endian, read-only, or a view with
    steps through a larger buffer."""
    if draw(st.booleans()) and array.dtype.itemsize > 1:
        array = array.astype(array.dtype.newbyteorder(">"))
    if draw(st.booleans()) and array.ndim > 0:
        # Embed in a buffer twice as long along the last axis, then view every other element.
        padded_shape = (*array.shape[:-1], array.shape[-1] * 2)
        padded = np.zeros(padded_shape, dtype=array.dtype)
        padded[..., ::2] = array
        array = padded[..., ::2]
    if draw(st.booleans()) and array.ndim > 0:
        array = np.ascontiguousarray(array[::-1])[::-1]
    if draw(st.booleans()):
        array = array.view()
        array.flags.writeable = False
    return array


def same_bits(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> bool:
    """Equal dtype, shape and every bit (NaN payloads, signed zeros)."""
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    unsigned = np.dtype(f"u{x.dtype.itemsize}")
    return bool(
        np.array_equal(
            np.ascontiguousarray(x).view(unsigned), np.ascontiguousarray(y).view(unsigned)
        )
    )
