"""What :mod:`rust_arrays.modis` and :mod:`rust_arrays.simple_modis` share: running a kernel of
MODIS tie point arrays on NumPy, dask or xarray inputs, like geotiepoints' ``scanline_mapblocks``.

NumPy (or array-like) inputs are converted to one float dtype (float32 if all are float32, else
float64) and passed to the kernel at once. dask inputs give lazy results: rechunked to whole
scans, one task per block of scans, nothing computed while the graph is built. DataArrays come
back as DataArrays with the first input's dims (NumPy-backed ones are computed at once).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

Array = np.ndarray[Any, Any]


class Kernel(Protocol):
    """A ``_core`` interpolation with its resolutions bound: ``(lon, lat)`` from native float
    arrays, or with ``stacked=True`` one ``(2, rows, cols)`` array."""

    def __call__(self, *arrays: Array, num_threads: int | None, stacked: bool) -> Any: ...


def float_inputs(function: str, names: Sequence[str], values: Sequence[Any]) -> list[Array]:
    """``values`` as 2-D native arrays of one float dtype (TypeError / ValueError naming the
    argument otherwise)."""
    arrays = [np.asarray(value) for value in values]
    for name, array in zip(names, arrays, strict=True):
        if array.dtype.kind not in "biuf" or (array.dtype.kind == "f" and array.dtype.itemsize > 8):
            raise TypeError(f"{function}(): {name} must hold real numbers, got {array.dtype}")
    _check_2d(function, names, arrays)
    dtype = _common_dtype(arrays)
    return [np.asarray(a, dtype=dtype.newbyteorder("=")) for a in arrays]


def whole_number(function: str, name: str, value: object) -> int:
    """``value`` as an int: Python and NumPy integers only (no bool, float, str or None, which
    ``int()`` would convert or reject with a message that names no argument)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{function}(): {name} must be an int, not {type(value).__name__}")
    return int(value)


def _check_2d(function: str, names: Sequence[str], arrays: Sequence[Any]) -> None:
    for name, array in zip(names, arrays, strict=True):
        if array.ndim != 2:
            raise ValueError(f"{function}(): {name} must be 2-D, got {array.ndim} dimensions")


def _common_dtype(arrays: Sequence[Any]) -> np.dtype[Any]:
    single = all(a.dtype.kind == "f" and a.dtype.itemsize == 4 for a in arrays)
    return np.dtype(np.float32 if single else np.float64)


def _is_dask(value: object) -> bool:
    return hasattr(value, "dask") and hasattr(value, "chunks")


@dataclass(frozen=True)
class ScanKernel:
    """A kernel of tie point arrays named ``names`` (in errors, as arguments of ``function``):
    scans of ``scan_rows`` tie point rows become ``factor`` times as many fine rows."""

    function: str
    names: tuple[str, ...]
    kernel: Kernel
    scan_rows: int
    factor: int


def map_scans(spec: ScanKernel, values: Sequence[Any], num_threads: int | None) -> tuple[Any, Any]:
    """``spec``'s kernel on ``values``, whatever their kind."""
    dims = getattr(values[0], "dims", None)
    raw = [getattr(v, "data", v) if hasattr(v, "dims") else v for v in values]
    if any(_is_dask(value) for value in raw):
        result = _map_dask(spec, raw, num_threads)
    else:
        arrays = float_inputs(spec.function, spec.names, raw)
        result = spec.kernel(*arrays, num_threads=num_threads, stacked=False)
    if dims is None:
        return result
    import xarray as xr

    return xr.DataArray(result[0], dims=dims), xr.DataArray(result[1], dims=dims)


def _map_dask(spec: ScanKernel, values: Sequence[Any], num_threads: int | None) -> tuple[Any, Any]:
    # dask's own annotations are partial: handled as Any, as in rust_arrays.dask.
    da: Any = importlib.import_module("dask.array")
    function, names, scan_rows = spec.function, spec.names, spec.scan_rows
    arrays = [da.asarray(value) for value in values]
    _check_2d(function, names, arrays)
    if any(array.shape != arrays[0].shape for array in arrays):
        raise ValueError(f"{function}(): {', '.join(names)} must have one shape")
    dtype = _common_dtype(arrays)
    rows, cols = arrays[0].shape
    task_threads = 1 if num_threads is None else num_threads
    # Check the arguments (num_threads too) now, on empty inputs, not inside a task; it also
    # gives the width.
    empty = [np.zeros((0, cols), dtype)] * len(arrays)
    fine_cols = spec.kernel(*empty, num_threads=task_threads, stacked=False)[0].shape[1]
    if rows % scan_rows:
        raise ValueError(f"{function}(): {rows} rows are not whole scans of {scan_rows} rows")
    row_chunk = max(scan_rows, arrays[0].chunks[0][0] // scan_rows * scan_rows)
    arrays = [a.rechunk((row_chunk, -1)) for a in arrays]
    stacked = da.map_blocks(
        _block,
        *arrays,
        spec=spec,
        num_threads=task_threads,
        new_axis=[0],
        chunks=((2,), tuple(c * spec.factor for c in arrays[0].chunks[0]), (fine_cols,)),
        dtype=dtype,
        meta=np.empty((0, 0, 0), dtype),
    )
    return stacked[0], stacked[1]


def _block(*blocks: Array, spec: ScanKernel, num_threads: int) -> Array:
    """One dask task: the (lon, lat) of a block of whole scans, stacked (written so by Rust, no
    copy)."""
    arrays = float_inputs(spec.function, spec.names, blocks)
    result: Array = spec.kernel(*arrays, num_threads=num_threads, stacked=True)
    return result
