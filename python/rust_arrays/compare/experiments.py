"""The three experiments of a comparison run, each measurement in its own worker process.

- sizes: every implementation at every size, time and peak memory, checked against the
  reference (the talk's claims on speed and on NumPy's temporaries);
- threads: the same total work split over 1, 2, ... Python threads (who releases the GIL);
- overhead: tiny inputs, where the cost of a call decides.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from pathlib import Path

from rust_arrays.compare import machine, optional, planning
from rust_arrays.compare.implementations import IMPLEMENTATIONS, Implementation
from rust_arrays.compare.kernels import KERNELS, Kernel, Size
from rust_arrays.compare.measure import runner
from rust_arrays.compare.measure.jobs import Job, JobKind, Outcome
from rust_arrays.compare.peers import cython_build
from rust_arrays.compare.progress import Progress
from rust_arrays.compare.results import (
    Availability,
    ImplementationStatus,
    Report,
    SizeResult,
    ThreadsResult,
)
from rust_arrays.compare.settings import Settings

# Imports, input generation and JIT compilation in the worker, on top of the budget.
SETUP_ALLOWANCE_SECONDS = 60.0
_VERSION_OF = {
    "geotiepoints": "python-geotiepoints",
    "numexpr": "numexpr",
    "numba": "numba",
    "numba_parallel": "numba",
    "cython": "Cython",
}


def _format_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def task_count(threads: Iterable[int]) -> int:
    """Tasks that every thread count divides evenly, at least two per thread at the most threads."""
    counts = list(threads)
    common = math.lcm(*counts)
    most = max(counts)
    if common > 8 * most:  # e.g. 1..16 threads: an even split is not worth 720720 tasks
        return 4 * most
    return common * max(1, math.ceil(2 * most / common))


class Comparison:
    def __init__(self, settings: Settings, progress: Progress, cache: Path) -> None:
        self.settings = settings
        self.progress = progress
        self.cache = cache
        numba_measured = any(name.startswith("numba") for name in settings.implementations)
        preload = ["numba"] if numba_measured and optional.is_installed("numba") else []
        self.runner = runner.Runner(cache, preload)
        self.predictor = planning.Predictor()
        self.memory = planning.available_memory()
        self.statuses: dict[str, ImplementationStatus] = {}
        self.cython_module: str | None = None
        self.setup_notes: list[str] = []

    # --- what runs -------------------------------------------------------------------------

    def _implementations(
        self, kernel: str, threads_experiment: bool = False
    ) -> list[Implementation]:
        return [
            IMPLEMENTATIONS[name]
            for name in self.settings.implementations
            if kernel in IMPLEMENTATIONS[name].kernels
            and (IMPLEMENTATIONS[name].in_threads_experiment or not threads_experiment)
        ]

    def _overhead_needs_runs(self, kernel: Kernel) -> bool:
        return (
            "sizes" not in self.settings.experiments
            or kernel.tiny_size not in (self.settings.sizes[kernel.name])
        )

    def _steps(self) -> int:
        steps = 0
        for name in self.settings.kernels:
            kernel = KERNELS[name]
            if "sizes" in self.settings.experiments:
                steps += len(self.settings.sizes[name]) * len(self._implementations(name))
            if "threads" in self.settings.experiments:
                steps += len(self._implementations(name, threads_experiment=True))
            if "overhead" in self.settings.experiments and self._overhead_needs_runs(kernel):
                steps += len(self._implementations(name))
        return steps

    def _check_implementations(self) -> list[ImplementationStatus]:
        for name in self.settings.implementations:
            impl = IMPLEMENTATIONS[name]
            version = (optional.version(_VERSION_OF[name]) or "") if name in _VERSION_OF else ""
            if impl.requires is not None and not optional.is_installed(impl.requires):
                status = ImplementationStatus(
                    name, impl.label, "not installed", f"not installed ({impl.requires})"
                )
            elif name == "cython":
                status = self._build_cython(impl, version)
            else:
                status = ImplementationStatus(name, impl.label, "available", version=version)
            self.statuses[name] = status
        return list(self.statuses.values())

    def _build_cython(self, impl: Implementation, version: str) -> ImplementationStatus:
        self.progress.begin("building the talk's Cython module")
        built = cython_build.build(self.cache)
        if built.path is None:
            kind: Availability = (
                "not installed" if built.reason.startswith("not installed") else "not available"
            )
            return ImplementationStatus(impl.id, impl.label, kind, built.reason, version)
        self.cython_module = str(built.path)
        self.setup_notes.append(
            f"Cython: the talk's .pyx built in {built.seconds:.1f} s"
            + (f" (cached in {built.path.parent})" if built.cached else "")
        )
        return ImplementationStatus(impl.id, impl.label, "available", version=version)

    # --- one worker -----------------------------------------------------------------------

    def _job(
        self,
        kind: JobKind,
        kernel: Kernel,
        impl: Implementation,
        size: Size,
        calibrate: bool,
        tasks: int = 1,
    ) -> Job:
        return Job(
            kind=kind,
            kernel=kernel.name,
            implementation=impl.id,
            size=size,
            seed=self.settings.seed,
            repeats=self.settings.repeats,
            timing_window=self.settings.timing_window,
            budget=self.settings.budget,
            calibrate=calibrate,
            cores=self.settings.cores,
            cython_module=self.cython_module,
            threads=self.settings.threads if kind == "threads" else (),
            tasks=tasks,
        )

    def _run(self, job: Job) -> Outcome:
        timeout = SETUP_ALLOWANCE_SECONDS + 4 * self.settings.budget
        outcome = self.runner.run(job, timeout)
        if outcome.status == "timed out":
            # At least that long: larger sizes are then predicted over the budget.
            self.predictor.record(
                job.kernel, job.implementation, KERNELS[job.kernel].work(job.size), timeout
            )
        if outcome.calibration_work is not None and outcome.calibration_seconds is not None:
            self.predictor.record(
                job.kernel,
                job.implementation,
                outcome.calibration_work,
                outcome.calibration_seconds,
            )
        return outcome

    def _threads_of(self, impl: Implementation) -> int:
        return 1 if impl.one_thread else self.settings.cores

    # --- sizes ----------------------------------------------------------------------------

    def measure_size(self, kernel: Kernel, impl: Implementation, size: Size) -> SizeResult:
        label = f"{kernel.name} {impl.label} {kernel.format_size(size)}"
        result = SizeResult(
            kernel.name,
            impl.id,
            kernel.format_size(size),
            kernel.work(size),
            "ok",
            threads=self._threads_of(impl),
        )
        status = self.statuses[impl.id]
        if status.status != "available":
            result.status, result.message = status.status, status.reason
            self.progress.finish(f"{label}: {status.reason}")
            return result
        growth = impl.growth_for(kernel.name)
        prediction = self.predictor.predict(kernel.name, impl.id, kernel.work(size), growth)
        result.predicted_seconds = prediction.seconds
        skipped = planning.skip_reason(prediction, self.settings.budget, self.memory)
        if skipped is not None:
            result.status, result.message = "skipped", skipped
            self.progress.finish(f"{label}: {skipped}")
            return result
        self.progress.begin(label)
        outcome = self._run(
            self._job("size", kernel, impl, size, calibrate=prediction.seconds is None)
        )
        result.status, result.message = outcome.status, outcome.message
        result.setup_seconds, result.setup_note = outcome.setup_seconds, outcome.setup_note
        if outcome.predicted_seconds is not None:
            result.predicted_seconds = outcome.predicted_seconds
        if outcome.status == "ok":
            result.seconds, result.runs = outcome.seconds, outcome.runs
            result.calls_per_run, result.peak_bytes = outcome.calls_per_run, outcome.peak_bytes
            result.summary, result.digest = outcome.summary, outcome.digest
            result.other_cores = outcome.other_cores
            self.predictor.record(
                kernel.name, impl.id, kernel.work(size), outcome.seconds, outcome.peak_bytes
            )
            done = _format_seconds(outcome.seconds or 0.0)
        else:
            done = f"{outcome.status} {outcome.message}".strip()
        self.progress.finish(f"{label}: {done}")
        return result

    def check_exact(self, kernel: Kernel, size: Size, results: list[SizeResult]) -> None:
        """Sets ``exact`` of every measured result at one size against the reference."""
        measured = [result for result in results if result.status == "ok"]
        if not measured:
            return
        reference = next(
            (r.digest for r in measured if r.implementation == kernel.reference_implementation),
            None,
        )
        if reference is None:
            self.progress.begin(f"{kernel.name} {kernel.format_size(size)}: reference result")
            inputs = kernel.make_inputs(size, self.settings.seed)
            reference = kernel.digest(kernel.reference(inputs))
            del inputs
        for result in measured:
            # No reference installed (geotiepoints for MODIS): exactness unknown.
            result.exact = result.digest == reference if reference else None

    def run_sizes(self, report: Report) -> None:
        for name in self.settings.kernels:
            kernel = KERNELS[name]
            for size in self.settings.sizes[name]:
                results = [
                    self.measure_size(kernel, impl, size) for impl in self._implementations(name)
                ]
                self.check_exact(kernel, size, results)
                report.sizes.extend(results)

    # --- threads --------------------------------------------------------------------------

    def _threads_size(self, kernel: Kernel, impl: Implementation, tasks: int) -> Size | None:
        """The size whose work takes about ``threads_target`` seconds on one thread."""
        per_task = 1 if kernel.split_shares_work else tasks
        sizes = self.settings.sizes.get(kernel.name) or kernel.default_sizes
        max_work = max(kernel.work(size) for size in (*sizes, kernel.calibration_size))
        work = self.predictor.work_for_seconds(
            kernel.name,
            impl.id,
            impl.growth_for(kernel.name),
            self.settings.threads_target / per_task,
            max_work,
        )
        if work is None:
            return None
        # At least a few elements per task, so every thread has work.
        return kernel.size_for_work(max(work, 4.0 * tasks * tasks))

    def measure_threads(self, kernel: Kernel, impl: Implementation, tasks: int) -> ThreadsResult:
        status = self.statuses[impl.id]
        result = ThreadsResult(kernel.name, impl.id, "-", 0, tasks, "ok")
        label = f"threads: {kernel.name} {impl.label}"
        if status.status != "available":
            result.status, result.message = status.status, status.reason
            self.progress.finish(f"{label}: {status.reason}")
            return result
        size = self._threads_size(kernel, impl, tasks)
        calibrate = size is None
        if size is None:
            size = kernel.calibration_size
        result.size, result.work = kernel.format_size(size), kernel.work(size)
        per_task = 1 if kernel.split_shares_work else tasks
        prediction = self.predictor.predict(
            kernel.name, impl.id, kernel.work(size), impl.growth_for(kernel.name)
        )
        if prediction.seconds is not None:
            prediction = planning.Prediction(prediction.seconds * per_task, prediction.peak_bytes)
        skipped = planning.skip_reason(prediction, self.settings.budget, self.memory)
        if skipped is not None:
            result.status, result.message = "skipped", skipped
            self.progress.finish(f"{label}: {skipped}")
            return result
        self.progress.begin(f"{label} {result.size}")
        outcome = self._run(
            self._job("threads", kernel, impl, size, calibrate=calibrate, tasks=tasks)
        )
        result.status, result.message = outcome.status, outcome.message
        if outcome.status == "ok":
            result.seconds_by_threads = {t.threads: t.seconds for t in outcome.threads}
            result.exact = (
                all(t.digest == outcome.reference_digest for t in outcome.threads)
                if outcome.reference_digest
                else None
            )
            result.other_cores = outcome.other_cores
            most = max(self.settings.threads)
            speedup = result.speedup(most)
            done = f"{most} threads: {speedup:.2f}x" if speedup is not None else "done"
        else:
            done = f"{outcome.status} {outcome.message}".strip()
        self.progress.finish(f"{label} {result.size}: {done}")
        return result

    def run_threads(self, report: Report) -> None:
        tasks = task_count(self.settings.threads)
        for name in self.settings.kernels:
            for impl in self._implementations(name, threads_experiment=True):
                report.threads.append(self.measure_threads(KERNELS[name], impl, tasks))

    # --- overhead -------------------------------------------------------------------------

    def run_overhead(self, report: Report) -> None:
        for name in self.settings.kernels:
            kernel = KERNELS[name]
            tiny = kernel.format_size(kernel.tiny_size)
            if not self._overhead_needs_runs(kernel):
                report.overhead.extend(
                    r for r in report.sizes if r.kernel == name and r.size == tiny
                )
                continue
            results = [
                self.measure_size(kernel, impl, kernel.tiny_size)
                for impl in self._implementations(name)
            ]
            self.check_exact(kernel, kernel.tiny_size, results)
            report.overhead.extend(results)

    # --- all ------------------------------------------------------------------------------

    def run(self) -> Report:
        start = time.perf_counter()
        report = Report(machine=machine.describe(), settings=self.settings.as_json())
        self.progress.start(self._steps())
        report.implementations = self._check_implementations()
        if "sizes" in self.settings.experiments:
            self.run_sizes(report)
        if "threads" in self.settings.experiments:
            self.run_threads(report)
        if "overhead" in self.settings.experiments:
            self.run_overhead(report)
        report.setup_notes = list(dict.fromkeys(self.setup_notes))
        report.wall_seconds = time.perf_counter() - start
        return report
