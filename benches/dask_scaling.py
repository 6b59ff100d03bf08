"""Does a kernel scale with dask's threaded scheduler? Only if it releases the GIL.

The same chunked do_something runs with 1 and 2 dask workers (threads) for rust_arrays.dask and
for the talk's Cython loop built here twice: holding the GIL (the counter-example) and inside
``with nogil``. Optionally (``--distributed``) also on a dask.distributed LocalCluster with
worker processes. Prints a markdown table: median wall time per worker count and the speed-up.

    python benches/dask_scaling.py [--repeats 3] [--distributed]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import dask
import dask.array as da
import numpy as np

import rust_arrays
import rust_arrays.dask

CYTHON_SOURCE = r"""
# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# The talk's loop (float64), the NumPy semantics: round half to even, count values above 10
# (NaN and values >= 2**63 never count).
from libc.math cimport rint, sqrt

cdef long long _loop(const double[::1] a, const double[::1] b) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef long long total = 0
    cdef double r
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            r = rint(sqrt(a[i] * a[i] + b[j] * b[j]))
            if r > 10 and r < 9223372036854775808.0:
                total += <long long> r
    return total

def with_gil(const double[::1] a, const double[::1] b):
    # The GIL stays held for the whole loop: other Python threads wait.
    return _loop(a, b)

def without_gil(const double[::1] a, const double[::1] b):
    cdef long long total
    with nogil:
        total = _loop(a, b)
    return total
"""


def build_cython() -> ModuleType | None:
    """The Cython module, built once per source and Python (cached in the temp directory)."""
    gcc = shutil.which("gcc")
    if gcc is None or importlib.util.find_spec("Cython") is None:
        print("Cython or gcc missing: the Cython rows are skipped", file=sys.stderr)
        return None
    digest = hashlib.sha256((CYTHON_SOURCE + sys.version).encode()).hexdigest()[:16]
    directory = Path(tempfile.gettempdir()) / f"rust_arrays_dask_scaling-{digest}"
    directory.mkdir(exist_ok=True)
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    so = directory / f"_gil_demo{suffix}"
    if not so.exists():
        pyx, c_file = directory / "_gil_demo.pyx", directory / "_gil_demo.c"
        pyx.write_text(CYTHON_SOURCE)
        include = sysconfig.get_paths()["include"]
        for command in (
            [sys.executable, "-m", "cython", "-3", str(pyx), "-o", str(c_file)],
            [gcc, "-O2", "-fwrapv", "-shared", "-fPIC", f"-I{include}", str(c_file), "-o", str(so)],
        ):
            subprocess.run(command, check=True, capture_output=True)
    spec = importlib.util.spec_from_file_location("_gil_demo", so)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chunk_pairs_sum(kernel: Callable[[Any, Any], int], a: Any, b: Any) -> Any:
    """The same graph shape as rust_arrays.dask.do_something, for a plain kernel."""
    tasks = [
        dask.delayed(kernel)(a_block, b_block)
        for a_block in a.to_delayed().ravel()
        for b_block in b.to_delayed().ravel()
    ]
    return dask.delayed(sum)(tasks)


def median_seconds(compute: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = compute()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        compute()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--distributed", action="store_true", help="also a LocalCluster")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    # Widely spread values: no shortcut applies, every pair is evaluated (brute force).
    rust_a, rust_b = rng.random(40_000) * 1e7, rng.random(40_000) * 1e7
    cython_a, cython_b = rng.random(16_000) * 1e7, rng.random(16_000) * 1e7
    chunks = 4_000
    cython = build_cython()
    rows: list[tuple[str, str, Callable[[int], Any], Any]] = []

    def rust_graph() -> Any:
        return rust_arrays.dask.do_something(
            da.from_array(rust_a, chunks=chunks), da.from_array(rust_b, chunks=chunks)
        )

    rust_expected = rust_arrays.do_something(rust_a, rust_b)
    rows.append(
        (
            "rust_arrays.dask.do_something",
            f"{rust_a.size}x{rust_b.size}",
            lambda workers: rust_graph().compute(scheduler="threads", num_workers=workers),
            rust_expected,
        )
    )
    if cython is not None:
        cython_expected = rust_arrays.do_something(cython_a, cython_b)
        for name in ("with_gil", "without_gil"):
            kernel = getattr(cython, name)

            def cython_run(workers: int, kernel: Callable[[Any, Any], int] = kernel) -> Any:
                graph = chunk_pairs_sum(
                    kernel,
                    da.from_array(cython_a, chunks=chunks),
                    da.from_array(cython_b, chunks=chunks),
                )
                return graph.compute(scheduler="threads", num_workers=workers)

            rows.append(
                (
                    f"Cython, {name.replace('_', ' ')}",
                    f"{cython_a.size}x{cython_b.size}",
                    cython_run,
                    cython_expected,
                )
            )

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}, NumPy {np.__version__}, dask {dask.__version__}, "
        f"rust_arrays {rust_arrays.__version__}. Chunks of {chunks}; median of {args.repeats}.\n"
    )
    print("| kernel (dask threaded scheduler) | pairs | 1 worker | 2 workers | speed-up | exact |")
    print("|---|---|---:|---:|---:|---|")
    for name, size, run, expected in rows:
        one, result_one = median_seconds(lambda run=run: run(1), args.repeats)
        two, result_two = median_seconds(lambda run=run: run(2), args.repeats)
        exact = "yes" if int(result_one) == int(result_two) == expected else "NO"
        print(f"| {name} | {size} | {one:.3f} s | {two:.3f} s | {one / two:.2f}x | {exact} |")
    if args.distributed:
        import distributed

        for workers in (1, 2):
            with (
                distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                seconds, result = median_seconds(
                    lambda client=client: client.compute(rust_graph()).result(), args.repeats
                )
            exact = "yes" if int(result) == rust_expected else "NO"
            print(
                f"| rust_arrays.dask.do_something, LocalCluster, {workers} worker process(es) | "
                f"{rust_a.size}x{rust_b.size} | {seconds:.3f} s | | | {exact} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
