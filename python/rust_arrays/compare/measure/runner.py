"""The parent's side of a measurement: one fresh worker process per job, waited for under a
deadline so that nothing is ever left running past it (a mispredicted call is killed).

Workers are forked from a fork server (multiprocessing's "forkserver"): a clean process that has
imported NumPy, rust_arrays and, when measured, Numba once, so a worker starts in milliseconds
instead of most of a second, yet measures nothing that an earlier measurement touched. Where
there is no fork server (Windows), workers are spawned.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.context import BaseContext
from pathlib import Path

from rust_arrays.compare.measure import worker
from rust_arrays.compare.measure.jobs import Job, Outcome


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1].strip() if lines else ""


class Runner:
    def __init__(self, cache: Path, preload: list[str]) -> None:
        methods = multiprocessing.get_all_start_methods()
        self._context: BaseContext = multiprocessing.get_context(
            "forkserver" if "forkserver" in methods else "spawn"
        )
        if "forkserver" in methods:
            self._context.set_forkserver_preload(
                ["numpy", "rust_arrays", worker.__name__, *preload]
            )
        self._environment = {
            # Numba's compiled loops persist between workers (only the first one compiles).
            "NUMBA_CACHE_DIR": str(cache / "numba"),
            # Idle OpenMP threads (Numba's pool) sleep instead of spinning on the cores.
            "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
        }
        cache.mkdir(parents=True, exist_ok=True)
        self.log = cache / "workers.log"
        self.log.write_text("")

    def run(self, job: Job, timeout: float) -> Outcome:
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(  # type: ignore[attr-defined]
            target=worker.serve,
            args=(job.to_json(), self._environment, str(self.log), sender),
            daemon=True,
        )
        process.start()
        sender.close()  # the child holds the only writer: its death is an end of file here
        answer: str | None = None
        timed_out = False
        try:
            if receiver.poll(timeout):
                try:
                    answer = receiver.recv()
                except EOFError:
                    answer = None
            else:
                timed_out = True
                process.kill()
        except BaseException:  # Ctrl-C included: never leave a worker behind
            process.kill()
            raise
        finally:
            receiver.close()
            process.join()
            exitcode = process.exitcode
            process.close()
        if timed_out:
            return Outcome("timed out", message=f"killed after {timeout:.0f} s")
        if answer is not None:
            return Outcome.from_json(answer)
        if exitcode is not None and exitcode < 0:
            name = signal.Signals(-exitcode).name
            hint = " (out of memory?)" if exitcode == -signal.SIGKILL else ""
            return Outcome("failed", message=f"worker killed by {name}{hint}")
        detail = _last_line(self.log) or f"exit status {exitcode}"
        return Outcome("failed", message=f"worker died: {detail}")
