"""The talk's slow code, as the executable specification of every kernel.

Tests compare :mod:`rust_arrays` against these functions bit for bit, and the comparison tool
measures them as the peers. They are deliberately the talk's code (pure-Python loops and the
NumPy versions), changed only where noted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

INT64_MIN = -(2**63)


def primes_python(nb_primes: int) -> list[int]:
    """The talk's ``_fast_stuff.primes`` as pure Python: trial division by the primes found so
    far. Without the talk's silent cap at 1000 primes."""
    p: list[int] = []
    n = 2
    while len(p) < nb_primes:
        for i in p:
            # Is n not prime?
            if n % i == 0:
                break
        else:
            # If no break occurred in the loop, we have a prime.
            p.append(n)
        n += 1
    return p


def primes_numpy(nb_primes: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The first ``nb_primes`` primes by a NumPy sieve of Eratosthenes (the vectorised peer)."""
    if nb_primes <= 0:
        return np.zeros(0, dtype=np.int64)
    limit = 15
    if nb_primes >= 6:
        limit = int(nb_primes * (math.log(nb_primes) + math.log(math.log(nb_primes)))) + 16
    is_prime = np.ones(limit + 1, dtype=bool)
    is_prime[:2] = False
    for n in range(2, math.isqrt(limit) + 1):
        if is_prime[n]:
            is_prime[n * n :: n] = False
    return np.flatnonzero(is_prime)[:nb_primes].astype(np.int64)


def do_something_numpy(a: npt.ArrayLike, b: npt.ArrayLike) -> int:
    """The talk's ``slow_arrays.do_something``, verbatim but for two things: NumPy's warnings
    about NaN and overflowing casts are silenced, and the result is a Python int."""
    with np.errstate(all="ignore"):
        a_grid, b_grid = np.meshgrid(a, b)
        tmp = np.sqrt(a_grid**2 + b_grid**2).round().astype(np.int64)
        tmp[tmp <= 10] = 0
        return int(tmp.sum())


def do_something_numpy_blocks(
    a: npt.ArrayLike, b: npt.ArrayLike, block_pairs: int = 1 << 20
) -> int:
    """The talk's NumPy version over blocks of rows of the grid: the same value (an int64 sum
    wraps the same in any order) with memory bounded by ``block_pairs`` instead of len(a)*len(b).
    """
    a_flat = np.asarray(a).ravel()
    b_flat = np.asarray(b).ravel()
    rows = max(1, block_pairs // max(1, a_flat.size))
    total = np.int64(0)
    with np.errstate(all="ignore"):
        for start in range(0, b_flat.size, rows):
            a_grid, b_grid = np.meshgrid(a_flat, b_flat[start : start + rows])
            tmp = np.sqrt(a_grid**2 + b_grid**2).round().astype(np.int64)
            tmp[tmp <= 10] = 0
            total += tmp.sum()
    return int(total)


def _numpy_int64_cast(value: float) -> int:
    """``np.float64(value).astype(np.int64)`` on x86-64: NaN, ±inf and values outside the int64
    range give INT64_MIN."""
    if math.isfinite(value) and -(2.0**63) <= value < 2.0**63:
        return int(value)
    return INT64_MIN


def do_something_python(a: list[float], b: list[float]) -> int:
    """The talk's kernel as pure-Python loops over float64 values (Python floats), with the
    NumPy version's semantics: round half to even, NumPy's int64 cast, wrapping int64 sum."""
    total = 0
    for x in a:
        for y in b:
            root = math.sqrt(x * x + y * y)
            value = _numpy_int64_cast(round(root) if math.isfinite(root) else root)
            if value > 10:
                total += value
    # Wrap like an int64 accumulator.
    return (total - INT64_MIN) % 2**64 + INT64_MIN


def masked_hypot_numpy(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    out: np.ndarray[Any, Any] | None = None,
    threshold: float = 2.0,
) -> np.ndarray[Any, Any]:
    """The talk's "memory too" code: a boolean mask, then three temporaries the size of the
    selection. ``out=None`` starts from zeros of the promoted dtype."""
    a = np.asarray(a)
    b = np.asarray(b)
    if out is None:
        out = np.zeros(a.shape, dtype=np.result_type(a, b))
    with np.errstate(all="ignore"):
        mask = a > threshold
        out[mask] = np.sqrt(a[mask] ** 2 + b[mask] ** 2)
    return out


def masked_hypot_python(a: list[float], b: list[float], threshold: float = 2.0) -> list[float]:
    """The same as pure-Python loops over float64 values (Python floats)."""
    out = [0.0] * len(a)
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x > threshold:
            out[i] = math.sqrt(x * x + y * y)
    return out
