"""Synthetic inputs for trying, testing and benchmarking rust_arrays without a data file.

- :func:`modis_tie_points` makes MODIS tie points (longitude, latitude, satellite zenith angle)
  shaped and typed like those of a MODIS level-1b file, the input of :mod:`rust_arrays.modis`.
  A plausible swath, not real data.
- :func:`polar_swath`, :func:`polar_stereographic_area` and :func:`geostationary_disk` make
  pyresample geometry definitions for :mod:`rust_arrays.gradient` (they need pyresample): a
  swath over the Arctic tilted against the meridians (the lon/lat of an oblique Mercator grid),
  a polar stereographic grid centred on the pole, and a full geostationary disk (coordinates
  beyond the disk are inf).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

__all__ = ["geostationary_disk", "modis_tie_points", "polar_stereographic_area", "polar_swath"]

Array = np.ndarray[Any, Any]
EARTH_KM = 6371.0

# Tie points per scan (rows x columns) at each coarse resolution, as in MODIS files.
SCAN_ROWS = {1000: 10, 5000: 2}
SCAN_WIDTHS = {1000: (1354,), 5000: (271, 270)}


def modis_tie_points(
    scans: int = 10,
    lon0: float = 20.0,
    lat0: float = 50.0,
    heading: float = -12.0,
    *,
    coarse_resolution: int = 1000,
    coarse_scan_width: int | None = None,
    columns: int | None = None,
    nans: int = 0,
    seed: int = 0,
) -> tuple[Array, Array, Array]:
    """``(lon1, lat1, satz1)``: float32 tie points of ``scans`` MODIS scans, in degrees.

    The swath follows a great circle from (``lon0``, ``lat0``) along ``heading`` (degrees
    clockwise from north; the default passes over central Europe), with scan lines across it
    out to about 1170 km on each side and the satellite zenith angle growing from 0 at nadir
    to 65 degrees at the edges. ``coarse_resolution`` 1000 gives 10 rows of 1354 columns per
    scan; 5000 gives 2 rows of ``coarse_scan_width`` (271, the default, or 270) columns.
    ``columns`` (at least 2) replaces the width by any other, for interpolators that take any
    (:mod:`rust_arrays.simple_modis`). ``nans`` values chosen at random (by ``seed``) in each
    array are set to NaN.

    >>> lon1, lat1, satz1 = modis_tie_points(2)
    >>> lon1.shape, lon1.dtype
    ((20, 1354), dtype('float32'))
    """
    if isinstance(scans, bool) or not isinstance(scans, int | np.integer) or scans < 1:
        raise ValueError(f"modis_tie_points(): scans must be a whole number >= 1, got {scans!r}")
    if coarse_resolution not in SCAN_ROWS:
        raise ValueError(
            f"modis_tie_points(): coarse_resolution must be 1000 or 5000, got {coarse_resolution!r}"
        )
    widths = SCAN_WIDTHS[coarse_resolution]
    cols = widths[0] if coarse_scan_width is None else coarse_scan_width
    if cols not in widths:
        raise ValueError(
            f"modis_tie_points(): coarse_scan_width at {coarse_resolution} m must be one of "
            f"{widths}, got {coarse_scan_width!r}"
        )
    if columns is not None:
        if isinstance(columns, bool) or not isinstance(columns, int | np.integer) or columns < 2:
            raise ValueError(f"modis_tie_points(): columns must be an int >= 2, got {columns!r}")
        cols = int(columns)
    rows = SCAN_ROWS[coarse_resolution]
    step = coarse_resolution / 1000.0  # km between tie points
    i = np.arange(scans * rows, dtype=np.float64)[:, None]
    across = (np.arange(cols)[None, :] - (cols - 1) / 2) * step
    lat0r, lon0r, h = np.radians(lat0), np.radians(lon0), np.radians(heading)

    def move(lat: Array, lon: Array, bearing: Array, dist: Array) -> tuple[Array, Array]:
        d = dist / EARTH_KM
        new_lat = np.arcsin(np.sin(lat) * np.cos(d) + np.cos(lat) * np.sin(d) * np.cos(bearing))
        new_lon = lon + np.arctan2(
            np.sin(bearing) * np.sin(d) * np.cos(lat), np.cos(d) - np.sin(lat) * np.sin(new_lat)
        )
        return new_lat, new_lon

    lat_c, lon_c = move(lat0r, lon0r, h + 0 * i, i * step)
    # The track's bearing at each centre point, then perpendicular to it.
    lat_n, lon_n = move(lat_c, lon_c, h + 0 * i, np.full_like(i, 0.01))
    bearing = np.arctan2(
        np.sin(lon_n - lon_c) * np.cos(lat_n),
        np.cos(lat_c) * np.sin(lat_n) - np.sin(lat_c) * np.cos(lat_n) * np.cos(lon_n - lon_c),
    )
    lat, lon = move(lat_c, lon_c, bearing + np.pi / 2, across + 0 * i)
    lon_deg = (np.degrees(lon) + 180.0) % 360.0 - 180.0
    satz = np.abs(across) / (cols * step / 2) * 65.0 + 0 * i
    out = [a.astype(np.float32) for a in (lon_deg, np.degrees(lat), satz)]
    rng = np.random.default_rng(seed)
    for array in out:
        flat = array.reshape(-1)
        flat[rng.integers(0, flat.size, nans)] = np.nan
    return out[0], out[1], out[2]


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
