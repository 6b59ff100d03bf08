"""What the parent asks a worker process to measure, and what the worker answers, as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

JobKind = Literal["size", "threads"]
OutcomeStatus = Literal["ok", "skipped", "failed", "timed out"]


@dataclass(frozen=True)
class Job:
    kind: JobKind  # "size": one size, time and memory; "threads": the threads experiment
    kernel: str
    implementation: str
    size: tuple[int, ...]
    seed: int
    repeats: int  # timed runs at most
    timing_window: float  # seconds of timed runs at most (at least one run is timed)
    budget: float  # seconds one call may take
    calibrate: bool  # no prediction yet: time a calibration size first, skip if over budget
    cores: int
    cython_module: str | None = None
    threads: tuple[int, ...] = ()  # "threads": the Python thread counts
    tasks: int = 1  # "threads": the call split into this many equal tasks

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Job:
        data = json.loads(text)
        data["size"] = tuple(data["size"])
        data["threads"] = tuple(data.get("threads", ()))
        return cls(**data)


@dataclass(frozen=True)
class ThreadsTiming:
    threads: int
    seconds: float  # median of the timed runs of all the tasks
    runs: int
    digest: str  # of the combined result


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    message: str = ""
    setup_seconds: float | None = None  # imports, JIT compilation, first calls on tiny inputs
    setup_note: str = ""
    calibration_work: int | None = None
    calibration_seconds: float | None = None
    predicted_seconds: float | None = None
    seconds: float | None = None  # median time of one call
    runs: int = 0
    calls_per_run: int = 1  # fast calls are timed in batches
    peak_bytes: int | None = None  # of the first call at this size
    digest: str = ""
    summary: str = ""
    other_cores: float | None = None  # busy with other processes during the measurement
    reference_digest: str = ""  # "threads": computed by the worker on its own inputs
    threads: tuple[ThreadsTiming, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Outcome:
        data: dict[str, Any] = json.loads(text)
        data["threads"] = tuple(ThreadsTiming(**timing) for timing in data.get("threads", ()))
        return cls(**data)
