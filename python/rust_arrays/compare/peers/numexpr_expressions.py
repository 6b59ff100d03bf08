"""The talk's expressions evaluated by numexpr (its own thread pool, no full-size temporaries).

numexpr cannot express meshgrid, so do_something broadcasts a row of squares against blocks
of ``b``; its ``round`` rounds half to even. The cast to int64 that NumPy does next turns NaN,
inf and values of 2**63 or more into INT64_MIN, which the ``<= 10`` mask then zeroes: keeping
only ``10 < r < 2**63`` gives the same sum.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

numexpr: Any = importlib.import_module("numexpr")

Array = np.ndarray[Any, np.dtype[Any]]

_INT64_MIN = -(2**63)
_ROOT = "round(sqrt(a_sq + b_sq))"
_DO_SOMETHING = f"where(({_ROOT} > 10) & ({_ROOT} < limit), {_ROOT}, 0)"


def set_threads(count: int) -> None:
    numexpr.set_num_threads(count)


def do_something(a: Array, b: Array, block_pairs: int = 1 << 20) -> int:
    with np.errstate(over="ignore", invalid="ignore"):
        a_sq = (a * a)[None, :]  # squares in the input dtype, as a**2 in NumPy
        b_sq = b * b
    n = a_sq.shape[1]
    rows = max(1, block_pairs // max(1, n))
    buffer = np.empty((min(rows, b_sq.size), n), dtype=np.int64)
    limit = np.float64(2.0**63)
    total = 0
    for start in range(0, b_sq.size, rows):
        block = b_sq[start : start + rows, None]
        out = buffer[: block.shape[0]]
        numexpr.evaluate(
            _DO_SOMETHING,
            local_dict={"a_sq": a_sq, "b_sq": block, "limit": limit},
            out=out,
            casting="unsafe",
        )
        total += int(out.sum())
    return (total - _INT64_MIN) % 2**64 + _INT64_MIN


def masked_hypot(a: Array, b: Array, out: Array, threshold: float = 2.0) -> Array:
    numexpr.evaluate(
        "where(a > threshold, sqrt(a * a + b * b), out)",
        local_dict={"a": a, "b": b, "out": out, "threshold": threshold},
        out=out,
    )
    return out
