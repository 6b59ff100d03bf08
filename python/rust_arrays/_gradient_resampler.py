"""The lazy gradient search resampler of :mod:`rust_arrays.gradient` (needs pyresample, dask
and xarray).

pyresample's ``ResampleBlocksGradientSearchResampler`` with the Rust kernels: the same target
blocks (``PYTROLL_CHUNK_SIZE``) and the same source crops (pyresample's ``resample_blocks``
builds both graphs), so the same bits. What changes is inside the tasks: each block's search and
interpolation run in Rust with the GIL released, the gradients are derived in Rust, transforms
between identical CRSs are skipped, and a swath source is transformed to the target's projection
once per source chunk (by lazy tasks that run in parallel) instead of once per target block whose
crop overlaps it.
"""

from __future__ import annotations

import copy
import importlib
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from rust_arrays import _core, gradient
from rust_arrays import _gradient_areas as areas

Array = np.ndarray[Any, Any]

# Untyped libraries: handled as Any.
da: Any = importlib.import_module("dask.array")
xr: Any = importlib.import_module("xarray")
upstream: Any = importlib.import_module("pyresample.gradient")
_geometry: Any = importlib.import_module("pyresample.geometry")
AreaDefinition, SwathDefinition = _geometry.AreaDefinition, _geometry.SwathDefinition
resample_blocks: Any = importlib.import_module("pyresample.resampler").resample_blocks


def create_gradient_search_resampler(
    source_geo_def: Any, target_geo_def: Any, *, num_threads: int | None = 1
) -> ResampleBlocksGradientSearchResampler:
    """See :func:`rust_arrays.gradient.create_gradient_search_resampler`."""
    source_is_area = isinstance(source_geo_def, AreaDefinition)
    target_is_area = isinstance(target_geo_def, AreaDefinition)
    if (source_is_area or isinstance(source_geo_def, SwathDefinition)) and (
        target_is_area or (source_is_area and isinstance(target_geo_def, SwathDefinition))
    ):
        return ResampleBlocksGradientSearchResampler(
            source_geo_def, target_geo_def, num_threads=num_threads
        )
    raise NotImplementedError(
        "gradient search resamples an area or a swath to an area, or an area to a swath; got "
        f"{type(source_geo_def).__name__} to {type(target_geo_def).__name__}"
    )


@contextmanager
def _quiet_slicer() -> Iterator[None]:
    """pyresample's slicer, which ``resample_blocks`` runs while building the graph, passes
    itself an argument it deprecates: nothing a caller can act on, so not shown."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "The `frequency` argument is pending deprecation", PendingDeprecationWarning
        )
        yield


def _chunk_size() -> int:
    # Read where upstream reads it (set from PYTROLL_CHUNK_SIZE when pyresample is imported).
    return int(upstream.CHUNK_SIZE)


def _lazy_swath(swath: Any) -> Any:
    """A copy of ``swath`` whose lons/lats are DataArrays of persisted dask arrays, as
    pyresample's cropping and ``resample`` need (NumPy ones are chunked, plain arrays get the
    dims ("y", "x"))."""
    lazy = copy.copy(swath)
    chunks = _chunk_size()
    for name in ("lons", "lats"):
        values = getattr(swath, name)
        if not isinstance(values, xr.DataArray):
            values = xr.DataArray(values, dims=("y", "x"))
        if not isinstance(values.data, da.Array):
            values = values.chunk(chunks)
        setattr(lazy, name, values.persist())
    lazy.hash = None
    return lazy


def _source_xy_block(lons: Array, lats: Array, source_crs: Any, target_crs: Any) -> Array:
    """One chunk of a swath's coordinates in the target's projection, as (2, lines, pixels):
    PROJ transforms them in place in the output."""
    out = np.empty((2, *np.shape(lons)))
    out[0], out[1] = lons, lats
    transformer = areas.transformer(source_crs, target_crs)
    if transformer.name != "noop":
        transformer.transform(out[0], out[1], inplace=True)
    return out


def _indices_from_source_xy(
    source_xy: Array, block_info: Any = None, num_threads: int | None = 1, **kwargs: Any
) -> Array:
    """The indices of one target block from its source crop's coordinates, already in the
    target's projection (a swath source)."""
    target = block_info[None]["area"]
    dst_x, dst_y = areas.transform(
        areas.transformer(target.crs, target.crs), *target.get_proj_coords()
    )
    return _core.gradient_indices(
        np.ascontiguousarray(source_xy[0]),
        np.ascontiguousarray(source_xy[1]),
        dst_x,
        dst_y,
        None,
        gradient._block_start(block_info),
        num_threads=num_threads,
    )


def _indices_from_areas(
    block_info: Any = None, num_threads: int | None = 1, **kwargs: Any
) -> Array:
    """The indices of one target block in its source crop, an area."""
    return areas.indices(block_info[0]["area"], block_info[None]["area"], block_info, num_threads)


def _checked_threads(num_threads: Any) -> int | None:
    """``num_threads`` if it is None or an int from 1 to 1024 (what every kernel accepts):
    checked now, not inside a task."""
    if num_threads is None:
        return None
    if isinstance(num_threads, bool) or not isinstance(num_threads, (int, np.integer)):
        raise TypeError(f"num_threads must be an int or None, not {type(num_threads).__name__}")
    if not 1 <= num_threads <= 1024:
        raise ValueError(f"num_threads must be between 1 and 1024, got {num_threads}")
    return int(num_threads)


def _target_coords(target_geo_def: Any, data: Any) -> list[Any] | None:
    """The coordinates of the result: the target's x/y projection vectors, data's others."""
    try:
        x, y = target_geo_def.get_proj_vectors()
    except AttributeError:
        return None
    known = {"x": x, "y": y}
    return [known[dim] if dim in known else data.coords[dim] for dim in data.dims]


class ResampleBlocksGradientSearchResampler(upstream.ResampleBlocksGradientSearchResampler):  # type: ignore[misc]
    """pyresample's lazy gradient search resampler, with the Rust kernels: ``precompute()``
    builds the lazy indices, ``compute(data, method="bilinear" | "nn" | "nearest_neighbour",
    fill_value=...)`` the lazy result (an xarray DataArray with ``attrs["area"]`` the target),
    ``resample(data)`` both. Each task computes on ``num_threads`` threads (1 by default: dask
    runs one task per core)."""

    def __init__(
        self, source_geo_def: Any, target_geo_def: Any, *, num_threads: int | None = 1
    ) -> None:
        if isinstance(source_geo_def, SwathDefinition):
            source_geo_def = _lazy_swath(source_geo_def)
        # pyresample's BaseResampler.__init__ (upstream's own would persist in place).
        self.source_geo_def = source_geo_def
        self.target_geo_def = target_geo_def
        self.indices_xy: Any = None
        self.num_threads = _checked_threads(num_threads)

    def _source_xy(self) -> Any:
        """The swath source's coordinates in the target's projection: lazy, one task per source
        chunk."""
        lons, lats = self.source_geo_def.get_lonlats()
        return da.map_blocks(
            _source_xy_block,
            lons,
            lats,
            self.source_geo_def.crs,
            self.target_geo_def.crs,
            new_axis=[0],
            chunks=((2,), *lons.chunks),
            dtype=np.float64,
            meta=np.empty((0, 0, 0)),
        )

    def precompute(self, **kwargs: Any) -> None:
        """Build the lazy (2, rows, columns) float64 indices of the target in the source."""
        if self.indices_xy is not None:
            return
        chunk = _chunk_size()
        if isinstance(self.source_geo_def, SwathDefinition):
            function: Callable[..., Array] = _indices_from_source_xy
            sources = [self._source_xy()]
        else:
            function, sources = _indices_from_areas, []
        with _quiet_slicer():
            self.indices_xy = resample_blocks(
                function,
                self.source_geo_def,
                sources,
                self.target_geo_def,
                chunk_size=(2, chunk, chunk),
                dtype=float,
                num_threads=self.num_threads,
            )

    @upstream.ensure_data_array  # type: ignore[untyped-decorator]
    def compute(
        self, data: Any, method: str = "bilinear", cache_id: Any = None, **kwargs: Any
    ) -> Any:
        """The lazy resampled ``data`` (dims as data's, the last two the target's)."""
        if method == "bilinear":
            interpolator = gradient.block_bilinear_interpolator
        elif method in ("nearest_neighbour", "nn"):
            interpolator = gradient.block_nn_interpolator
        else:
            raise ValueError(f"Unrecognized interpolation method {method} for gradient resampling.")
        if data.dtype.kind != "f" or data.dtype.itemsize not in (4, 8):
            raise TypeError(f"compute(): data must be float32 or float64, got {data.dtype}")
        self.precompute()
        chunk = _chunk_size()
        values = data.data
        if not isinstance(values, da.Array):
            values = da.from_array(values, chunks=(*data.shape[:-2], chunk, chunk))
        kwargs.setdefault("num_threads", self.num_threads)
        with _quiet_slicer():
            result = resample_blocks(
                interpolator,
                self.source_geo_def,
                [values],
                self.target_geo_def,
                dst_arrays=[self.indices_xy],
                chunk_size=[*data.shape[:-2], chunk, chunk],
                dtype=data.dtype,
                **kwargs,
            )
        coords = _target_coords(self.target_geo_def, data)
        resampled = xr.DataArray(result, attrs=data.attrs.copy(), dims=data.dims, coords=coords)
        resampled.attrs["area"] = self.target_geo_def
        return resampled


_KERNELS = (
    "one_step_gradient_search",
    "one_step_gradient_indices",
    "block_bilinear_interpolator",
    "block_nn_interpolator",
)


def patch(
    names: tuple[str, ...] = (*_KERNELS, "create_gradient_search_resampler"),
    replacements: dict[str, Any] | None = None,
) -> Callable[[], None]:
    """Replace ``names`` in ``pyresample.gradient`` (and the search kernels in
    ``pyresample.gradient._gradient_search``) by ours, or by ``replacements[name]``; returns a
    function that undoes it."""
    cython_kernels = importlib.import_module("pyresample.gradient._gradient_search")
    saved: list[tuple[Any, str, Any]] = []
    for module in (upstream, cython_kernels):
        for name in names:
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, (replacements or {}).get(name, getattr(gradient, name)))

    def undo() -> None:
        for module, name, value in reversed(saved):
            setattr(module, name, value)

    return undo


def patch_pyresample() -> Callable[[], None]:
    """See :func:`rust_arrays.gradient.patch_pyresample`."""
    return patch()
