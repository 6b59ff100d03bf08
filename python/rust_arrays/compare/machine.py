"""The machine and software a comparison ran on, so that its numbers can be told apart from
another machine's."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

import rust_arrays
from rust_arrays.compare import optional
from rust_arrays.compare.settings import available_cores

PEERS = {"numba": "numba", "numexpr": "numexpr", "Cython": "Cython"}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _memory_bytes() -> int | None:
    try:
        fields = Path("/proc/meminfo").read_text().split()
        return int(fields[1]) * 1024  # MemTotal, in kB
    except (OSError, ValueError, IndexError):
        return None


def describe() -> dict[str, Any]:
    versions: dict[str, str | None] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rust_arrays": rust_arrays.__version__,
    }
    for name, distribution in PEERS.items():
        versions[name] = optional.version(distribution)
    try:
        load: float | None = os.getloadavg()[0]
    except OSError:
        load = None
    return {
        "cpu": _cpu_model(),
        "cores": available_cores(),
        "memory_bytes": _memory_bytes(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "versions": versions,
        "load_average": load,  # 1 minute, before the run: other work on the machine
    }


def one_line(machine: dict[str, Any]) -> str:
    memory = machine.get("memory_bytes")
    versions = machine["versions"]
    installed = ", ".join(
        f"{name} {versions[name]}" for name in PEERS if versions.get(name) is not None
    )
    return (
        f"{machine['cpu']}, {machine['cores']} cores"
        + (f", {memory / 2**30:.0f} GiB" if memory else "")
        + f", {machine['os']}; CPython {versions['python']}, NumPy {versions['numpy']}, "
        + f"rust_arrays {versions['rust_arrays']}"
        + (f", {installed}" if installed else "")
    )
