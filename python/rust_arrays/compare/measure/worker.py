"""The worker process: measures one job and answers with its outcome.

A fresh process per measurement keeps the peak memory honest: nothing freed by an earlier
measurement is still resident and reused, and one implementation's caches and thread pools do
not slow or speed up the next. Steps:

1. Set-up, not measured: import the implementation, compile its JIT code, make one call on tiny
   inputs (libraries' first-call costs). Its time is reported on its own.
2. Calibration, only when the parent has no prediction: time a call at the kernel's calibration
   size and extrapolate; over the budget, answer "skipped" without making the call.
3. The first call at the real size is the warm-up: its result is digested for the exactness
   check and its peak memory (resident memory above the level before the call) is reported.
4. Timed runs after it, until ``repeats`` runs or ``timing_window`` seconds; fast calls are
   timed in batches. A call that alone takes the whole window is timed by its first run.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

from rust_arrays._measure import fresh_large_allocations, measure
from rust_arrays.compare import complexity, planning
from rust_arrays.compare.implementations import (
    IMPLEMENTATIONS,
    BuildOptions,
    Call,
    build_call,
    setup_note,
)
from rust_arrays.compare.kernels import KERNELS, Kernel
from rust_arrays.compare.measure.cpu_load import OtherLoad
from rust_arrays.compare.measure.jobs import Job, Outcome, ThreadsTiming

# A batch of fast calls lasts at least this long, so the clock's resolution and the loop's own
# cost do not count.
MIN_RUN_SECONDS = 0.02


def _calls_per_run(run: Callable[[int], float]) -> int:
    """Like timeit's autorange: the number of calls per run that lasts MIN_RUN_SECONDS."""
    calls = 1
    while True:
        elapsed = run(calls)
        if elapsed >= MIN_RUN_SECONDS or calls >= 10**7:
            return calls
        calls *= max(2, min(100, int(MIN_RUN_SECONDS / max(elapsed, 1e-9))))


def _timed_runs(
    run: Callable[[int], float], first_seconds: float, repeats: int, window: float
) -> tuple[float, int, int]:
    """Median seconds per call, timed runs, calls per run."""
    if first_seconds >= window:
        return first_seconds, 1, 1
    calls = 1 if first_seconds >= MIN_RUN_SECONDS else _calls_per_run(run)
    times: list[float] = []
    elapsed = 0.0
    # No garbage collection pauses inside the timings, as timeit does.
    collecting = gc.isenabled()
    gc.disable()
    try:
        while len(times) < repeats:
            seconds = run(calls)
            times.append(seconds / calls)
            elapsed += seconds
            if elapsed + seconds > window:
                break
    finally:
        if collecting:
            gc.enable()
    return statistics.median(times), len(times), calls


def _runner(call: Call) -> Callable[[int], float]:
    def run(calls: int) -> float:
        start = time.perf_counter()
        for _ in range(calls):
            call()
        return time.perf_counter() - start

    return run


@dataclass(frozen=True)
class _Calibration:
    work: int
    seconds: float
    predicted_seconds: float


def _calibrate(job: Job, kernel: Kernel, options: BuildOptions) -> _Calibration | None:
    """One call at the kernel's calibration size, extrapolated to the job's size; None when the
    job's size is not larger (nothing to predict: it is as quick as a calibration)."""
    size = kernel.calibration_size
    if kernel.work(job.size) <= kernel.work(size):
        return None
    call = build_call(job.implementation, kernel.make_inputs(size, job.seed), options)
    call()
    seconds = _runner(call)(1)
    growth = IMPLEMENTATIONS[job.implementation].growth_for(job.kernel)
    predicted = complexity.predict_seconds(
        growth, kernel.work(size), seconds, kernel.work(job.size)
    )
    return _Calibration(kernel.work(size), seconds, predicted)


def _measure_size(job: Job, kernel: Kernel, options: BuildOptions) -> Outcome:
    inputs = kernel.make_inputs(job.size, job.seed)
    call = build_call(job.implementation, inputs, options)
    del inputs  # the call holds what it needs (pure Python: lists, not the arrays)
    gc.collect()
    load = OtherLoad()
    first = measure(call)
    digest, summary = kernel.digest(first.result), kernel.summary(first.result)
    first_seconds, peak_bytes = first.seconds, first.peak_bytes
    del first
    seconds, runs, calls = _timed_runs(_runner(call), first_seconds, job.repeats, job.timing_window)
    return Outcome(
        "ok",
        other_cores=load.cores(),
        seconds=seconds,
        runs=runs,
        calls_per_run=calls,
        peak_bytes=peak_bytes,
        digest=digest,
        summary=summary,
    )


def _measure_threads(job: Job, kernel: Kernel, options: BuildOptions) -> Outcome:
    inputs = kernel.make_inputs(job.size, job.seed)
    calls = [
        build_call(job.implementation, part, options) for part in kernel.split(inputs, job.tasks)
    ]
    pools = {threads: ThreadPoolExecutor(max_workers=threads) for threads in job.threads}

    def run_tasks(threads: int) -> list[object]:
        return list(pools[threads].map(lambda call: call(), calls))

    def timed(threads: int) -> float:
        start = time.perf_counter()
        run_tasks(threads)
        return time.perf_counter() - start

    try:
        # First runs start the pools' threads and give the results checked.
        digests = {
            threads: kernel.digest(kernel.combine(run_tasks(threads), inputs))
            for threads in job.threads
        }
        times: dict[int, list[float]] = {threads: [] for threads in job.threads}
        load = OtherLoad()
        elapsed = 0.0
        collecting = gc.isenabled()
        gc.disable()
        try:
            # Round-robin: a change in the machine's load hits every thread count alike.
            for rounds in range(1, job.repeats + 1):
                for threads in job.threads:
                    seconds = timed(threads)
                    times[threads].append(seconds)
                    elapsed += seconds
                if elapsed * (rounds + 1) / rounds > job.timing_window * len(job.threads):
                    break
        finally:
            if collecting:
                gc.enable()
    finally:
        for pool in pools.values():
            pool.shutdown()
    timings = tuple(
        ThreadsTiming(threads, statistics.median(times[threads]), len(times[threads]), digest)
        for threads, digest in digests.items()
    )
    # The reference last, outside every timing.
    reference_digest = kernel.digest(kernel.reference(inputs))
    return Outcome(
        "ok", threads=timings, reference_digest=reference_digest, other_cores=load.cores()
    )


def run_job(job: Job) -> Outcome:
    kernel = KERNELS[job.kernel]
    options = BuildOptions(
        cores=job.cores, cython_module=job.cython_module, one_thread=job.kind == "threads"
    )
    fresh_large_allocations()
    start = time.perf_counter()
    warm_up = kernel.make_inputs(kernel.warm_up_size, job.seed)
    build_call(job.implementation, warm_up, options)()
    setup_seconds = time.perf_counter() - start
    calibration = _calibrate(job, kernel, options) if job.calibrate else None
    skipped = None
    if calibration is not None:
        prediction = planning.Prediction(calibration.predicted_seconds, None)
        skipped = planning.skip_reason(prediction, job.budget, None)
    if skipped is not None:
        outcome = Outcome("skipped", message=skipped)
    elif job.kind == "size":
        outcome = _measure_size(job, kernel, options)
    else:
        outcome = _measure_threads(job, kernel, options)
    return replace(
        outcome,
        setup_seconds=setup_seconds,
        setup_note=setup_note(job.implementation),
        calibration_work=calibration.work if calibration else None,
        calibration_seconds=calibration.seconds if calibration else None,
        predicted_seconds=calibration.predicted_seconds if calibration else None,
    )


def serve(job_json: str, environment: dict[str, str], log: str, answer: Connection) -> None:
    """The worker process's entry point: runs the job, sends the outcome (JSON) to ``answer``.

    Everything the measured code prints (C libraries' too) goes to ``log``."""
    os.environ.update(environment)
    with open(log, "a") as stream:
        os.dup2(stream.fileno(), 1)
        os.dup2(stream.fileno(), 2)
    try:
        outcome = run_job(Job.from_json(job_json))
    except Exception as error:  # a failing peer is a result to report, not a crash
        outcome = Outcome("failed", message=f"{type(error).__name__}: {error}")
    answer.send(outcome.to_json())
    answer.close()
