"""rust_arrays.simple_modis against geotiepoints.simple_modis_interpolator 1.9.0, bit for bit on
float32 and float64."""

from __future__ import annotations

import functools
import importlib
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modis_cases import HOSTILE_DEGREES, orbit_segments
from rust_arrays import _core, _measure, simple_modis
from rust_arrays.synthetic import modis_tie_points
from strategies import views_of

Array = np.ndarray[Any, Any]
Pair = tuple[Array, Array]
DTYPES = [np.dtype(np.float32), np.dtype(np.float64)]
FUNCTIONS = {250: "modis_1km_to_250m", 500: "modis_1km_to_500m"}


def lon_lat(scans: int, lon0: float, lat0: float, heading: float, **options: Any) -> Pair:
    lon, lat, _ = modis_tie_points(scans, lon0, lat0, heading, **options)
    return lon, lat


# The zenith interpolator's orbit segments with half as many scans (3; 15 over the poles, 150
# km, past them): both hemispheres, across the antimeridian, with NaN tie points.
CASES = {name: (lon, lat) for name, (lon, lat, _) in orbit_segments(0.5).items()}


@pytest.fixture(scope="module")
def upstream() -> ModuleType:
    return pytest.importorskip("geotiepoints.simple_modis_interpolator")


def as_dtype(pair: Pair, dtype: np.dtype[Any]) -> Pair:
    return pair[0].astype(dtype), pair[1].astype(dtype)


def differing_values(expected: Array, actual: Array, *, nan_bits: bool = True) -> int:
    """How many values differ in their bits (with ``nan_bits=False``, any NaN equals any NaN)."""
    assert expected.shape == actual.shape
    assert expected.dtype == actual.dtype
    unsigned = np.dtype(f"u{expected.dtype.itemsize}")
    differ = expected.view(unsigned) != actual.view(unsigned)
    if not nan_bits:
        differ &= ~(np.isnan(expected) & np.isnan(actual))
    return int(np.count_nonzero(differ))


def assert_bit_identical(expected: Pair, actual: Pair, *, nan_bits: bool = True) -> None:
    for name, want, got in zip(("lon", "lat"), expected, actual, strict=True):
        want, got = np.asarray(want), np.asarray(got)
        differing = differing_values(want, got, nan_bits=nan_bits)
        assert differing == 0, f"{name}: {differing} of {want.size} values differ in their bits"


@functools.cache
def upstream_result(case: str, dtype: str, fine: int) -> Pair:
    """geotiepoints' output for one of CASES (computed once: the ISA tests reuse it)."""
    upstream = importlib.import_module("geotiepoints.simple_modis_interpolator")
    result: Pair = getattr(upstream, FUNCTIONS[fine])(*as_dtype(CASES[case], np.dtype(dtype)))
    return result


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fine", sorted(FUNCTIONS))
def test_bit_identical_to_geotiepoints(
    upstream: ModuleType, case: str, fine: int, dtype: np.dtype[Any]
) -> None:
    lon, lat = as_dtype(CASES[case], dtype)
    expected = upstream_result(case, dtype.str, fine)
    actual = getattr(simple_modis, FUNCTIONS[fine])(lon, lat)
    assert actual[0].dtype == dtype
    assert actual[0].shape == (lon.shape[0] * 1000 // fine, lon.shape[1] * 1000 // fine)
    assert_bit_identical(expected, actual)
    if "nans" in case:
        assert np.isnan(actual[0]).any()


@pytest.mark.parametrize("isa", _core.available_isas())
def test_every_isa_bit_identical_to_geotiepoints(upstream: ModuleType, isa: str) -> None:
    for case in ("antimeridian-pole-nans", "equator-nans"):
        for dtype in DTYPES:
            lon, lat = as_dtype(CASES[case], dtype)
            for fine in FUNCTIONS:
                expected = upstream_result(case, dtype.str, fine)
                actual = _core.simple_modis_interpolate(lon, lat, 1000, fine, isa=isa)
                assert_bit_identical(expected, actual)


def test_keyword_call_like_geotiepoints(upstream: ModuleType) -> None:
    # geotiepoints only takes the resolutions by keyword; rust_arrays also by position.
    lon, lat = CASES["south-pacific"]
    keywords = {"coarse_resolution": 1000, "fine_resolution": 500}
    expected = upstream.interpolate_geolocation_cartesian(lon, lat, **keywords)
    assert_bit_identical(
        expected, simple_modis.interpolate_geolocation_cartesian(lon, lat, **keywords)
    )
    assert_bit_identical(
        expected, simple_modis.interpolate_geolocation_cartesian(lon, lat, 1000, 500)
    )


@pytest.mark.parametrize("cols", [2, 3, 7, 100])
def test_other_widths_bit_identical(upstream: ModuleType, cols: int) -> None:
    for dtype in DTYPES:
        lon, lat = as_dtype(lon_lat(2, 30.0, -60.0, 170.0, columns=cols), dtype)
        for name in FUNCTIONS.values():
            assert_bit_identical(
                getattr(upstream, name)(lon, lat), getattr(simple_modis, name)(lon, lat)
            )


@pytest.mark.parametrize("seed", range(2))
def test_random_tie_points_bit_identical(upstream: ModuleType, seed: int) -> None:
    # Uncorrelated points anywhere, exact zeros, the poles, NaNs (NumPy's, sign bit clear):
    # every bit of every value, NaNs included.
    rng = np.random.default_rng(seed)
    shape = (20, 1354)
    for dtype in DTYPES:
        lon = rng.uniform(-180, 180, shape).astype(dtype)
        lat = rng.uniform(-90, 90, shape).astype(dtype)
        lat[3, :50] = 0.0
        lon[4, 50:60] = -0.0
        lat[5, 60:70] = 90.0
        lat[6, 70:80] = -90.0
        for array in (lon, lat):
            array.reshape(-1)[rng.integers(0, array.size, 10)] = np.nan
        for name in FUNCTIONS.values():
            assert_bit_identical(
                getattr(upstream, name)(lon, lat), getattr(simple_modis, name)(lon, lat)
            )


@settings(max_examples=120)
@given(data=st.data())
def test_hypothesis_granules_bit_identical_to_geotiepoints(
    upstream: ModuleType, data: st.DataObject
) -> None:
    # A plausible swath somewhere on Earth (mostly narrow, to keep examples cheap; upstream takes
    # any width), hostile values anywhere in it, each input as any view (big-endian, strided,
    # reversed, read-only), either dtype, any instruction set: upstream gets contiguous copies.
    dtype = data.draw(st.sampled_from(DTYPES))
    cols = data.draw(st.sampled_from([*range(2, 40), 1354]))
    scans = data.draw(st.integers(1, 2))
    lon0 = data.draw(st.floats(-180, 180))
    lat0 = data.draw(st.floats(-89.9, 89.9))
    heading = data.draw(st.floats(0, 360))
    inputs = list(as_dtype(lon_lat(scans, lon0, lat0, heading, columns=cols), dtype))
    width = 32 if dtype == np.float32 else 64
    hostile = [*HOSTILE_DEGREES, 5e-324]  # and the smallest float64 subnormal
    values = st.sampled_from(hostile) | st.floats(width=width, allow_nan=False)
    for _ in range(data.draw(st.integers(0, 8))):
        array = inputs[data.draw(st.integers(0, 1))]
        row = data.draw(st.integers(0, array.shape[0] - 1))
        col = data.draw(st.integers(0, cols - 1))
        array[row, col] = data.draw(values)
    views = [data.draw(views_of(array)) for array in inputs]
    fine = data.draw(st.sampled_from(sorted(FUNCTIONS)))
    expected = upstream.interpolate_geolocation_cartesian(
        *inputs, coarse_resolution=1000, fine_resolution=fine
    )
    isa = data.draw(st.sampled_from(_core.available_isas()))
    if isa == _core.available_isas()[-1]:
        actual = simple_modis.interpolate_geolocation_cartesian(*views, 1000, fine)
    else:
        native = simple_modis._inputs(*views)  # what the public path hands to _core
        actual = _core.simple_modis_interpolate(*native, 1000, fine, isa=isa)
    # NaN-ness only for NaNs: hostile values include NaNs of both signs (and infinities, whose
    # cos/sin is a NaN with the sign bit set); where two different NaNs meet in one operation,
    # x86 keeps the first operand's, and compilers may swap the operands of a commutative
    # operation (seen with the portable build; NumPy's NaNs alone keep every bit, see above).
    assert_bit_identical(expected, actual, nan_bits=False)


def test_float32_and_float64_outputs() -> None:
    lon, lat = CASES["south-pacific"]
    single = simple_modis.modis_1km_to_250m(lon, lat)
    double = simple_modis.modis_1km_to_250m(lon.astype(np.float64), lat.astype(np.float64))
    assert single[0].dtype == np.float32
    assert double[0].dtype == double[1].dtype == np.float64
    assert not np.array_equal(double[0], single[0].astype(np.float64))
    np.testing.assert_allclose(double[0], single[0], atol=1e-3)
    np.testing.assert_allclose(double[1], single[1], atol=1e-3)
    # Mixed and integer dtypes compute in float64 (geotiepoints raises).
    mixed = simple_modis.modis_1km_to_250m(lon.astype(np.float64), lat)
    np.testing.assert_array_equal(mixed[0], double[0])
    whole = simple_modis.modis_1km_to_500m(np.round(lon).astype(np.int32), np.round(lat))
    assert whole[0].dtype == np.float64


def test_read_only_strided_and_big_endian_inputs_are_accepted() -> None:
    # geotiepoints raises for read-only and big-endian inputs.
    for dtype in DTYPES:
        lon, lat = as_dtype(CASES["europe"], dtype)
        expected = simple_modis.modis_1km_to_250m(lon, lat)
        frozen = [a.copy() for a in (lon, lat)]
        for array in frozen:
            array.setflags(write=False)
        assert_bit_identical(expected, simple_modis.modis_1km_to_250m(*frozen))
        strided = [np.repeat(a, 2, axis=1)[:, ::2] for a in (lon, lat)]
        assert_bit_identical(expected, simple_modis.modis_1km_to_250m(*strided))
        swapped = [a.astype(a.dtype.newbyteorder(">")) for a in (lon, lat)]
        assert_bit_identical(expected, simple_modis.modis_1km_to_250m(*swapped))
        if dtype == np.float64:  # lists are float64 arrays
            assert_bit_identical(
                expected, simple_modis.modis_1km_to_250m(lon.tolist(), lat.tolist())
            )
        # Inputs are left as they were.
        assert_bit_identical(as_dtype(CASES["europe"], dtype), (lon, lat))


def test_same_bits_for_any_thread_count() -> None:
    lon, lat = CASES["antimeridian-pole-nans"]
    for dtype in DTYPES:
        pair = as_dtype((lon, lat), dtype)
        one = simple_modis.modis_1km_to_250m(*pair, num_threads=1)
        for threads in (2, 3, 7):
            assert_bit_identical(one, simple_modis.modis_1km_to_250m(*pair, num_threads=threads))
    with pytest.raises(ValueError, match="num_threads"):
        simple_modis.modis_1km_to_250m(lon, lat, num_threads=0)


def test_stacked_output_for_dask_tasks() -> None:
    lon, lat = CASES["europe"]
    pair = simple_modis.modis_1km_to_500m(lon, lat)
    stacked = _core.simple_modis_interpolate(lon, lat, 1000, 500, stacked=True)
    assert stacked.shape == (2, *pair[0].shape)
    assert_bit_identical(pair, (stacked[0], stacked[1]))


def test_empty_input() -> None:
    for dtype in DTYPES:
        empty = np.zeros((0, 1354), dtype)
        lon, lat = simple_modis.modis_1km_to_250m(empty, empty)
        assert lon.shape == lat.shape == (0, 5416)
        assert lon.dtype == dtype


@pytest.mark.parametrize(
    ("shape", "match"),
    [
        ((15, 1354), "whole scans"),  # geotiepoints: 5 uninitialised rows
        ((7, 1354), "whole scans"),
        ((10, 1), "at least 2 columns"),  # geotiepoints: reads out of bounds
        ((10,), "2-D"),
    ],
)
def test_bad_shapes(shape: tuple[int, ...], match: str) -> None:
    array = np.zeros(shape, np.float32)
    with pytest.raises(ValueError, match=match):
        simple_modis.modis_1km_to_250m(array, array)


def test_bad_arguments() -> None:
    lon, lat = CASES["europe"]
    # geotiepoints proceeds with lon's shape, reading lat out of bounds.
    with pytest.raises(ValueError, match="lon_array and lat_array must have one shape"):
        simple_modis.modis_1km_to_250m(lon, lat[:, :1000])
    with pytest.raises(ValueError, match="lon_array and lat_array must have one shape"):
        simple_modis.modis_1km_to_250m(lon, lat[:20])
    for coarse, fine in ((1000, 1000), (500, 250), (5000, 1000), (1000, 0), (250, 1000)):
        with pytest.raises(ValueError, match=f"from {coarse} m to {fine} m"):
            simple_modis.interpolate_geolocation_cartesian(lon, lat, coarse, fine)
    with pytest.raises(TypeError, match="lon_array must hold real numbers"):
        simple_modis.modis_1km_to_250m(lon.astype(complex), lat)
    with pytest.raises(TypeError, match="lat_array must hold real numbers"):
        simple_modis.modis_1km_to_250m(lon, lat.astype(object))
    with pytest.raises(TypeError, match="float32 or both float64"):
        _core.simple_modis_interpolate(lon, lat.astype(np.float64), 1000, 250)


def test_outputs_that_cannot_fit_raise_memory_error() -> None:
    # 100000 scans of tie points as zero-stride views (no memory): 161 GiB of output.
    huge = [
        np.lib.stride_tricks.as_strided(a[:1], shape=(1_000_000, 1354), strides=(0, 4))
        for a in CASES["europe"]
    ]
    with pytest.raises(MemoryError, match="lon and lat at the fine resolution would need"):
        simple_modis.modis_1km_to_250m(*huge)


def test_peak_memory_is_about_the_outputs() -> None:
    # Per-scan work buffers only (a few MiB per thread): no full-size temporaries.
    _measure.fresh_large_allocations()
    lon, lat = as_dtype(lon_lat(20, 10.0, 45.0, -12.0), np.dtype(np.float64))
    measurement = _measure.measure(lambda: simple_modis.modis_1km_to_250m(lon, lat, num_threads=2))
    if measurement.peak_bytes is None:
        pytest.skip("this platform does not report peak memory")
    outputs = sum(array.nbytes for array in measurement.result)
    assert outputs <= measurement.peak_bytes < outputs + 16 * 2**20


def test_dask_and_xarray_inputs(upstream: ModuleType) -> None:
    da = pytest.importorskip("dask.array")
    xr = pytest.importorskip("xarray")
    for dtype in DTYPES:
        lon, lat = as_dtype(CASES["antimeridian-pole-nans"], dtype)
        expected = upstream.modis_1km_to_250m(lon, lat)
        # Chunks that split scans and columns: rechunked to whole scans (blocks of 30 rows).
        lazy = [da.from_array(a, chunks=(37, 500)) for a in (lon, lat)]
        result = simple_modis.modis_1km_to_250m(*lazy)
        assert all(isinstance(r, da.Array) and r.dtype == dtype for r in result)
        assert result[0].chunks == ((120, 120, 120, 120, 120), (5416,))
        assert_bit_identical(expected, tuple(r.compute() for r in result))
        arrays = [xr.DataArray(a, dims=("y", "x")) for a in lazy]
        wrapped = simple_modis.modis_1km_to_250m(*arrays)
        assert all(isinstance(r, xr.DataArray) and r.dims == ("y", "x") for r in wrapped)
        assert all(isinstance(r.data, da.Array) for r in wrapped)
        assert_bit_identical(expected, tuple(r.values for r in wrapped))
        numpy_backed = [xr.DataArray(a, dims=("y", "x")) for a in (lon, lat)]
        eager = simple_modis.modis_1km_to_250m(*numpy_backed)
        assert_bit_identical(expected, tuple(r.values for r in eager))
    # Chunks of less than one scan, a width other than 1354, 500 m.
    lon, lat = lon_lat(4, 100.0, 30.0, 0.0, columns=300)
    small = [da.from_array(a, chunks=(3, 100)) for a in (lon, lat)]
    half = simple_modis.modis_1km_to_500m(*small)
    assert half[0].chunks == ((20, 20, 20, 20), (600,))
    assert_bit_identical(upstream.modis_1km_to_500m(lon, lat), tuple(r.compute() for r in half))


def test_dask_graph_is_lazy_and_checked_eagerly() -> None:
    da = pytest.importorskip("dask.array")
    xr = pytest.importorskip("xarray")
    lon, lat = CASES["europe"]
    blocks_read: list[tuple[int, ...]] = []

    def read(block: Array) -> Array:
        blocks_read.append(block.shape)
        return block

    lazy = [da.from_array(a, chunks=(10, -1)).map_blocks(read) for a in (lon, lat)]
    blocks_read.clear()  # dask's own metadata probe of `read`
    result = simple_modis.modis_1km_to_250m(*lazy)
    assert blocks_read == []  # nothing computed while the graph was built
    assert_bit_identical(simple_modis.modis_1km_to_250m(lon, lat), da.compute(*result))
    assert blocks_read
    # Errors come while the graph is built, not from a task; on every kind of input.
    partials = [
        [a[:15] for a in lazy],
        [xr.DataArray(a[:15], dims=("y", "x")) for a in lazy],
        [xr.DataArray(a[:15], dims=("y", "x")) for a in (lon, lat)],
        [lon[:15], lat[:15]],
    ]
    for partial in partials:
        with pytest.raises(ValueError, match="whole scans"):
            simple_modis.modis_1km_to_250m(*partial)
    with pytest.raises(ValueError, match="one shape"):
        simple_modis.modis_1km_to_250m(lazy[0], lazy[1][:20])
    with pytest.raises(ValueError, match="at least 2 columns"):
        simple_modis.modis_1km_to_250m(lazy[0][:, :1], lazy[1][:, :1])
    with pytest.raises(ValueError, match="from 1000 m to 1000 m"):
        simple_modis.interpolate_geolocation_cartesian(*lazy, 1000, 1000)
