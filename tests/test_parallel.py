"""Threads: the same result for any count, the num_threads argument and its environment
variable, and pools that survive fork (multiprocessing, dask's process scheduler)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest

import rust_arrays
from rust_arrays import _core

RNG = np.random.default_rng(11)
A = RNG.random(1500) * 100
B = RNG.random(2500) * 100
X = RNG.normal(2, 2, 3_000_000)
Y = RNG.normal(0, 2, 3_000_000)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


@pytest.mark.parametrize("threads", [1, 2, 3, 5])
def test_every_thread_count_gives_the_same_results(threads: int) -> None:
    for dtype in (np.float64, np.float32):
        a, b = A.astype(dtype), B.astype(dtype)
        expected = rust_arrays.do_something(a, b, num_threads=1)
        assert rust_arrays.do_something(a, b, num_threads=threads) == expected
    np.testing.assert_array_equal(
        rust_arrays.primes_array(10**6, num_threads=threads), rust_arrays.primes_array(10**6)
    )
    assert rust_arrays.primes(10**5, num_threads=threads) == rust_arrays.primes(10**5)
    expected_out = rust_arrays.masked_hypot(X, Y, num_threads=1)
    out = rust_arrays.masked_hypot(X, Y, num_threads=threads)
    assert np.array_equal(out.view(np.uint64), expected_out.view(np.uint64))
    strided = rust_arrays.masked_hypot(
        X.reshape(1000, 3000)[:, ::2], Y.reshape(3000, 1000).T[:, ::2], num_threads=threads
    )
    assert np.array_equal(
        strided.view(np.uint64),
        rust_arrays.masked_hypot(
            X.reshape(1000, 3000)[:, ::2], Y.reshape(3000, 1000).T[:, ::2], num_threads=1
        ).view(np.uint64),
    )


CALLS = {
    "do_something": lambda n: rust_arrays.do_something([1.0], [1.0], num_threads=n),
    "primes": lambda n: rust_arrays.primes(3, num_threads=n),
    "primes_array": lambda n: rust_arrays.primes_array(3, num_threads=n),
    "masked_hypot": lambda n: rust_arrays.masked_hypot([1.0], [1.0], num_threads=n),
}


@pytest.mark.parametrize("function", CALLS)
@pytest.mark.parametrize("value", [0, -1, 1025, 10**30])
def test_out_of_range_thread_counts_raise_value_error(function: str, value: int) -> None:
    with pytest.raises(ValueError, match=rf"{function}\(\): num_threads must be between 1 and"):
        CALLS[function](value)


@pytest.mark.parametrize("function", CALLS)
@pytest.mark.parametrize(("value", "type_name"), [(True, "bool"), (1.5, "float"), ("2", "str")])
def test_non_int_thread_counts_raise_type_error(function: str, value: Any, type_name: str) -> None:
    with pytest.raises(TypeError, match=rf"num_threads must be an int or None, not {type_name}"):
        CALLS[function](value)


# Threads are counted, not named: a just-spawned thread may not have set its name yet.
POOL_THREADS = """
    import os, numpy as np, rust_arrays
    before = len(os.listdir("/proc/self/task"))
    rust_arrays.do_something(np.arange(2000.0), np.arange(2000.0), num_threads={num_threads})
    print(len(os.listdir("/proc/self/task")) - before)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    ("variable", "num_threads", "expected"),
    # One thread computes without a pool (on the caller, or a scoped thread that has ended).
    [("1", "None", 0), ("3", "None", 3), ("3", "2", 2), (None, "None", os.cpu_count())],
)
def test_environment_variable_sets_the_default_thread_count(
    monkeypatch: pytest.MonkeyPatch, variable: str | None, num_threads: str, expected: int
) -> None:
    monkeypatch.delenv(_core.NUM_THREADS_VARIABLE, raising=False)
    env = {} if variable is None else {_core.NUM_THREADS_VARIABLE: variable}
    done = run_python(POOL_THREADS.format(num_threads=num_threads), **env)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == expected


@pytest.mark.parametrize("value", ["0", "two", "-3", ""])
def test_invalid_environment_variable_raises_value_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(_core.NUM_THREADS_VARIABLE, value)
    with pytest.raises(ValueError, match=_core.NUM_THREADS_VARIABLE):
        rust_arrays.do_something(A, B)
    assert rust_arrays.do_something([20.0], [0.0], num_threads=1) == 20


AFTER_FORK = """
    import multiprocessing, numpy as np, rust_arrays
    from rust_arrays import gradient, modis, simple_modis
    from rust_arrays.synthetic import modis_tie_points

    def work(seed):
        rng = np.random.default_rng(seed)
        a, b = rng.random(1000) * 100, rng.random(1000) * 100
        tie_points = modis_tie_points(2, 10.0 * seed, 45.0, -12.0)
        lon, lat = modis.modis_1km_to_250m(*tie_points, num_threads=2)
        fine = int(lon.view(np.uint32).sum()) + int(lat.view(np.uint32).sum())
        lon, lat = simple_modis.modis_1km_to_500m(lon[:20, :1354], lat[:20, :1354], num_threads=2)
        fine += int(lon.view(np.uint32).sum()) + int(lat.view(np.uint32).sum())
        grid = np.meshgrid(np.arange(300.0), np.arange(200.0))
        slopes = [*np.gradient(grid[0]), *np.gradient(grid[1])]
        targets = [g[::2, ::2] * 0.9 + 3 for g in grid]  # 100 x 150 targets: a split search
        found = gradient.one_step_gradient_indices(*grid, *slopes, *targets, num_threads=2)
        fine += int(np.nansum(found))
        return rust_arrays.do_something(a, b) + int(rust_arrays.primes_array(10**5)[-1]) + fine

    if __name__ == "__main__":
        expected = [work(seed) for seed in range(4)]  # the parent's pool is now running
        with multiprocessing.get_context("fork").Pool(2) as pool:
            assert pool.map(work, range(4)) == expected
        assert work(0) == expected[0]  # and the parent's pool still works
        print("ok")
"""


def test_multiprocessing_fork_after_a_parallel_call() -> None:
    done = run_python(AFTER_FORK)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


DASK_PROCESSES = """
    import dask, numpy as np, rust_arrays

    def work(seed):
        rng = np.random.default_rng(seed)
        return rust_arrays.do_something(rng.random(1000) * 100, rng.random(1000) * 100)

    if __name__ == "__main__":
        expected = [work(seed) for seed in range(4)]
        for context in ("fork", "spawn"):
            with dask.config.set({{"multiprocessing.context": context}}):
                tasks = [dask.delayed(work)(seed) for seed in range(4)]
                assert list(dask.compute(*tasks, scheduler="processes", num_workers=2)) == expected
        print("ok")
"""


def test_dask_process_scheduler_after_a_parallel_call() -> None:
    pytest.importorskip("dask")
    done = run_python(DASK_PROCESSES.format())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


SINGLE_THREAD_CALLERS = """
    import glob, threading, time, numpy as np, rust_arrays
    a = np.random.default_rng(0).random(3000) * 1e7
    threads = [
        threading.Thread(target=rust_arrays.do_something, args=(a, a), kwargs={"num_threads": 1})
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.2)  # pool threads live on and name themselves at once; give them time to
    names = [open(path).read().strip() for path in glob.glob("/proc/self/task/*/comm")]
    print(sum(name.startswith("rust-arrays-") for name in names))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc")
def test_single_threaded_calls_compute_on_their_own_thread() -> None:
    # Concurrent callers (dask's worker threads) must not queue for one shared worker thread:
    # num_threads=1 off the main thread computes on the calling thread, starting no pool.
    done = run_python(SINGLE_THREAD_CALLERS)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == 0
