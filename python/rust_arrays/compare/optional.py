"""Which optional packages are installed, asked without importing them (numba alone takes most
of a second to import). The one place to patch to simulate a missing package."""

from __future__ import annotations

import importlib.metadata
import importlib.util


def is_installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
