"""rust_arrays.dask: exact, lazy, and the same on the threaded, process and distributed
schedulers."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rust_arrays
from rust_arrays import _core, reference
from strategies import REAL_DTYPES, elements, same_bits

da = pytest.importorskip("dask.array")

import rust_arrays.dask  # noqa: E402  (only once dask is known to be installed)


@st.composite
def chunked(draw: st.DrawFn, dtypes: list[np.dtype[Any]], max_size: int = 40) -> Any:
    """A 1-D dask array with uneven chunks, empty chunks and single elements among them."""
    dtype = draw(st.sampled_from(dtypes))
    values = draw(st.lists(elements(dtype), max_size=max_size))
    array = np.array(values, dtype=dtype)
    cuts = sorted(draw(st.lists(st.integers(0, array.size), max_size=6)))
    bounds = [0, *cuts, array.size]
    chunks = tuple(end - start for start, end in itertools.pairwise(bounds))
    return da.from_array(array, chunks=(chunks,))


@settings(max_examples=100)
@given(chunked(REAL_DTYPES), chunked(REAL_DTYPES))
def test_do_something_equals_the_numpy_kernel_on_any_chunking(a: Any, b: Any) -> None:
    a_values, b_values = a.compute(), b.compute()
    lazy = rust_arrays.dask.do_something(a, b)
    assert lazy.shape == ()
    assert lazy.dtype == np.int64
    expected = rust_arrays.do_something(a_values, b_values)
    assert int(lazy.compute(scheduler="sync")) == expected
    assert expected == reference.do_something_numpy(a_values, b_values)


def test_do_something_wraps_like_numpy_across_chunks() -> None:
    a = da.from_array(np.full(6, 2.0**62), chunks=2)
    assert int(rust_arrays.dask.do_something(a, [0.0]).compute()) == rust_arrays.do_something(
        np.full(6, 2.0**62), [0.0]
    )


def test_do_something_flattens_nd_inputs_and_accepts_numpy() -> None:
    rng = np.random.default_rng(5)
    a = rng.random((30, 40)) * 100
    b = rng.random(77) * 100
    lazy = rust_arrays.dask.do_something(da.from_array(a, chunks=(7, 9)), b)
    assert int(lazy.compute()) == rust_arrays.do_something(a, b)


def counted_blocks(values: np.ndarray[Any, Any], chunks: int) -> tuple[Any, list[int]]:
    """A dask array whose blocks count how often they are computed."""
    calls = [0]

    def block(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        calls[0] += 1
        return x

    # meta given, so that dask does not call `block` to find out what it returns.
    counted = da.from_array(values, chunks=chunks).map_blocks(
        block, dtype=values.dtype, meta=np.empty(0, dtype=values.dtype)
    )
    return counted, calls


def test_building_the_graph_computes_nothing() -> None:
    a, a_calls = counted_blocks(np.arange(100.0), 10)
    b, b_calls = counted_blocks(np.arange(50.0), 10)
    lazy_sum = rust_arrays.dask.do_something(a, b)
    lazy_hypot = rust_arrays.dask.masked_hypot(a, a)
    assert a_calls == [0]
    assert b_calls == [0]
    assert int(lazy_sum.compute(scheduler="sync")) == rust_arrays.do_something(
        np.arange(100.0), np.arange(50.0)
    )
    assert a_calls[0] > 0
    assert lazy_hypot.shape == (100,)


def test_each_task_runs_single_threaded_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int | None]] = []
    original = _core.do_something_from_squares

    def recording(a_sq: Any, b_sq: Any, **kwargs: Any) -> int:
        seen.append((a_sq.size, kwargs.get("num_threads")))
        return original(a_sq, b_sq, **kwargs)

    monkeypatch.setattr(_core, "do_something_from_squares", recording)
    a = da.from_array(np.arange(20.0), chunks=5)
    rust_arrays.dask.do_something(a, a).compute(scheduler="sync")
    rust_arrays.dask.do_something(a, a, num_threads=2).compute(scheduler="sync")
    # Each graph: one check on empty inputs while it is built, then a task per pair of chunks.
    assert seen == [(0, 1), *[(5, 1)] * 16, (0, 2), *[(5, 2)] * 16]


@pytest.mark.parametrize("scheduler", ["threads", "processes"])
def test_do_something_on_parallel_schedulers(scheduler: str) -> None:
    rng = np.random.default_rng(8)
    a, b = rng.random(3000) * 1e4, rng.random(2000) * 1e4
    lazy = rust_arrays.dask.do_something(da.from_array(a, chunks=700), da.from_array(b, chunks=300))
    result = lazy.compute(scheduler=scheduler, num_workers=2)
    assert int(result) == rust_arrays.do_something(a, b)


@st.composite
def float_pair(draw: st.DrawFn) -> tuple[Any, Any]:
    a = draw(chunked([np.dtype(np.float32), np.dtype(np.float64)]))
    b_dtype = draw(st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)]))
    b_values = draw(st.lists(elements(b_dtype), min_size=a.size, max_size=a.size))
    b_chunks = draw(st.integers(1, max(1, a.size)))
    return a, da.from_array(np.array(b_values, dtype=b_dtype), chunks=b_chunks)


@settings(max_examples=100)
@given(float_pair(), st.sampled_from([2.0, 0.0, 1e300, np.float32(3.5), np.float64(-1.0)]))
def test_masked_hypot_equals_the_numpy_kernel_on_any_chunking(
    pair: tuple[Any, Any], threshold: Any
) -> None:
    a, b = pair
    lazy = rust_arrays.dask.masked_hypot(a, b, threshold=threshold)
    assert lazy.chunks == a.chunks
    expected = rust_arrays.masked_hypot(a.compute(), b.compute(), threshold=threshold)
    assert same_bits(lazy.compute(scheduler="sync"), expected)
    assert same_bits(
        expected, reference.masked_hypot_numpy(a.compute(), b.compute(), None, threshold)
    )


def test_masked_hypot_nd_on_threads() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(2, 2, (300, 200)), rng.normal(0, 2, (300, 200))
    lazy = rust_arrays.dask.masked_hypot(da.from_array(a, chunks=(64, 50)), b)
    assert same_bits(lazy.compute(scheduler="threads"), rust_arrays.masked_hypot(a, b))


def test_bad_inputs_fail_while_building_the_graph() -> None:
    with pytest.raises(TypeError, match="a must be a float32 or float64 array, got dtype int64"):
        rust_arrays.dask.masked_hypot(da.zeros(3, dtype=np.int64), da.zeros(3))
    with pytest.raises(ValueError, match="same shape"):
        rust_arrays.dask.masked_hypot(da.zeros(3), da.zeros(4))
    with pytest.raises(TypeError, match="threshold must be a real number"):
        rust_arrays.dask.masked_hypot(da.zeros(3), da.zeros(3), threshold="2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="b must hold"):
        rust_arrays.dask.do_something(da.zeros(3), da.zeros(3, dtype=np.complex128))


@pytest.mark.parametrize(
    ("num_threads", "error", "match"),
    [
        (0, ValueError, "num_threads must be between 1 and 1024, got 0"),
        (-1, ValueError, "num_threads must be between 1 and 1024, got -1"),
        (True, TypeError, "num_threads must be an int or None, not bool"),
        ("2", TypeError, "num_threads must be an int or None, not str"),
    ],
)
def test_bad_num_threads_fail_while_building_the_graph(
    num_threads: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        rust_arrays.dask.do_something(da.ones(3), da.ones(3), num_threads=num_threads)
    with pytest.raises(error, match=match):
        rust_arrays.dask.masked_hypot(da.ones(3), da.ones(3), num_threads=num_threads)


def test_bad_default_thread_count_fails_while_building_the_graph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(_core.NUM_THREADS_VARIABLE, "0")
    with pytest.raises(ValueError, match=_core.NUM_THREADS_VARIABLE):
        rust_arrays.dask.do_something(da.ones(3), da.ones(3), num_threads=None)


def test_xarray_keeps_dims_coords_and_attrs() -> None:
    xr = pytest.importorskip("xarray")
    rng = np.random.default_rng(2)
    coords = {"y": np.arange(40), "x": np.arange(30) * 0.5}
    a = xr.DataArray(
        rng.normal(2, 2, (40, 30)), dims=("y", "x"), coords=coords, name="a", attrs={"units": "m"}
    ).chunk({"y": 16, "x": 10})
    b = xr.DataArray(rng.normal(0, 2, (40, 30)), dims=("y", "x"), coords=coords)
    result = rust_arrays.dask.masked_hypot(a, b)
    assert isinstance(result, xr.DataArray)
    assert result.dims == ("y", "x")
    assert result.attrs == {"units": "m"}
    assert result.name == "a"
    assert result.coords.to_dataset().identical(a.coords.to_dataset())
    assert isinstance(result.data, da.Array)
    assert same_bits(result.values, rust_arrays.masked_hypot(a.values, b.values))
    total = rust_arrays.dask.do_something(a, b)
    assert isinstance(total, xr.DataArray)
    assert int(total.compute()) == rust_arrays.do_something(a.values, b.values)
    shifted = b.assign_coords(x=b.x + 1)
    with pytest.raises(ValueError, match="exact"):
        rust_arrays.dask.masked_hypot(a, shifted)


@pytest.fixture(scope="module")
def cluster_client() -> Any:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_distributed_local_cluster_with_worker_processes(cluster_client: Any) -> None:
    rng = np.random.default_rng(9)
    a, b = rng.random(4000) * 100, rng.random(3000) * 100
    # A parallel call in this process first: the workers are separate processes either way.
    expected = rust_arrays.do_something(a, b)
    lazy = rust_arrays.dask.do_something(da.from_array(a, chunks=900), da.from_array(b, chunks=700))
    assert int(cluster_client.compute(lazy).result()) == expected
    x, y = rng.normal(2, 2, 10_000), rng.normal(0, 2, 10_000)
    hypot = rust_arrays.dask.masked_hypot(da.from_array(x, chunks=3000), y)
    assert same_bits(cluster_client.compute(hypot).result(), rust_arrays.masked_hypot(x, y))
    # Worker processes are not this one.
    assert threading.current_thread() is threading.main_thread()
