"""Writes ``modis_geotiepoints.npz``: small synthetic MODIS tie point granules and what
geotiepoints 1.9.0 makes of them, so the bit-for-bit tests also run where geotiepoints is not
installed (tests/test_modis.py, ``test_golden_*``).

    python tests/golden/make_modis_golden.py   # needs python-geotiepoints==1.9.0

Full outputs would take megabytes, so each output is kept as the SHA-256 of its bytes (equal
exactly when every bit is) plus its values at a fixed sample of positions (the first and last
fine rows and columns, where upstream extrapolates, and seeded random ones), so a mismatch can
say how many values differ. The inputs are stored as they are: regenerating them on another
machine could change their last bits (NumPy's trigonometric functions are not the same
everywhere).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from rust_arrays.synthetic import modis_tie_points

Array = np.ndarray[Any, Any]
PATH = Path(__file__).with_name("modis_geotiepoints.npz")
RANDOM_SAMPLES = 1500

# name: (tie points, coarse_scan_width, the resolution pairs)
CASES: dict[str, tuple[tuple[Array, Array, Array], int | None, tuple[tuple[int, int], ...]]] = {
    # One 1 km scan over the north pole and across the antimeridian, with NaN tie points.
    "1km_pole_antimeridian_nans": (
        modis_tie_points(1, 179.9, 88.9, 0.0, nans=12, seed=2),
        None,
        ((1000, 250), (1000, 500)),
    ),
    # Two 5 km scans of 271 columns, southern hemisphere, with NaN tie points.
    "5km_271_south_nans": (
        modis_tie_points(
            2, -150.0, -35.0, 190.0, coarse_resolution=5000, coarse_scan_width=271, nans=4, seed=3
        ),
        271,
        ((5000, 1000), (5000, 500), (5000, 250)),
    ),
    # Two 5 km scans of 270 columns across the antimeridian.
    "5km_270_antimeridian": (
        modis_tie_points(2, 179.0, -60.0, 170.0, coarse_resolution=5000, coarse_scan_width=270),
        270,
        ((5000, 1000),),
    ),
}


def digest(array: Array) -> str:
    data = np.ascontiguousarray(array)
    return hashlib.sha256(str((data.dtype.str, data.shape)).encode() + data.tobytes()).hexdigest()


def sample_positions(shape: tuple[int, int]) -> Array:
    """Flat indices: the four edges' first/last two rows and columns, then seeded random ones."""
    rows, cols = shape
    edge_rows = [0, 1, rows - 2, rows - 1]
    edge_cols = [0, 1, cols - 2, cols - 1]
    grid = np.arange(rows * cols).reshape(rows, cols)
    along_edge_rows = grid[edge_rows, :: max(1, cols // 64)]
    edges = np.concatenate([along_edge_rows.ravel(), grid[:, edge_cols].ravel()])
    random = np.random.default_rng(rows * 100_003 + cols).integers(0, rows * cols, RANDOM_SAMPLES)
    return np.unique(np.concatenate([edges, random]))


def keywords(pair: tuple[int, int], width: int | None) -> dict[str, int]:
    """geotiepoints' keyword arguments (its coarse_scan_width must be an int if given)."""
    given = {"coarse_resolution": pair[0], "fine_resolution": pair[1]}
    return given if width is None else {**given, "coarse_scan_width": width}


def key(case: str, pair: tuple[int, int], what: str) -> str:
    return f"{case}/{pair[0]}_to_{pair[1]}/{what}"


def main() -> None:
    from geotiepoints import modisinterpolator

    found = importlib.metadata.version("python-geotiepoints")
    if found != "1.9.0":
        sys.exit(f"needs python-geotiepoints 1.9.0, found {found}")
    contents: dict[str, Array] = {}
    for case, (inputs, width, pairs) in CASES.items():
        for name, array in zip(("lon1", "lat1", "satz1"), inputs, strict=True):
            contents[f"{case}/{name}"] = array
        for pair in pairs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # 5 km to 500/250 m: poor quality
                outputs = modisinterpolator.interpolate(*inputs, **keywords(pair, width))
            for name, output in zip(("lon", "lat"), outputs, strict=True):
                positions = sample_positions(output.shape)
                contents[key(case, pair, f"{name}_sha256")] = np.array(digest(output))
                contents[key(case, pair, f"{name}_shape")] = np.array(output.shape)
                contents[key(case, pair, f"{name}_sample")] = output.reshape(-1)[positions]
    np.savez_compressed(PATH, **contents)
    print(f"wrote {PATH} ({PATH.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
