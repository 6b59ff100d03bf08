"""``rust-arrays compare``: arguments and their errors, a --quick run end to end, the JSON schema,
the plot files, and the skipped, not-installed, mismatch, failure and timeout paths.

Nothing here asserts on a time: the machine may be busy."""

from __future__ import annotations

import argparse
import io
import json
import math
import pathlib
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from rust_arrays import cli, modis, simple_modis
from rust_arrays.compare import complexity, kernels, optional, planning, settings
from rust_arrays.compare.experiments import task_count
from rust_arrays.compare.implementations import IMPLEMENTATIONS
from rust_arrays.compare.kernels import KERNELS, SizeError
from rust_arrays.compare.measure.jobs import Job
from rust_arrays.compare.measure.runner import Runner
from rust_arrays.compare.progress import PlainProgress, RichProgress, progress_for
from rust_arrays.compare.report import json_report, plot
from rust_arrays.compare.results import ImplementationStatus, Report, SizeResult, ThreadsResult

needs_matplotlib = pytest.mark.skipif(
    not optional.is_installed("matplotlib"), reason="the plot needs matplotlib"
)

STATUSES = {"ok", "skipped", "not installed", "not available", "failed", "timed out"}
MEASUREMENT_FIELDS = {
    "kernel": str,
    "implementation": str,
    "size": str,
    "work": int,
    "status": str,
    "message": str,
    "threads": int,
    "runs": int,
    "calls_per_run": int,
    "setup_note": str,
    "summary": str,
    "digest": str,
}


@pytest.fixture(scope="module")
def cache_dir(pytestconfig: pytest.Config) -> Iterator[pathlib.Path]:
    """Builds and JIT caches kept between test runs, inside the project's pytest cache."""
    path = pytestconfig.cache.mkdir("rust_arrays_compare") if pytestconfig.cache else None
    assert path is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RUST_ARRAYS_CACHE_DIR", str(path))
        yield path


def run_compare(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, dict[str, Any] | None]:
    """Runs ``rust-arrays compare`` in this process; returns status, stdout and the JSON."""
    status = cli.main(["compare", *argv])
    out = capsys.readouterr().out
    report = None
    if "--json" in argv:
        report = json.loads(pathlib.Path(argv[argv.index("--json") + 1]).read_text())
    return status, out, report


def sizes_report(
    argv: list[str], tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, Any], str]:
    """The JSON report of a successful run of only the sizes experiment, and what it printed."""
    json_path = tmp_path / "sizes.json"
    status, out, report = run_compare(
        [*argv, "--experiments", "sizes", "--json", str(json_path)], capsys
    )
    assert status == 0
    assert report is not None
    return report, out


# --- sizes and arguments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel", "text", "size"),
    [
        ("do_something", "10x20", (10, 20)),
        ("do_something", "100", (100, 200)),
        ("do_something", "1e3X5", (1000, 5)),
        ("primes", "1e3", (1000,)),
        ("primes", "10**4", (10_000,)),
        ("masked_hypot", "1_000", (1000,)),
        ("modis", "203", (203,)),
    ],
)
def test_sizes_are_parsed(kernel: str, text: str, size: tuple[int, ...]) -> None:
    assert KERNELS[kernel].parse_size(text) == size
    assert KERNELS[kernel].parse_size(KERNELS[kernel].format_size(size)) == size


@pytest.mark.parametrize(
    ("kernel", "text"),
    [
        ("primes", "0"),
        ("primes", "-5"),
        ("primes", "1.5"),
        ("primes", "abc"),
        ("primes", "10x20"),
        ("do_something", "10x"),
        ("do_something", "1x2x3"),
        ("masked_hypot", "inf"),
    ],
)
def test_bad_sizes_raise_size_error(kernel: str, text: str) -> None:
    with pytest.raises(SizeError):
        KERNELS[kernel].parse_size(text)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--kernel", "nope"], "invalid choice"),
        (["--sizes", "0"], "--sizes"),
        (["--sizes", ","], "--sizes"),
        (["--kernel", "primes", "--sizes", "10x20"], "only for do_something"),
        (["--impl", "fortran"], "unknown fortran"),
        (["--kernel", "primes", "--impl", "numexpr"], "computes primes"),
        (["--threads", "0"], "at least 1"),
        (["--threads", "two"], "whole numbers"),
        (["--budget", "0"], "--budget"),
        (["--budget", "-1"], "--budget"),
        (["--budget", "nan"], "--budget"),
        (["--repeats", "0"], "--repeats"),
        (["--experiments", "speed"], "unknown speed"),
        (["--plot", "out.gif"], ".png or .svg"),
        (["--json", "/nonexistent-directory/report.json"], "does not exist"),
        (["--plot", "out.png", "--experiments", "threads"], "sizes"),
    ],
)
def test_bad_arguments_exit_with_usage(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["compare", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_plot_without_matplotlib_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(optional, "is_installed", lambda module: module != "matplotlib")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["compare", "--plot", "out.png"])
    assert exit_info.value.code == 2
    assert "needs matplotlib" in capsys.readouterr().err


def test_gradient_kernel_needs_pyresample(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(optional, "is_installed", lambda module: module != "pyresample")
    assert "gradient" not in _settings([]).kernels  # left out of "all"
    with pytest.raises(SystemExit) as exit_info:
        _settings(["--kernel", "gradient"])
    assert exit_info.value.code == 2
    assert "--kernel gradient needs pyresample" in capsys.readouterr().err


def test_gradient_sizes() -> None:
    kernel = KERNELS["gradient"]
    assert kernel.parse_size("500") == kernel.parse_size("500x500") == (500,)
    assert kernel.format_size((500,)) == "500x500"
    assert kernel.work((500,)) == 250_000
    assert kernel.size_for_work(250_000.0) == (500,)
    for text in ("500x400", "1", "0"):
        with pytest.raises(SizeError):
            kernel.parse_size(text)


def _settings(argv: list[str]) -> settings.Settings:
    from rust_arrays.compare import cli as compare_cli

    parser = argparse.ArgumentParser()
    compare_cli.add_arguments(parser)
    return compare_cli.settings_from_arguments(parser, parser.parse_args(argv))


def test_default_and_quick_settings() -> None:
    default = _settings([])
    talk_and_modis = ("do_something", "primes", "masked_hypot", "modis", "simple_modis")
    assert default.kernels == (*talk_and_modis, "gradient")  # pyresample is installed here
    assert default.sizes["do_something"][-1] == (10_000, 20_000)  # the talk's big case
    assert default.sizes["do_something"][0] == KERNELS["do_something"].tiny_size
    assert default.budget == settings.DEFAULT_BUDGET_SECONDS
    assert default.implementations == tuple(IMPLEMENTATIONS)
    assert default.threads[0] == 1
    assert default.threads[-1] == settings.available_cores()
    quick = _settings(["--quick"])
    assert quick.budget == settings.QUICK_BUDGET_SECONDS
    assert all(len(sizes) == 2 for sizes in quick.sizes.values())
    chosen = _settings(
        [
            "--kernel",
            "do_something",
            "--sizes",
            "100,10x20",
            "--threads",
            "4,2",
            "--impl",
            "rust_arrays,python",
        ]
    )
    assert chosen.sizes == {"do_something": ((10, 20), (100, 200))}  # sorted by work
    assert chosen.threads == (1, 2, 4)  # one thread is the baseline, always
    assert chosen.implementations == ("python", "rust_arrays")  # the registry's order


def test_default_thread_counts_and_task_count() -> None:
    assert settings.default_thread_counts(1) == (1,)
    assert settings.default_thread_counts(2) == (1, 2)
    assert settings.default_thread_counts(6) == (1, 2, 4, 6)
    for threads in ([1], [1, 2], [1, 2, 3, 4], [1, 2, 4, 8], list(range(1, 17))):
        tasks = task_count(threads)
        assert tasks >= 2 * max(threads)
        if math.lcm(*threads) <= 8 * max(threads):
            assert all(tasks % count == 0 for count in threads)


# --- predictions ------------------------------------------------------------------------------


def test_predictions_extrapolate_from_the_largest_timed_size_below() -> None:
    predictor = planning.Predictor()
    assert predictor.predict("k", "i", 1000, complexity.linear).seconds is None
    predictor.record("k", "i", 10, 1e-6, None)  # all overhead: not a basis
    assert predictor.predict("k", "i", 1000, complexity.linear).seconds is None
    predictor.record("k", "i", 100, 0.01, 2 << 20)
    predictor.record("k", "i", 1000, 0.1, 20 << 20)
    prediction = predictor.predict("k", "i", 10_000, complexity.linear)
    assert prediction.seconds == pytest.approx(1.0)
    assert prediction.peak_bytes == pytest.approx(200 << 20)
    work = predictor.work_for_seconds("k", "i", complexity.linear, 0.5, 10**9)
    assert work == pytest.approx(5000, rel=1e-6)
    assert planning.skip_reason(prediction, 5.0, 1 << 40) is None
    assert planning.skip_reason(prediction, 0.5, 1 << 40) == (
        "skipped (predicted 1 s > budget 0.5 s)"
    )
    assert "GiB available" in (planning.skip_reason(prediction, 5.0, 100 << 20) or "")


def test_growth_functions_increase() -> None:
    for growth in (complexity.linear, complexity.sieve, complexity.trial_division):
        values = [growth(10.0**power) for power in range(1, 10)]
        assert values == sorted(values)
    # The talk's trial division grows much faster than a sieve.
    assert complexity.trial_division(1e6) / complexity.trial_division(1e3) > 1e5
    assert complexity.sieve(1e6) / complexity.sieve(1e3) < 1e4


# --- the whole command ------------------------------------------------------------------------


def test_modis_kernel_splits_into_whole_scans_and_combines_exactly() -> None:
    kernel = KERNELS["modis"]
    inputs = kernel.make_inputs((5,), seed=0)
    assert isinstance(inputs, kernels.ModisInputs)
    assert inputs.lon.shape == (50, 1354)
    whole = modis.modis_1km_to_250m(inputs.lon, inputs.lat, inputs.satz)
    parts = [part for part in kernel.split(inputs, 4) if isinstance(part, kernels.ModisInputs)]
    assert [part.lon.shape[0] for part in parts] == [20, 10, 10, 10]  # 2, 1, 1, 1 scans
    results = [modis.modis_1km_to_250m(part.lon, part.lat, part.satz) for part in parts]
    assert kernel.digest(kernel.combine(results, inputs)) == kernel.digest(whole)
    assert kernel.digest(whole).startswith("sha256:")
    assert kernel.summary(whole) == "lon, lat 200x5416, 0 NaN"
    # More tasks than scans: empty tasks, still whole scans.
    rows = [part.lon.shape[0] for part in kernel.split(inputs, 7)]
    assert rows == [10] * 5 + [0] * 2


def test_modis_reference_is_geotiepoints_or_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    kernel = KERNELS["modis"]
    assert kernel.reference_implementation == "geotiepoints"
    inputs = kernel.make_inputs((1,), seed=0)
    assert isinstance(inputs, kernels.ModisInputs)
    if optional.is_installed("geotiepoints"):
        ours = modis.interpolate(inputs.lon, inputs.lat, inputs.satz, 1000, 250)
        assert kernel.digest(kernel.reference(inputs)) == kernel.digest(ours)
    # Without geotiepoints there is nothing to compare with: "" makes exactness unknown.
    monkeypatch.setitem(sys.modules, "geotiepoints.modisinterpolator", None)
    assert kernel.reference(inputs) is None
    assert kernel.digest(None) == ""


def test_simple_modis_kernel_splits_combines_and_checks_against_geotiepoints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kernel = KERNELS["simple_modis"]
    assert kernel.reference_implementation == "geotiepoints"
    inputs = kernel.make_inputs((3,), seed=0)
    assert isinstance(inputs, kernels.SimpleModisInputs)
    whole = simple_modis.modis_1km_to_250m(inputs.lon, inputs.lat)
    parts = [p for p in kernel.split(inputs, 2) if isinstance(p, kernels.SimpleModisInputs)]
    assert [part.lon.shape[0] for part in parts] == [20, 10]
    results = [simple_modis.modis_1km_to_250m(part.lon, part.lat) for part in parts]
    assert kernel.digest(kernel.combine(results, inputs)) == kernel.digest(whole)
    if optional.is_installed("geotiepoints"):
        assert kernel.digest(kernel.reference(inputs)) == kernel.digest(whole)
    monkeypatch.setitem(sys.modules, "geotiepoints.simple_modis_interpolator", None)
    assert kernel.reference(inputs) is None


@pytest.fixture(scope="module")
def quick_run(
    cache_dir: pathlib.Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, str, dict[str, Any], pathlib.Path]:
    directory = tmp_path_factory.mktemp("quick")
    json_path, png_path = directory / "report.json", directory / "report.png"
    with pytest.MonkeyPatch.context() as patch:
        output = _Capture()
        patch.setattr(sys, "stdout", output)
        patch.setattr(sys, "stderr", _Capture())
        plot_arguments = ["--plot", str(png_path)] if optional.is_installed("matplotlib") else []
        status = cli.main(["compare", "--quick", "--json", str(json_path), *plot_arguments])
    return status, output.getvalue(), json.loads(json_path.read_text()), png_path


class _Capture(io.StringIO):
    """A text stream that is not a terminal (module fixtures cannot use capsys)."""

    def isatty(self) -> bool:
        return False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quick_run_measures_everything_exactly(
    quick_run: tuple[int, str, dict[str, Any], pathlib.Path],
) -> None:
    status, out, report, _ = quick_run
    assert status == 0, out
    for kernel in KERNELS.values():
        assert kernel.call in out
    assert "Threads:" in out
    assert "Call overhead" in out
    assert "MISMATCH" not in out
    measured = [m for m in report["sizes"] if m["status"] == "ok"]
    assert measured
    assert all(m["exact"] is True for m in measured)
    # Every available implementation ran every kernel it computes, at every quick size.
    available = {i["id"] for i in report["implementations"] if i["status"] == "available"}
    for kernel in KERNELS.values():
        for impl in available:
            if kernel.name in IMPLEMENTATIONS[impl].kernels:
                sizes = {
                    m["size"]
                    for m in measured
                    if m["kernel"] == kernel.name and m["implementation"] == impl
                }
                assert sizes == {kernel.format_size(size) for size in kernel.quick_sizes}


def test_json_schema(quick_run: tuple[int, str, dict[str, Any], pathlib.Path]) -> None:
    _, _, report, _ = quick_run
    assert report["schema"] == json_report.SCHEMA
    assert set(report) == {
        "schema",
        "machine",
        "settings",
        "implementations",
        "sizes",
        "overhead",
        "threads",
        "setup_notes",
        "mismatches",
        "failures",
        "wall_seconds",
    }
    assert {"cpu", "cores", "memory_bytes", "os", "versions"} <= set(report["machine"])
    assert report["settings"]["quick"] is True
    assert {i["id"] for i in report["implementations"]} == set(IMPLEMENTATIONS)
    for measurement in [*report["sizes"], *report["overhead"]]:
        for name, kind in MEASUREMENT_FIELDS.items():
            assert isinstance(measurement[name], kind), name
        assert measurement["status"] in STATUSES
        assert measurement["implementation"] in IMPLEMENTATIONS
        if measurement["status"] == "ok":
            assert measurement["seconds"] > 0
            assert measurement["runs"] >= 1
            assert measurement["peak_bytes"] is None or measurement["peak_bytes"] >= 0
            assert isinstance(measurement["exact"], bool)
        else:
            assert measurement["seconds"] is None
            assert measurement["exact"] is None
    assert report["threads"]
    for entry in report["threads"]:
        assert entry["status"] in STATUSES
        if entry["status"] == "ok":
            assert set(entry["seconds_by_threads"]) == {
                str(count) for count in report["settings"]["threads"]
            }
            assert entry["exact"] is True
            assert entry["speedup"] is None or entry["speedup"] > 0
    assert {m["kernel"] for m in report["overhead"]} == set(KERNELS)
    assert report["mismatches"] == []
    assert report["failures"] == []


def _png_size(path: pathlib.Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@needs_matplotlib
def test_plot_is_a_valid_png(quick_run: tuple[int, str, dict[str, Any], pathlib.Path]) -> None:
    _, out, _, png_path = quick_run
    width, height = _png_size(png_path)
    assert width >= 800
    assert height >= 800
    assert f"Plot: {png_path}" in out


def _synthetic_report() -> Report:
    """Measured, skipped (with a prediction), mismatching and unmeasured points."""
    report = Report(
        machine={
            "cpu": "test CPU",
            "cores": 2,
            "memory_bytes": None,
            "os": "test",
            "versions": {"python": "3", "numpy": "2", "rust_arrays": "0"},
        },
        settings={**_settings([]).as_json(), "kernels": ["do_something", "primes"]},
        implementations=[
            ImplementationStatus(i.id, i.label, "available") for i in IMPLEMENTATIONS.values()
        ],
    )
    for size, work, seconds in (("10x20", 200, 1e-5), ("100x200", 20_000, 1e-3)):
        report.sizes.append(
            SizeResult(
                "do_something", "numpy", size, work, "ok", seconds=seconds, peak_bytes=0, exact=True
            )
        )
        report.sizes.append(
            SizeResult(
                "do_something",
                "rust_arrays",
                size,
                work,
                "ok",
                seconds=seconds / 10,
                peak_bytes=None,
                exact=size == "10x20",
            )
        )
    report.sizes.append(
        SizeResult(
            "do_something", "numpy", "1000x2000", 2_000_000, "skipped", predicted_seconds=0.1
        )
    )
    report.sizes.append(SizeResult("primes", "python", "10", 10, "skipped", predicted_seconds=9e9))
    report.sizes.append(SizeResult("primes", "numba", "10", 10, "not installed"))
    report.threads.append(
        ThreadsResult(
            "do_something", "python", "100x200", 20_000, 4, "ok", "", {1: 1.0, 2: 1.0}, True, 0.9
        )
    )
    report.threads.append(
        ThreadsResult("do_something", "cython", "-", 0, 4, "timed out", "killed after 80 s")
    )
    return report


@needs_matplotlib
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_plot_of_every_kind_of_point(tmp_path: pathlib.Path, suffix: str) -> None:
    path = tmp_path / f"plot{suffix}"
    plot.write_plot(_synthetic_report(), path)
    if suffix == ".svg":
        assert ElementTree.parse(path).getroot().tag.endswith("svg")
    else:
        assert _png_size(path) > (0, 0)


@needs_matplotlib
def test_plot_of_a_single_size(tmp_path: pathlib.Path) -> None:
    # A time range under two decades gets 1-2-5 ticks instead of none.
    report = _synthetic_report()
    report.sizes = [r for r in report.sizes if r.size == "10x20"]
    report.settings = {**report.settings, "kernels": ["do_something"]}
    plot.write_plot(report, tmp_path / "one.svg")
    assert "10x20" in (tmp_path / "one.svg").read_text()


def test_every_implementation_has_its_own_colour_and_marker() -> None:
    assert set(plot.STYLES) == set(IMPLEMENTATIONS)
    for key in ("color", "marker"):
        values = [style[key] for style in plot.STYLES.values()]
        assert len(set(values)) == len(values), key


@needs_matplotlib
def test_memory_panel_labels_the_floor_band(tmp_path: pathlib.Path) -> None:
    plot.write_plot(_synthetic_report(), tmp_path / "plot.svg")
    text = (tmp_path / "plot.svg").read_text()
    assert "&lt; 4 KiB" in text  # the band's own tick label
    assert "too small to measure" in text  # and its legend entry
    assert "skipped" in text


def test_table_shows_mismatch_and_spanning_messages() -> None:
    from rust_arrays.compare.report import table

    text = table.format_report(_synthetic_report())
    assert "NO  <-- MISMATCH" in text
    assert "!!! MISMATCH: do_something rust_arrays at 100x200" in text
    assert "not installed" in text
    assert "does not scale" in text
    assert "0.9 cores" in text  # another process was busy: the reader is told
    assert "timed out (killed after 80 s)" in text  # listed under "Failed:"
    json.dumps(json_report.to_json(_synthetic_report()))  # serialisable as it is


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak memory from /proc")
def test_small_primes_measure_no_code_mapping(
    cache_dir: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Measured at 10 and 1,000 primes after a warm-up that skipped their code path, both sieves
    # once showed ~300 KiB (library code mapped into the fresh worker), then ~0 at 10,000.
    report, _ = sizes_report(
        ["--kernel", "primes", "--impl", "numpy,rust_arrays", "--sizes", "10,1000"],
        tmp_path,
        capsys,
    )
    peaks = {(m["implementation"], m["size"]): m["peak_bytes"] for m in report["sizes"]}
    assert len(peaks) == 4
    assert all(peak is not None and peak < 64 << 10 for peak in peaks.values()), peaks


def test_skipped_implementations_show_their_prediction(
    cache_dir: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, out = sizes_report(
        [
            "--kernel", "do_something", "--impl", "python", "--sizes", "1000x2000,2000x4000",
            "--budget", "0.0001",
        ],
        tmp_path,
        capsys,
    )  # fmt: skip
    # The first is predicted by the worker's calibration, the second by the parent from it.
    assert [m["status"] for m in report["sizes"]] == ["skipped", "skipped"]
    for measurement in report["sizes"]:
        assert measurement["predicted_seconds"] > 0.0001
        assert measurement["message"].startswith("skipped (predicted ")
        assert measurement["message"].endswith("> budget 0.0001 s)")
        assert measurement["message"] in out


def test_missing_peers_are_reported_as_not_installed(
    cache_dir: pathlib.Path,
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = optional.is_installed
    monkeypatch.setattr(
        optional, "is_installed", lambda module: module not in {"numba", "Cython"} and real(module)
    )
    json_path = tmp_path / "missing.json"
    status, out, report = run_compare(
        [
            "--kernel", "masked_hypot", "--impl", "numba,numba_parallel,cython,rust_arrays",
            "--sizes", "10", "--experiments", "sizes,overhead", "--json", str(json_path),
        ],
        capsys,
    )  # fmt: skip
    assert status == 0
    assert report is not None
    by_impl = {m["implementation"]: m for m in report["sizes"]}
    assert by_impl["numba"]["status"] == "not installed"
    assert by_impl["numba"]["message"] == "not installed (numba)"
    assert by_impl["numba_parallel"]["status"] == "not installed"
    assert by_impl["cython"]["message"] == "not installed (Cython)"
    assert by_impl["rust_arrays"]["status"] == "ok"
    assert by_impl["rust_arrays"]["exact"] is True
    assert "not installed (numba)" in out


def test_a_wrong_result_is_loud_and_fails_the_run(
    cache_dir: pathlib.Path,
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without the NumPy implementation the parent computes the reference: make it wrong.
    monkeypatch.setattr(KERNELS["primes"], "reference", lambda inputs: np.arange(10))
    json_path = tmp_path / "mismatch.json"
    status, out, report = run_compare(
        [
            "--kernel", "primes", "--impl", "rust_arrays", "--sizes", "10",
            "--experiments", "sizes", "--json", str(json_path),
        ],
        capsys,
    )  # fmt: skip
    assert status == 1
    assert "NO  <-- MISMATCH" in out
    assert "!!! MISMATCH: primes rust_arrays at 10" in out
    assert report is not None
    assert report["sizes"][0]["exact"] is False
    assert len(report["mismatches"]) == 1


def _job(kernel: str, impl: str, size: tuple[int, ...]) -> Job:
    return Job("size", kernel, impl, size, 0, 1, 0.1, 10.0, False, 1)


def test_a_failing_implementation_is_a_result(cache_dir: pathlib.Path) -> None:
    # More primes than any memory holds: rust_arrays raises MemoryError before allocating.
    outcome = Runner(cache_dir, []).run(_job("primes", "rust_arrays", (10**18,)), 60)
    assert outcome.status == "failed"
    assert "MemoryError" in outcome.message


def test_a_worker_over_its_deadline_is_killed(cache_dir: pathlib.Path) -> None:
    outcome = Runner(cache_dir, []).run(_job("do_something", "python", (3000, 6000)), 0.05)
    assert outcome.status == "timed out"
    assert outcome.message == "killed after 0 s"


def test_progress_is_plain_without_rich_or_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    with progress_for(_Capture()) as progress:
        assert isinstance(progress, PlainProgress)
    terminal = _Terminal()
    if optional.is_installed("rich"):
        with progress_for(terminal) as progress:
            assert isinstance(progress, RichProgress)
    monkeypatch.setattr(optional, "is_installed", lambda module: module != "rich")
    terminal = _Terminal()
    with progress_for(terminal) as progress:
        assert isinstance(progress, PlainProgress)
        progress.start(2)
        progress.finish("one")
    assert terminal.getvalue() == "[1/2] one\n"


def test_console_script_and_module_entry_points(cache_dir: pathlib.Path) -> None:
    script = pathlib.Path(sys.executable).parent / "rust-arrays"
    arguments = ["compare", "--kernel", "primes", "--impl", "rust_arrays", "--sizes", "10"]
    for command in ([str(script)], [sys.executable, "-m", "rust_arrays"]):
        done = subprocess.run(
            [*command, *arguments], capture_output=True, text=True, check=False, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert "primes(count)" in done.stdout
