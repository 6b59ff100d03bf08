"""Gradient search resampling in Rust: a drop-in for ``pyresample.gradient`` (pyresample 1.35.0).

The same functions with the same arguments give upstream's results bit for bit, for float32 and
float64 data, nearest and bilinear:

- :func:`one_step_gradient_search` and :func:`one_step_gradient_indices` reproduce the Cython
  kernels (double arithmetic, C's ``(int)`` casts as x86-64 does them, the same visiting order);
- :func:`block_bilinear_interpolator` and :func:`block_nn_interpolator` reproduce the NumPy
  block interpolators (arithmetic in the data's dtype), in one pass with no full-size
  temporaries;
- :func:`gradient_resampler`, :func:`gradient_resampler_indices` and the lazy resampler of
  :func:`create_gradient_search_resampler` take pyresample geometry definitions (``pip install
  'rust_arrays[pyresample]'``); the kernels need none of it.

Every kernel releases the GIL. One search is serial (each target pixel starts from the previous
one's solution), so the parallelism is across channels and across blocks: the bilinear and
nearest interpolations use ``num_threads`` threads, and the lazy resampler runs its blocks on
dask's workers.

Differences from pyresample, each on purpose:

- Shapes that do not fit together (data vs source coordinates, the gradients, ``dst_x`` vs
  ``dst_y``, indices vs data) raise ValueError naming the argument; upstream's kernel reads out of
  bounds and returns garbage.
- An unknown ``method`` raises ValueError (upstream's kernel silently does nearest neighbour);
  ``"bilinear"``, ``"nn"``, ``"nearest"`` and ``"nearest_neighbour"`` are accepted. Integer or
  complex data raise TypeError (convert to float first).
- Read-only, non-contiguous and big-endian arrays are accepted (upstream rejects read-only ones),
  and coordinates of any real dtype are converted to float64.
- Inputs are never modified (upstream's block interpolators overwrite NaN in the caller's
  indices with 0 when ``block_info`` is None).
- A NumPy-backed ``SwathDefinition`` works as a source (upstream: AttributeError on
  ``.persist``).
- Every function takes a keyword-only ``num_threads`` (see :func:`rust_arrays.do_something`).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import numpy.typing as npt

from rust_arrays import _core

__all__ = [
    "ResampleBlocksGradientSearchResampler",  # noqa: F822 (module __getattr__, needs pyresample)
    "block_bilinear_interpolator",
    "block_nn_interpolator",
    "create_gradient_search_resampler",
    "gradient_resampler",
    "gradient_resampler_indices",
    "gradient_resampler_indices_block",
    "one_step_gradient_indices",
    "one_step_gradient_search",
    "patch_pyresample",
]

Array = np.ndarray[Any, Any]

_METHODS = {
    "bilinear": "bilinear",
    "nn": "nearest",
    "nearest": "nearest",
    "nearest_neighbour": "nearest",
}
_SOURCE_NAMES = ("src_x", "src_y", "xl", "xp", "yl", "yp")


def _method(function: str, method: object) -> str:
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(f"{function}(): method must be one of {sorted(_METHODS)}, got {method!r}")
    return _METHODS[method]


def _float_data(function: str, data: npt.ArrayLike, name: str = "data") -> Array:
    """``data`` as a float32 or float64 array in native byte order."""
    array = np.asarray(data)
    if array.dtype.kind != "f" or array.dtype.itemsize not in (4, 8):
        raise TypeError(
            f"{function}(): {name} must be float32 or float64, got {array.dtype} "
            "(convert it, e.g. with data.astype(np.float64))"
        )
    return array.astype(array.dtype.newbyteorder("="), copy=False)


def _coordinates(function: str, name: str, values: npt.ArrayLike) -> Array:
    """2-D real ``values`` as a C-contiguous float64 array (a copy only when needed)."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{function}(): {name} must hold real numbers, got {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{function}(): {name} must be 2-D, got {array.ndim} dimensions")
    return np.ascontiguousarray(array, dtype=np.float64)


def _same_shape(function: str, names: tuple[str, ...], arrays: list[Array]) -> None:
    for name, array in zip(names[1:], arrays[1:], strict=True):
        if array.shape != arrays[0].shape:
            raise ValueError(
                f"{function}(): {name} must have the shape of {names[0]}, got {array.shape} "
                f"and {arrays[0].shape}"
            )


def _search_inputs(
    function: str, source: tuple[npt.ArrayLike, ...], target: tuple[npt.ArrayLike, ...]
) -> tuple[list[Array], list[Array]]:
    """The six source arrays and the two target coordinates, checked and converted."""
    src = [_coordinates(function, n, v) for n, v in zip(_SOURCE_NAMES, source, strict=True)]
    dst = [_coordinates(function, n, v) for n, v in zip(("dst_x", "dst_y"), target, strict=True)]
    _same_shape(function, _SOURCE_NAMES, src)
    _same_shape(function, ("dst_x", "dst_y"), dst)
    return src, dst


def one_step_gradient_search(
    data: npt.ArrayLike,
    src_x: npt.ArrayLike,
    src_y: npt.ArrayLike,
    xl: npt.ArrayLike,
    xp: npt.ArrayLike,
    yl: npt.ArrayLike,
    yp: npt.ArrayLike,
    dst_x: npt.ArrayLike,
    dst_y: npt.ArrayLike,
    method: str = "bilinear",
    *,
    num_threads: int | None = None,
) -> Array:
    """Gradient search, simple case variant.

    ``data`` (channels, lines, pixels; float32 or float64) resampled to the target pixels whose
    coordinates ``dst_x``, ``dst_y`` are given in the projection of the source coordinates
    ``src_x``, ``src_y`` (lines, pixels), whose gradients along lines and pixels are ``xl``,
    ``xp``, ``yl``, ``yp``. Returns (channels, target rows, target columns) in data's dtype, NaN
    where no source pixel is found; bit for bit pyresample's Cython kernel.
    """
    function = "one_step_gradient_search"
    kind = _method(function, method)
    values = _float_data(function, data)
    if values.ndim != 3:
        raise ValueError(
            f"{function}(): data must be 3-D (channels, lines, pixels), got {values.ndim} "
            "dimensions"
        )
    src, dst = _search_inputs(function, (src_x, src_y, xl, xp, yl, yp), (dst_x, dst_y))
    if values.shape[1:] != src[0].shape:
        raise ValueError(
            f"{function}(): data's lines and pixels {values.shape[1:]} must be the shape of "
            f"src_x {src[0].shape}"
        )
    return _core.gradient_search(
        values,
        src[0],
        src[1],
        dst[0],
        dst[1],
        kind,
        (src[2], src[3], src[4], src[5]),
        num_threads=num_threads,
    )


def one_step_gradient_indices(
    src_x: npt.ArrayLike,
    src_y: npt.ArrayLike,
    xl: npt.ArrayLike,
    xp: npt.ArrayLike,
    yl: npt.ArrayLike,
    yp: npt.ArrayLike,
    dst_x: npt.ArrayLike,
    dst_y: npt.ArrayLike,
    *,
    num_threads: int | None = None,
) -> Array:
    """Gradient search, simple case variant, returning float indices.

    Returns a (2, target rows, target columns) float64 array: the fractional source pixel (x)
    and line (y) index of every target pixel, NaN where none is found; bit for bit pyresample's
    Cython kernel. ``num_threads`` is checked, but one search runs on one thread.
    """
    function = "one_step_gradient_indices"
    src, dst = _search_inputs(function, (src_x, src_y, xl, xp, yl, yp), (dst_x, dst_y))
    return _core.gradient_indices(
        src[0], src[1], dst[0], dst[1], (src[2], src[3], src[4], src[5]), num_threads=num_threads
    )


def _block_start(block_info: Any) -> tuple[float, float] | None:
    """The start ``(x, y)`` of the source block that dask's ``block_info`` locates (None without
    one), as the float64 values NumPy adds or subtracts."""
    if not block_info:
        return None
    y_slice, x_slice = block_info[0]["array-location"][-2:]
    return float(x_slice.start), float(y_slice.start)


def _check_block_shape(function: str, block_info: Any, data_shape: tuple[int, ...]) -> None:
    """ValueError unless ``data`` is the source block that ``block_info`` locates."""
    if not block_info:
        return
    source = block_info[0]
    full = source.get("shape")
    if full is None or len(full) < 2:
        return
    slices = source["array-location"][-2:]
    expected = tuple(len(range(n)[s]) for n, s in zip(full[-2:], slices, strict=True))
    if data_shape[-2:] != expected:
        raise ValueError(
            f"{function}(): data's last two dimensions {data_shape[-2:]} are not the shape of "
            f"the source block {expected} that block_info locates"
        )


def _block_interpolator(
    function: str,
    method: str,
    data: npt.ArrayLike,
    indices_xy: npt.ArrayLike,
    fill_value: Any,
    block_info: Any,
    num_threads: int | None,
) -> Array:
    values = _float_data(function, data)
    if values.ndim < 2:
        raise ValueError(f"{function}(): data must have at least 2 dimensions (lines, pixels)")
    indices = np.asarray(indices_xy)
    if indices.ndim != 3 or indices.shape[0] != 2:
        raise ValueError(
            f"{function}(): indices_xy must have shape (2, rows, columns), got {indices.shape}"
        )
    if indices.dtype.kind not in "biuf":
        raise TypeError(f"{function}(): indices_xy must hold real numbers, got {indices.dtype}")
    _check_block_shape(function, block_info, values.shape)
    start = _block_start(block_info)
    if indices.dtype != np.float64 and start is not None:
        # NumPy subtracts the start in the indices' own dtype: do that here, then widen
        # (exactly) to float64 for the kernel.
        indices = np.stack([indices[0] - int(start[0]), indices[1] - int(start[1])])
        start = None
    x = np.ascontiguousarray(indices[0], dtype=np.float64)
    y = np.ascontiguousarray(indices[1], dtype=np.float64)
    lines, pixels = values.shape[-2:]
    count = int(np.prod(values.shape[:-2]))
    channels = np.ascontiguousarray(values).reshape(count, lines, pixels)
    if isinstance(fill_value, (bool, np.bool_)) or not isinstance(
        fill_value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"{function}(): fill_value must be a real number, got {type(fill_value).__name__}"
        )
    # The value and dtype np.where(mask, fill_value, result) gives.
    fill = np.where(True, fill_value, np.zeros((), values.dtype))
    direct = fill.dtype == values.dtype
    result = _core.block_interpolation(
        channels,
        x,
        y,
        start,
        float(fill) if direct else np.nan,
        method,
        num_threads=num_threads,
    )
    result = result.reshape((*values.shape[:-2], *x.shape))
    if direct:
        return result
    # A fill value of a wider dtype than data's widens the result, as np.where does.
    missing = np.isnan(y if start is None else y - start[1])
    return np.where(missing, fill_value, result)


def block_bilinear_interpolator(
    data: npt.ArrayLike,
    indices_xy: npt.ArrayLike,
    fill_value: Any = np.nan,
    block_info: Any = None,
    *,
    num_threads: int | None = None,
    **kwargs: Any,
) -> Array:
    """Bilinear interpolation implementation for resample_blocks.

    ``data`` (..., lines, pixels; float32 or float64) at the fractional source indices
    ``indices_xy`` (2, rows, columns): x then y, relative to the source block that dask's
    ``block_info`` locates, or to ``data`` itself without it. ``fill_value`` where the y index
    is NaN. Returns (..., rows, columns), bit for bit pyresample's NumPy version (weights and
    arithmetic in data's dtype), without its temporaries.
    """
    return _block_interpolator(
        "block_bilinear_interpolator",
        "bilinear",
        data,
        indices_xy,
        fill_value,
        block_info,
        num_threads,
    )


def block_nn_interpolator(
    data: npt.ArrayLike,
    indices_xy: npt.ArrayLike,
    fill_value: Any = np.nan,
    block_info: Any = None,
    *,
    num_threads: int | None = None,
    **kwargs: Any,
) -> Array:
    """Nearest neighbour 'interpolator' for resample_blocks.

    As :func:`block_bilinear_interpolator`, with the nearest source pixel (indices rounded half
    to even, as ``np.rint``).
    """
    return _block_interpolator(
        "block_nn_interpolator",
        "nearest",
        data,
        indices_xy,
        fill_value,
        block_info,
        num_threads,
    )


def _areas() -> Any:
    """The module for pyresample geometry definitions (imports pyresample, pyproj, dask)."""
    try:
        return importlib.import_module("rust_arrays._gradient_areas")
    except ImportError as err:
        raise ImportError(
            f"this function needs pyresample ({err}): pip install 'rust_arrays[pyresample]'"
        ) from err


def gradient_resampler(
    data: npt.ArrayLike,
    source_area: Any,
    target_area: Any,
    method: str = "bilinear",
    *,
    num_threads: int | None = None,
) -> Array:
    """Do the gradient search resampling.

    ``data`` (lines, pixels) or (channels, lines, pixels) on ``source_area`` (a pyresample
    ``AreaDefinition`` or ``SwathDefinition``), resampled to ``target_area``; the result of
    pyresample's ``gradient_resampler`` bit for bit.
    """
    function = "gradient_resampler"
    kind = _method(function, method)
    values = _float_data(function, data)
    if values.ndim not in (2, 3):
        raise ValueError(f"{function}(): data must be 2-D or 3-D, got {values.ndim} dimensions")
    (dst_x, dst_y), (src_x, src_y) = _areas().coordinates_in_same_projection(
        source_area, target_area
    )
    channels = values if values.ndim == 3 else values[np.newaxis]
    if channels.shape[1:] != src_x.shape:
        raise ValueError(
            f"{function}(): data's lines and pixels {channels.shape[1:]} must be the shape of "
            f"source_area {src_x.shape}"
        )
    result = _core.gradient_search(
        channels, src_x, src_y, dst_x, dst_y, kind, num_threads=num_threads
    )
    return result if values.ndim == 3 else result[0]


def gradient_resampler_indices(
    source_area: Any,
    target_area: Any,
    block_info: Any = None,
    *,
    num_threads: int | None = None,
    **kwargs: Any,
) -> Array:
    """Do the gradient search resampling, returning the resulting indices.

    (2, rows, columns) float64: the fractional source x and y index of every pixel of
    ``target_area``, plus the start of the source block that ``block_info`` locates, if given.
    """
    indices: Array = _areas().indices(source_area, target_area, block_info, num_threads)
    return indices


def gradient_resampler_indices_block(block_info: Any, **kwargs: Any) -> Array:
    """Do the gradient search resampling using block_info for areas, returning the resulting
    indices."""
    return gradient_resampler_indices(
        block_info[0]["area"], block_info[None]["area"], block_info, **kwargs
    )


def create_gradient_search_resampler(
    source_geo_def: Any, target_geo_def: Any, *, num_threads: int | None = 1
) -> Any:
    """Create a gradient search resampler: swath or area to area, or area to swath.

    A lazy resampler like pyresample's ``ResampleBlocksGradientSearchResampler`` (``precompute``,
    ``compute``, ``resample``; xarray DataArray in, lazy DataArray out), with the same blocks
    (``PYTROLL_CHUNK_SIZE``) and the same results bit for bit. Each dask task computes on
    ``num_threads`` threads (1 by default: dask already runs one task per core).
    """
    return importlib.import_module(
        "rust_arrays._gradient_resampler"
    ).create_gradient_search_resampler(source_geo_def, target_geo_def, num_threads=num_threads)


def patch_pyresample() -> Any:
    """Make pyresample use these kernels: replaces ``one_step_gradient_search``,
    ``one_step_gradient_indices``, ``block_bilinear_interpolator``, ``block_nn_interpolator``
    and ``create_gradient_search_resampler`` in ``pyresample.gradient`` (and the first two in
    ``pyresample.gradient._gradient_search``), so that code which asks pyresample for them, such
    as satpy's ``resampler="gradient_search"``, gets these. Returns a function that puts
    pyresample's own back.
    """
    module: Any = importlib.import_module("rust_arrays._gradient_resampler")
    return module.patch_pyresample()


def __getattr__(name: str) -> Any:
    if name == "ResampleBlocksGradientSearchResampler":
        module = importlib.import_module("rust_arrays._gradient_resampler")
        return module.ResampleBlocksGradientSearchResampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
