"""Times rust_arrays.modis against geotiepoints on a full MODIS granule (2030x1354 float32,
1 km to 250 m): ``python benches/modis_timing.py [--repeat N]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_modis import swath

from rust_arrays import modis


def best(function: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    lon, lat, satz = swath(203, 20.0, 50.0, -12.0)
    expected = None
    try:
        from geotiepoints.modisinterpolator import modis_1km_to_250m
    except ImportError:
        print("geotiepoints not installed")
    else:
        seconds, expected = best(lambda: modis_1km_to_250m(lon, lat, satz), repeat)
        print(f"geotiepoints 1.9.0          1 thread   {seconds:.3f} s")
    for threads in (1, 2):
        seconds, result = best(
            lambda t=threads: modis.interpolate(lon, lat, satz, 1000, 250, num_threads=t), repeat
        )
        same = (
            ""
            if expected is None
            else (
                "  bit-identical"
                if all(
                    np.array_equal(a.view(np.uint32), b.view(np.uint32))
                    for a, b in zip(expected, result, strict=True)
                )
                else "  DIFFERENT"
            )
        )
        print(
            f"rust_arrays.modis           {threads} thread{'s' if threads > 1 else ' '}"
            f"  {seconds:.3f} s{same}"
        )


if __name__ == "__main__":
    main()
