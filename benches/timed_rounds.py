"""What the timing scripts of benches/ share: implementations as rows, each checked against the
first row's result and measured for peak memory once, then timed in interleaved rounds (every
row once per round, in a fresh random order: on a shared, noisy machine the ratios within one
run are what counts), and the table of the results.
"""

from __future__ import annotations

import gc
import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rust_arrays import _measure


@dataclass
class Row:
    label: str
    call: Callable[[], Any]
    seconds: list[float] = field(default_factory=list)
    user: list[float] = field(default_factory=list)
    system: list[float] = field(default_factory=list)
    peak_bytes: int | None = None
    identical: bool | None = None


def cpu_seconds() -> tuple[float, float]:
    """User and system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def check_rows(rows: list[Row], same_bits: Callable[[Any, Any], bool]) -> Any:
    """Each row's peak memory (the rise of the resident set during one call) and whether its
    result has the first row's bits; returns the first row's result."""
    expected: Any = None
    for index, row in enumerate(rows):
        gc.collect()
        measurement = _measure.measure(row.call)
        row.peak_bytes = measurement.peak_bytes
        if index == 0:
            expected = measurement.result
        row.identical = same_bits(expected, measurement.result)
        del measurement
    return expected


def run_rounds(rows: list[Row], rounds: int, before_each: Callable[[], None] | None = None) -> None:
    """``rounds`` rounds of every row in a fresh random order: wall, user and system time."""
    order = list(rows)
    for _ in range(rounds):
        random.shuffle(order)
        for row in order:
            gc.collect()
            if before_each is not None:
                before_each()
            (user, system), start = cpu_seconds(), time.perf_counter()
            result = row.call()
            row.seconds.append(time.perf_counter() - start)
            user_after, system_after = cpu_seconds()
            row.user.append(user_after - user)
            row.system.append(system_after - system)
            del result


def print_table(
    rows: list[Row], reference: Callable[[Row], Row], ratio_title: str, width: int = 30
) -> None:
    """Median and best wall time, median CPU times, peak memory, the ratio of the median of
    ``reference(row)`` to the row's, and the bits check."""
    medians = {row.label: statistics.median(row.seconds) for row in rows}
    print(
        f"| {'implementation':<{width}} | median s |  min s | user s | sys s | peak MiB "
        f"| {ratio_title} | bits |"
    )
    print(f"|{'-' * (width + 2)}|---------:|-------:|-------:|------:|---------:|------:|------|")
    for row in rows:
        peak = "n/a" if row.peak_bytes is None else f"{row.peak_bytes / 2**20:.0f}"
        bits = "same" if row.identical else "DIFFERENT"
        ratio = medians[reference(row).label] / medians[row.label]
        print(
            f"| {row.label:<{width}} | {medians[row.label]:8.3f} | {min(row.seconds):6.3f} "
            f"| {statistics.median(row.user):6.2f} | {statistics.median(row.system):5.2f} "
            f"| {peak:>8} | {ratio:5.2f}x | {bits} |"
        )
