"""rust_arrays.gradient against pyresample.gradient 1.35.0, in one process:

    python benches/gradient_timing.py [--rounds 7] [--size 2000] [--chunks 1000]
                                      [--scenarios swath,geostationary] [--profile]

Two scenarios: a polar swath of SIZE x SIZE pixels (lon/lat, float64) onto a polar
stereographic area of SIZE x SIZE pixels that it covers, and a geostationary full disk of
1.5 SIZE x 1.5 SIZE pixels onto a stereographic area over Europe and the Arctic (inf coordinates
beyond the disk), each with 3 float64 channels. For each:

- kernels: the index search plus the bilinear interpolation of the 3 channels, from coordinates
  and gradients computed beforehand (pyresample: its Cython one_step_gradient_indices and its
  NumPy block_bilinear_interpolator; rust_arrays: the same two functions, on 1 and 2 threads),
  then each step alone;
- lazy: the lazy resampler end to end, dask-backed swath and data in chunks of CHUNKS,
  PYTROLL_CHUNK_SIZE = CHUNKS: create, precompute, compute, then ``.compute()`` on dask's
  threaded scheduler with 1 and 2 workers (rust_arrays computes each task on one thread).

Every round runs every row once, in a fresh random order (the machine is shared and noisy: the
ratios within one run are what counts). The tables show median and best wall time, median user
and system CPU time (all threads), the peak memory of one call (the rise of the resident set
above its level before the call) and whether the result has pyresample's bits. ``--profile``
adds where the time of one lazy run goes on dask's synchronous scheduler, by function.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rust_arrays import _measure
from rust_arrays.compare import machine
from timed_rounds import Row, check_rows, print_table, run_rounds

Array = np.ndarray[Any, Any]
CHANNELS = 3


def same_bits(expected: Array, actual: Array) -> bool:
    expected, actual = np.asarray(expected), np.asarray(actual)
    if expected.shape != actual.shape or expected.dtype != actual.dtype:
        return False
    kept = ~(np.isnan(expected) & np.isnan(actual))
    return bool(np.array_equal(expected[kept].view(np.uint64), actual[kept].view(np.uint64)))


def time_rows(rows: list[Row], rounds: int) -> None:
    """Peak memory and bits once each, then ``rounds`` interleaved rounds."""
    check_rows(rows, same_bits)
    run_rounds(rows, rounds)


def report(title: str, rows: list[Row], baseline: dict[str, str] | None = None) -> None:
    """The table; each row's ratio is to ``baseline[label]`` (default: the first row)."""
    print(f"\n{title} (load average before: {os.getloadavg()[0]:.2f})")
    by_label = {row.label: row for row in rows}

    def reference(row: Row) -> Row:
        return by_label[(baseline or {}).get(row.label, rows[0].label)]

    print_table(rows, reference, "vs pyresample", width=40)


def scenario(name: str, size: int, chunks: int | None) -> tuple[Any, Any]:
    from rust_arrays.synthetic import (
        geostationary_disk,
        polar_stereographic_area,
        polar_swath,
    )

    if name == "swath":
        return polar_swath(size, size, chunks=chunks), polar_stereographic_area(size, size)
    disk = geostationary_disk(size * 3 // 2, size * 3 // 2)
    europe = polar_stereographic_area(size, size, half_width_m=4_000_000.0, lon_0=10.0)
    return disk, europe


def kernel_rows(name: str, size: int) -> tuple[list[Row], list[Row]]:
    """The kernels, whole and step by step."""
    from pyresample import gradient as upstream
    from pyresample.gradient._gradient_search import one_step_gradient_indices as cython_indices

    from rust_arrays import gradient

    source, target = scenario(name, size, None)
    (dst_x, dst_y), gradients, (src_x, src_y) = upstream._get_coordinates_in_same_projection(
        source, target
    )
    arguments = (src_x, src_y, *gradients, dst_x, dst_y)
    data = np.random.default_rng(0).random((CHANNELS, *src_x.shape)) * 300.0
    indices = cython_indices(*arguments)

    def upstream_kernels() -> Array:
        with np.errstate(invalid="ignore"):
            return upstream.block_bilinear_interpolator(data, cython_indices(*arguments))

    def ours(threads: int) -> Callable[[], Array]:
        def kernels() -> Array:
            found = gradient.one_step_gradient_indices(*arguments, num_threads=threads)
            return gradient.block_bilinear_interpolator(data, found, num_threads=threads)

        return kernels

    def upstream_bilinear() -> Array:
        with np.errstate(invalid="ignore"):
            return upstream.block_bilinear_interpolator(data, indices.copy())

    whole = [
        Row("pyresample 1.35.0", upstream_kernels),
        Row("rust_arrays, 1 thread", ours(1)),
        Row("rust_arrays, 2 threads", ours(2)),
    ]
    steps = [
        Row("pyresample: index search (Cython)", lambda: cython_indices(*arguments)),
        Row(
            "rust_arrays: index search, 1 thread",
            lambda: gradient.one_step_gradient_indices(*arguments, num_threads=1),
        ),
        Row(
            "rust_arrays: index search, 2 threads",
            lambda: gradient.one_step_gradient_indices(*arguments, num_threads=2),
        ),
        Row("pyresample: bilinear, 3 channels (NumPy)", upstream_bilinear),
        Row(
            "rust_arrays: bilinear, 1 thread",
            lambda: gradient.block_bilinear_interpolator(data, indices, num_threads=1),
        ),
        Row(
            "rust_arrays: bilinear, 2 threads",
            lambda: gradient.block_bilinear_interpolator(data, indices, num_threads=2),
        ),
    ]
    return whole, steps


def lazy_rows(name: str, size: int, chunks: int) -> list[Row]:
    import dask
    import dask.array as da
    import xarray as xr
    from pyresample import gradient as upstream

    from rust_arrays import gradient

    source, target = scenario(name, size, chunks)
    values = np.random.default_rng(0).random((CHANNELS, *source.shape)) * 300.0
    data = xr.DataArray(da.from_array(values, chunks=chunks), dims=("bands", "y", "x"))
    rows = []
    for workers in (1, 2):
        for label, module in (("pyresample 1.35.0", upstream), ("rust_arrays", gradient)):

            def resample(module: Any = module, workers: int = workers) -> Array:
                resampler = module.create_gradient_search_resampler(source, target)
                resampler.precompute()
                lazy = resampler.compute(data, method="bilinear")
                with np.errstate(invalid="ignore"), dask.config.set(num_workers=workers):
                    return np.asarray(lazy.compute(scheduler="threads").values)

            rows.append(Row(f"{label}, {workers} worker{'s' * (workers > 1)}", resample))
    return rows


def profile(name: str, size: int, chunks: int) -> None:
    """Where one lazy run of each spends its time, on dask's synchronous scheduler."""
    import dask
    import dask.array as da
    import xarray as xr
    from pyresample import gradient as upstream

    from rust_arrays import gradient

    source, target = scenario(name, size, chunks)
    values = np.random.default_rng(0).random((CHANNELS, *source.shape)) * 300.0
    data = xr.DataArray(da.from_array(values, chunks=chunks), dims=("bands", "y", "x"))
    for label, module in (("pyresample", upstream), ("rust_arrays", gradient)):
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        resampler = module.create_gradient_search_resampler(source, target)
        resampler.precompute()
        with np.errstate(invalid="ignore"), dask.config.set(scheduler="synchronous"):
            resampler.compute(data).compute()
        profiler.disable()
        total = time.perf_counter() - start
        print(f"\n{label}, lazy, one thread, {total:.2f} s; the functions taking most of it:")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--scenarios", default="swath,geostationary")
    parser.add_argument("--skip", default="", help="sections to skip: kernels, lazy")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    # pyresample reads its chunk size when imported: set it first, for both resamplers.
    os.environ["PYTROLL_CHUNK_SIZE"] = str(args.chunks)
    _measure.fresh_large_allocations()
    print(f"{machine.one_line(machine.describe())}; {args.rounds} rounds")
    skip = set(filter(None, args.skip.split(",")))
    for name in args.scenarios.split(","):
        if name not in ("swath", "geostationary"):
            parser.error(f"--scenarios: unknown scenario {name!r}")
        what = (
            f"{args.size}x{args.size} swath onto a {args.size}x{args.size} polar stereographic area"
            if name == "swath"
            else f"{args.size * 3 // 2}x{args.size * 3 // 2} geostationary disk onto a "
            f"{args.size}x{args.size} stereographic area"
        )
        if "kernels" not in skip:
            whole, steps = kernel_rows(name, args.size)
            time_rows(whole, args.rounds)
            report(f"Kernels, {what}, {CHANNELS} float64 channels", whole)
            searches, interpolations = steps[:3], steps[3:]
            time_rows(searches, args.rounds)
            time_rows(interpolations, args.rounds)
            firsts = {row.label: searches[0].label for row in searches} | {
                row.label: interpolations[0].label for row in interpolations
            }
            report("The kernels' steps", steps, firsts)
        if "lazy" not in skip:
            rows = lazy_rows(name, args.size, args.chunks)
            time_rows(rows, args.rounds)
            baseline = {row.label: rows[0 if "1 worker" in row.label else 2].label for row in rows}
            report(f"Lazy resampler, {what}, chunks of {args.chunks}", rows, baseline)
        if args.profile:
            profile(name, args.size, args.chunks)


if __name__ == "__main__":
    main()
