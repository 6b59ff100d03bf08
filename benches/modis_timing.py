"""rust_arrays.modis against geotiepoints.modisinterpolator 1.9.0 on a full synthetic MODIS
granule (203 scans: 2030x1354 float32 tie points at 1 km, 406x271 at 5 km), in one process:

    python benches/modis_timing.py [--rounds 5] [--scans 203] [--pairs 1000:250,1000:500,5000:1000]

Every round runs every implementation once, in a fresh random order (the machine is shared and
noisy: the ratios within one run are what counts). The table shows the median and best wall
time, the median user and system CPU time (all threads; system time is mostly the page faults of
fresh outputs, which vary a lot on a VM) and the peak memory of one call (the rise of the
resident set above its level before the call). Every result is checked bit for bit against
geotiepoints'. The dask rows hand the same arrays, in chunks of 10 scans, to dask's threaded
scheduler with 1 or 2 workers (rust_arrays computes each task on one thread), and ``da.store``
the lazy results into preallocated, already touched outputs (as writing them out would;
collecting them with ``compute`` adds a serial concatenation): their peak memory excludes the
outputs.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rust_arrays import _core, _measure, modis
from rust_arrays.compare import machine
from rust_arrays.synthetic import modis_tie_points

Array = np.ndarray[Any, Any]
Result = tuple[Array, Array]
CHUNK_SCANS = 10
NAMES = {
    (1000, 250): "modis_1km_to_250m",
    (1000, 500): "modis_1km_to_500m",
    (5000, 1000): "modis_5km_to_1km",
}


@dataclass
class Row:
    label: str
    call: Callable[[], Result]
    seconds: list[float] = field(default_factory=list)
    user: list[float] = field(default_factory=list)
    system: list[float] = field(default_factory=list)
    peak_bytes: int | None = None
    identical: bool | None = None


def cpu_seconds() -> tuple[float, float]:
    """User and system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def same_bits(expected: Result, actual: Result) -> bool:
    return all(
        np.array_equal(np.asarray(a).view(np.uint32), np.asarray(b).view(np.uint32))
        for a, b in zip(expected, actual, strict=True)
    )


def rows_for(
    pair: tuple[int, int], inputs: tuple[Array, Array, Array], upstream: Any, dask: Any
) -> list[Row]:
    name = NAMES[pair]
    ours = getattr(modis, name)
    rows = []
    if upstream is not None:
        rows.append(Row("geotiepoints 1.9.0", lambda: getattr(upstream, name)(*inputs)))
    rows += [
        Row(
            "rust_arrays, 1 thread",
            lambda: modis.interpolate(*inputs, *pair, num_threads=1),
        ),
        Row("rust_arrays, 2 threads", lambda: modis.interpolate(*inputs, *pair, num_threads=2)),
    ]
    if dask is not None:
        import dask.array as da

        rows_per_scan = 10 if pair[0] == 1000 else 2
        lazy = [da.from_array(a, chunks=(CHUNK_SCANS * rows_per_scan, -1)) for a in inputs]
        # The output shape from the lazy result's metadata (nothing computed).
        shape = ours(*lazy)[0].shape
        targets = (np.ones(shape, np.float32), np.ones(shape, np.float32))
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


def run(pair: tuple[int, int], scans: int, rounds: int, upstream: Any, dask: Any) -> list[Row]:
    inputs = modis_tie_points(scans, coarse_resolution=pair[0])
    rows = rows_for(pair, inputs, upstream, dask)
    expected: Result | None = None
    # Peak memory, once each, before the timed rounds; also the exactness check.
    for row in rows:
        gc.collect()
        measurement = _measure.measure(row.call)
        row.peak_bytes = measurement.peak_bytes
        if expected is None:
            expected = measurement.result
        row.identical = same_bits(expected, measurement.result)
        del measurement
    del expected
    order = list(rows)
    for _ in range(rounds):
        random.shuffle(order)
        for row in order:
            gc.collect()
            (user, system), start = cpu_seconds(), time.perf_counter()
            result = row.call()
            row.seconds.append(time.perf_counter() - start)
            user_after, system_after = cpu_seconds()
            row.user.append(user_after - user)
            row.system.append(system_after - system)
            del result
    return rows


def report(pair: tuple[int, int], scans: int, rows: list[Row]) -> None:
    coarse, fine = pair
    shape = (scans * (10 if coarse == 1000 else 2), 1354 if coarse == 1000 else 271)
    print(f"\n{coarse} m -> {fine} m, {shape[0]}x{shape[1]} float32 tie points, {scans} scans")
    base = statistics.median(rows[0].seconds)
    print(
        f"| {'implementation':<30} | median s |  min s | user s | sys s | peak MiB "
        f"| vs {rows[0].label.split(',')[0]} | bits |"
    )
    print(f"|{'-' * 32}|---------:|-------:|-------:|------:|---------:|------:|------|")
    for row in rows:
        median = statistics.median(row.seconds)
        peak = "n/a" if row.peak_bytes is None else f"{row.peak_bytes / 2**20:.0f}"
        bits = "same" if row.identical else "DIFFERENT"
        print(
            f"| {row.label:<30} | {median:8.3f} | {min(row.seconds):6.3f} "
            f"| {statistics.median(row.user):6.2f} | {statistics.median(row.system):5.2f} "
            f"| {peak:>8} | {base / median:5.2f}x | {bits} |"
        )
    for prefix in ("geotiepoints + dask", "rust_arrays + dask"):
        timed = {r.label: statistics.median(r.seconds) for r in rows if r.label.startswith(prefix)}
        if len(timed) == 2:
            one, two = timed[f"{prefix}, 1 worker"], timed[f"{prefix}, 2 workers"]
            print(f"{prefix}: 2 workers {one / two:.2f}x of 1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scans", type=int, default=203)
    parser.add_argument("--pairs", default="1000:250,1000:500,5000:1000")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    pairs = [tuple(int(v) for v in text.split(":")) for text in args.pairs.split(",")]
    try:
        from geotiepoints import modisinterpolator as upstream
    except ImportError:
        upstream = None
        print("geotiepoints not installed: rust_arrays only, results not checked")
    try:
        import dask
    except ImportError:
        dask = None
    if args.no_dask:
        dask = None
    _measure.fresh_large_allocations()
    print(f"{machine.one_line(machine.describe())}; {args.rounds} rounds")
    print(f"rust_arrays float32 libm calls: {_core.modis_libm()}")
    for pair in pairs:
        if pair not in NAMES:
            parser.error(f"--pairs: {pair[0]}:{pair[1]} is not one of {list(NAMES)}")
        report(pair, args.scans, run(pair, args.scans, args.rounds, upstream, dask))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
