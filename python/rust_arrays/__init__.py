"""rust_arrays: the kernels of the talk "When and why should I rewrite my Python code?", in Rust.

Every function gives exactly the result of its NumPy reference in :mod:`rust_arrays.reference`
and releases the GIL while it computes, so other Python threads keep running.

The submodules (``rust_arrays.modis``, ``rust_arrays.dask``, ...) are imported on first use,
so ``import rust_arrays`` stays cheap and never imports dask or xarray.
"""

from __future__ import annotations

import importlib
import types
from typing import Any

import numpy as np
import numpy.typing as npt

from rust_arrays import _core
from rust_arrays._core import primes, primes_array

__all__ = ["__version__", "do_something", "masked_hypot", "primes", "primes_array"]

__version__: str = _core.__version__

# The public submodules, reachable as attributes of the package without importing them first
# (PEP 562). Importing one happens on first access; what it imports (dask, xarray, ...) only then.
_SUBMODULES = frozenset(
    {"compare", "dask", "gradient", "modis", "reference", "simple_modis", "synthetic"}
)


def __getattr__(name: str) -> types.ModuleType:
    if name in _SUBMODULES:
        # import_module also binds it in this namespace, so this runs once per submodule.
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULES})


_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)


def _native(array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The array in native byte order (a copy only when it is not)."""
    if array.dtype.isnative:
        return array
    return array.astype(array.dtype.newbyteorder("="))


def _real_values(function: str, name: str, values: npt.ArrayLike) -> np.ndarray[Any, Any]:
    array = np.asarray(values)
    # float128 (long double) has no Rust type; complex, object, string, datetime have no order.
    if array.dtype.kind not in "biuf" or (array.dtype.kind == "f" and array.dtype.itemsize > 8):
        raise TypeError(
            f"{function}(): {name} must hold bool, integer, float16, float32 or float64 values, "
            f"got dtype {array.dtype}"
        )
    return array


def _sum_dtype(a_dtype: np.dtype[Any], b_dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The dtype NumPy adds ``a**2`` and ``b**2`` in, from the inputs' dtypes alone."""
    square_dtypes = [(np.zeros(1, dtype=dtype) ** 2).dtype for dtype in (a_dtype, b_dtype)]
    return np.result_type(*square_dtypes)


def _squares(values: np.ndarray[Any, Any], sum_dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """``values**2`` in their own dtype (integers wrap, floats may overflow to inf, as in
    NumPy), promoted to ``sum_dtype``: the O(n + m) part of do_something, in NumPy itself so its
    dtype rules hold by construction."""
    with np.errstate(over="ignore", invalid="ignore"):
        return (values**2).astype(sum_dtype, copy=False)


def do_something(a: npt.ArrayLike, b: npt.ArrayLike, *, num_threads: int | None = None) -> int:
    """The talk's kernel: over every pair ``(a[i], b[j])``, the sum of
    ``round(sqrt(a[i]**2 + b[j]**2))`` where that value is above 10.

    Exactly the value of the talk's NumPy version (:func:`rust_arrays.reference.do_something_numpy`)
    without its ``len(a) * len(b)`` temporaries: inputs are flattened like ``np.meshgrid`` does,
    squares and sums follow NumPy's dtype rules (float32 stays float32, integers wrap), ties round
    half to even, NaN, infinite and too large values count as zero, and the int64 total wraps on
    overflow. Lists, any strides, read-only and big-endian arrays are accepted.

    ``num_threads`` (default: the ``RUST_ARRAYS_NUM_THREADS`` environment variable, else every
    core) sets how many threads compute; the result is the same for any count.

    >>> import numpy as np
    >>> do_something(np.arange(5.0), np.arange(30.0))
    1916
    """
    a_values = _real_values("do_something", "a", a).ravel()
    b_values = _real_values("do_something", "b", b).ravel()
    sum_dtype = _sum_dtype(a_values.dtype, b_values.dtype)
    return _core.do_something_from_squares(
        _squares(a_values, sum_dtype), _squares(b_values, sum_dtype), num_threads=num_threads
    )


def _float_array(name: str, values: npt.ArrayLike) -> np.ndarray[Any, Any]:
    array = np.asarray(values)
    if array.dtype.kind != "f" or array.dtype.itemsize not in (4, 8):
        raise TypeError(
            f"masked_hypot(): {name} must be a float32 or float64 array, got dtype {array.dtype}"
        )
    return array


def _threshold_as_compared(a_dtype: np.dtype[Any], threshold: object) -> float:
    """The threshold rounded to the dtype NumPy compares ``a > threshold`` in: ``a``'s own dtype
    for a Python number (NEP 50), the promoted dtype for a NumPy scalar."""
    if isinstance(threshold, bool | np.bool_) or not isinstance(
        threshold, int | float | np.integer | np.floating
    ):
        raise TypeError(
            f"masked_hypot(): threshold must be a real number, not {type(threshold).__name__}"
        )
    compared_in = np.result_type(a_dtype, threshold)
    if compared_in not in (_FLOAT32, _FLOAT64):
        raise TypeError(
            f"masked_hypot(): threshold of type {type(threshold).__name__} would compare in "
            f"{compared_in}; use a float32 or float64 threshold"
        )
    with np.errstate(over="ignore"):
        return float(compared_in.type(threshold))


def masked_hypot(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    out: np.ndarray[Any, Any] | None = None,
    *,
    threshold: float = 2.0,
    num_threads: int | None = None,
) -> np.ndarray[Any, Any]:
    """Where ``a > threshold``, set ``out`` to ``sqrt(a**2 + b**2)``; elsewhere keep ``out``.

    The talk's "memory too" example, ``mask = a > threshold;
    out[mask] = np.sqrt(a[mask]**2 + b[mask]**2)``, in one pass with no temporary arrays and
    bit-identical results. ``a``, ``b`` and ``out`` have one shape (no broadcasting); ``a`` and
    ``b`` are float32 or float64, ``out`` has their promoted dtype. ``out=None`` starts from
    zeros. Returns ``out``. ``num_threads`` as for :func:`do_something`.

    >>> masked_hypot([1.0, 3.0], [1.0, 4.0]).tolist()
    [0.0, 5.0]
    """
    a_array = _float_array("a", a)
    b_array = _float_array("b", b)
    if a_array.shape != b_array.shape:
        raise ValueError(
            f"masked_hypot(): a and b must have the same shape, got {a_array.shape} and "
            f"{b_array.shape}"
        )
    threshold_value = _threshold_as_compared(a_array.dtype, threshold)
    out_dtype = np.result_type(a_array, b_array)
    if out is None:
        out = np.zeros(a_array.shape, dtype=out_dtype)
    elif not isinstance(out, np.ndarray):
        raise TypeError(f"masked_hypot(): out must be a numpy.ndarray, not {type(out).__name__}")
    elif out.dtype.newbyteorder("=") != out_dtype:
        raise TypeError(
            f"masked_hypot(): out must have dtype {out_dtype} (the promoted dtype of a and b), "
            f"got {out.dtype}"
        )
    elif out.shape != a_array.shape:
        raise ValueError(
            f"masked_hypot(): out must have the shape of a and b {a_array.shape}, got {out.shape}"
        )
    elif not out.flags.writeable:
        raise ValueError("masked_hypot(): out is read-only")
    else:
        # NumPy computes the whole right-hand side before assigning; where out overlaps an
        # input the in-place pass must read a copy of that input instead.
        if np.may_share_memory(out, a_array):
            a_array = a_array.copy()
        if np.may_share_memory(out, b_array):
            b_array = b_array.copy()
    target = out if out.dtype.isnative else _native(out)
    _core.masked_hypot_into(
        _native(a_array), _native(b_array), target, threshold_value, num_threads=num_threads
    )
    if target is not out:
        out[...] = target
    return out
