"""rust_arrays.synthetic: MODIS-shaped tie points for examples, tests and benchmarks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rust_arrays import modis
from rust_arrays.synthetic import modis_tie_points


@pytest.mark.parametrize(
    ("keywords", "shape"),
    [
        ({}, (20, 1354)),
        ({"coarse_resolution": 5000}, (4, 271)),
        ({"coarse_resolution": 5000, "coarse_scan_width": 270}, (4, 270)),
    ],
)
def test_shapes_dtypes_and_ranges(keywords: dict[str, Any], shape: tuple[int, int]) -> None:
    lon, lat, satz = modis_tie_points(2, **keywords)
    for array in (lon, lat, satz):
        assert array.shape == shape
        assert array.dtype == np.float32
    assert np.all((lon >= -180) & (lon < 180))
    assert np.all((lat >= -90) & (lat <= 90))
    assert np.all((satz >= 0) & (satz <= 65))


def test_deterministic_and_nans_by_seed() -> None:
    first = modis_tie_points(1, nans=5, seed=3)
    again = modis_tie_points(1, nans=5, seed=3)
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a, b, equal_nan=True)
        assert 1 <= np.isnan(a).sum() <= 5


def test_the_output_is_what_rust_arrays_modis_takes() -> None:
    lon, lat = modis.modis_5km_to_1km(*modis_tie_points(3, coarse_resolution=5000))
    assert lon.shape == lat.shape == (30, 1354)


@pytest.mark.parametrize(
    ("arguments", "keywords", "match"),
    [
        ((0,), {}, "scans must be a whole number >= 1"),
        ((2.0,), {}, "scans must be a whole number >= 1"),
        ((1,), {"coarse_resolution": 250}, "coarse_resolution must be 1000 or 5000"),
        ((1,), {"coarse_scan_width": 271}, r"coarse_scan_width at 1000 m must be one of \(1354,\)"),
    ],
)
def test_bad_arguments(arguments: tuple[Any, ...], keywords: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        modis_tie_points(*arguments, **keywords)
