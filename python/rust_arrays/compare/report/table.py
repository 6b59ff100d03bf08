"""The report as terminal tables: plain text, so it reads the same in a terminal, a log and the
README (on a colour terminal a mismatch is also red)."""

from __future__ import annotations

import statistics
import textwrap
from collections.abc import Sequence

from rust_arrays.compare import machine
from rust_arrays.compare.implementations import IMPLEMENTATIONS
from rust_arrays.compare.kernels import KERNELS
from rust_arrays.compare.results import Report, ThreadsResult

_RED = "\033[1;31m"
_RESET = "\033[0m"
MISMATCH = "NO  <-- MISMATCH"
WIDTH = 100
# Other processes busy on this many cores or more make a measurement less reliable.
BUSY_CORES = 0.3


def format_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def format_bytes(size: int | None) -> str:
    if size is None:
        return "n/a"
    if size < 1 << 20:
        return f"{size / 1024:.0f} KiB"
    if size < 1 << 30:
        return f"{size / (1 << 20):.1f} MiB"
    return f"{size / (1 << 30):.2f} GiB"


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    if ratio < 1:
        return f"{ratio:.2f}x"
    if ratio < 10:
        return f"{ratio:.1f}x"
    return f"{ratio:,.0f}x"


def _status_text(status: str, message: str) -> str:
    """Skipped and not installed say so in their message; failures get their status first."""
    if status in ("failed", "timed out"):
        return f"{status}: {message}" if message else status
    return message or status


def _exact(exact: bool | None, color: bool) -> str:
    if exact is None:
        return "-"
    if exact:
        return "yes"
    return f"{_RED}{MISMATCH}{_RESET}" if color else MISMATCH


def _columns(rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """Rows of cells as aligned lines. A row shorter than the first (the header) ends in a
    message that spans the remaining columns."""
    columns = len(rows[0])
    widths = [0] * columns
    for row in rows:
        cells = row if len(row) == columns else row[:-1]
        for index, cell in enumerate(cells):
            widths[index] = max(widths[index], len(cell))
    lines = []
    for row in rows:
        full = len(row) == columns
        cells = [
            cell.rjust(widths[index]) if index in right else cell.ljust(widths[index])
            for index, cell in enumerate(row if full else row[:-1])
        ]
        if not full:
            cells.append(row[-1])
        lines.append("  ".join(cells).rstrip())
    return lines


def _wrapped(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _kernel_notes(kernel: str, implementations: Sequence[str]) -> list[str]:
    # Implementations that run the same code share one note.
    labels_by_note: dict[str, list[str]] = {}
    for name in implementations:
        note = IMPLEMENTATIONS[name].notes.get(kernel)
        if note is not None:
            labels_by_note.setdefault(note, []).append(IMPLEMENTATIONS[name].label)
    if not labels_by_note:
        return []
    text = "; ".join(f"{', '.join(labels)}: {note}" for note, labels in labels_by_note.items())
    return _wrapped(f"({text})", "  ")


def sizes_table(report: Report, kernel: str, color: bool = False) -> list[str]:
    results = [result for result in report.sizes if result.kernel == kernel]
    if not results:
        return []
    # The talk's NumPy code, or for the MODIS and gradient kernels the upstream library.
    baseline = KERNELS[kernel].reference_implementation
    baseline_seconds = {
        r.size: r.seconds for r in results if r.implementation == baseline and r.status == "ok"
    }
    versus = f"vs {IMPLEMENTATIONS[baseline].label}"
    header = ["size", "implementation", "threads", "time", versus, "peak memory", "exact"]
    rows: list[list[str]] = [header]
    previous_size = ""
    for result in results:
        size = result.size if result.size != previous_size else ""
        previous_size = result.size
        label = report.label(result.implementation)
        if result.status != "ok":
            rows.append(
                [size, label, str(result.threads), _status_text(result.status, result.message)]
            )
            continue
        base = baseline_seconds.get(result.size)
        ratio = base / result.seconds if base and result.seconds else None
        rows.append(
            [
                size,
                label,
                str(result.threads),
                format_time(result.seconds),
                format_ratio(ratio),
                format_bytes(result.peak_bytes),
                _exact(result.exact, color),
            ]
        )
    lines = [
        "",
        f"{KERNELS[kernel].call}  [size: {KERNELS[kernel].unit}]",
        *_kernel_notes(kernel, list(dict.fromkeys(r.implementation for r in results))),
        "",
    ]
    table = _columns(rows, right={2, 3, 4, 5})
    # A blank line between sizes keeps each size's rows together.
    for index, line in enumerate(table):
        if index > 1 and rows[index][0]:
            lines.append("")
        lines.append(line)
    return lines


def _cores(cores: float | None) -> str:
    return f"{cores:.1f} cores" if cores is not None and cores >= BUSY_CORES else ""


def _verdict(result: ThreadsResult, threads: int, cores: int) -> str:
    speedup = result.speedup(threads)
    if speedup is None:
        return ""
    possible = min(threads, cores)
    if possible < 2:
        return ""
    if speedup >= 0.8 * possible:
        return "scales"
    if speedup >= 1.25:
        return "partly"
    return "does not scale"


def threads_table(report: Report, color: bool = False) -> list[str]:
    if not report.threads:
        return []
    counts = sorted({count for r in report.threads for count in r.seconds_by_threads} or {1})
    most = max(counts)
    cores = int(report.machine.get("cores", 1))
    tasks = report.threads[0].tasks
    header = [
        "kernel",
        "implementation",
        "size",
        *[f"{count} thread{'s' if count > 1 else ''}" for count in counts],
        f"speed-up ({most})",
        "",
        "exact",
    ]
    busy = any(_cores(r.other_cores) for r in report.threads)
    if busy:
        header.append("busy elsewhere")
    rows: list[list[str]] = [header]
    previous_kernel = ""
    for result in report.threads:
        kernel = result.kernel if result.kernel != previous_kernel else ""
        previous_kernel = result.kernel
        label = report.label(result.implementation)
        if result.status != "ok":
            rows.append([kernel, label, result.size, _status_text(result.status, result.message)])
            continue
        rows.append(
            [
                kernel,
                label,
                result.size,
                *[format_time(result.seconds_by_threads.get(count)) for count in counts],
                format_ratio(result.speedup(most)),
                _verdict(result, most, cores),
                _exact(result.exact, color),
                *([_cores(result.other_cores)] if busy else []),
            ]
        )
    return [
        "",
        *_wrapped(
            f"Threads: the same work split into {tasks} tasks over "
            f"{', '.join(map(str, counts))} Python threads (ThreadPoolExecutor) on {cores} "
            "cores. Only implementations that release the GIL while they compute can scale. "
            "Memory-bound work (masked_hypot) gains less. Size: per implementation, about the "
            "same time on one thread."
            + (
                " Busy elsewhere: cores that other processes kept busy meanwhile (fewer were "
                "free for the threads)."
                if busy
                else ""
            )
        ),
        "",
        *_columns(rows, right=set(range(3, 4 + len(counts)))),
    ]


def overhead_table(report: Report) -> list[str]:
    if not report.overhead:
        return []
    kernels = list(dict.fromkeys(r.kernel for r in report.overhead))
    implementations = list(dict.fromkeys(r.implementation for r in report.overhead))
    by_cell = {(r.kernel, r.implementation): r for r in report.overhead}
    fastest = {}
    for kernel in kernels:
        timed = [
            r for r in report.overhead if r.kernel == kernel and r.status == "ok" and r.seconds
        ]
        if timed:
            fastest[kernel] = min(timed, key=lambda r: r.seconds or 0.0).implementation
    sizes = {
        kernel: next(r.size for r in report.overhead if r.kernel == kernel) for kernel in kernels
    }
    rows: list[list[str]] = [
        ["implementation", *[f"{kernel} {sizes[kernel]}" for kernel in kernels]]
    ]
    for name in implementations:
        cells = [report.label(name)]
        for kernel in kernels:
            cell = by_cell.get((kernel, name))
            if cell is None:
                cells.append("")
            elif cell.status != "ok":
                cells.append(cell.status)
            else:
                star = " *" if fastest.get(kernel) == name else "  "
                cells.append(format_time(cell.seconds) + star)
        rows.append(cells)
    return [
        "",
        *_wrapped(
            "Call overhead: tiny inputs, time per call (* the fastest). Here the cost of the "
            "call itself decides."
        ),
        "",
        *_columns(rows, right=set(range(1, len(kernels) + 1))),
    ]


def setup_lines(report: Report) -> list[str]:
    """Set-up excluded from every time: builds, and JIT compilation per implementation."""
    lines = list(report.setup_notes)
    # Per implementation and kernel: the processes that compiled, and those that loaded the
    # compiled code from Numba's cache.
    jit: dict[tuple[str, str], dict[str, list[float]]] = {}
    # The overhead experiment may reuse the sizes experiment's records: count each once.
    unique = {id(result): result for result in [*report.sizes, *report.overhead]}
    for result in unique.values():
        if result.setup_note.startswith("JIT") and result.setup_seconds is not None:
            notes = jit.setdefault((result.implementation, result.kernel), {})
            notes.setdefault(result.setup_note, []).append(result.setup_seconds)
    for (name, kernel), notes in jit.items():
        parts = [
            f"{note} in {statistics.median(seconds):.2f} s"
            + (f" ({len(seconds)} processes, median)" if len(seconds) > 1 else "")
            for note, seconds in sorted(notes.items())
        ]
        lines.append(f"{report.label(name)}, {kernel}: {'; '.join(parts)}")
    if not lines:
        return []
    return ["", "Set-up, excluded from the times:", *[f"  {line}" for line in lines]]


def _busy_lines(report: Report) -> list[str]:
    measured = [r for r in report.sizes if r.status == "ok"]
    busy = [r for r in measured if r.other_cores is not None and r.other_cores >= BUSY_CORES]
    if not busy:
        return []
    most = max(r.other_cores or 0.0 for r in busy)
    return [
        "",
        *_wrapped(
            f"Note: other processes kept {BUSY_CORES:g} to {most:.1f} cores busy during "
            f"{len(busy)} of {len(measured)} measurements: their times are less reliable."
        ),
    ]


def format_report(report: Report, color: bool = False) -> str:
    settings = report.settings
    lines = _wrapped(f"rust-arrays compare on {machine.one_line(report.machine)}.")
    lines += _wrapped(
        "Each measurement in a fresh process. time: median of up to "
        f"{settings['repeats']} runs after a warm-up call; vs NumPy: the NumPy version's time / "
        "this time (MODIS: vs geotiepoints, gradient: vs pyresample, the upstreams); peak "
        "memory: resident memory above the process's level during the first call; exact: bit "
        "for bit the talk's result (MODIS: geotiepoints' result; gradient: pyresample's). "
        "Skipped: predicted over the budget of "
        f"{settings['budget_seconds']:g} s per call, never started."
    )
    for kernel in settings["kernels"]:
        lines += sizes_table(report, kernel, color)
    lines += _busy_lines(report)
    lines += threads_table(report, color)
    lines += overhead_table(report)
    lines += setup_lines(report)
    missing = [s for s in report.implementations if s.status != "available"]
    if missing:
        lines += [
            "",
            *_wrapped("Not measured: " + "; ".join(f"{s.label}: {s.reason}" for s in missing)),
        ]
    mismatches = report.mismatches()
    if mismatches:
        bar = "!" * 100
        banner = [bar, *[f"!!! MISMATCH: {text}" for text in mismatches], bar]
        lines += ["", *[f"{_RED}{line}{_RESET}" if color else line for line in banner]]
    failures = report.failures()
    if failures:
        lines += ["", "Failed:", *[f"  {text}" for text in failures]]
    lines += ["", f"Total time: {report.wall_seconds:.0f} s."]
    return "\n".join(lines)
