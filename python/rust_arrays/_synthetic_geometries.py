"""Synthetic pyresample geometries for gradient search resampling: the tests, the benchmarks,
``rust-arrays compare`` and the README use them (needs pyresample).

- :func:`polar_swath`: a swath of ``lines`` x ``pixels`` over the Arctic, tilted against the
  meridians (lon/lat of an oblique Mercator grid, as a ``SwathDefinition``).
- :func:`polar_stereographic_area`: a polar stereographic target grid centred on the pole.
- :func:`geostationary_disk`: a full geostationary disk (coordinates outside the disk are inf).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np


def _geometry() -> Any:
    """pyresample.geometry (untyped: handled as Any)."""
    return importlib.import_module("pyresample.geometry")


def _area(name: str, projection: dict[str, Any], shape: tuple[int, int], extent: Any) -> Any:
    lines, pixels = shape
    return _geometry().AreaDefinition(name, name, None, projection, pixels, lines, tuple(extent))


def polar_swath(
    lines: int = 2000,
    pixels: int = 2000,
    *,
    half_width_m: float = 1_700_000.0,
    lat_0: float = 85.0,
    lon_0: float = 20.0,
    tilt: float = 30.0,
    chunks: int | None = None,
    dtype: Any = np.float64,
) -> Any:
    """A swath around (``lat_0``, ``lon_0``), ``2 * half_width_m`` wide, its lines ``tilt``
    degrees off the meridian. ``chunks``: dask-backed lons/lats (xarray DataArrays) with that
    chunk size, as satpy gives them; None: NumPy arrays."""
    grid = _area(
        "swath",
        {
            "proj": "omerc",
            "lat_0": lat_0,
            "lonc": lon_0,
            "alpha": tilt,
            "gamma": 0,
            "ellps": "WGS84",
            "units": "m",
        },
        (lines, pixels),
        (-half_width_m, -half_width_m, half_width_m, half_width_m),
    )
    lons, lats = (values.astype(dtype) for values in grid.get_lonlats())
    swath = _geometry().SwathDefinition
    if chunks is None:
        return swath(lons, lats)
    da: Any = importlib.import_module("dask.array")
    xr: Any = importlib.import_module("xarray")

    def lazy(values: np.ndarray[Any, Any]) -> Any:
        return xr.DataArray(da.from_array(values, chunks=chunks), dims=("y", "x"))

    return swath(lazy(lons), lazy(lats))


def polar_stereographic_area(
    lines: int = 2000,
    pixels: int = 2000,
    *,
    half_width_m: float = 1_000_000.0,
    lon_0: float = 0.0,
    name: str = "polar_stereographic",
) -> Any:
    """A north polar stereographic grid centred on the pole, ``2 * half_width_m`` across."""
    return _area(
        name,
        {"proj": "stere", "lat_0": 90, "lon_0": lon_0, "lat_ts": 70, "ellps": "WGS84"},
        (lines, pixels),
        (-half_width_m, -half_width_m, half_width_m, half_width_m),
    )


def geostationary_disk(lines: int = 1000, pixels: int = 1000, *, lon_0: float = 0.0) -> Any:
    """The full disk seen from a geostationary satellite over ``lon_0``."""
    return _area(
        "geostationary_disk",
        {"proj": "geos", "h": 35785831, "lon_0": lon_0, "ellps": "WGS84"},
        (lines, pixels),
        (-5_570_248.0, -5_570_248.0, 5_570_248.0, 5_570_248.0),
    )
