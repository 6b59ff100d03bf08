from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import pathlib
import subprocess
import sys

import pytest

import rust_arrays
from rust_arrays import _core


def test_version_matches_the_installed_distribution() -> None:
    assert rust_arrays.__version__ == _core.__version__
    assert rust_arrays.__version__ == importlib.metadata.version("rust_arrays")


@pytest.mark.parametrize("name", rust_arrays.__all__[1:])
def test_public_functions_have_docstrings_and_signatures(name: str) -> None:
    function = getattr(rust_arrays, name)
    assert function.__doc__
    assert len(function.__doc__) > 40
    assert list(inspect.signature(function).parameters)


def test_typed_package() -> None:
    package = pathlib.Path(rust_arrays.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "_core.pyi").exists()


def test_submodules_are_reachable_as_attributes() -> None:
    for name in rust_arrays._SUBMODULES:
        module = getattr(rust_arrays, name)
        assert module is importlib.import_module(f"rust_arrays.{name}")
        assert name in dir(rust_arrays)
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        rust_arrays.nope  # type: ignore[attr-defined]  # noqa: B018


HEAVY = ("dask", "xarray", "pyresample", "scipy", "matplotlib", "numba", "geotiepoints")


def test_import_is_lazy() -> None:
    # A fresh interpreter: this one has imported everything already.
    script = f"""
import sys
import rust_arrays
print(sorted(name for name in {HEAVY!r} if name in sys.modules))
rust_arrays.modis, rust_arrays.reference, rust_arrays.synthetic, rust_arrays.compare
rust_arrays.gradient, rust_arrays.simple_modis
print(sorted(name for name in {HEAVY!r} if name in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["[]", "[]"]
