"""rust_arrays on chunked dask arrays: lazy graphs of GIL-free kernels.

Every function here builds a dask graph and computes nothing; the result equals the NumPy
function of the same name on the computed inputs, exactly. Because the kernels release the GIL,
dask's threaded scheduler runs their tasks in parallel, and the same graphs run unchanged on a
``dask.distributed`` cluster (every task function is a picklable module-level function).

Inside a task, a kernel runs on ``num_threads`` threads, 1 by default: dask already runs one
task per core, and more threads per task would oversubscribe the cores. Pass ``num_threads=``
to change it (for example with fewer, larger chunks than cores).

xarray ``DataArray`` inputs (NumPy- or dask-backed) are accepted: ``masked_hypot`` returns a
DataArray with ``a``'s dims, coords, name and attrs; ``do_something`` a 0-d DataArray.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import rust_arrays
from rust_arrays import _core

# dask's own annotations are partial; its arrays are handled as Any here.
DaskArray = Any

__all__ = ["do_something", "masked_hypot"]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _dask_array() -> Any:
    try:
        import dask.array
    except ImportError as error:  # pragma: no cover - exercised only without dask
        raise ImportError(
            "rust_arrays.dask needs dask: pip install 'dask[array]' (or rust_arrays[dask])"
        ) from error
    return dask.array


def _is_data_array(value: object) -> bool:
    return type(value).__name__ == "DataArray" and hasattr(value, "dims")


def _as_dask(value: Any) -> DaskArray:
    """A dask array of ``value``'s data (NumPy arrays, lists and DataArrays are converted)."""
    dask_array = _dask_array()
    if _is_data_array(value):
        value = value.data
    if isinstance(value, dask_array.Array):
        return value
    return dask_array.from_array(np.asarray(value), chunks="auto")


# ------------------------------------------------------------------------------------------------
# do_something


def _without_empty_chunks(flat: DaskArray) -> DaskArray | None:
    """``flat`` without its zero-length chunks (None when it has no element at all): dask's
    blockwise builds a wrong grid of blocks when an input has several empty chunks."""
    sizes = flat.chunks[0]
    kept = tuple(size for size in sizes if size > 0)
    if not kept:
        return None
    return flat if len(kept) == len(sizes) else flat.rechunk((kept,))


def _pair_sum(
    a_sq: np.ndarray[Any, Any], b_sq: np.ndarray[Any, Any], num_threads: int | None
) -> np.ndarray[Any, Any]:
    """The partial sum of one pair of chunks, as a 1x1 block of the grid of partial sums."""
    total = _core.do_something_from_squares(a_sq, b_sq, num_threads=num_threads)
    return np.full((1, 1), total, dtype=np.int64)


def do_something(a: Any, b: Any, *, num_threads: int | None = 1) -> Any:
    """The talk's kernel on dask arrays: a lazy 0-d int64 dask array.

    Its value equals ``rust_arrays.do_something(a.compute(), b.compute())`` exactly: each
    input is flattened (as ``np.meshgrid`` does) and squared per chunk with NumPy's dtype rules,
    one task per pair of chunks sums its pairs, and a tree reduction adds the partial sums (the
    int64 total wraps on overflow like NumPy's). ``num_threads`` is per task (see the module).
    """
    dask_array = _dask_array()
    data_arrays = _is_data_array(a) or _is_data_array(b)
    a_flat = _as_dask(a).ravel()
    b_flat = _as_dask(b).ravel()
    # The same checks as rust_arrays.do_something (dtypes, num_threads), at graph-building
    # time: on empty inputs, so nothing is computed.
    rust_arrays.do_something(
        np.empty(0, a_flat.dtype), np.empty(0, b_flat.dtype), num_threads=num_threads
    )
    sum_dtype = rust_arrays._sum_dtype(a_flat.dtype, b_flat.dtype)
    a_kept, b_kept = _without_empty_chunks(a_flat), _without_empty_chunks(b_flat)
    if a_kept is None or b_kept is None:
        total = dask_array.zeros((), dtype=np.int64)  # no pair at all
        return _as_result(total, data_arrays)
    meta = np.empty(0, dtype=sum_dtype)  # given, so dask does not call the function to find it
    a_sq = a_kept.map_blocks(rust_arrays._squares, sum_dtype, dtype=sum_dtype, meta=meta)
    b_sq = b_kept.map_blocks(rust_arrays._squares, sum_dtype, dtype=sum_dtype, meta=meta)
    with warnings.catch_warnings():
        # The grid of partial sums has len(a chunks) x len(b chunks) blocks by design.
        warnings.simplefilter("ignore", dask_array.PerformanceWarning)
        partial_sums = _partial_sums(dask_array, a_sq, b_sq, num_threads)
    return _as_result(partial_sums.sum(dtype=np.int64), data_arrays)


def _partial_sums(
    dask_array: Any, a_sq: DaskArray, b_sq: DaskArray, num_threads: int | None
) -> Any:
    return dask_array.blockwise(
        _pair_sum,
        "ij",
        a_sq,
        "i",
        b_sq,
        "j",
        num_threads,
        None,
        dtype=np.int64,
        adjust_chunks={"i": 1, "j": 1},
        meta=np.empty((0, 0), dtype=np.int64),
    )


def _as_result(total: DaskArray, data_arrays: bool) -> Any:
    if data_arrays:
        import xarray

        return xarray.DataArray(total, name="do_something")
    return total


# ------------------------------------------------------------------------------------------------
# masked_hypot


def _masked_hypot_block(
    a: np.ndarray[Any, Any],
    b: np.ndarray[Any, Any],
    threshold: float,
    num_threads: int | None,
) -> np.ndarray[Any, Any]:
    return rust_arrays.masked_hypot(a, b, threshold=threshold, num_threads=num_threads)


def masked_hypot(a: Any, b: Any, *, threshold: float = 2.0, num_threads: int | None = 1) -> Any:
    """``rust_arrays.masked_hypot(a, b, threshold=threshold)`` chunk by chunk: a lazy dask array
    (a DataArray like ``a`` for DataArray input) with ``a``'s chunks; zero where ``a`` is not
    above the threshold. ``b`` is rechunked to ``a``'s chunks; both must have one shape.
    """
    dask_array = _dask_array()
    result_like = a if _is_data_array(a) else None
    if result_like is not None and _is_data_array(b):
        import xarray

        # Values are paired by position, so the coordinates must agree exactly.
        result_like, b = xarray.align(a, b, join="exact")
    a_array, b_array = _as_dask(a), _as_dask(b)
    for name, array in (("a", a_array), ("b", b_array)):
        if array.dtype not in _FLOAT_DTYPES:
            raise TypeError(
                f"masked_hypot(): {name} must be a float32 or float64 array, got dtype "
                f"{array.dtype}"
            )
    if a_array.shape != b_array.shape:
        raise ValueError(
            f"masked_hypot(): a and b must have the same shape, got {a_array.shape} and "
            f"{b_array.shape}"
        )
    # The threshold and num_threads are checked now, on empty inputs, rather than in every task.
    rust_arrays.masked_hypot(
        np.empty(0, a_array.dtype),
        np.empty(0, b_array.dtype),
        threshold=threshold,
        num_threads=num_threads,
    )
    out_dtype = np.result_type(a_array.dtype, b_array.dtype)
    result = dask_array.map_blocks(
        _masked_hypot_block,
        a_array,
        b_array.rechunk(a_array.chunks),
        threshold,
        num_threads,
        dtype=out_dtype,
        meta=np.empty((0,) * a_array.ndim, dtype=out_dtype),
    )
    if result_like is not None:
        return result_like.copy(data=result)
    return result
