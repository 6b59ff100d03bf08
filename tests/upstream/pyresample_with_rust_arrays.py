"""A pytest plugin that runs pyresample's own tests with rust_arrays.gradient's kernels in place
of pyresample's: ``one_step_gradient_search``, ``one_step_gradient_indices`` (the Cython
kernels), ``block_bilinear_interpolator`` and ``block_nn_interpolator`` are replaced in
``pyresample.gradient`` and ``pyresample.gradient._gradient_search``.

    python -m pytest -p pyresample_with_rust_arrays --pyargs pyresample.test.test_gradient

(with this folder on PYTHONPATH). The session fails unless each of ours was called.
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

import pytest

from rust_arrays import _gradient_resampler, gradient

CALLS: Counter[str] = Counter()
_undo: Any = None


def _counted(name: str) -> Any:
    function = getattr(gradient, name)

    @functools.wraps(function)  # keeps the signature: dask looks for block_info in it
    def counted(*args: Any, **kwargs: Any) -> Any:
        CALLS[name] += 1
        return function(*args, **kwargs)

    return counted


def pytest_configure(config: pytest.Config) -> None:
    global _undo
    counted = {name: _counted(name) for name in _gradient_resampler._KERNELS}
    _undo = _gradient_resampler.patch(tuple(counted), replacements=counted)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _undo is not None:
        _undo()


def pytest_report_header(config: pytest.Config) -> str:
    return "pyresample.gradient's kernels replaced by rust_arrays.gradient's"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    calls = ", ".join(f"{name} {CALLS[name]}" for name in _gradient_resampler._KERNELS)
    terminalreporter.write_line(f"rust_arrays kernels called: {calls}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if any(CALLS[name] == 0 for name in _gradient_resampler._KERNELS):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
