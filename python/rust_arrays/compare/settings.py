"""The settings of one comparison run, as decided from the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rust_arrays.compare.kernels import KERNELS, Size

EXPERIMENTS = ("sizes", "threads", "overhead")

DEFAULT_BUDGET_SECONDS = 20.0
QUICK_BUDGET_SECONDS = 2.0
DEFAULT_REPEATS = 5
QUICK_REPEATS = 3
# Timed runs of one measurement stop after this long (at least one is timed).
DEFAULT_TIMING_WINDOW = 1.0
QUICK_TIMING_WINDOW = 0.2
# The threads experiment picks, per implementation, the size whose work takes about this long
# on one thread: long enough that thread start-up does not count, short enough for the run.
DEFAULT_THREADS_TARGET = 0.3
QUICK_THREADS_TARGET = 0.03


def available_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_thread_counts(cores: int) -> tuple[int, ...]:
    """1, 2, 4, ... up to the core count, and the core count itself."""
    counts = {1, cores}
    count = 2
    while count < cores:
        counts.add(count)
        count *= 2
    return tuple(sorted(counts))


@dataclass(frozen=True)
class Settings:
    kernels: tuple[str, ...]
    sizes: dict[str, tuple[Size, ...]]  # per kernel, by increasing work
    implementations: tuple[str, ...]
    budget: float  # seconds one call may be predicted to take
    threads: tuple[int, ...]  # the threads experiment's thread counts, 1 first
    repeats: int
    timing_window: float
    threads_target: float
    experiments: tuple[str, ...]
    seed: int
    quick: bool
    cores: int
    json_path: Path | None = None
    plot_path: Path | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kernels": list(self.kernels),
            "sizes": {
                kernel: [KERNELS[kernel].format_size(size) for size in sizes]
                for kernel, sizes in self.sizes.items()
            },
            "implementations": list(self.implementations),
            "budget_seconds": self.budget,
            "threads": list(self.threads),
            "repeats": self.repeats,
            "timing_window_seconds": self.timing_window,
            "threads_target_seconds": self.threads_target,
            "experiments": list(self.experiments),
            "seed": self.seed,
            "quick": self.quick,
            "cores": self.cores,
        }
