"""The report as JSON, for other tools and for comparing machines.

Schema ``rust_arrays.compare/1``::

    {
      "schema": "rust_arrays.compare/1",
      "machine": {"cpu", "cores", "memory_bytes", "os", "versions": {name: version or null}},
      "settings": {"kernels", "sizes": {kernel: [size]}, "implementations", "budget_seconds",
                   "threads", "repeats", "timing_window_seconds", "threads_target_seconds",
                   "experiments", "seed", "quick", "cores"},
      "implementations": [{"id", "label", "status", "reason", "version"}],
      "sizes":    [measurement],   # the sizes experiment
      "overhead": [measurement],   # tiny inputs (the same records as "sizes" where it has them)
      "threads":  [{"kernel", "implementation", "size", "work", "tasks", "status", "message",
                    "seconds_by_threads": {"1": seconds, ...}, "speedup": number or null,
                    "exact": bool or null}],
      "setup_notes": [str], "mismatches": [str], "failures": [str], "wall_seconds": number
    }

A measurement: ``kernel``, ``implementation`` (an id of ``implementations``), ``size`` (text,
``"NxM"`` for do_something), ``work`` (pairs, primes or elements), ``status`` (``ok``,
``skipped``, ``not installed``, ``not available``, ``failed``, ``timed out``), ``message``,
``threads``, ``seconds`` (median time of one call, null unless ok), ``runs``,
``calls_per_run``, ``peak_bytes``, ``exact`` (null unless ok), ``predicted_seconds``,
``setup_seconds``, ``setup_note``, ``summary``, ``digest``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rust_arrays.compare.results import Report

SCHEMA = "rust_arrays.compare/1"


def to_json(report: Report) -> dict[str, Any]:
    most = max(report.settings.get("threads") or [1])
    return {
        "schema": SCHEMA,
        "machine": report.machine,
        "settings": report.settings,
        "implementations": [asdict(status) for status in report.implementations],
        "sizes": [asdict(result) for result in report.sizes],
        "overhead": [asdict(result) for result in report.overhead],
        "threads": [
            {
                **asdict(result),
                "seconds_by_threads": {
                    str(count): seconds for count, seconds in result.seconds_by_threads.items()
                },
                "speedup": result.speedup(most),
            }
            for result in report.threads
        ],
        "setup_notes": report.setup_notes,
        "mismatches": report.mismatches(),
        "failures": report.failures(),
        "wall_seconds": report.wall_seconds,
    }


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(to_json(report), indent=2) + "\n")
