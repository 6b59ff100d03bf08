"""The talk's loops compiled by Numba: ``@njit`` (serial; it keeps the GIL, as ``@njit`` does
without ``nogil=True``) and ``@njit(parallel=True)`` with ``prange``.

Compiled code is cached on disk (``cache=True``, in ``NUMBA_CACHE_DIR``, which the comparison
points at its cache directory), so only the first run pays the compilation; the worker reports
it separately either way. Serial and parallel are separate functions because Numba's cache keys
a function by its name and signature, not by its compile options.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import numpy as np

# Imported by name: numba has no type information, and it is optional.
numba: Any = importlib.import_module("numba")
# Numba reads NUMBA_CACHE_DIR when it is imported; a worker forked from a process that had
# imported it already sets the variable later, so it is applied here, before any @njit.
if os.environ.get("NUMBA_CACHE_DIR"):
    numba.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]

Array = np.ndarray[Any, np.dtype[Any]]


def _do_something_serial(a: Array, b: Array) -> np.int64:
    # np.rint rounds half to even, as NumPy's round(); np.int64(x) truncates like astype.
    total = np.int64(0)
    for j in range(b.shape[0]):
        for i in range(a.shape[0]):
            tmp = np.int64(np.rint(np.sqrt(a[i] * a[i] + b[j] * b[j])))
            if tmp > 10:
                total += tmp
    return total


def _do_something_parallel(a: Array, b: Array) -> np.int64:
    total = np.int64(0)
    for j in numba.prange(b.shape[0]):
        for i in range(a.shape[0]):
            tmp = np.int64(np.rint(np.sqrt(a[i] * a[i] + b[j] * b[j])))
            if tmp > 10:
                total += tmp
    return total


def _masked_hypot_serial(a: Array, b: Array, out: Array, threshold: float) -> Array:
    for i in range(a.shape[0]):
        if a[i] > threshold:
            out[i] = np.sqrt(a[i] * a[i] + b[i] * b[i])
    return out


def _masked_hypot_parallel(a: Array, b: Array, out: Array, threshold: float) -> Array:
    for i in numba.prange(a.shape[0]):
        if a[i] > threshold:
            out[i] = np.sqrt(a[i] * a[i] + b[i] * b[i])
    return out


def _primes_serial(nb_primes: int) -> Array:
    # The talk's trial division by every prime found so far, into an array.
    p = np.empty(max(nb_primes, 0), dtype=np.int64)
    len_p = 0
    n = 2
    while len_p < nb_primes:
        is_prime = True
        for k in range(len_p):
            if n % p[k] == 0:
                is_prime = False
                break
        if is_prime:
            p[len_p] = n
            len_p += 1
        n += 1
    return p


do_something_serial: Any = numba.njit(cache=True)(_do_something_serial)
do_something_parallel: Any = numba.njit(cache=True, parallel=True)(_do_something_parallel)
masked_hypot_serial: Any = numba.njit(cache=True)(_masked_hypot_serial)
masked_hypot_parallel: Any = numba.njit(cache=True, parallel=True)(_masked_hypot_parallel)
primes_serial: Any = numba.njit(cache=True)(_primes_serial)

_DISPATCHERS = (
    do_something_serial,
    do_something_parallel,
    masked_hypot_serial,
    masked_hypot_parallel,
    primes_serial,
)


def jit_note() -> str:
    """Whether this process compiled its loops or loaded them from the cache."""
    misses = sum(sum(dispatcher.stats.cache_misses.values()) for dispatcher in _DISPATCHERS)
    hits = sum(sum(dispatcher.stats.cache_hits.values()) for dispatcher in _DISPATCHERS)
    if misses:
        return "JIT compiled"
    if hits:
        return "JIT loaded from cache"
    return ""
