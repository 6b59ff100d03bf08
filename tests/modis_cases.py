"""Tie points the MODIS tests share: orbit segments over hard places, and hostile values."""

from __future__ import annotations

from typing import Any

import numpy as np

from rust_arrays.synthetic import modis_tie_points

Array = np.ndarray[Any, Any]

# name: (scans, lon0, lat0, heading, options of `swath`): both hemispheres, over each pole (the
# long ones go past it), across the antimeridian, with NaN tie points.
_ORBIT_SEGMENTS: dict[str, tuple[int, float, float, float, dict[str, int]]] = {
    "europe": (6, 10.0, 45.0, -12.0, {}),
    "south-pacific": (6, -150.0, -35.0, 190.0, {}),
    "antimeridian": (6, 179.7, 5.0, -8.0, {}),
    "north-pole": (30, 60.0, 88.8, 0.0, {}),
    "south-pole": (30, -100.0, -88.9, 180.0, {}),
    "equator-nans": (6, -60.0, -0.2, 10.0, {"nans": 40, "seed": 1}),
    "antimeridian-pole-nans": (30, 179.9, 88.9, 0.0, {"nans": 25, "seed": 2}),
}


def orbit_segments(scale: float = 1.0) -> dict[str, tuple[Array, Array, Array]]:
    """1 km (lon, lat, satz) of each segment, with ``scale`` times as many scans."""
    return {
        name: modis_tie_points(max(1, round(scans * scale)), lon0, lat0, heading, **options)
        for name, (scans, lon0, lat0, heading, options) in _ORBIT_SEGMENTS.items()
    }


# Hostile tie point values (degrees): NaN of both signs, infinities, signed zeros, the poles and
# the antimeridian, beyond them, huge and subnormal (in float32) values.
HOSTILE_DEGREES = [
    np.nan,
    -np.nan,
    np.inf,
    -np.inf,
    0.0,
    -0.0,
    90.0,
    -90.0,
    180.0,
    -180.0,
    360.0,
    89.999,
    65.0,
    1e30,
    -1e30,
    1e-40,
]
