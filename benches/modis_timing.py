"""rust_arrays.modis and rust_arrays.simple_modis against geotiepoints 1.9.0 (modisinterpolator,
simple_modis_interpolator) on a full synthetic MODIS granule (203 scans: 2030x1354 tie points at
1 km, 406x271 at 5 km), in one process:

    python benches/modis_timing.py [--rounds 5] [--scans 203] [--kernels modis,simple_modis]
        [--pairs 1000:250,1000:500,5000:1000] [--dtypes float32,float64] [--no-dask]

modis runs on float32 tie points (geotiepoints' only dtype there), simple_modis on each of
``--dtypes`` (its 1 km pairs only). Every round runs every implementation once, in a fresh random
order (the machine is shared and noisy: the ratios within one run are what counts). The table
shows the median and best wall time, the median user and system CPU time (all threads; system
time is mostly the page faults of fresh outputs, which vary a lot on a VM) and the peak memory of
one call (the rise of the resident set above its level before the call). Every result is checked
bit for bit against geotiepoints'. The dask rows hand the same arrays, in chunks of 10 scans, to
dask's threaded scheduler with 1 or 2 workers (rust_arrays computes each task on one thread), and
``da.store`` the lazy results into preallocated, already touched outputs (as writing them out
would; collecting them with ``compute`` adds a serial concatenation): their peak memory excludes
the outputs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
from dataclasses import dataclass
from typing import Any

import numpy as np

from rust_arrays import _core, _measure, modis, simple_modis
from rust_arrays.compare import machine
from rust_arrays.synthetic import modis_tie_points
from timed_rounds import Row, check_rows, print_table, run_rounds

Array = np.ndarray[Any, Any]
Result = tuple[Array, Array]
CHUNK_SCANS = 10
NAMES = {
    (1000, 250): "modis_1km_to_250m",
    (1000, 500): "modis_1km_to_500m",
    (5000, 1000): "modis_5km_to_1km",
}
KERNELS = {"modis": modis, "simple_modis": simple_modis}
UPSTREAM_MODULES = {
    "modis": "geotiepoints.modisinterpolator",
    "simple_modis": "geotiepoints.simple_modis_interpolator",
}


@dataclass(frozen=True)
class Case:
    """One table: a kernel, a resolution pair, the tie points' dtype."""

    kernel: str
    pair: tuple[int, int]
    dtype: np.dtype[Any]

    def title(self, scans: int) -> str:
        coarse, fine = self.pair
        rows, cols = scans * (10 if coarse == 1000 else 2), 1354 if coarse == 1000 else 271
        return (
            f"{self.kernel}: {coarse} m -> {fine} m, {rows}x{cols} {self.dtype} tie points, "
            f"{scans} scans"
        )


def same_bits(expected: Result, actual: Result) -> bool:
    def bits(array: Any) -> Array:
        array = np.asarray(array)
        return array.view(np.dtype(f"u{array.dtype.itemsize}"))

    return all(
        a.dtype == b.dtype and np.array_equal(bits(a), bits(b))
        for a, b in zip(expected, actual, strict=True)
    )


def rows_for(case: Case, inputs: tuple[Array, ...], upstream: Any, dask: Any) -> list[Row]:
    name = NAMES[case.pair]
    ours = getattr(KERNELS[case.kernel], name)
    rows = []
    if upstream is not None:
        rows.append(Row("geotiepoints 1.9.0", lambda: getattr(upstream, name)(*inputs)))
    rows += [
        Row(f"rust_arrays, {n} thread{'s' * (n > 1)}", lambda n=n: ours(*inputs, num_threads=n))
        for n in (1, 2)
    ]
    if dask is not None:
        import dask.array as da

        rows_per_scan = 10 if case.pair[0] == 1000 else 2
        lazy = [da.from_array(a, chunks=(CHUNK_SCANS * rows_per_scan, -1)) for a in inputs]
        # The output shape from the lazy result's metadata (nothing computed).
        shape = ours(*lazy)[0].shape
        targets = (np.ones(shape, case.dtype), np.ones(shape, case.dtype))
        for workers in (1, 2):
            config = {"scheduler": "threads", "num_workers": workers}

            def through_dask(function: Any, config: dict[str, Any] = config) -> Result:
                with dask.config.set(config):
                    da.store(list(function(*lazy)), list(targets), lock=False)
                return targets

            if upstream is not None:
                upstream_function = getattr(upstream, name)
                rows.append(
                    Row(
                        f"geotiepoints + dask, {workers} worker{'s' * (workers > 1)}",
                        lambda f=upstream_function, t=through_dask: t(f),
                    )
                )
            rows.append(
                Row(
                    f"rust_arrays + dask, {workers} worker{'s' * (workers > 1)}",
                    lambda t=through_dask: t(ours),
                )
            )
    return rows


def warm_free_pages(size: int) -> None:
    """Touches and frees ``size`` bytes, so that the kernel has that much memory the host backs
    ready for the next call's fresh outputs (this VM's host takes freed memory back within
    seconds, and faulting it in again costs up to 1 s of system time per 337 MiB)."""
    block = np.ones(size // 8)
    del block


def run(
    case: Case, scans: int, rounds: int, upstream: Any, dask: Any, warm: bool = False
) -> list[Row]:
    tie_points = modis_tie_points(scans, coarse_resolution=case.pair[0])
    inputs = tie_points if case.kernel == "modis" else tie_points[:2]
    inputs = tuple(a.astype(case.dtype) for a in inputs)
    rows = rows_for(case, inputs, upstream, dask)
    expected = check_rows(rows, same_bits)
    output_bytes = sum(np.asarray(a).nbytes for a in expected)
    del expected
    run_rounds(rows, rounds, (lambda: warm_free_pages(2 * output_bytes)) if warm else None)
    return rows


def report(case: Case, scans: int, rows: list[Row]) -> None:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\n{case.title(scans)} (load average after the run: {load})")
    print_table(rows, lambda row: rows[0], f"vs {rows[0].label.split(',')[0]}")
    for prefix in ("geotiepoints + dask", "rust_arrays + dask"):
        timed = {r.label: statistics.median(r.seconds) for r in rows if r.label.startswith(prefix)}
        if len(timed) == 2:
            one, two = timed[f"{prefix}, 1 worker"], timed[f"{prefix}, 2 workers"]
            print(f"{prefix}: 2 workers {one / two:.2f}x of 1")


def cases(kernels: list[str], pairs: list[tuple[int, int]], dtypes: list[str]) -> list[Case]:
    """modis on float32 for every pair; simple_modis on each dtype for the 1 km pairs."""
    out = []
    for kernel in kernels:
        for pair in pairs:
            if kernel == "modis":
                out.append(Case(kernel, pair, np.dtype(np.float32)))
            elif pair[0] == 1000:
                out += [Case(kernel, pair, np.dtype(dtype)) for dtype in dtypes]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scans", type=int, default=203)
    parser.add_argument("--kernels", default="modis,simple_modis")
    parser.add_argument("--pairs", default="1000:250,1000:500,5000:1000")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="before each timed call, touch and free twice the outputs' size (see "
        "warm_free_pages): the page faults of fresh outputs then cost what they cost on a "
        "machine that does not hand freed memory back to a host",
    )
    args = parser.parse_args()
    kernels = args.kernels.split(",")
    pairs = [tuple(int(v) for v in text.split(":")) for text in args.pairs.split(",")]
    for kernel in kernels:
        if kernel not in KERNELS:
            parser.error(f"--kernels: {kernel} is not one of {list(KERNELS)}")
    for pair in pairs:
        if pair not in NAMES:
            parser.error(f"--pairs: {pair[0]}:{pair[1]} is not one of {list(NAMES)}")
    upstreams = {}
    for kernel in kernels:
        try:
            upstreams[kernel] = importlib.import_module(UPSTREAM_MODULES[kernel])
        except ImportError:
            upstreams[kernel] = None
            print(f"geotiepoints not installed: {kernel} alone, results not checked")
    try:
        import dask
    except ImportError:
        dask = None
    if args.no_dask:
        dask = None
    _measure.fresh_large_allocations()
    warm = "; free pages warmed before each call" if args.warm else ""
    print(f"{machine.one_line(machine.describe())}; {args.rounds} rounds{warm}")
    print(f"rust_arrays float32 libm calls: {_core.modis_libm()}")
    for case in cases(kernels, pairs, args.dtypes.split(",")):  # type: ignore[arg-type]
        rows = run(case, args.scans, args.rounds, upstreams[case.kernel], dask, args.warm)
        report(case, args.scans, rows)


if __name__ == "__main__":
    main()
