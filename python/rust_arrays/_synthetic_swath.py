"""Synthetic MODIS tie points for tests, benchmarks and ``rust-arrays compare``: a plausible
swath, not real data, with float32 values like a MODIS level-1b file's."""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]
EARTH_KM = 6371.0


def swath(
    scans: int,
    lon0: float,
    lat0: float,
    heading: float,
    *,
    five_km: bool = False,
    cols: int | None = None,
    nans: int = 0,
    seed: int = 0,
) -> tuple[Array, Array, Array]:
    """Float32 tie points of a plausible MODIS swath: a great circle from (lon0, lat0) along
    ``heading``, scan lines across it out to about 1170 km, zenith angle 0 to 65 degrees."""
    rows = 2 if five_km else 10
    cols = cols or (271 if five_km else 1354)
    step = 5.0 if five_km else 1.0
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
