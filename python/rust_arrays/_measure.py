"""Wall time and peak memory of one call, measured in this process.

Peak memory is the rise of the resident set size above its level before the call (Linux: the
peak is reset through ``/proc/self/clear_refs`` first, so earlier allocations do not hide it).
It counts everything the call touches: NumPy temporaries and Rust allocations alike, which
``tracemalloc`` would miss. Memory that an earlier call freed and the allocator hands out again
is already resident and would not count, so large blocks are made to come fresh from the kernel
(glibc's mmap threshold is pinned, see :func:`fresh_large_allocations`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass(frozen=True)
class Measurement(Generic[T]):
    result: T
    seconds: float
    peak_bytes: int | None  # None where the platform cannot tell


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def fresh_large_allocations() -> bool:
    """Makes glibc serve every allocation above 128 KiB by its own mmap, returned on free.

    By default glibc raises that threshold after a large block is freed and then serves the
    next one from already-resident heap memory, which would hide it from an RSS measurement.
    Returns False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, 128 * 1024))


def _status_kib(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    if match is None:
        raise OSError(f"{field} missing from {_STATUS}")
    return int(match.group(1))


def _reset_peak() -> bool:
    """Sets the peak RSS to the current RSS; False where the platform has no such reset.

    The check that the reset took allows for the RSS shrinking between the reset and the
    reads (the kernel reclaiming file pages, counters that are summed per CPU lazily), and
    retries: a reset that did not take leaves the peak far above the current RSS every time."""
    try:
        for _ in range(5):
            _CLEAR_REFS.write_text("5")
            rss = _status_kib("VmRSS")
            if _status_kib("VmHWM") <= rss + max(256, rss // 100):
                return True
        return False
    except OSError:
        return False


def measure(call: Callable[[], T]) -> Measurement[T]:
    """Runs ``call`` once and reports its result, wall time and peak extra memory."""
    tracked = _reset_peak()
    baseline = _status_kib("VmRSS") if tracked else 0
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    peak = max(0, _status_kib("VmHWM") - baseline) * 1024 if tracked else None
    return Measurement(result, seconds, peak)
