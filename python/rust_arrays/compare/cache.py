"""Where builds and JIT caches are kept between runs (the Cython module, Numba's compiled code):
``$RUST_ARRAYS_CACHE_DIR``, else ``$XDG_CACHE_HOME/rust_arrays/compare``, else
``~/.cache/rust_arrays/compare``."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("RUST_ARRAYS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rust_arrays" / "compare"
