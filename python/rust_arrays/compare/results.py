"""What a comparison run found: one record per measurement, gathered in a :class:`Report` that
the table, the JSON and the plot are all made from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# "ok": measured; "skipped": predicted over the budget (or the memory), never started;
# "not installed" / "not available": an optional peer that is missing / cannot be built here;
# "failed": the implementation raised or its process died; "timed out": killed at the deadline.
Status = Literal["ok", "skipped", "not installed", "not available", "failed", "timed out"]


@dataclass
class SizeResult:
    """One implementation at one size: a row of the main table, a point of the plot."""

    kernel: str
    implementation: str
    size: str
    work: int
    status: Status
    message: str = ""
    threads: int = 1  # threads the implementation computes on
    seconds: float | None = None  # median time of one call
    runs: int = 0
    calls_per_run: int = 1
    peak_bytes: int | None = None
    exact: bool | None = None  # equal to the reference bit for bit; None: not run
    other_cores: float | None = None  # busy with other processes meanwhile
    predicted_seconds: float | None = None
    setup_seconds: float | None = None
    setup_note: str = ""
    summary: str = ""
    digest: str = ""


@dataclass
class ThreadsResult:
    """One implementation in the threads experiment: the same work over 1, 2, ... threads."""

    kernel: str
    implementation: str
    size: str
    work: int
    tasks: int
    status: Status
    message: str = ""
    seconds_by_threads: dict[int, float] = field(default_factory=dict)
    exact: bool | None = None
    other_cores: float | None = None  # busy with other processes meanwhile

    def speedup(self, threads: int) -> float | None:
        base, other = self.seconds_by_threads.get(1), self.seconds_by_threads.get(threads)
        if base is None or other is None or other <= 0:
            return None
        return base / other


Availability = Literal["available", "not installed", "not available"]


@dataclass
class ImplementationStatus:
    id: str
    label: str
    status: Availability
    reason: str = ""
    version: str = ""


@dataclass
class Report:
    machine: dict[str, Any]
    settings: dict[str, Any]
    implementations: list[ImplementationStatus] = field(default_factory=list)
    sizes: list[SizeResult] = field(default_factory=list)
    threads: list[ThreadsResult] = field(default_factory=list)
    overhead: list[SizeResult] = field(default_factory=list)
    setup_notes: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0

    def label(self, implementation: str) -> str:
        for status in self.implementations:
            if status.id == implementation:
                return status.label
        return implementation

    def mismatches(self) -> list[str]:
        found = [
            f"{r.kernel} {self.label(r.implementation)} at {r.size} ({r.summary})"
            for r in [*self.sizes, *self.overhead]
            if r.exact is False
        ]
        found += [
            f"{r.kernel} {self.label(r.implementation)} threads experiment at {r.size}"
            for r in self.threads
            if r.exact is False
        ]
        return list(dict.fromkeys(found))  # tiny sizes may be in both lists

    def failures(self) -> list[str]:
        results: list[SizeResult | ThreadsResult] = [*self.sizes, *self.overhead, *self.threads]
        return list(
            dict.fromkeys(
                f"{r.kernel} {self.label(r.implementation)} at {r.size}: {r.status} ({r.message})"
                for r in results
                if r.status in ("failed", "timed out")
            )
        )
