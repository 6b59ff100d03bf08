"""The talk's NumPy code over blocks: the same operations, so the same bits, with temporaries
bounded by the block instead of growing with the input."""

from __future__ import annotations

from typing import Any

import numpy as np

from rust_arrays import reference

Array = np.ndarray[Any, np.dtype[Any]]

BLOCK_ELEMENTS = 1 << 16


def masked_hypot(a: Array, b: Array, out: Array, threshold: float = 2.0) -> Array:
    for start in range(0, a.shape[0], BLOCK_ELEMENTS):
        block = slice(start, start + BLOCK_ELEMENTS)
        reference.masked_hypot_numpy(a[block], b[block], out[block], threshold)
    return out
