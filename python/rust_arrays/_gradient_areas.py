"""Coordinates of pyresample geometry definitions in one projection, for
:mod:`rust_arrays.gradient` (needs pyresample, which brings pyproj and dask).

The same pyproj transforms of the same coordinates as ``pyresample.gradient``, so the same
values; without the gradients (the Rust search derives ``np.gradient``'s where it needs them)
and without transforms between identical CRSs, which PROJ runs as a no-op on a copy.
"""

from __future__ import annotations

import functools
import importlib
import os
from typing import Any

import numpy as np

from rust_arrays import _core
from rust_arrays.gradient import _block_start

Array = np.ndarray[Any, Any]

# Untyped libraries: handled as Any.
dask: Any = importlib.import_module("dask")
pyproj: Any = importlib.import_module("pyproj")


def transform(transformer: Any, x: Any, y: Any) -> tuple[Array, Array]:
    """``transformer.transform(x, y)`` as C-contiguous float64 arrays."""
    if transformer.name == "noop":
        # PROJ returns the coordinates unchanged: skip the pass through it (the same values
        # as float64, which is what pyproj converts them to).
        return np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)
    tx, ty = transformer.transform(x, y)
    return np.ascontiguousarray(tx), np.ascontiguousarray(ty)


def transformer(source_crs: Any, target_crs: Any) -> Any:
    """pyresample's transformer from ``source_crs`` to ``target_crs``, made once per process
    (making one costs tens of milliseconds; pyproj's transformers are thread-safe)."""
    return _transformer(source_crs, target_crs, os.getpid())


@functools.lru_cache(maxsize=64)
def _transformer(source_crs: Any, target_crs: Any, process: int) -> Any:
    # `process` keys the cache: a forked child makes its own instead of sharing PROJ's state.
    return pyproj.Transformer.from_crs(source_crs, target_crs, always_xy=True)


def coordinates_in_same_projection(
    source_area: Any, target_area: Any
) -> tuple[tuple[Array, Array], tuple[Array, Array]]:
    """``((dst_x, dst_y), (src_x, src_y))``: the target's and the source's coordinates in the
    source's projection, or in the target's when the source is a swath (pyresample's choice)."""
    try:
        src_x, src_y = source_area.get_proj_coords()
        work_crs = source_area.crs
    except AttributeError:
        # A swath: its lons/lats, computed if they are lazy, in the target's projection.
        lons, lats = dask.compute(*source_area.get_lonlats())
        src_x, src_y = transform(transformer(source_area.crs, target_area.crs), lons, lats)
        work_crs = target_area.crs
    try:
        target = target_area.get_proj_coords()
    except AttributeError:
        target = dask.compute(*target_area.get_lonlats())
    dst = transform(transformer(target_area.crs, work_crs), *target)
    src = (np.ascontiguousarray(src_x, dtype=np.float64), np.ascontiguousarray(src_y, np.float64))
    return dst, src


def indices(source_area: Any, target_area: Any, block_info: Any, num_threads: int | None) -> Array:
    """pyresample's ``gradient_resampler_indices``: the search's (2, rows, columns) indices of
    ``target_area`` in ``source_area``, shifted by the source block's start if there is one."""
    (dst_x, dst_y), (src_x, src_y) = coordinates_in_same_projection(source_area, target_area)
    return _core.gradient_indices(
        src_x, src_y, dst_x, dst_y, None, _block_start(block_info), num_threads=num_threads
    )
