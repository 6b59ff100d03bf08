"""The ``rust-arrays`` command (also ``python -m rust_arrays``).

``rust-arrays demo`` runs each kernel of the talk three ways on the same data (pure Python, the
talk's NumPy code, rust_arrays), and MODIS geolocation (modis, simple_modis) with geotiepoints
(where installed) and rust_arrays, and prints the result, time and peak memory of each.
``rust-arrays compare`` measures every implementation of the talk against each other, from a few
elements to the big case (see :mod:`rust_arrays.compare`).
"""

from __future__ import annotations

import argparse
import importlib
import math
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

import rust_arrays
from rust_arrays import modis, reference, simple_modis
from rust_arrays._measure import fresh_large_allocations, measure
from rust_arrays.compare import cli as compare_cli
from rust_arrays.compare import optional
from rust_arrays.synthetic import modis_tie_points


@dataclass(frozen=True)
class Case:
    kernel: str
    implementation: str
    size: str
    call: Callable[[], Any]
    warm_up: bool = True


def _summary(result: Any) -> str:
    """A short, comparable rendering of a kernel's result."""
    if isinstance(result, tuple):  # modis: (lon, lat)
        lon, lat = (np.asarray(array) for array in result)
        return f"lon, lat {lon.shape[0]}x{lon.shape[1]}, mean lat {np.nanmean(lat):.4f}"
    if isinstance(result, list | np.ndarray) and np.asarray(result).ndim == 1:
        values = np.asarray(result)
        if values.dtype.kind in "iu":
            return f"{values.size} primes, last {values[-1] if values.size else '-'}"
        return f"checksum {float(np.sum(values, dtype=np.float64)):.6g}"
    return str(result)


def demo_cases(scale: float = 1.0) -> list[Case]:
    """The talk's three kernels at sizes where pure Python takes about a second, then MODIS 1 km
    to 250 m on 10 scans (its reference, geotiepoints, only where it is installed)."""
    rng = np.random.default_rng(2024)
    nb_primes = max(1, int(5_000 * scale))
    a = rng.random(max(1, int(1_000 * scale))) * 100
    b = rng.random(max(1, int(2_000 * scale))) * 100
    n = max(1, int(2_000_000 * scale))
    x, y = rng.random(n) * 4, rng.random(n) * 4
    x_list, y_list = x.tolist(), y.tolist()
    a_list, b_list = a.tolist(), b.tolist()
    pairs = f"{a.size}x{b.size}"
    return [
        Case(
            "primes",
            "pure Python",
            str(nb_primes),
            lambda: reference.primes_python(nb_primes),
            warm_up=False,
        ),
        Case("primes", "NumPy sieve", str(nb_primes), lambda: reference.primes_numpy(nb_primes)),
        Case("primes", "rust_arrays.primes", str(nb_primes), lambda: rust_arrays.primes(nb_primes)),
        Case(
            "primes",
            "rust_arrays.primes_array",
            str(nb_primes),
            lambda: rust_arrays.primes_array(nb_primes),
        ),
        Case(
            "do_something",
            "pure Python",
            pairs,
            lambda: reference.do_something_python(a_list, b_list),
            warm_up=False,
        ),
        Case("do_something", "the talk's NumPy", pairs, lambda: reference.do_something_numpy(a, b)),
        Case("do_something", "rust_arrays", pairs, lambda: rust_arrays.do_something(a, b)),
        Case(
            "masked_hypot",
            "pure Python",
            str(n),
            lambda: reference.masked_hypot_python(x_list, y_list),
            warm_up=False,
        ),
        Case(
            "masked_hypot", "the talk's NumPy", str(n), lambda: reference.masked_hypot_numpy(x, y)
        ),
        Case("masked_hypot", "rust_arrays", str(n), lambda: rust_arrays.masked_hypot(x, y)),
        *_modis_cases(max(1, int(10 * scale))),
    ]


def _modis_cases(scans: int) -> list[Case]:
    if not optional.is_installed("geotiepoints"):
        return []
    # Untyped: imported as Any.
    upstream: Any = importlib.import_module("geotiepoints.modisinterpolator")
    simple_upstream: Any = importlib.import_module("geotiepoints.simple_modis_interpolator")
    lon, lat, satz = modis_tie_points(scans)
    size = f"{scans} scans"
    return [
        Case("modis", "geotiepoints", size, lambda: upstream.modis_1km_to_250m(lon, lat, satz)),
        Case("modis", "rust_arrays", size, lambda: modis.modis_1km_to_250m(lon, lat, satz)),
        Case(
            "simple_modis",
            "geotiepoints",
            size,
            lambda: simple_upstream.modis_1km_to_250m(lon, lat),
        ),
        Case("simple_modis", "rust_arrays", size, lambda: simple_modis.modis_1km_to_250m(lon, lat)),
    ]


def _same(result: Any, expected: Any) -> bool:
    if isinstance(expected, tuple):  # modis: every bit of lon and lat
        return all(
            np.array_equal(np.asarray(got).view(np.uint32), np.asarray(want).view(np.uint32))
            for got, want in zip(result, expected, strict=True)
        )
    if isinstance(expected, list | np.ndarray):
        got, want = np.asarray(result), np.asarray(expected)
        return got.shape == want.shape and bool(np.array_equal(got, want, equal_nan=True))
    return bool(result == expected)


def _format_bytes(size: int | None) -> str:
    if size is None:
        return "n/a"
    if size < 1 << 20:
        return f"{size / 1024:.0f} KiB"
    return f"{size / (1 << 20):.1f} MiB"


def run_demo(scale: float, out: Any = None) -> bool:
    """Prints the demo table; returns whether every implementation matched the reference."""
    out = out or sys.stdout
    print(
        f"rust_arrays {rust_arrays.__version__} on {platform.machine()}, "
        f"Python {platform.python_version()}, NumPy {np.__version__}",
        file=out,
    )
    header = f"{'kernel':<13} {'implementation':<25} {'size':>9} {'time':>10} {'peak mem':>10}"
    print(f"{header}  {'exact':<5}  result", file=out)
    all_exact = True
    expected: dict[str, Any] = {}
    fresh_large_allocations()
    for case in demo_cases(scale):
        # Memory from the first call (nothing cached yet), time from a second one where a
        # warm-up is cheap; pure-Python loops run once.
        measured = measure(case.call)
        if case.warm_up:
            timed = measure(case.call)
            measured = replace(measured, seconds=timed.seconds)
        # The first row of each kernel is the pure-Python specification.
        reference_result = expected.setdefault(case.kernel, measured.result)
        exact = _same(measured.result, reference_result)
        all_exact &= exact
        print(
            f"{case.kernel:<13} {case.implementation:<25} {case.size:>9} "
            f"{measured.seconds * 1e3:>8.1f}ms {_format_bytes(measured.peak_bytes):>10}  "
            f"{'yes' if exact else 'NO':<5}  {_summary(measured.result)}",
            file=out,
        )
    return all_exact


DESCRIPTION = """\
The kernels of the talk "When and why should I rewrite my Python code?" in Rust: a quick tour
(demo) and the full comparison with pure Python, NumPy, numexpr, Numba and Cython (compare).
Also runs as python -m rust_arrays."""

DEMO_DESCRIPTION = """\
Run each kernel of the talk three ways on the same data (pure Python, the talk's NumPy code,
rust_arrays), and MODIS geolocation with geotiepoints (where installed) and rust_arrays; print
each result, its time (a second call) and peak memory (the first call), and whether it equals
the first row's. About 5 s at the default scale. Exits with 1 if any result differs."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rust-arrays", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="run each kernel against its reference: result, time, peak memory",
        description=DEMO_DESCRIPTION,
    )
    demo.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the default sizes (default 1: about 5 s in all)",
    )
    compare = commands.add_parser(
        "compare",
        help="every implementation of the talk, size by size: time, memory, exactness, threads",
        description=compare_cli.DESCRIPTION,
    )
    compare_cli.add_arguments(compare)
    args = parser.parse_args(argv)
    if args.command == "compare":
        return compare_cli.main(compare, args)
    if not 0 < args.scale < math.inf:  # also rejects NaN
        demo.error(f"--scale must be a positive number, got {args.scale:g}")
    return 0 if run_demo(args.scale) else 1
