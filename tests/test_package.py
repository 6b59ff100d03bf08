from __future__ import annotations

import importlib.metadata
import inspect
import pathlib

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
