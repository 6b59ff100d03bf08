#!/usr/bin/env python
"""rust_arrays against its peers, on the same data, in one process run.

The machines are shared and noisy, so every number that matters is a ratio against rust_arrays
measured in the same run: each implementation is warmed up once (that call is checked against
rust_arrays' result and the talk's NumPy result, and gives the peak extra memory), then the
implementations are timed in ``--rounds`` interleaved rounds (each round calls every implementation
once, in turn), and each time and each ratio is reported as the median [min-max] over the rounds
(a ratio per round: both times measured seconds apart, under the same load).
JIT compilation (Numba) and builds (Cython, the AVX-512 C loop) happen before and are printed
separately.

Peers: NumPy (the talk's code, ``rust_arrays.reference``), numexpr, Numba, Cython (built here
from a .pyx, twice: portable -O2 and -O3 -march=native -ffp-contract=off), a hand-written
AVX-512 C loop (the hardware limit), primesieve. A peer that is not installed gets a
"not installed" row.

    .venv/bin/python benches/peers.py --quick          # everything, small sizes, < 1 minute
    .venv/bin/python benches/peers.py                  # the talk's sizes (needs ~6 GB once)
    .venv/bin/python benches/peers.py --kernel primes --rounds 9

Tables (markdown) go to stdout, progress and build logs to stderr. The exit status is 1 if any
implementation gave a result different from rust_arrays' or the talk's NumPy on the benchmark
data; differences on the small hostile inputs ("edge cases" column) are reported, not fatal.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import gc
import hashlib
import importlib.metadata
import importlib.util
import inspect
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
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

# Idle OpenMP threads (Cython, the C loop, Numba's omp layer) sleep instead of spinning, so they
# do not take a core from the implementation timed next (2 cores here). Set before libgomp loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

import rust_arrays
from rust_arrays import _core, reference
from rust_arrays._measure import fresh_large_allocations, measure
from rust_arrays.compare.report.table import format_bytes

NCORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
BUILD_ROOT = Path(tempfile.gettempdir()) / "rust_arrays_bench_peers"
MISMATCHES: list[str] = []
SETUP_LOG: list[str] = []  # JIT and build times, excluded from the timings


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def optional_import(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def peer_version(name: str, module: ModuleType | None) -> str:
    version = dist_version(name)
    return (
        version
        if module is not None or version == "not installed"
        else f"{version} (import failed)"
    )


numba = optional_import("numba")
# The Numba loops that `rust-arrays compare` measures, the same code (cached by Numba on disk).
numba_loops = optional_import("rust_arrays.compare.peers.numba_loops") if numba else None
ne = optional_import("numexpr")
primesieve = optional_import("primesieve")
cython_mod = optional_import("Cython")


# ------------------------------------------------------------------------------------------------
# Measurement


@dataclass
class Row:
    """One implementation in a table."""

    name: str
    fn: Callable[..., Any] | None  # None: unavailable, see `missing`
    args: tuple[Any, ...] = ()
    threads: str = "1"
    work: float = 0.0  # units (pairs, primes, elements) per call, for the throughput column
    ref: str = ""  # the rust_arrays row whose result must equal ours and whose time we divide by
    spec: Callable[[], Any] | None = None  # the talk's reference result (cached), also must equal
    group: str = ""  # e.g. the dtype
    missing: str = "not installed"
    edge: Callable[[], str] | None = None  # exactness on hostile inputs: "yes" or what differs
    # filled in by run_table
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: int | None = None
    exact: str = ""
    edge_result: str = "-"

    @property
    def median(self) -> float:
        return statistics.median(self.wall)


def cached(thunk: Callable[[], Any]) -> Callable[[], Any]:
    """``thunk`` evaluated at most once (the reference results, shared by the rows of a group)."""
    return functools.cache(thunk)


def run_table(rows: list[Row], rounds: int, equal: Callable[[Any, Any], bool]) -> None:
    """Warm-up (checked, memory measured) for every row, then timed rounds, round-robin.

    Every result must equal both its rust_arrays row's result (``ref``) and the talk's reference
    result (``spec``, computed once before, outside any measurement)."""
    available = [row for row in rows if row.fn is not None]
    # rust_arrays reference rows (ref == own name) first, so their results are known.
    available.sort(key=lambda row: row.ref != row.name)
    for row in available:
        if row.spec is not None:
            row.spec()
    expected: dict[tuple[str, str], Any] = {}  # by (group, rust_arrays row name)
    for row in available:
        if row.edge is not None:
            row.edge_result = row.edge()
            if row.edge_result != "yes":
                log(f"  edge cases differ: {row.group} {row.name}: {row.edge_result}")
        log(f"  warm-up {row.group} {row.name} ...")
        gc.collect()
        fn, args = row.fn, row.args
        assert fn is not None
        m = measure(lambda fn=fn, args=args: fn(*args))
        row.peak = m.peak_bytes
        if row.ref == row.name:
            expected[row.group, row.name] = m.result
        against = {"the talk's NumPy": row.spec() if row.spec is not None else None}
        if row.ref != row.name:
            against["rust_arrays"] = expected[row.group, row.ref]
        differs = [k for k, v in against.items() if v is not None and not equal(m.result, v)]
        row.exact = f"**MISMATCH** vs {' and '.join(differs)}" if differs else "yes"
        for name in differs:
            message = f"MISMATCH: {row.group} {row.name} differs from {name}"
            if isinstance(m.result, int):
                message += f" ({m.result} != {against[name]})"
            MISMATCHES.append(message)
            log("!" * 100 + f"\n!!! {message}\n" + "!" * 100)
        del m
    gc.collect()
    log(f"  timing {len(available)} implementations x {rounds} rounds, round-robin ...")
    gc.disable()
    try:
        for _ in range(rounds):
            for row in available:
                assert row.fn is not None
                c0, t0 = time.process_time(), time.perf_counter()
                result = row.fn(*row.args)
                t1, c1 = time.perf_counter(), time.process_time()
                del result
                row.wall.append(t1 - t0)
                row.cpu.append(c1 - c0)
    finally:
        gc.enable()
    expected.clear()
    gc.collect()


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.3f} s"


def spread(values: list[float], text: Callable[[float], str]) -> str:
    """``median [min-max]`` of ``values``."""
    return f"{text(statistics.median(values))} [{text(min(values))}-{text(max(values))}]"


def round_ratios(row: Row, ref: Row) -> list[float]:
    """This row's time over its rust_arrays row's, round by round: both were timed in the same
    round, seconds apart, so a change in the machine's load hits both alike."""
    return [mine / theirs for mine, theirs in zip(row.wall, ref.wall, strict=True)]


def print_table(title: str, rows: list[Row], unit: str, scale: float, notes: list[str]) -> None:
    by_name = {(row.group, row.name): row for row in rows}
    grouped = any(r.group for r in rows)
    print(f"\n### {title}\n")
    print(
        f"| implementation | {'dtype | ' if grouped else ''}threads | "
        f"median time [min-max] | {unit} | cpu/wall | peak extra mem | exact | edge cases | "
        "rust_arrays speed / this, median [min-max] of rounds |"
    )
    print(f"|---|{'---|' if grouped else ''}---:|---:|---:|---:|---:|---|---|---:|")
    for row in rows:
        group = f"{row.group} | " if grouped else ""
        if row.fn is None or not row.wall:
            print(f"| {row.name} | {group}- | {row.missing} | - | - | - | - | - | - |")
            continue
        throughput = row.work / row.median / scale
        cpu_wall = sum(row.cpu) / sum(row.wall)
        ref = by_name.get((row.group, row.ref))
        if row.ref == row.name:
            ratio = "1.00 (ref)"
        elif ref is not None and ref.wall:
            ratio = spread(round_ratios(row, ref), lambda x: f"{x:.2f}")
        else:
            ratio = "-"
        print(
            f"| {row.name} | {group}{row.threads} | {spread(row.wall, fmt_time)} | "
            f"{throughput:.3g} | {cpu_wall:.2f} | {format_bytes(row.peak)} | {row.exact} | "
            f"{row.edge_result} | {ratio} |"
        )
    for note in notes:
        print(f"\n{note}")
    sys.stdout.flush()


def accepts_num_threads(fn: Callable[..., Any]) -> bool:
    try:
        return "num_threads" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


# ------------------------------------------------------------------------------------------------
# On-the-fly builds (Cython, C), cached in a temp dir keyed by a hash of everything that matters


def gcc_version() -> str:
    gcc = shutil.which("gcc")
    if gcc is None:
        return "not found"
    out = subprocess.run([gcc, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.splitlines()[0] if out.stdout else "unknown"


def cached_build(
    label: str, key_parts: list[str], build: Callable[[Path], Path]
) -> tuple[Path, float, bool]:
    """Runs ``build(directory)`` unless a build of the same key exists; returns the built file,
    the build's seconds (as recorded when it ran), and whether it came from the cache."""
    digest = hashlib.sha256("\0".join(key_parts).encode()).hexdigest()[:16]
    directory = BUILD_ROOT / f"{label}-{digest}"
    done = directory / "built.txt"
    if done.exists():
        seconds_text, name = done.read_text().split("\n", 1)
        return directory / name.strip(), float(seconds_text), True
    directory.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    product = build(directory)
    seconds = time.perf_counter() - start
    done.write_text(f"{seconds}\n{product.name}\n")
    return product, seconds, False


def run_checked(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}\n{result.stdout}\n{result.stderr}")


CYTHON_SOURCE = r"""
# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# The talk's Cython loop, GIL released, rows of the grid split over OpenMP threads.
from cython.parallel cimport prange
from libc.math cimport rint, rintf, sqrt, sqrtf


def do_something_f64(const double[::1] a, const double[::1] b, int num_threads):
    cdef Py_ssize_t i, j
    cdef Py_ssize_t n = a.shape[0]
    cdef Py_ssize_t m = b.shape[0]
    cdef long long total = 0
    cdef long long tmp
    for j in prange(m, nogil=True, schedule="static", num_threads=num_threads):
        for i in range(n):
            tmp = <long long> rint(sqrt(a[i] * a[i] + b[j] * b[j]))
            if tmp > 10:
                total += tmp
    return total


def do_something_f32(const float[::1] a, const float[::1] b, int num_threads):
    cdef Py_ssize_t i, j
    cdef Py_ssize_t n = a.shape[0]
    cdef Py_ssize_t m = b.shape[0]
    cdef long long total = 0
    cdef long long tmp
    for j in prange(m, nogil=True, schedule="static", num_threads=num_threads):
        for i in range(n):
            tmp = <long long> rintf(sqrtf(a[i] * a[i] + b[j] * b[j]))
            if tmp > 10:
                total += tmp
    return total
"""

# Python's own default flags for extensions (-fwrapv: the int64 sum wraps, as NumPy's does).
# -ffp-contract=off: without it gcc fuses a*a + b*b into one FMA where the target has FMA
# (-march=native), which is not NumPy's (rounded square, then add) and changes float32 results.
CYTHON_VARIANTS = {
    "O2": ["-O2", "-fwrapv", "-DNDEBUG"],
    "native": ["-O3", "-march=native", "-ffp-contract=off", "-fwrapv", "-DNDEBUG"],
}


def build_cython(variant: str) -> tuple[ModuleType | None, str]:
    """The Cython module built with ``CYTHON_VARIANTS[variant]``, or None and the reason."""
    if cython_mod is None:
        return None, "not installed (Cython)"
    gcc = shutil.which("gcc")
    if gcc is None:
        return None, "not available (no gcc)"
    flags = CYTHON_VARIANTS[variant]
    module_name = f"_peers_cython_{variant}"
    include = sysconfig.get_paths()["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"

    def build(directory: Path) -> Path:
        pyx = directory / f"{module_name}.pyx"
        c_file = directory / f"{module_name}.c"
        so = directory / f"{module_name}{suffix}"
        pyx.write_text(CYTHON_SOURCE)
        run_checked([sys.executable, "-m", "cython", "-3", str(pyx), "-o", str(c_file)])
        run_checked(
            [
                gcc,
                *flags,
                "-fopenmp",
                "-shared",
                "-fPIC",
                f"-I{include}",
                str(c_file),
                "-o",
                str(so),
            ]
        )
        return so

    key = [CYTHON_SOURCE, module_name, *flags, gcc_version(), sys.version, dist_version("Cython")]
    try:
        so, seconds, cached = cached_build(f"cython-{variant}", key, build)
        spec = importlib.util.spec_from_file_location(module_name, so)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception as error:
        log(f"cython build {variant} failed: {error}")
        return None, f"build failed ({type(error).__name__})"
    SETUP_LOG.append(
        f"Cython build `{' '.join(flags)} -fopenmp` (cython + gcc): {seconds:.1f} s"
        + (f" (cached in {so.parent})" if cached else "")
    )
    return module, ""


AVX512_SOURCE = r"""
// The hardware limit: the talk's kernel on precomputed squares, 8 doubles (16 floats) at a time.
// s = x + y; sqrt; round half to even (roundscale); cvtt to int64 (NaN, inf, >= 2**63 give
// INT64_MIN, as NumPy on x86-64); add where > 10. Rows of the grid are split over OpenMP threads.
#include <immintrin.h>
#include <stdint.h>

#define RNE (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

int64_t ds_f64(const double *x, int64_t n, const double *y, int64_t m, int num_threads) {
    uint64_t total = 0;
    #pragma omp parallel for schedule(static) reduction(+:total) num_threads(num_threads)
    for (int64_t j = 0; j < m; j++) {
        const __m512d yj = _mm512_set1_pd(y[j]);
        const __m512i ten = _mm512_set1_epi64(10);
        __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m512i v0 = _mm512_cvttpd_epi64(_mm512_roundscale_pd(
                _mm512_sqrt_pd(_mm512_add_pd(_mm512_loadu_pd(x + i), yj)), RNE));
            __m512i v1 = _mm512_cvttpd_epi64(_mm512_roundscale_pd(
                _mm512_sqrt_pd(_mm512_add_pd(_mm512_loadu_pd(x + i + 8), yj)), RNE));
            acc0 = _mm512_mask_add_epi64(acc0, _mm512_cmpgt_epi64_mask(v0, ten), acc0, v0);
            acc1 = _mm512_mask_add_epi64(acc1, _mm512_cmpgt_epi64_mask(v1, ten), acc1, v1);
        }
        for (; i < n; i += 8) {
            __mmask8 t = n - i >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (n - i)) - 1u);
            __m512i v = _mm512_cvttpd_epi64(_mm512_roundscale_pd(
                _mm512_sqrt_pd(_mm512_add_pd(_mm512_maskz_loadu_pd(t, x + i), yj)), RNE));
            acc0 = _mm512_mask_add_epi64(acc0, _mm512_mask_cmpgt_epi64_mask(t, v, ten), acc0, v);
        }
        total += (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(acc0, acc1));
    }
    return (int64_t)total;
}

int64_t ds_f32(const float *x, int64_t n, const float *y, int64_t m, int num_threads) {
    uint64_t total = 0;
    #pragma omp parallel for schedule(static) reduction(+:total) num_threads(num_threads)
    for (int64_t j = 0; j < m; j++) {
        const __m512 yj = _mm512_set1_ps(y[j]);
        const __m512i ten = _mm512_set1_epi64(10);
        __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
        __m512i acc2 = _mm512_setzero_si512(), acc3 = _mm512_setzero_si512();
        int64_t i = 0;
        for (; i + 32 <= n; i += 32) {
            __m512 r0 = _mm512_roundscale_ps(
                _mm512_sqrt_ps(_mm512_add_ps(_mm512_loadu_ps(x + i), yj)), RNE);
            __m512 r1 = _mm512_roundscale_ps(
                _mm512_sqrt_ps(_mm512_add_ps(_mm512_loadu_ps(x + i + 16), yj)), RNE);
            __m512i v0 = _mm512_cvttps_epi64(_mm512_castps512_ps256(r0));
            __m512i v1 = _mm512_cvttps_epi64(_mm512_extractf32x8_ps(r0, 1));
            __m512i v2 = _mm512_cvttps_epi64(_mm512_castps512_ps256(r1));
            __m512i v3 = _mm512_cvttps_epi64(_mm512_extractf32x8_ps(r1, 1));
            acc0 = _mm512_mask_add_epi64(acc0, _mm512_cmpgt_epi64_mask(v0, ten), acc0, v0);
            acc1 = _mm512_mask_add_epi64(acc1, _mm512_cmpgt_epi64_mask(v1, ten), acc1, v1);
            acc2 = _mm512_mask_add_epi64(acc2, _mm512_cmpgt_epi64_mask(v2, ten), acc2, v2);
            acc3 = _mm512_mask_add_epi64(acc3, _mm512_cmpgt_epi64_mask(v3, ten), acc3, v3);
        }
        for (; i < n; i += 16) {
            __mmask16 t = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1u);
            __m512 r = _mm512_roundscale_ps(
                _mm512_sqrt_ps(_mm512_add_ps(_mm512_maskz_loadu_ps(t, x + i), yj)), RNE);
            __m512i lo = _mm512_cvttps_epi64(_mm512_castps512_ps256(r));
            __m512i hi = _mm512_cvttps_epi64(_mm512_extractf32x8_ps(r, 1));
            __mmask8 klo = _mm512_mask_cmpgt_epi64_mask((__mmask8)t, lo, ten);
            __mmask8 khi = _mm512_mask_cmpgt_epi64_mask((__mmask8)(t >> 8), hi, ten);
            acc0 = _mm512_mask_add_epi64(acc0, klo, acc0, lo);
            acc1 = _mm512_mask_add_epi64(acc1, khi, acc1, hi);
        }
        acc0 = _mm512_add_epi64(_mm512_add_epi64(acc0, acc1), _mm512_add_epi64(acc2, acc3));
        total += (uint64_t)_mm512_reduce_add_epi64(acc0);
    }
    return (int64_t)total;
}
"""
AVX512_FLAGS = ["-O3", "-mavx512f", "-mavx512dq", "-fopenmp"]


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def build_avx512() -> tuple[ctypes.CDLL | None, str]:
    if not {"avx512f", "avx512dq"} <= cpu_flags():
        return None, "not available (CPU without AVX-512F/DQ)"
    gcc = shutil.which("gcc")
    if gcc is None:
        return None, "not available (no gcc)"

    def build(directory: Path) -> Path:
        source = directory / "avx512_loop.c"
        so = directory / "avx512_loop.so"
        source.write_text(AVX512_SOURCE)
        run_checked([gcc, *AVX512_FLAGS, "-shared", "-fPIC", str(source), "-o", str(so)])
        return so

    try:
        so, seconds, cached = cached_build(
            "avx512", [AVX512_SOURCE, *AVX512_FLAGS, gcc_version()], build
        )
        lib = ctypes.CDLL(str(so))
    except Exception as error:
        log(f"AVX-512 C build failed: {error}")
        return None, f"build failed ({type(error).__name__})"
    for name in ("ds_f64", "ds_f32"):
        function = getattr(lib, name)
        function.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int64,
            ctypes.c_void_p,
            ctypes.c_int64,
            ctypes.c_int,
        ]
        function.restype = ctypes.c_int64
    SETUP_LOG.append(
        f"AVX-512 C build `gcc {' '.join(AVX512_FLAGS)}`: {seconds:.1f} s"
        + (f" (cached in {so.parent})" if cached else "")
    )
    return lib, ""


# ------------------------------------------------------------------------------------------------
# Kernel 1: do_something


def numexpr_do_something(a: np.ndarray, b: np.ndarray, block_pairs: int = 1 << 20) -> int:
    """The talk's expression in numexpr over blocks of grid rows: the same peer as
    ``rust-arrays compare`` measures (see rust_arrays.compare.peers.numexpr_expressions)."""
    from rust_arrays.compare.peers import numexpr_expressions

    return numexpr_expressions.do_something(a, b, block_pairs)


def numba_warm(jitted: Any, label: str, warm: list[tuple[Any, ...]]) -> Any:
    """``jitted`` compiled (or loaded from Numba's cache) for the signatures of ``warm``; the
    time goes to SETUP_LOG."""
    for args in warm:
        start = time.perf_counter()
        jitted(*args)
        types = ", ".join(str(getattr(x, "dtype", type(x).__name__)) for x in args)
        SETUP_LOG.append(f"Numba `{label}` ({types}): {time.perf_counter() - start:.2f} s")
    return jitted


def hostile_do_something(dtype: type, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Small inputs (longer than any SIMD width, so vector loops run) with NaN, +-inf, +-0, ties at
    .5 (alone and as 7.5/10 -> 12.5, 10.5/14 -> 17.5), squares that overflow, roots >= 2**63 and
    values whose sum wraps int64."""
    # NaN, +-inf, +-0 and the ties, in both dtypes.
    common = [np.nan, np.inf, -np.inf, 0.0, -0.0]
    common += [0.5, 2.5, 10.5, 11.5, 12.5, -12.5, 7.5, 10.0, 14.0]
    if dtype is np.float64:
        special = [*common, 1e200, 1e19, 6e18, 6e18, 2.0**52 + 1, 1e17, 5e-324, 3.0, 4.0]
    else:
        special = [*common, 3e19, 1e19, 6e18, 6e18, 2.0**23 + 1, 3e7, 1e12, 1e-45, 3.0, 4.0]
    with np.errstate(all="ignore"):
        a = np.concatenate([np.array(special), rng.random(67 - len(special)) * 100]).astype(dtype)
        b = np.concatenate([np.array(special), rng.random(131 - len(special)) * 100]).astype(dtype)
    return rng.permutation(a), rng.permutation(b)


@dataclass
class Peer:
    """One do_something implementation: a callable ``(a, b) -> int`` per input dtype."""

    name: str
    by_dtype: dict[type, Callable[..., Any]] | None
    threads: str = "1"
    missing: str = "not installed"


def avx512_caller(c_fn: Any, threads: int) -> Callable[[np.ndarray, np.ndarray], int]:
    def call(x: np.ndarray, y: np.ndarray) -> int:
        with np.errstate(over="ignore", invalid="ignore"):
            x_sq = np.ascontiguousarray(x * x)  # squares in the input dtype, as rust_arrays
            y_sq = np.ascontiguousarray(y * y)
        return int(c_fn(x_sq.ctypes.data, x_sq.size, y_sq.ctypes.data, y_sq.size, threads))

    return call


def cython_caller(fn: Any, threads: int) -> Callable[[np.ndarray, np.ndarray], int]:
    return lambda x, y: int(fn(x, y, threads))


def edge_checker(
    fn: Callable[..., Any], ha: np.ndarray, hb: np.ndarray, expected: int
) -> Callable[[], str]:
    def check() -> str:
        got = fn(ha, hb)
        return "yes" if got == expected else f"DIFFERS ({got} != {expected})"

    return check


def rust_brute_force(a: np.ndarray, b: np.ndarray, num_threads: int) -> int:
    """rust_arrays' SIMD brute force, forced (the public function would take the exact sweep
    on this workload): the row that compares with the AVX-512 C loop pair for pair."""
    with np.errstate(over="ignore"):  # the edge cases square huge values: inf, as NumPy's
        a_sq, b_sq = a * a, b * b
    return _core.do_something_from_squares(
        a_sq, b_sq, num_threads=num_threads, method="brute_force"
    )


def do_something_peers(args: argparse.Namespace) -> list[Peer]:
    rust = rust_arrays.do_something
    both = (np.float64, np.float32)
    peers = [Peer("rust_arrays.do_something", dict.fromkeys(both, rust), threads="default")]
    if accepts_num_threads(rust):
        for threads in (1, NCORES):
            call = functools.partial(rust, num_threads=threads)
            peers.append(
                Peer(
                    f"rust_arrays.do_something(num_threads={threads})",
                    dict.fromkeys(both, call),
                    threads=str(threads),
                )
            )
    for threads in (1, NCORES):
        peers.append(
            Peer(
                f"rust_arrays brute force, every pair (num_threads={threads})",
                dict.fromkeys(both, functools.partial(rust_brute_force, num_threads=threads)),
                threads=str(threads),
            )
        )
    full = None if args.skip_numpy_full else dict.fromkeys(both, reference.do_something_numpy)
    peers.append(
        Peer(
            "reference.do_something_numpy (the talk's NumPy)",
            full,
            missing="skipped (--skip-numpy-full)",
        )
    )
    peers.append(
        Peer(
            "reference.do_something_numpy_blocks (2**20 pairs)",
            dict.fromkeys(both, reference.do_something_numpy_blocks),
        )
    )
    peers.append(
        Peer(
            "numexpr, blocks of 2**20 pairs",
            dict.fromkeys(both, numexpr_do_something) if ne else None,
            threads=str(ne.get_num_threads()) if ne else "1",
        )
    )
    serial = parallel = None
    if numba_loops is not None:
        warm = [(np.ones(3, t), np.ones(2, t)) for t in both]
        serial = numba_warm(numba_loops.do_something_serial, "do_something serial", warm)
        parallel = numba_warm(numba_loops.do_something_parallel, "do_something parallel", warm)
    peers.append(Peer("numba @njit", dict.fromkeys(both, serial) if serial else None))
    peers.append(
        Peer(
            "numba @njit(parallel=True), prange",
            dict.fromkeys(both, parallel) if parallel else None,
            threads=str(numba.get_num_threads()) if numba else "1",
        )
    )
    for variant in CYTHON_VARIANTS:
        module, missing = build_cython(variant)
        label = " ".join(CYTHON_VARIANTS[variant][:-2])  # without -fwrapv -DNDEBUG
        for threads in (1, NCORES):
            by_dtype = None
            if module is not None:
                by_dtype = {
                    np.float64: cython_caller(module.do_something_f64, threads),
                    np.float32: cython_caller(module.do_something_f32, threads),
                }
            name = f"Cython prange `{label}`"
            peers.append(Peer(name, by_dtype, threads=str(threads), missing=missing))
    lib, missing = build_avx512()
    for threads in (1, NCORES):
        by_dtype = None
        if lib is not None:
            by_dtype = {
                np.float64: avx512_caller(lib.ds_f64, threads),
                np.float32: avx512_caller(lib.ds_f32, threads),
            }
        name = "AVX-512 C loop, the hardware limit"
        peers.append(Peer(name, by_dtype, threads=str(threads), missing=missing))
    return peers


def bench_do_something(args: argparse.Namespace, rng: np.random.Generator) -> None:
    n, m = (1000, 2000) if args.quick else (10_000, 20_000)
    pairs = float(n) * m
    a64 = rng.random(n) * 100
    b64 = rng.random(m) * 100
    peers = do_something_peers(args)
    rows: list[Row] = []
    for dtype in (np.float64, np.float32):
        a, b = a64.astype(dtype), b64.astype(dtype)
        ha, hb = hostile_do_something(dtype, rng)
        edge_expected = reference.do_something_numpy(ha, hb)
        spec = cached(functools.partial(reference.do_something_numpy_blocks, a, b))
        for peer in peers:
            fn = peer.by_dtype[dtype] if peer.by_dtype is not None else None
            rows.append(
                Row(
                    name=peer.name,
                    fn=fn,
                    args=(a, b),
                    threads=peer.threads,
                    work=pairs,
                    ref=peers[0].name,
                    spec=spec,
                    group=np.dtype(dtype).name,
                    missing=peer.missing,
                    edge=edge_checker(fn, ha, hb, edge_expected) if fn is not None else None,
                )
            )
    log(f"do_something: {n} x {m} pairs")
    run_table(rows, args.rounds, lambda x, y: x == y)
    if numba is not None:
        SETUP_LOG.append(
            f"Numba threading layer: {numba.threading_layer()}, {numba.get_num_threads()} threads"
        )
    notes = [
        "Inputs `a = rng.random(n) * 100`, `b = rng.random(m) * 100` (float32: the same values "
        "cast). Ratio: this row's time / rust_arrays.do_something's (same dtype) in each round, "
        "median [min-max] over the rounds: how many times faster rust_arrays is. `exact`: the "
        "result equals both rust_arrays' and the talk's NumPy (do_something_numpy_blocks) on the"
        " benchmark data; `edge cases`: equals the talk's NumPy on small inputs with NaN, +-inf,"
        " +-0, ties at .5, overflowing squares, roots >= 2**63 and an int64 sum that wraps. "
        "`cpu/wall`: process CPU time over wall time (threads actually busy). AVX-512 C and "
        "numexpr square the inputs in NumPy first, as rust_arrays does; the Cython and Numba "
        "loops square inside the loop. `G pairs/s` counts the len(a) * len(b) pairs covered: the"
        " AVX-512 loop evaluates each pair at the speed of the hardware's vector sqrt; a row "
        "faster than it does not evaluate every pair (rust_arrays' exact sweep over the few "
        "distinct rounded values of this workload)."
    ]
    print_table(f"do_something, {n} x {m} = {pairs:.3g} pairs", rows, "G pairs/s", 1e9, notes)


# ------------------------------------------------------------------------------------------------
# Kernel 2: primes


def primesieve_array(count: int) -> np.ndarray:
    """primesieve.n_primes (an array.array of uint64) as an int64 NumPy array, without a copy
    (primes < 2**63, so the bits are the same)."""
    return np.frombuffer(primesieve.n_primes(count), dtype=np.int64)  # type: ignore[union-attr]


def bench_primes(args: argparse.Namespace) -> None:
    count = 10**5 if args.quick else 10**7
    small = 10**3 if args.quick else 10**4
    spec = cached(lambda: reference.primes_numpy(count))
    spec_small = cached(lambda: reference.primes_numpy(small))
    rows = [
        Row(
            "rust_arrays.primes_array",
            rust_arrays.primes_array,
            (count,),
            threads="default",
            work=count,
            ref="rust_arrays.primes_array",
            spec=spec,
        ),
        Row(
            "rust_arrays.primes (list)",
            rust_arrays.primes,
            (count,),
            threads="default",
            work=count,
            ref="rust_arrays.primes_array",
            spec=spec,
        ),
        Row(
            "primesieve.n_primes -> np.frombuffer",
            primesieve_array if primesieve else None,
            (count,),
            work=count,
            ref="rust_arrays.primes_array",
            spec=spec,
            # primesieve's threads (get_num_threads) count primes; n_primes generates them in one.
            threads="1",
        ),
        Row(
            "reference.primes_numpy (NumPy sieve)",
            reference.primes_numpy,
            (count,),
            work=count,
            ref="rust_arrays.primes_array",
            spec=spec,
        ),
        Row(
            f"rust_arrays.primes_array, only {small} primes",
            rust_arrays.primes_array,
            (small,),
            threads="default",
            work=small,
            ref=f"rust_arrays.primes_array, only {small} primes",
            spec=spec_small,
        ),
        Row(
            f"reference.primes_python (the talk's trial division), only {small} primes",
            reference.primes_python,
            (small,),
            work=small,
            ref=f"rust_arrays.primes_array, only {small} primes",
            spec=spec_small,
        ),
    ]
    if accepts_num_threads(rust_arrays.primes_array):
        rows.insert(
            1,
            Row(
                "rust_arrays.primes_array(num_threads=1)",
                lambda k: rust_arrays.primes_array(k, num_threads=1),
                (count,),
                work=count,
                ref="rust_arrays.primes_array",
                spec=spec,
            ),
        )
    log(f"primes: {count} primes (pure Python: {small})")

    def equal(got: Any, expected: np.ndarray) -> bool:
        got_array = np.asarray(got, dtype=np.int64)
        return got_array.shape == expected.shape and bool(np.array_equal(got_array, expected))

    run_table(rows, args.rounds, equal)
    notes = [
        f"The first {count} primes (last: {int(spec()[-1])}); the pure-Python row computes "
        f"only {small} primes and is compared (result and time) with "
        f"rust_arrays.primes_array for {small} primes. `exact`: equal to rust_arrays.primes_array "
        "and to reference.primes_numpy. primesieve's array.array is wrapped without a "
        "copy (its numpy submodule does not build with NumPy 2). Ratio: this row's time / "
        "rust_arrays.primes_array's for the same count in each round, median [min-max]."
    ]
    print_table(f"primes, first {count} primes", rows, "M primes/s", 1e6, notes)


# ------------------------------------------------------------------------------------------------
# Kernel 3: masked_hypot


def numexpr_masked_hypot(
    a: np.ndarray, b: np.ndarray, out: np.ndarray, threshold: float = 2.0
) -> np.ndarray:
    """The same peer as ``rust-arrays compare`` measures."""
    from rust_arrays.compare.peers import numexpr_expressions

    return numexpr_expressions.masked_hypot(a, b, out, threshold)


def bits_equal(x: np.ndarray, y: np.ndarray) -> bool:
    return (
        x.shape == y.shape
        and x.dtype == y.dtype
        and bool(np.array_equal(x.view(np.uint64), y.view(np.uint64)))
    )


def bench_masked_hypot(args: argparse.Namespace, rng: np.random.Generator) -> None:
    n = 10**6 if args.quick else 10**8
    a = rng.random(n) * 4
    b = rng.random(n)
    special = [
        np.nan,
        np.inf,
        -np.inf,
        2.0,
        np.nextafter(2.0, 3.0),
        np.nextafter(2.0, 1.0),
        0.0,
        -0.0,
        1e200,
        1e154,
        1e-310,
        5e-324,
        -5.0,
        3.0,
        4.0,
    ]
    ha = rng.permutation(np.concatenate([special, rng.random(257 - len(special)) * 4]))
    hb = rng.permutation(np.concatenate([special, rng.random(257 - len(special))]))
    edge_expected = reference.masked_hypot_numpy(ha, hb)
    numba_parallel = None
    if numba_loops is not None:
        numba_parallel = numba_warm(
            numba_loops.masked_hypot_parallel,
            "masked_hypot parallel",
            [(np.ones(3), np.ones(3), np.zeros(3), 2.0)],
        )

    def edge_check(fn: Callable[..., Any]) -> Callable[[], str]:
        def check() -> str:
            got = fn(ha, hb, np.zeros_like(ha))
            return "yes" if bits_equal(got, edge_expected) else "DIFFERS"

        return check

    ref = "rust_arrays.masked_hypot(a, b, out)"
    spec = cached(lambda: reference.masked_hypot_numpy(a, b))
    rows: list[Row] = []

    def add(name: str, fn: Callable[..., Any] | None, threads: str = "1") -> None:
        out = np.full(n, 0.0) if fn is not None else None  # written now, so no page faults later
        rows.append(
            Row(
                name,
                fn,
                (a, b, out),
                threads=threads,
                work=n,
                ref=ref,
                spec=spec,
                edge=edge_check(fn) if fn is not None else None,
            )
        )

    add(ref, rust_arrays.masked_hypot, threads="default")
    if accepts_num_threads(rust_arrays.masked_hypot):
        add(
            "rust_arrays.masked_hypot(a, b, out, num_threads=1)",
            lambda x, y, o: rust_arrays.masked_hypot(x, y, o, num_threads=1),
        )
    add("reference.masked_hypot_numpy (the talk's NumPy)", reference.masked_hypot_numpy)
    add(
        "numexpr where(a > 2, sqrt(a*a + b*b), out)",
        numexpr_masked_hypot if ne else None,
        threads=str(ne.get_num_threads()) if ne else "1",
    )
    add(
        "numba @njit(parallel=True), prange",
        (lambda x, y, o: numba_parallel(x, y, o, 2.0)) if numba_parallel is not None else None,
        threads=str(numba.get_num_threads()) if numba else "1",
    )
    log(f"masked_hypot: {n} float64")
    run_table(rows, args.rounds, bits_equal)
    notes = [
        "`a = rng.random(n) * 4`, `b = rng.random(n)`, threshold 2 (half the elements selected); "
        "every implementation writes into its own preallocated, already touched `out` (the talk's "
        "NumPy code too, so its peak is its temporaries: the mask and the selections). `exact`: "
        "bit for bit (uint64 views) equal to rust_arrays and to the talk's NumPy; `edge cases`: "
        "bit for bit equal to the talk's NumPy on inputs with NaN, +-inf, +-0, the threshold and "
        "its neighbours, overflowing squares and subnormals. Ratio: this row's time / "
        "rust_arrays' in each round, median [min-max]."
    ]
    print_table(f"masked_hypot, {n:.3g} float64", rows, "G elem/s", 1e9, notes)


# ------------------------------------------------------------------------------------------------


def machine_header(args: argparse.Namespace) -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / (1 << 20):.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    avx512 = sorted(flag for flag in cpu_flags() if flag.startswith("avx512"))
    so = Path(rust_arrays._core.__file__)
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(so.stat().st_mtime))
    libprimesieve = primesieve.primesieve_version() if primesieve else "-"
    if isinstance(libprimesieve, bytes):
        libprimesieve = libprimesieve.decode()
    versions = [
        f"CPython {platform.python_version()}",
        f"NumPy {np.__version__}",
        f"rust_arrays {rust_arrays.__version__} (extension built {built})",
        f"numba {peer_version('numba', numba)} (llvmlite {dist_version('llvmlite')})",
        f"numexpr {peer_version('numexpr', ne)}",
        f"Cython {peer_version('Cython', cython_mod)}",
        f"primesieve {peer_version('primesieve', primesieve)} (libprimesieve {libprimesieve})",
        gcc_version(),
    ]
    sizes = "quick sizes" if args.quick else "full sizes"
    wait_policy = os.environ.get("OMP_WAIT_POLICY")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"## rust_arrays vs peers ({time.strftime('%Y-%m-%d')}, {sizes})\n\n"
        f"Machine: {platform.platform()}, CPU: {model}, {NCORES} cores available "
        f"(os.cpu_count() = {os.cpu_count()}){memory}; {' '.join(avx512) or 'no AVX-512'}.\n\n"
        f"Versions: {', '.join(versions)}.\n\n"
        f"Method: one process; each implementation called once as a warm-up (result checked "
        f"against rust_arrays and the talk's NumPy, peak extra resident memory measured by "
        f"rust_arrays._measure), then {args.rounds} rounds timing each once, in turn; median "
        f"[min-max] over the rounds (ratios: per round, then median [min-max]). JIT and "
        f"build times excluded (listed below the tables). OMP_WAIT_POLICY={wait_policy}. Load "
        f"average at start: {load} (other processes share the cores; `cpu/wall` below 1 per "
        f"thread shows it)."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--kernel", choices=["do_something", "primes", "masked_hypot", "all"], default="all"
    )
    parser.add_argument(
        "--rounds",
        "--repeats",
        type=int,
        default=5,
        help="timed rounds; each round calls every implementation once, in turn (default 5)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: checks that everything runs"
    )
    parser.add_argument(
        "--skip-numpy-full",
        action="store_true",
        help="skip the talk's do_something_numpy (needs ~6 GB at full size)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not fresh_large_allocations():
        log("warning: not glibc, peak memory may be underestimated")
    if ne is not None:
        ne.set_num_threads(NCORES)
    rng = np.random.default_rng(args.seed)
    print(machine_header(args))
    kernels = ["do_something", "primes", "masked_hypot"] if args.kernel == "all" else [args.kernel]
    for kernel in kernels:
        if kernel == "do_something":
            bench_do_something(args, rng)
        elif kernel == "primes":
            bench_primes(args)
        else:
            bench_masked_hypot(args, rng)
    if numba_loops is not None:
        SETUP_LOG.append(f"Numba loops: {numba_loops.jit_note()}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nLoad average at the end: {load}. Excluded from the timings:\n")
    for line in SETUP_LOG or ["nothing (no JIT or build in this run)"]:
        print(f"- {line}")
    if MISMATCHES:
        print("\n**MISMATCHES:**\n")
        for line in MISMATCHES:
            print(f"- **{line}**")
        log("\n".join(["!" * 100, *MISMATCHES, "!" * 100]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
