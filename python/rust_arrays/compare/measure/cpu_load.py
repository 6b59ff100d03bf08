"""How many cores other processes kept busy while a measurement ran.

A busy machine slows every measurement and, worse, hides scaling: two threads cannot run on two
cores when another process holds one. The machine's busy time (Linux ``/proc/stat``, the time
a hypervisor gave to other machines included) minus this process's own CPU time, over the wall
time, is reported with each measurement so that a reader can tell.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

_STAT = Path("/proc/stat")
# user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
_BUSY_FIELDS = (0, 1, 2, 5, 6, 7)


def _machine_busy_seconds() -> float | None:
    try:
        fields = _STAT.read_text().splitlines()[0].split()[1:]
        ticks = sum(int(fields[index]) for index in _BUSY_FIELDS if index < len(fields))
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


class OtherLoad:
    """Started at construction; :meth:`cores` gives the cores busy elsewhere since then."""

    # /proc/stat counts in ticks of 10 ms: shorter windows say nothing.
    MIN_WINDOW_SECONDS = 0.2

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._busy = _machine_busy_seconds()
        self._own = _own_seconds()

    def cores(self) -> float | None:
        wall = time.perf_counter() - self._wall
        busy = _machine_busy_seconds()
        if self._busy is None or busy is None or wall < self.MIN_WINDOW_SECONDS:
            return None
        others = (busy - self._busy) - (_own_seconds() - self._own)
        return max(0.0, others / wall)
