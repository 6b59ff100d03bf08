"""The kernels release the GIL while they compute, and stay interruptible by Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

import rust_arrays
import rust_arrays.gradient
import rust_arrays.modis
import rust_arrays.simple_modis


def progress_of_another_thread_during(call: Callable[[], object]) -> int:
    """How many loop iterations a second Python thread completes while `call` runs."""
    count = 0
    running = threading.Event()
    stop = threading.Event()

    def spin() -> None:
        nonlocal count
        running.set()
        while not stop.is_set():
            count += 1

    thread = threading.Thread(target=spin)
    thread.start()
    running.wait()
    # Let the spinner hold the GIL first, so the kernel call has to take it back.
    time.sleep(0.01)
    before = count
    call()
    during = count - before
    stop.set()
    thread.join()
    return during


RNG = np.random.default_rng(0)
# A 200 x 300 unit grid and its gradients, for the gradient search.
GRID = np.meshgrid(np.arange(300.0), np.arange(200.0))
SLOPES = [*np.gradient(GRID[0]), *np.gradient(GRID[1])]
LONG_CALLS: dict[str, Callable[[], object]] = {
    # Widely spread values: millions of distinct rounded roots, so brute force over 8e8 pairs.
    "do_something": lambda: rust_arrays.do_something(RNG.random(20000) * 1e7, RNG.random(40000)),
    "primes_array": lambda: rust_arrays.primes_array(2 * 10**7),
    "masked_hypot": lambda: rust_arrays.masked_hypot(
        np.full(4 * 10**7, 3.0), np.ones(4 * 10**7), np.zeros(4 * 10**7)
    ),
    # 4 million targets far outside the grid: five search steps each.
    "gradient_indices": lambda: rust_arrays.gradient.one_step_gradient_indices(
        *GRID, *SLOPES, *[np.full((2000, 2000), 1e12)] * 2
    ),
    "block_bilinear_interpolator": lambda: rust_arrays.gradient.block_bilinear_interpolator(
        RNG.random((8, 200, 300)), RNG.random((2, 2000, 2000)) * 199
    ),
    # 60 scans of 1 km tie points to 250 m: 13 million output points.
    "modis": lambda: rust_arrays.modis.interpolate(
        *[np.full((600, 1354), 10.0, np.float32)] * 3, 1000, 250
    ),
    # 40 scans of float64 tie points to 250 m: 8.7 million output points.
    "simple_modis": lambda: rust_arrays.simple_modis.modis_1km_to_250m(
        *[np.full((400, 1354), 10.0)] * 2
    ),
}


@pytest.mark.parametrize("kernel", LONG_CALLS)
def test_another_thread_keeps_running_during_a_long_call(kernel: str) -> None:
    # With the GIL held for the whole call the spinner would get at most one switch interval
    # (5 ms) of it; released, it spins through the whole call.
    baseline = progress_of_another_thread_during(lambda: time.sleep(0.005))
    during = progress_of_another_thread_during(LONG_CALLS[kernel])
    assert during > 5 * max(baseline, 1)


INTERRUPTED_CALL = """
import signal, sys, time, numpy as np, rust_arrays, rust_arrays.gradient, rust_arrays.modis
import rust_arrays.simple_modis
# A parent that ignores SIGINT (nohup, a background job, some CI runners) passes that on, and
# Python then installs no KeyboardInterrupt handler: install it, as an interactive session has.
signal.signal(signal.SIGINT, signal.default_int_handler)
a = np.random.default_rng(0).random(200_000) * 1e7  # brute force: 4e10 pairs
grid = np.meshgrid(np.arange(300.0), np.arange(200.0))
slopes = [*np.gradient(grid[0]), *np.gradient(grid[1])]
far = np.full((6000, 4000), 1e12)  # 24 million targets, five search steps each
print("started", flush=True)
try:
    rust_arrays.{call}
except KeyboardInterrupt:
    print(f"interrupted {{time.monotonic()}}", flush=True)
    sys.exit(0)
print("finished", flush=True)
"""


@pytest.mark.parametrize(
    "call",
    [
        "do_something(a, a)",
        "do_something(a, a, num_threads=1)",
        "primes_array(10**8)",
        "primes(10**8, num_threads=1)",
        "modis.interpolate(*[np.zeros((3000, 1354), np.float32)] * 3, 1000, 250)",
        "modis.interpolate(*[np.zeros((3000, 1354), np.float32)] * 3, 1000, 250, num_threads=1)",
        "simple_modis.modis_1km_to_250m(*[np.zeros((6000, 1354))] * 2)",
        "simple_modis.modis_1km_to_250m(*[np.zeros((6000, 1354))] * 2, num_threads=1)",
        "gradient.one_step_gradient_indices(*grid, *slopes, far, far, num_threads=1)",
    ],
)
def test_ctrl_c_interrupts_a_long_call(call: str) -> None:
    # Each call would run for many seconds; SIGINT must end it with KeyboardInterrupt. The
    # latency (tens of milliseconds here; see benches/) is not asserted: only that it is no hang.
    process = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_CALL.format(call=call)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    time.sleep(0.5)  # well inside the kernel
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    try:
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    word, caught = stdout.split()
    assert word == "interrupted"
    print(f"{call}: KeyboardInterrupt {float(caught) - sent:.3f} s after SIGINT")
