"""Deciding before a measurement whether it fits: the time (and memory) it is predicted to take,
from this run's own earlier measurements of the same implementation and kernel.

A measurement predicted over the time budget, or over the memory this machine has available,
is skipped and reported with its prediction; it is never started. Without an earlier
measurement to go by, the worker calibrates itself (see :mod:`.measure.worker`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rust_arrays.compare import complexity

# Calls shorter than this are mostly call overhead: extrapolating them would predict far too much.
MIN_BASIS_SECONDS = 1e-3
# Peaks below this are mostly noise (pages of the allocator, Python objects).
MIN_BASIS_BYTES = 1 << 20
# Leave room for the parent, the inputs and everything else running.
MEMORY_HEADROOM = 0.8


@dataclass(frozen=True)
class Prediction:
    seconds: float | None
    peak_bytes: float | None


@dataclass(frozen=True)
class _Point:
    work: float
    seconds: float | None
    peak_bytes: int | None


def _basis(points: list[_Point], work: float) -> _Point | None:
    """The largest point at or below ``work``, else the smallest above it."""
    below = [point for point in points if point.work <= work]
    if below:
        return max(below, key=lambda point: point.work)
    return min(points, key=lambda point: point.work) if points else None


class Predictor:
    def __init__(self) -> None:
        self._points: dict[tuple[str, str], list[_Point]] = {}

    def record(
        self,
        kernel: str,
        implementation: str,
        work: float,
        seconds: float | None,
        peak_bytes: int | None = None,
    ) -> None:
        self._points.setdefault((kernel, implementation), []).append(
            _Point(work, seconds, peak_bytes)
        )

    def predict(
        self, kernel: str, implementation: str, work: float, growth: complexity.Growth
    ) -> Prediction:
        points = self._points.get((kernel, implementation), [])
        timed = _basis(
            [p for p in points if p.seconds is not None and p.seconds >= MIN_BASIS_SECONDS], work
        )
        seconds = None
        if timed is not None and timed.seconds is not None:
            seconds = complexity.predict_seconds(growth, timed.work, timed.seconds, work)
        # Memory grows with the work or less (temporaries, outputs): linear is the safe side.
        sized = [
            p
            for p in points
            if p.peak_bytes is not None and p.peak_bytes >= MIN_BASIS_BYTES and p.work <= work
        ]
        peak = None
        if sized:
            largest = max(sized, key=lambda point: point.work)
            assert largest.peak_bytes is not None
            peak = largest.peak_bytes * work / largest.work
        return Prediction(seconds, peak)

    def work_for_seconds(
        self,
        kernel: str,
        implementation: str,
        growth: complexity.Growth,
        seconds: float,
        max_work: float,
    ) -> float | None:
        """The work predicted to take ``seconds`` (at most ``max_work``); None without data."""
        points = [
            p
            for p in self._points.get((kernel, implementation), [])
            if p.seconds is not None and p.seconds >= MIN_BASIS_SECONDS
        ]
        if not points:
            return None
        # The largest measurement is the closest to the algorithm's real growth.
        basis = max(points, key=lambda point: point.work)
        assert basis.seconds is not None
        return complexity.work_for_seconds(growth, basis.work, basis.seconds, seconds, max_work)


def available_memory() -> int | None:
    """MemAvailable of Linux, in bytes; None elsewhere."""
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    match = re.search(r"^MemAvailable:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def format_seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds:.2g} s"
    if seconds < 100:
        return f"{seconds:.0f} s"
    if seconds < 3600 * 2:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def skip_reason(prediction: Prediction, budget: float, memory: int | None) -> str | None:
    if prediction.seconds is not None and prediction.seconds > budget:
        return (
            f"skipped (predicted {format_seconds(prediction.seconds)} "
            f"> budget {format_seconds(budget)})"
        )
    if (
        prediction.peak_bytes is not None
        and memory is not None
        and prediction.peak_bytes > MEMORY_HEADROOM * memory
    ):
        return (
            f"skipped (needs ~{prediction.peak_bytes / 2**30:.1f} GiB, "
            f"{memory / 2**30:.1f} GiB available)"
        )
    return None
