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

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rust_arrays import _core, _scans

__all__ = [
    "interpolate",
    "modis_1km_to_250m",
    "modis_1km_to_500m",
    "modis_5km_to_1km",
    "modis_5km_to_250m",
    "modis_5km_to_500m",
]

Array = np.ndarray[Any, Any]
_NAMES = ("lon1", "lat1", "satz1")


@dataclass(frozen=True)
class _Kernel:
    """``_core.modis_interpolate`` with its resolutions bound (picklable, for dask tasks)."""

    coarse: int
    fine: int
    width: int | None

    def __call__(self, *arrays: Array, num_threads: int | None, stacked: bool) -> Any:
        lon, lat, satz = arrays
        return _core.modis_interpolate(
            lon,
            lat,
            satz,
            self.coarse,
            self.fine,
            self.width,
            num_threads=num_threads,
            stacked=stacked,
        )


def _inputs(lon1: npt.ArrayLike, lat1: npt.ArrayLike, satz1: npt.ArrayLike) -> list[Array]:
    """What :func:`interpolate` hands to ``_core`` for NumPy inputs."""
    return _scans.float_inputs("interpolate", _NAMES, [lon1, lat1, satz1])


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
    coarse = _scans.whole_number("interpolate", "coarse_resolution", coarse_resolution)
    fine = _scans.whole_number("interpolate", "fine_resolution", fine_resolution)
    width = (
        None
        if coarse_scan_width is None
        else _scans.whole_number("interpolate", "coarse_scan_width", coarse_scan_width)
    )
    kernel = _Kernel(coarse, fine, width)
    factor = coarse // fine if fine > 0 else 1
    spec = _scans.ScanKernel("interpolate", _NAMES, kernel, 10 if coarse == 1000 else 2, factor)
    return _scans.map_scans(spec, [lon1, lat1, satz1], num_threads)


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
