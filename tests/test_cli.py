from __future__ import annotations

import io
import pathlib
import subprocess
import sys

import pytest

from rust_arrays import cli
from rust_arrays._measure import measure
from rust_arrays.compare import optional


def test_demo_runs_every_kernel_and_all_are_exact() -> None:
    out = io.StringIO()
    assert cli.run_demo(scale=0.02, out=out)
    rows = out.getvalue().splitlines()[2:]
    assert len(rows) == len(cli.demo_cases(0.02))
    kernels = {"primes", "do_something", "masked_hypot"}
    if optional.is_installed("geotiepoints"):
        kernels |= {"modis", "simple_modis"}
    assert {row.split()[0] for row in rows} == kernels
    assert all(" yes " in row for row in rows)


def test_main_returns_zero_for_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--scale", "0.01"]) == 0
    assert "rust_arrays" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], ["demo", "--scale", "0"], ["demo", "--scale", "x"], ["nope"]])
def test_bad_arguments_exit_with_usage(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2


def test_console_script_and_module_entry_points() -> None:
    script = pathlib.Path(sys.executable).parent / "rust-arrays"
    for command in ([str(script)], [sys.executable, "-m", "rust_arrays"]):
        done = subprocess.run(
            [*command, "demo", "--scale", "0.01"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "do_something" in done.stdout


def test_measure_reports_peak_memory_of_a_large_temporary() -> None:
    measured = measure(lambda: bytearray(64 << 20)[::4096].count(0))
    assert measured.result == 16384
    assert measured.peak_bytes is None or measured.peak_bytes >= 60 << 20


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "``" not in out  # no reST markup
    assert "python -m rust_arrays" in out
    assert "{demo,compare}" in out


def test_demo_help_describes_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: rust-arrays demo")
    assert "Run each kernel of the talk three ways" in out


@pytest.mark.parametrize("scale", ["-1", "0", "nan", "inf"])
def test_a_bad_scale_prints_the_demo_usage(scale: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--scale", scale])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: rust-arrays demo")
    assert "--scale must be a positive number" in err
