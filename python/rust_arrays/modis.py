"""MODIS geolocation interpolation with the satellite zenith angle, in Rust.

A drop-in for ``geotiepoints.modisinterpolator`` (python-geotiepoints 1.9.0) on NumPy arrays:
the same functions and arguments, and for float32 input the same output bit for bit (the Cython
code's mixture of C float and double arithmetic and its libm calls are reproduced step by step,
see ``docs/modis.md``). Scans are interpolated in parallel with the GIL released.

Differences from geotiepoints:

- Every function takes a keyword-only ``num_threads`` (see :func:`rust_arrays.do_something`).
- float64 input is accepted and computed in float64 throughout (geotiepoints raises
  ``ValueError: Buffer dtype mismatch``). Inputs that are not all float32 are converted to
  float64; other integer and float dtypes are converted too.
- Read-only and non-contiguous inputs are accepted.
- A partial scan (rows not a multiple of 10 for 1 km, of 2 for 5 km) or a wrong number of
  columns raises ValueError (geotiepoints leaves those output rows uninitialised or reads out of
  bounds). Resolutions and ``coarse_scan_width`` must be ints (Python or NumPy integers, not
  bool): anything else raises TypeError naming the argument.
- dask arrays and xarray DataArrays are handled like geotiepoints does (rechunked to whole
  scans, one lazy task per block of scans, a pair of lazy results; DataArrays come back with
  ``lon1``'s dims), except that NumPy-backed DataArrays are computed at once and also come
  back as DataArrays. Each dask task computes on ``num_threads`` threads, 1 by default (dask
  already runs one task per core); every argument, ``num_threads`` included, is checked while
  the graph is built.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from rust_arrays import _core

__all__ = [
    "interpolate",
    "modis_1km_to_250m",
    "modis_1km_to_500m",
    "modis_5km_to_1km",
    "modis_5km_to_250m",
    "modis_5km_to_500m",
]

Array = np.ndarray[Any, Any]


def _inputs(lon1: npt.ArrayLike, lat1: npt.ArrayLike, satz1: npt.ArrayLike) -> list[Array]:
    arrays = [np.asarray(value) for value in (lon1, lat1, satz1)]
    for name, array in zip(("lon1", "lat1", "satz1"), arrays, strict=True):
        if array.dtype.kind not in "biuf" or (array.dtype.kind == "f" and array.dtype.itemsize > 8):
            raise TypeError(f"interpolate(): {name} must hold real numbers, got {array.dtype}")
        if array.ndim != 2:
            raise ValueError(f"interpolate(): {name} must be 2-D, got {array.ndim} dimensions")
    single = all(a.dtype.kind == "f" and a.dtype.itemsize == 4 for a in arrays)
    dtype = np.float32 if single else np.float64
    return [np.asarray(a, dtype=np.dtype(dtype).newbyteorder("=")) for a in arrays]


def interpolate(
    lon1: npt.ArrayLike,
    lat1: npt.ArrayLike,
    satz1: npt.ArrayLike,
    coarse_resolution: int,
    fine_resolution: int,
    coarse_scan_width: int | None = None,
    *,
    num_threads: int | None = None,
) -> tuple[Any, Any]:
    """``(lon, lat)`` at ``fine_resolution`` metres from MODIS tie points at ``coarse_resolution``.

    ``lon1``, ``lat1``, ``satz1`` (satellite zenith angle) are 2-D, in degrees, whole scans
    (10 rows of 1354 columns for 1000 m, 2 rows of 271 or 270 columns for 5000 m). Supported:
    1000 to 500 or 250, 5000 to 1000, 500 or 250. ``coarse_scan_width`` (5000 m only): 271
    (None or 0) or 270. ``num_threads`` as for :func:`rust_arrays.do_something`.

    NumPy input gives NumPy arrays. dask arrays (or DataArrays holding them) give lazy results
    (rechunked to whole scans, one task per block); DataArrays come back as DataArrays.
    """
    coarse = _whole_number("coarse_resolution", coarse_resolution)
    fine = _whole_number("fine_resolution", fine_resolution)
    width = (
        None if coarse_scan_width is None else _whole_number("coarse_scan_width", coarse_scan_width)
    )
    dims = getattr(lon1, "dims", None)
    values = [getattr(a, "data", a) if hasattr(a, "dims") else a for a in (lon1, lat1, satz1)]
    if any(_is_dask(value) for value in values):
        result = _interpolate_dask(values, coarse, fine, width, num_threads)
    else:
        result = _interpolate_numpy(values, coarse, fine, width, num_threads)
    if dims is None:
        return result
    import xarray as xr

    return xr.DataArray(result[0], dims=dims), xr.DataArray(result[1], dims=dims)


def _whole_number(name: str, value: object) -> int:
    """``value`` as an int: Python and NumPy integers only (no bool, float, str or None, which
    ``int()`` would convert or reject with a message that names no argument)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"interpolate(): {name} must be an int, not {type(value).__name__}")
    return int(value)


def _is_dask(value: object) -> bool:
    return hasattr(value, "dask") and hasattr(value, "chunks")


def _interpolate_numpy(
    values: list[Any],
    coarse: int,
    fine: int,
    width: int | None,
    num_threads: int | None,
) -> tuple[Array, Array]:
    lon, lat, satz = _inputs(*values)
    return _core.modis_interpolate(
        lon,
        lat,
        satz,
        coarse,
        fine,
        width,
        num_threads=num_threads,
    )


def _block(
    lon: Array,
    lat: Array,
    satz: Array,
    coarse: int,
    fine: int,
    width: int | None,
    num_threads: int | None,
) -> Array:
    """One dask task: the (lon, lat) of a block of whole scans, stacked (written so by Rust, no
    copy)."""
    lon, lat, satz = _inputs(lon, lat, satz)
    return _core.modis_interpolate(
        lon, lat, satz, coarse, fine, width, num_threads=num_threads, stacked=True
    )


def _interpolate_dask(
    values: list[Any],
    coarse: int,
    fine: int,
    width: int | None,
    num_threads: int | None,
) -> tuple[Any, Any]:
    # dask's own annotations are partial: handled as Any, as in rust_arrays.dask.
    da: Any = importlib.import_module("dask.array")
    arrays = [da.asarray(value) for value in values]
    for name, array in zip(("lon1", "lat1", "satz1"), arrays, strict=True):
        if array.ndim != 2:
            raise ValueError(f"interpolate(): {name} must be 2-D, got {array.ndim} dimensions")
        if array.shape != arrays[0].shape:
            raise ValueError("interpolate(): lon1, lat1 and satz1 must have one shape")
    single = all(a.dtype.kind == "f" and a.dtype.itemsize == 4 for a in arrays)
    dtype = np.dtype(np.float32 if single else np.float64)
    rows, cols = arrays[0].shape
    task_threads = 1 if num_threads is None else num_threads
    # Check resolutions, width and num_threads now, on one empty scan, not inside a task.
    scan_rows = 10 if coarse == 1000 else 2
    empty = np.zeros((0, cols), dtype)
    fine_cols = _interpolate_numpy([empty] * 3, coarse, fine, width, task_threads)[0].shape[1]
    if rows % scan_rows:
        raise ValueError(f"interpolate(): {rows} rows are not whole scans of {scan_rows} rows")
    row_chunk = max(scan_rows, arrays[0].chunks[0][0] // scan_rows * scan_rows)
    arrays = [a.rechunk((row_chunk, -1)) for a in arrays]
    factor = coarse // fine
    stacked = da.map_blocks(
        _block,
        *arrays,
        coarse=coarse,
        fine=fine,
        width=width,
        num_threads=task_threads,
        new_axis=[0],
        chunks=((2,), tuple(c * factor for c in arrays[0].chunks[0]), (fine_cols,)),
        dtype=dtype,
        meta=np.empty((0, 0, 0), dtype),
    )
    return stacked[0], stacked[1]


def modis_1km_to_250m(
    lon1: npt.ArrayLike,
    lat1: npt.ArrayLike,
    satz1: npt.ArrayLike,
    *,
    num_threads: int | None = None,
) -> tuple[Any, Any]:
    """Interpolate MODIS geolocation from 1km to 250m resolution."""
    return interpolate(lon1, lat1, satz1, 1000, 250, num_threads=num_threads)


def modis_1km_to_500m(
    lon1: npt.ArrayLike,
    lat1: npt.ArrayLike,
    satz1: npt.ArrayLike,
    *,
    num_threads: int | None = None,
) -> tuple[Any, Any]:
    """Interpolate MODIS geolocation from 1km to 500m resolution."""
    return interpolate(lon1, lat1, satz1, 1000, 500, num_threads=num_threads)


def _from_5km(
    lon1: npt.ArrayLike,
    lat1: npt.ArrayLike,
    satz1: npt.ArrayLike,
    fine: int,
    num_threads: int | None,
) -> tuple[Any, Any]:
    """5 km tie points to ``fine`` metres, warning below 1 km as geotiepoints does."""
    if fine < 1000:
        warnings.warn(
            f"Interpolating 5km geolocation to {fine}m resolution may result in poor quality",
            stacklevel=3,  # the caller of the public function
        )
    width = int(np.shape(lon1)[1]) if np.ndim(lon1) == 2 else 0
    return interpolate(
        lon1, lat1, satz1, 5000, fine, coarse_scan_width=width, num_threads=num_threads
    )


def modis_5km_to_1km(
    lon1: npt.ArrayLike,
    lat1: npt.ArrayLike,
    satz1: npt.ArrayLike,
    *,
    num_threads: int | None = None,
) -> tuple[Any, Any]:
    """Interpolate MODIS geolocation from 5km to 1km resolution."""
    return _from_5km(lon1, lat1, satz1, 1000, num_threads)


def modis_5km_to_500m(
    lon1: npt.ArrayLike,
    lat1: npt.ArrayLike,
    satz1: npt.ArrayLike,
    *,
    num_threads: int | None = None,
) -> tuple[Any, Any]:
    """Interpolate MODIS geolocation from 5km to 500m resolution."""
    return _from_5km(lon1, lat1, satz1, 500, num_threads)


def modis_5km_to_250m(
    lon1: npt.ArrayLike,
    lat1: npt.ArrayLike,
    satz1: npt.ArrayLike,
    *,
    num_threads: int | None = None,
) -> tuple[Any, Any]:
    """Interpolate MODIS geolocation from 5km to 250m resolution."""
    return _from_5km(lon1, lat1, satz1, 250, num_threads)
