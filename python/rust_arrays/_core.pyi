"""Type stubs of the compiled module ``rust_arrays._core`` (checked by ``mypy.stubtest``)."""

from typing import Any, Literal, SupportsIndex, overload

import numpy as np

__all__ = [
    "NUM_THREADS_VARIABLE",
    "__version__",
    "available_isas",
    "block_interpolation",
    "do_something_from_squares",
    "gradient_indices",
    "gradient_search",
    "masked_hypot_into",
    "modis_interpolate",
    "modis_libm",
    "primes",
    "primes_array",
    "simple_modis_interpolate",
]
__version__: str
NUM_THREADS_VARIABLE: str

def primes(nb_primes: SupportsIndex, *, num_threads: int | None = None) -> list[int]: ...
def primes_array(
    nb_primes: SupportsIndex, *, num_threads: int | None = None
) -> np.ndarray[tuple[int], np.dtype[np.int64]]: ...
def do_something_from_squares(
    a_sq: np.ndarray[Any, Any],
    b_sq: np.ndarray[Any, Any],
    /,
    *,
    num_threads: int | None = None,
    method: str = "auto",
    isa: str | None = None,
) -> int: ...
def available_isas() -> list[str]: ...
def masked_hypot_into(
    a: np.ndarray[Any, Any],
    b: np.ndarray[Any, Any],
    out: np.ndarray[Any, Any],
    threshold: float,
    /,
    *,
    num_threads: int | None = None,
    isa: str | None = None,
) -> None: ...
@overload
def modis_interpolate(
    lon: np.ndarray[Any, Any],
    lat: np.ndarray[Any, Any],
    satz: np.ndarray[Any, Any],
    coarse_resolution: int,
    fine_resolution: int,
    coarse_scan_width: int | None = None,
    /,
    *,
    num_threads: int | None = None,
    isa: str | None = None,
    stacked: Literal[False] = False,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]: ...
@overload
def modis_interpolate(
    lon: np.ndarray[Any, Any],
    lat: np.ndarray[Any, Any],
    satz: np.ndarray[Any, Any],
    coarse_resolution: int,
    fine_resolution: int,
    coarse_scan_width: int | None = None,
    /,
    *,
    num_threads: int | None = None,
    isa: str | None = None,
    stacked: Literal[True],
) -> np.ndarray[Any, Any]: ...
@overload
def modis_interpolate(
    lon: np.ndarray[Any, Any],
    lat: np.ndarray[Any, Any],
    satz: np.ndarray[Any, Any],
    coarse_resolution: int,
    fine_resolution: int,
    coarse_scan_width: int | None = None,
    /,
    *,
    num_threads: int | None = None,
    isa: str | None = None,
    stacked: bool = False,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | np.ndarray[Any, Any]: ...
def modis_libm(isa: str | None = None) -> str: ...
@overload
def simple_modis_interpolate(
    lon: np.ndarray[Any, Any],
    lat: np.ndarray[Any, Any],
    coarse_resolution: int,
    fine_resolution: int,
    /,
    *,
    num_threads: int | None = None,
    isa: str | None = None,
    stacked: Literal[False] = False,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]: ...
@overload
def simple_modis_interpolate(
    lon: np.ndarray[Any, Any],
    lat: np.ndarray[Any, Any],
    coarse_resolution: int,
    fine_resolution: int,
    /,
    *,
    num_threads: int | None = None,
    isa: str | None = None,
    stacked: Literal[True],
) -> np.ndarray[Any, Any]: ...
@overload
def simple_modis_interpolate(
    lon: np.ndarray[Any, Any],
    lat: np.ndarray[Any, Any],
    coarse_resolution: int,
    fine_resolution: int,
    /,
    *,
    num_threads: int | None = None,
    isa: str | None = None,
    stacked: bool = False,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | np.ndarray[Any, Any]: ...

_Coordinates = np.ndarray[Any, np.dtype[np.float64]]

def gradient_search(
    data: np.ndarray[Any, Any],
    src_x: _Coordinates,
    src_y: _Coordinates,
    dst_x: _Coordinates,
    dst_y: _Coordinates,
    method: str,
    gradients: tuple[_Coordinates, _Coordinates, _Coordinates, _Coordinates] | None = None,
    /,
    *,
    num_threads: int | None = None,
) -> np.ndarray[Any, Any]: ...
def gradient_indices(
    src_x: _Coordinates,
    src_y: _Coordinates,
    dst_x: _Coordinates,
    dst_y: _Coordinates,
    gradients: tuple[_Coordinates, _Coordinates, _Coordinates, _Coordinates] | None = None,
    offset: tuple[float, float] | None = None,
    /,
    *,
    num_threads: int | None = None,
) -> np.ndarray[Any, np.dtype[np.float64]]: ...
def block_interpolation(
    data: np.ndarray[Any, Any],
    indices_x: _Coordinates,
    indices_y: _Coordinates,
    start: tuple[float, float] | None,
    fill: float,
    method: str,
    /,
    *,
    num_threads: int | None = None,
) -> np.ndarray[Any, Any]: ...
