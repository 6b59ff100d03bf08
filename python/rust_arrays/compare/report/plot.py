"""The report as a figure: per kernel, time and peak memory against size on log axes, one line
per implementation (the same colour and marker in every panel).

Skipped measurements appear as hollow markers at their predicted time, on a dotted line; a
result that differs from the reference gets a red cross. Drawn with matplotlib's object API
(no pyplot, no global backend): PNG or SVG chosen by the file's suffix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rust_arrays.compare import machine, optional
from rust_arrays.compare.kernels import KERNELS
from rust_arrays.compare.results import Report, SizeResult

FORMATS = {".png": "png", ".svg": "svg"}
# One page: RSS moves in pages, so "0" means less than this; drawn here on the log axis.
MEMORY_FLOOR = 4096

# Predictions beyond this (days for pure Python's primes) would squash every measured line.
LONGEST_PREDICTION_DRAWN = 3600.0
# Memory ticks every factor of 16: 4 KiB, 64 KiB, 1 MiB, 16 MiB, 256 MiB, 4 GiB.
MEMORY_TICKS = [4096 * 16**power for power in range(8)]

# Related implementations share a colour: solid = one thread, dashed = all cores.
STYLES: dict[str, dict[str, Any]] = {
    "python": {"color": "#7f7f7f", "marker": "o", "linestyle": "-"},
    "numpy": {"color": "#1f77b4", "marker": "s", "linestyle": "-"},
    "numpy_blocks": {"color": "#1f77b4", "marker": "s", "linestyle": ":"},
    "numexpr": {"color": "#9467bd", "marker": "D", "linestyle": "--"},
    "numba": {"color": "#2ca02c", "marker": "^", "linestyle": "-"},
    "numba_parallel": {"color": "#2ca02c", "marker": "^", "linestyle": "--"},
    "cython": {"color": "#8c564b", "marker": "v", "linestyle": "-"},
    "geotiepoints": {"color": "#ff7f0e", "marker": "P", "linestyle": "-"},
    "rust_arrays_1thread": {"color": "#d62728", "marker": "*", "linestyle": "-"},
    "rust_arrays": {"color": "#d62728", "marker": "*", "linestyle": "--"},
}


class PlotUnavailable(RuntimeError):
    pass


def check_plot_path(path: Path) -> None:
    """Raises PlotUnavailable for a suffix or an environment that cannot make the plot."""
    if path.suffix.lower() not in FORMATS:
        raise PlotUnavailable(f"{path}: the plot is written as .png or .svg")
    if not optional.is_installed("matplotlib"):
        raise PlotUnavailable(
            "the plot needs matplotlib: pip install matplotlib (or 'rust_arrays[compare]')"
        )


def _time_label(seconds: float, _position: object = None) -> str:
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if seconds >= scale:
            return f"{seconds / scale:g} {unit}"
    return f"{seconds:g} s"


def _bytes_label(size: float, _position: object = None) -> str:
    for scale, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size:g} B"


def _size_label(size: str) -> str:
    """10000000 as 10,000,000; NxM as it is."""
    return f"{int(size):,}" if size.isdigit() else size


def _series(results: list[SizeResult]) -> dict[str, list[SizeResult]]:
    series: dict[str, list[SizeResult]] = {}
    for result in results:
        series.setdefault(result.implementation, []).append(result)
    for points in series.values():
        points.sort(key=lambda result: result.work)
    return series


def _draw_kernel(time_axis: Any, memory_axis: Any, report: Report, kernel: str) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    results = [r for r in report.sizes if r.kernel == kernel]
    for name, points in _series(results).items():
        style = STYLES.get(name, {"marker": "o", "linestyle": "-"})
        measured = [p for p in points if p.status == "ok" and p.seconds]
        label = report.label(name)
        time_axis.plot(
            [p.work for p in measured], [p.seconds for p in measured], label=label, **style
        )
        with_memory = [p for p in measured if p.peak_bytes is not None]
        memory_axis.plot(
            [p.work for p in with_memory],
            [max(p.peak_bytes or 0, MEMORY_FLOOR) for p in with_memory],
            label=label,
            **style,
        )
        predicted = [
            p
            for p in points
            if p.status == "skipped"
            and p.predicted_seconds
            and p.predicted_seconds <= LONGEST_PREDICTION_DRAWN
        ]
        if measured and predicted:
            last = measured[-1]
            time_axis.plot(
                [last.work, *[p.work for p in predicted]],
                [last.seconds, *[p.predicted_seconds for p in predicted]],
                color=style.get("color"),
                linestyle=":",
                linewidth=1,
            )
            time_axis.plot(
                [p.work for p in predicted],
                [p.predicted_seconds for p in predicted],
                linestyle="none",
                marker=style.get("marker"),
                markerfacecolor="white",
                color=style.get("color"),
            )
        wrong = [p for p in measured if p.exact is False]
        if wrong:
            time_axis.plot(
                [p.work for p in wrong],
                [p.seconds for p in wrong],
                linestyle="none",
                marker="X",
                markersize=14,
                color="red",
            )
    sizes = sorted({(r.work, r.size) for r in results})
    measured = [r for r in results if r.status == "ok" and r.seconds]
    has_data = {
        time_axis: bool(measured),
        memory_axis: any(r.peak_bytes is not None for r in measured),
    }
    for axis in (time_axis, memory_axis):
        if not has_data[axis]:  # a log axis needs data: say so instead
            axis.text(0.5, 0.5, "nothing measured", ha="center", transform=axis.transAxes)
            axis.set_xticks([])
            axis.set_yticks([])
            continue
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xticks([work for work, _ in sizes])
        axis.set_xticklabels([_size_label(size) for _, size in sizes])
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.grid(True, which="major", alpha=0.3)
        axis.set_xlabel(f"size ({KERNELS[kernel].unit})")
    time_axis.yaxis.set_major_formatter(FuncFormatter(_time_label))
    time_axis.set_title(f"{kernel}: time per call (lower is better)")
    memory_axis.set_title(f"{kernel}: peak memory above baseline")
    if not has_data[memory_axis]:
        return
    low, high = memory_axis.get_ylim()
    memory_axis.set_yticks([tick for tick in MEMORY_TICKS if low <= tick <= high * 1.01])
    memory_axis.yaxis.set_major_formatter(FuncFormatter(_bytes_label))
    memory_axis.yaxis.set_minor_formatter(NullFormatter())


def write_plot(report: Report, path: Path) -> None:
    check_plot_path(path)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    kernels = [k for k in report.settings["kernels"] if any(r.kernel == k for r in report.sizes)]
    if not kernels:
        raise PlotUnavailable("nothing to plot: the sizes experiment did not run")
    figure = Figure(figsize=(13, 1.2 + 4.2 * len(kernels)), layout="constrained")
    axes = figure.subplots(len(kernels), 2, squeeze=False)
    for row, kernel in enumerate(kernels):
        _draw_kernel(axes[row][0], axes[row][1], report, kernel)
    handles: dict[str, Any] = {}
    for axis in axes[:, 0]:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    handles["skipped: predicted time"] = Line2D(
        [], [], color="black", marker="o", markerfacecolor="white", linestyle=":"
    )
    handles[f"memory under {MEMORY_FLOOR // 1024} KiB drawn at {MEMORY_FLOOR // 1024} KiB"] = (
        Line2D([], [], linestyle="none")
    )
    figure.legend(list(handles.values()), list(handles.keys()), loc="outside lower center", ncols=4)
    figure.suptitle(f"rust-arrays compare on {machine.one_line(report.machine)}", fontsize=9)
    figure.savefig(path, format=FORMATS[path.suffix.lower()], dpi=100)
