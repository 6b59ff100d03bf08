"""The report as a figure: per kernel, time and peak memory against size on log axes, one line
per implementation (its own colour and marker, the same in every panel; dashed where it
computes on several threads).

Memory under :data:`MEMORY_FLOOR` cannot be told from zero (resident memory grows in pages): it
is drawn inside a grey band below the floor, each implementation at its own height there so
that the lines stay apart. Skipped measurements appear as hollow markers: at their predicted
time on a dotted line where that fits the axis, else in a row along the panel's top edge (and
always there in the memory panel, which has no prediction). A result that differs from the
reference gets a red cross. Drawn with matplotlib's object API (no pyplot, no global backend):
PNG or SVG chosen by the file's suffix.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

from rust_arrays.compare import machine, optional
from rust_arrays.compare.kernels import KERNELS
from rust_arrays.compare.results import Report, SizeResult

FORMATS = {".png": "png", ".svg": "svg"}
# One page: RSS moves in pages, so a rise smaller than this reads as 0.
MEMORY_FLOOR = 4096
# The band under the floor where those points are drawn, each implementation on its own lane.
MEMORY_BAND_BOTTOM = 512

# Predictions beyond this (days for pure Python's primes) would squash every measured line.
LONGEST_PREDICTION_DRAWN = 3600.0
# Memory ticks every factor of 16: 4 KiB, 64 KiB, 1 MiB, 16 MiB, 256 MiB, 4 GiB.
MEMORY_TICKS = [4096 * 16**power for power in range(8)]
# Skipped points off the scale sit in a strip above the data: its height per row (axes fraction).
SKIPPED_ROW_STEP = 0.05

# Every implementation has its own colour and marker (told apart in colour and in grey print);
# dashed lines compute on several threads.
STYLES: dict[str, dict[str, Any]] = {
    "python": {"color": "#7f7f7f", "marker": "o", "linestyle": "-"},
    "numpy": {"color": "#1f77b4", "marker": "s", "linestyle": "-"},
    "numpy_blocks": {"color": "#56b4e9", "marker": "<", "linestyle": "-"},
    "numexpr": {"color": "#9467bd", "marker": "D", "linestyle": "--"},
    "numba": {"color": "#2ca02c", "marker": "^", "linestyle": "-"},
    "numba_parallel": {"color": "#a6b91c", "marker": ">", "linestyle": "--"},
    "cython": {"color": "#8c564b", "marker": "v", "linestyle": "-"},
    "geotiepoints": {"color": "#ff7f0e", "marker": "P", "linestyle": "-"},
    "pyresample": {"color": "#17becf", "marker": "X", "linestyle": "-"},
    "rust_arrays_1thread": {"color": "#d62728", "marker": "*", "linestyle": "-"},
    "rust_arrays": {"color": "#e7298a", "marker": "p", "linestyle": "--"},
}
MARKER_SIZE = 7
BAND_COLOR = "#e3e3e3"


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


def _lane(index: int, count: int) -> float:
    """The height inside the band under the memory floor where implementation ``index`` of
    ``count`` draws its unmeasurably small values (evenly spaced on the log axis)."""
    ratio = MEMORY_FLOOR / MEMORY_BAND_BOTTOM
    return float(MEMORY_BAND_BOTTOM * ratio ** ((index + 1) / (count + 1)))


def _draw_skipped_strip(axis: Any, marks: list[tuple[int, dict[str, Any]]]) -> None:
    """Hollow markers for ``marks`` (work, style) in a strip added above the panel's data, one
    row per mark at the same size, so that they hide no measured point and each other."""
    if not marks:
        return
    rows = max(sum(1 for work, _ in marks if work == x) for x, _ in marks)
    low, high = axis.get_ylim()
    fraction = SKIPPED_ROW_STEP * rows + 0.02  # of the panel's height, for the strip
    top = high * (high / low) ** (fraction / (1 - fraction))
    axis.set_ylim(low, top)
    axis.axhline(high, color="#bbbbbb", linewidth=0.8)
    axis.text(
        0.01,
        high * (top / high) ** 0.5,
        "skipped",
        transform=axis.get_yaxis_transform(),
        va="center",
        fontsize=8,
        fontstyle="italic",
        color="#606060",
    )
    used: dict[int, int] = {}
    for work, style in marks:
        row = used.get(work, 0)
        used[work] = row + 1
        axis.plot(
            [work],
            [high * (top / high) ** ((row + 0.5) / rows)],
            linestyle="none",
            marker=style.get("marker"),
            markersize=MARKER_SIZE,
            markerfacecolor="white",
            color=style.get("color"),
        )


def _draw_kernel(time_axis: Any, memory_axis: Any, report: Report, kernel: str) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    results = [r for r in report.sizes if r.kernel == kernel]
    series = _series(results)
    time_skipped: list[tuple[int, dict[str, Any]]] = []
    memory_skipped: list[tuple[int, dict[str, Any]]] = []
    for index, (name, points) in enumerate(series.items()):
        style = {**STYLES.get(name, {"marker": "o", "linestyle": "-"}), "markersize": MARKER_SIZE}
        measured = [p for p in points if p.status == "ok" and p.seconds]
        label = report.label(name)
        time_axis.plot(
            [p.work for p in measured], [p.seconds for p in measured], label=label, **style
        )
        with_memory = [p for p in measured if p.peak_bytes is not None]
        lane = _lane(index, len(series))
        memory_axis.plot(
            [p.work for p in with_memory],
            [lane if (p.peak_bytes or 0) < MEMORY_FLOOR else p.peak_bytes for p in with_memory],
            label=label,
            **style,
        )
        skipped = [p for p in points if p.status == "skipped"]
        drawn = [
            p
            for p in skipped
            if p.predicted_seconds and p.predicted_seconds <= LONGEST_PREDICTION_DRAWN
        ]
        if measured and drawn:
            last = measured[-1]
            time_axis.plot(
                [last.work, *[p.work for p in drawn]],
                [last.seconds, *[p.predicted_seconds for p in drawn]],
                color=style.get("color"),
                linestyle=":",
                linewidth=1,
            )
        if drawn:
            time_axis.plot(
                [p.work for p in drawn],
                [p.predicted_seconds for p in drawn],
                linestyle="none",
                marker=style.get("marker"),
                markersize=MARKER_SIZE,
                markerfacecolor="white",
                color=style.get("color"),
            )
        time_skipped += [(p.work, style) for p in skipped if p not in drawn]
        memory_skipped += [(p.work, style) for p in skipped]
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
    if has_data[time_axis]:
        # Ticks in the data's range only, none in the skipped strip above: whole decades, or
        # 1, 2, 5 times them where the range spans less than two.
        low, high = time_axis.get_ylim()
        powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        steps = (1,) if high / low >= 100 else (1, 2, 5)
        ticks = [step * 10.0**power for power in powers for step in steps]
        time_axis.yaxis.set_major_locator(FixedLocator([t for t in ticks if low <= t <= high]))
        time_axis.yaxis.set_minor_formatter(NullFormatter())
        _draw_skipped_strip(time_axis, time_skipped)
    if has_data[memory_axis]:
        _draw_memory_floor(memory_axis)
        _draw_skipped_strip(memory_axis, memory_skipped)


def _draw_memory_floor(axis: Any) -> None:
    """The band under the floor, labelled on the axis, and ticks every factor of 16 above."""
    from matplotlib.ticker import FixedFormatter, FixedLocator, NullFormatter

    high = max(axis.get_ylim()[1], MEMORY_FLOOR * 4)
    axis.set_ylim(MEMORY_BAND_BOTTOM, high)
    axis.axhspan(MEMORY_BAND_BOTTOM, MEMORY_FLOOR, color=BAND_COLOR, zorder=0)
    ticks = [tick for tick in MEMORY_TICKS if tick <= high * 1.01]
    band_middle = (MEMORY_BAND_BOTTOM * MEMORY_FLOOR) ** 0.5
    axis.yaxis.set_major_locator(FixedLocator([band_middle, *ticks]))
    axis.yaxis.set_major_formatter(
        FixedFormatter([f"< {MEMORY_FLOOR // 1024} KiB", *map(_bytes_label, ticks)])
    )
    axis.yaxis.set_minor_formatter(NullFormatter())


def write_plot(report: Report, path: Path) -> None:
    check_plot_path(path)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    kernels = [k for k in report.settings["kernels"] if any(r.kernel == k for r in report.sizes)]
    if not kernels:
        raise PlotUnavailable("nothing to plot: the sizes experiment did not run")
    figure = Figure(figsize=(13, 1.6 + 4.2 * len(kernels)), layout="constrained")
    axes = figure.subplots(len(kernels), 2, squeeze=False)
    for row, kernel in enumerate(kernels):
        _draw_kernel(axes[row][0], axes[row][1], report, kernel)
    handles: dict[str, Any] = {}
    for axis in axes[:, 0]:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    skipped = "skipped (predicted over the budget): at the predicted time, else in the top strip"
    handles[skipped] = Line2D(
        [], [], color="black", marker="o", markerfacecolor="white", linestyle=":"
    )
    handles[f"memory under {MEMORY_FLOOR // 1024} KiB (one page): too small to measure"] = Patch(
        color=BAND_COLOR
    )
    figure.legend(
        list(handles.values()),
        list(handles.keys()),
        loc="outside lower center",
        ncols=4,
        fontsize=10,
    )
    title = "rust-arrays compare: time and peak memory per call, by input size"
    about = [
        line
        for part in machine.one_line(report.machine).split("; ")
        for line in textwrap.wrap(part, 110)
    ]
    figure.suptitle("\n".join([title, *about]), fontsize=14)
    figure.savefig(path, format=FORMATS[path.suffix.lower()], dpi=100)
