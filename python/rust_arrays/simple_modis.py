"""MODIS geolocation interpolation from longitude and latitude alone, in Rust.

A drop-in for ``geotiepoints.simple_modis_interpolator`` (python-geotiepoints 1.9.0), the
interpolator satpy uses for MODIS L1b/L2 files read without the MOD03 geolocation file: the same
functions and arguments, and for float32 and float64 input the same output bit for bit (scipy's
``map_coordinates(order=1, mode="nearest")`` arithmetic, upstream's extrapolations and the libm
calls of its cartesian conversions are reproduced step by step, see ``docs/simple_modis.md``).
Scans are interpolated in parallel with the GIL released.

Differences from geotiepoints:

- Every function takes a keyword-only ``num_threads`` (see :func:`rust_arrays.do_something`);
  ``coarse_resolution`` and ``fine_resolution`` may also be passed by position (geotiepoints
  requires keywords).
- Only 1000 m to 250 m or 500 m is supported (ValueError otherwise: geotiepoints' other
  combinations overwrite rows inside the scan, or write out of bounds).
- A partial scan (rows not a multiple of 10), lon/lat of different shapes, or fewer than 2
  columns raise ValueError (geotiepoints silently returns uninitialised rows, reads out of
  bounds or proceeds with the smaller array).
- Read-only, non-contiguous and big-endian inputs are accepted, and so are inputs of mixed or
  other real dtypes: computed in float64 unless both are float32 (geotiepoints raises).
- dask arrays and xarray DataArrays are handled like geotiepoints does (rechunked to whole
  scans, one lazy task per block of scans, a pair of lazy results; DataArrays come back with
  ``lon_array``'s dims, as a tuple), except that NumPy-backed DataArrays are computed at once
  and also come back as DataArrays, and that the lazy results' widths follow the input's
  (geotiepoints assumes 1354 columns). Each dask task computes on ``num_threads`` threads, 1 by
  default (dask already runs one task per core).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rust_arrays import _core, _scans

__all__ = ["interpolate_geolocation_cartesian", "modis_1km_to_250m", "modis_1km_to_500m"]

Array = np.ndarray[Any, Any]
_FUNCTION = "interpolate_geolocation_cartesian"
_NAMES = ("lon_array", "lat_array")
_SCAN_ROWS = 10


@dataclass(frozen=True)
class _Kernel:
    """``_core.simple_modis_interpolate`` with its resolutions bound (picklable, for dask)."""

    coarse: int
    fine: int

    def __call__(self, *arrays: Array, num_threads: int | None, stacked: bool) -> Any:
        lon, lat = arrays
        return _core.simple_modis_interpolate(
            lon, lat, self.coarse, self.fine, num_threads=num_threads, stacked=stacked
        )


def _inputs(lon_array: npt.ArrayLike, lat_array: npt.ArrayLike) -> list[Array]:
    """What :func:`interpolate_geolocation_cartesian` hands to ``_core`` for NumPy inputs."""
    return _scans.float_inputs(_FUNCTION, _NAMES, [lon_array, lat_array])


def interpolate_geolocation_cartesian(
    lon_array: npt.ArrayLike,
    lat_array: npt.ArrayLike,
    coarse_resolution: int,
    fine_resolution: int,
    *,
    num_threads: int | None = None,
) -> tuple[Any, Any]:
    """``(lon, lat)`` at ``fine_resolution`` metres from MODIS tie points at
    ``coarse_resolution`` through cartesian coordinates (no satellite zenith angle needed).

    ``lon_array`` and ``lat_array`` are 2-D, in degrees, whole scans of 10 rows (1354 columns
    for MODIS; any width from 2). Supported: 1000 to 250 or 500. ``num_threads`` as for
    :func:`rust_arrays.do_something`.

    NumPy input gives NumPy arrays of the input's float dtype (float32 if both are float32,
    else float64). dask arrays (or DataArrays holding them) give lazy results (rechunked to
    whole scans, one task per block); DataArrays come back as DataArrays.
    """
    coarse = _scans.whole_number(_FUNCTION, "coarse_resolution", coarse_resolution)
    fine = _scans.whole_number(_FUNCTION, "fine_resolution", fine_resolution)
    factor = coarse // fine if fine > 0 else 1
    spec = _scans.ScanKernel(_FUNCTION, _NAMES, _Kernel(coarse, fine), _SCAN_ROWS, factor)
    return _scans.map_scans(spec, [lon_array, lat_array], num_threads)


def modis_1km_to_250m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, *, num_threads: int | None = None
) -> tuple[Any, Any]:
    """Interpolate MODIS geolocation from 1km to 250m resolution."""
    return interpolate_geolocation_cartesian(lon1, lat1, 1000, 250, num_threads=num_threads)


def modis_1km_to_500m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, *, num_threads: int | None = None
) -> tuple[Any, Any]:
    """Interpolate MODIS geolocation from 1km to 500m resolution."""
    return interpolate_geolocation_cartesian(lon1, lat1, 1000, 500, num_threads=num_threads)
