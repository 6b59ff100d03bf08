"""``rust-arrays compare``: its arguments, their checks, and the run.

Argument errors exit with status 2 and a usage message before anything is measured; a run
exits with 1 when any implementation gave a wrong result or failed, 130 when interrupted
(Ctrl-C), else 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rust_arrays.compare import cache, optional, settings
from rust_arrays.compare.experiments import Comparison
from rust_arrays.compare.implementations import IMPLEMENTATIONS
from rust_arrays.compare.kernels import KERNELS, Size, SizeError
from rust_arrays.compare.progress import progress_for
from rust_arrays.compare.report import json_report, plot, table
from rust_arrays.compare.results import Report

DESCRIPTION = """\
Measure the talk's claims on this machine: pure Python, NumPy (the talk's code and in blocks),
numexpr, Numba, Cython and rust_arrays on the talk's kernels, from a few elements to the big
case, geotiepoints and rust_arrays on MODIS geolocation (modis, simple_modis), from 1 scan
to a granule, and pyresample and rust_arrays on gradient search resampling (gradient, with
pyresample installed), from 250x250 to 2000x2000 pixels.
Each measurement runs in a fresh process: time (median after a warm-up), peak memory, and the
result checked against the talk's code (MODIS: against geotiepoints; gradient: pyresample).
Then the same work over 1, 2, ... Python threads (who releases the GIL), and tiny inputs (where
call overhead decides)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kernel",
        choices=[*KERNELS, "all"],
        default="all",
        help="which kernel to compare (default: all)",
    )
    parser.add_argument(
        "--sizes",
        metavar="LIST",
        help="comma-separated sizes for every chosen kernel, e.g. 10,1e3,1e5; for do_something "
        "NxM, or N for Nx2N (default: the talk's progression, up to 10000x20000 pairs, "
        "10**7 primes, 10**7 elements; modis, simple_modis: 1 to 203 scans; gradient: N for "
        "NxN, 250 to 2000)",
    )
    parser.add_argument(
        "--impl",
        metavar="LIST",
        help=f"comma-separated implementations (default: all): {', '.join(IMPLEMENTATIONS)}",
    )
    parser.add_argument(
        "--budget",
        type=float,
        metavar="SECONDS",
        help="longest predicted time of one call; longer ones are skipped, showing the "
        f"prediction (default {settings.DEFAULT_BUDGET_SECONDS:g}, "
        f"--quick {settings.QUICK_BUDGET_SECONDS:g})",
    )
    parser.add_argument(
        "--threads",
        metavar="LIST",
        help="thread counts of the threads (GIL) experiment, e.g. 1,2,4 (default: 1, 2, 4, ... "
        "up to the cores)",
    )
    parser.add_argument(
        "--experiments",
        metavar="LIST",
        default=",".join(settings.EXPERIMENTS),
        help=f"which experiments to run (default: {','.join(settings.EXPERIMENTS)})",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        help=f"timed runs per measurement at most (default {settings.DEFAULT_REPEATS}, "
        f"--quick {settings.QUICK_REPEATS})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the report as JSON")
    parser.add_argument(
        "--plot", type=Path, metavar="PATH", help="also draw time and memory vs size (.png, .svg)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and budget: a smoke test (about 45 s on 2 cores; a first run, which "
        "builds the Cython module and compiles Numba's loops, about a minute)",
    )


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _sizes(
    parser: argparse.ArgumentParser, text: str | None, kernels: tuple[str, ...], quick: bool
) -> dict[str, tuple[Size, ...]]:
    chosen: dict[str, tuple[Size, ...]] = {}
    for name in kernels:
        kernel = KERNELS[name]
        if text is None:
            sizes = kernel.quick_sizes if quick else kernel.default_sizes
        else:
            items = _list(text)
            if not items:
                parser.error("--sizes: give at least one size")
            try:
                sizes = tuple(kernel.parse_size(item) for item in items)
            except SizeError as error:
                parser.error(f"--sizes: {error}")
        chosen[name] = tuple(sorted(set(sizes), key=kernel.work))
    return chosen


def _implementations(parser: argparse.ArgumentParser, text: str | None) -> tuple[str, ...]:
    if text is None:
        return tuple(IMPLEMENTATIONS)
    names = _list(text)
    unknown = [name for name in names if name not in IMPLEMENTATIONS]
    if unknown or not names:
        parser.error(
            f"--impl: unknown {', '.join(unknown) or '(empty)'}; "
            f"choose from {', '.join(IMPLEMENTATIONS)}"
        )
    # The registry's order: tables and plots list implementations the same way every run.
    return tuple(name for name in IMPLEMENTATIONS if name in names)


def _threads(parser: argparse.ArgumentParser, text: str | None, cores: int) -> tuple[int, ...]:
    if text is None:
        return settings.default_thread_counts(cores)
    try:
        counts = {int(item) for item in _list(text)}
    except ValueError:
        parser.error(f"--threads: not a list of whole numbers: {text!r}")
    if not counts or min(counts) < 1:
        parser.error("--threads: thread counts must be at least 1")
    if max(counts) > 256:
        parser.error("--threads: at most 256 threads")
    # One thread is the baseline every speed-up is measured against.
    return tuple(sorted(counts | {1}))


def settings_from_arguments(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> settings.Settings:
    if args.kernel == "all":
        # Those whose inputs can be made here (gradient's need pyresample's geometries).
        kernels = tuple(
            name
            for name, kernel in KERNELS.items()
            if kernel.needs is None or optional.is_installed(kernel.needs)
        )
    else:
        kernels = (args.kernel,)
        needs = KERNELS[args.kernel].needs
        if needs is not None and not optional.is_installed(needs):
            parser.error(
                f"--kernel {args.kernel} needs {needs}: pip install 'rust_arrays[{needs}]'"
            )
    implementations = _implementations(parser, args.impl)
    if not any(
        kernel in IMPLEMENTATIONS[name].kernels for name in implementations for kernel in kernels
    ):
        parser.error(f"--impl: none of {', '.join(implementations)} computes {', '.join(kernels)}")
    # Only those that compute a chosen kernel (no Cython build for --kernel modis).
    implementations = tuple(
        name
        for name in implementations
        if any(kernel in IMPLEMENTATIONS[name].kernels for kernel in kernels)
    )
    experiments = _list(args.experiments)
    unknown = [name for name in experiments if name not in settings.EXPERIMENTS]
    if unknown or not experiments:
        parser.error(
            f"--experiments: unknown {', '.join(unknown) or '(empty)'}; "
            f"choose from {', '.join(settings.EXPERIMENTS)}"
        )
    budget = args.budget
    if budget is None:
        budget = settings.QUICK_BUDGET_SECONDS if args.quick else settings.DEFAULT_BUDGET_SECONDS
    if not budget > 0:  # also rejects NaN
        parser.error("--budget must be a positive number of seconds")
    repeats = args.repeats
    if repeats is None:
        repeats = settings.QUICK_REPEATS if args.quick else settings.DEFAULT_REPEATS
    if repeats < 1:
        parser.error("--repeats must be at least 1")
    for option, path in (("--json", args.json), ("--plot", args.plot)):
        if path is not None and not path.parent.resolve().is_dir():
            parser.error(f"{option}: directory {path.parent} does not exist")
    if args.plot is not None:
        if "sizes" not in experiments:
            parser.error("--plot draws the sizes experiment: add sizes to --experiments")
        try:
            plot.check_plot_path(args.plot)
        except plot.PlotUnavailable as error:
            parser.error(f"--plot: {error}")
    cores = settings.available_cores()
    return settings.Settings(
        kernels=kernels,
        sizes=_sizes(parser, args.sizes, kernels, args.quick),
        implementations=implementations,
        budget=budget,
        threads=_threads(parser, args.threads, cores),
        repeats=repeats,
        timing_window=settings.QUICK_TIMING_WINDOW
        if args.quick
        else settings.DEFAULT_TIMING_WINDOW,
        threads_target=(
            settings.QUICK_THREADS_TARGET if args.quick else settings.DEFAULT_THREADS_TARGET
        ),
        experiments=tuple(name for name in settings.EXPERIMENTS if name in experiments),
        seed=args.seed,
        quick=args.quick,
        cores=cores,
        json_path=args.json,
        plot_path=args.plot,
    )


def run(chosen: settings.Settings) -> tuple[Report, int]:
    """Runs the comparison, prints the tables, writes the files; returns the report and the exit
    status."""
    with progress_for(sys.stderr) as progress:
        report = Comparison(chosen, progress, cache.cache_dir()).run()
    print(table.format_report(report, color=sys.stdout.isatty()))
    if chosen.json_path is not None:
        json_report.write_json(report, chosen.json_path)
        print(f"JSON: {chosen.json_path}")
    if chosen.plot_path is not None:
        plot.write_plot(report, chosen.plot_path)
        print(f"Plot: {chosen.plot_path}")
    return report, 1 if report.mismatches() or report.failures() else 0


def main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    chosen = settings_from_arguments(parser, args)
    try:
        return run(chosen)[1]
    except KeyboardInterrupt:  # the running worker has been killed (see measure.runner)
        print("rust-arrays compare: interrupted", file=sys.stderr)
        return 130
