"""MODIS geolocation interpolation with the satellite zenith angle, in Rust.

A drop-in for ``geotiepoints.modisinterpolator`` (python-geotiepoints 1.9.0) on NumPy arrays:
the same functions and arguments, and for float32 input the same output bit for bit (the Cython
code's mixture of C float and double arithmetic and its libm calls are reproduced step by step,
see ``docs/modis.md``). Scans are interpolated in parallel with the GIL released.

Differences from geotiepoints:

- float64 input is accepted and computed in float64 throughout (geotiepoints raises
  ``ValueError: Buffer dtype mismatch``). Inputs that are not all float32 are converted to
  float64; other integer and float dtypes are converted too.
- Read-only and non-contiguous inputs are accepted.
- A partial scan (rows not a multiple of 10 for 1 km, of 2 for 5 km) or a wrong number of
  columns raises ValueError (geotiepoints leaves those output rows uninitialised or reads out of
  bounds).
- dask and xarray inputs are not handled here (geotiepoints maps them over blocks of scans).
"""

from __future__ import annotations

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
) -> tuple[Array, Array]:
    """``(lon, lat)`` at ``fine_resolution`` metres from MODIS tie points at ``coarse_resolution``.

    ``lon1``, ``lat1``, ``satz1`` (satellite zenith angle) are 2-D, in degrees, whole scans
    (10 rows of 1354 columns for 1000 m, 2 rows of 271 or 270 columns for 5000 m). Supported:
    1000 to 500 or 250, 5000 to 1000, 500 or 250. ``coarse_scan_width`` (5000 m only): 271
    (None or 0) or 270. ``num_threads`` as for :func:`rust_arrays.do_something`.
    """
    lon, lat, satz = _inputs(lon1, lat1, satz1)
    width = None if coarse_scan_width is None else int(coarse_scan_width)
    return _core.modis_interpolate(
        lon,
        lat,
        satz,
        int(coarse_resolution),
        int(fine_resolution),
        width,
        num_threads=num_threads,
    )


def modis_1km_to_250m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, satz1: npt.ArrayLike
) -> tuple[Array, Array]:
    """Interpolate MODIS geolocation from 1km to 250m resolution."""
    return interpolate(lon1, lat1, satz1, coarse_resolution=1000, fine_resolution=250)


def modis_1km_to_500m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, satz1: npt.ArrayLike
) -> tuple[Array, Array]:
    """Interpolate MODIS geolocation from 1km to 500m resolution."""
    return interpolate(lon1, lat1, satz1, coarse_resolution=1000, fine_resolution=500)


def _width(lon1: npt.ArrayLike) -> int:
    return int(np.shape(lon1)[1]) if np.ndim(lon1) == 2 else 0


def modis_5km_to_1km(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, satz1: npt.ArrayLike
) -> tuple[Array, Array]:
    """Interpolate MODIS geolocation from 5km to 1km resolution."""
    return interpolate(lon1, lat1, satz1, 5000, 1000, coarse_scan_width=_width(lon1))


def modis_5km_to_500m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, satz1: npt.ArrayLike
) -> tuple[Array, Array]:
    """Interpolate MODIS geolocation from 5km to 500m resolution."""
    warnings.warn(
        "Interpolating 5km geolocation to 500m resolution may result in poor quality",
        stacklevel=2,
    )
    return interpolate(lon1, lat1, satz1, 5000, 500, coarse_scan_width=_width(lon1))


def modis_5km_to_250m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, satz1: npt.ArrayLike
) -> tuple[Array, Array]:
    """Interpolate MODIS geolocation from 5km to 250m resolution."""
    warnings.warn(
        "Interpolating 5km geolocation to 250m resolution may result in poor quality",
        stacklevel=2,
    )
    return interpolate(lon1, lat1, satz1, 5000, 250, coarse_scan_width=_width(lon1))
