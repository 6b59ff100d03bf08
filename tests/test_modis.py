"""rust_arrays.modis against geotiepoints.modisinterpolator 1.9.0, bit for bit on float32."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from golden import make_modis_golden as golden
from modis_cases import HOSTILE_DEGREES, orbit_segments
from rust_arrays import _core, modis
from rust_arrays.synthetic import modis_tie_points
from strategies import views_of

Array = np.ndarray[Any, Any]


# Several orbit segments: both hemispheres, over each pole, across the antimeridian.
CASES_1KM = orbit_segments()


@pytest.fixture(scope="module")
def upstream() -> ModuleType:
    return pytest.importorskip("geotiepoints.modisinterpolator")


def bit_differences(expected: Array, actual: Array) -> int:
    assert expected.shape == actual.shape
    assert expected.dtype == actual.dtype == np.float32
    return int(np.count_nonzero(expected.view(np.uint32) != actual.view(np.uint32)))


def assert_bit_identical(
    expected: tuple[Array, Array], actual: tuple[Array, Array], *, nan_bits: bool = True
) -> None:
    """Every value has the same bits; with ``nan_bits=False`` a NaN only has to be a NaN."""
    for name, want, got in zip(("lon", "lat"), expected, actual, strict=True):
        if not nan_bits:
            both_nan = np.isnan(want) & np.isnan(got)
            want, got = want[~both_nan], got[~both_nan]
        differing = bit_differences(want, got)
        assert differing == 0, f"{name}: {differing} of {want.size} values differ in their bits"


def call_quietly(function: Callable[..., Any], *args: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return function(*args)


@pytest.mark.parametrize("case", sorted(CASES_1KM))
@pytest.mark.parametrize("name", ["modis_1km_to_250m", "modis_1km_to_500m"])
def test_1km_bit_identical_to_geotiepoints(upstream: ModuleType, case: str, name: str) -> None:
    lon, lat, satz = CASES_1KM[case]
    expected = getattr(upstream, name)(lon, lat, satz)
    actual = getattr(modis, name)(lon, lat, satz)
    assert_bit_identical(expected, actual)
    if "nans" in case:
        assert np.isnan(actual[0]).any()


@pytest.mark.parametrize("width", [271, 270])
@pytest.mark.parametrize("name", ["modis_5km_to_1km", "modis_5km_to_500m", "modis_5km_to_250m"])
@pytest.mark.parametrize(
    "where", [(10.0, 45.0, -12.0, 0), (179.0, -60.0, 170.0, 0), (0.0, 87.0, 0.0, 15)]
)
def test_5km_bit_identical_to_geotiepoints(
    upstream: ModuleType, width: int, name: str, where: tuple[float, float, float, int]
) -> None:
    lon0, lat0, heading, nans = where
    lon, lat, satz = modis_tie_points(
        8, lon0, lat0, heading, coarse_resolution=5000, coarse_scan_width=width, nans=nans
    )
    expected = call_quietly(getattr(upstream, name), lon, lat, satz)
    actual = call_quietly(getattr(modis, name), lon, lat, satz)
    assert_bit_identical(expected, actual)


@pytest.mark.parametrize("isa", _core.available_isas())
def test_every_isa_bit_identical_to_geotiepoints(upstream: ModuleType, isa: str) -> None:
    for case in ("antimeridian-pole-nans", "south-pole"):
        lon, lat, satz = CASES_1KM[case]
        for fine, name in ((250, "modis_1km_to_250m"), (500, "modis_1km_to_500m")):
            expected = getattr(upstream, name)(lon, lat, satz)
            actual = _core.modis_interpolate(lon, lat, satz, 1000, fine, isa=isa)
            assert_bit_identical(expected, actual)
    five = modis_tie_points(
        8, 179.0, -60.0, 170.0, coarse_resolution=5000, coarse_scan_width=270, nans=10
    )
    expected = upstream.modis_5km_to_1km(*five)
    assert_bit_identical(expected, _core.modis_interpolate(*five, 5000, 1000, 270, isa=isa))


def golden_outputs(
    data: Any,
) -> Iterator[tuple[str, tuple[int, int], int | None, list[Array], list[str]]]:
    """(case, resolution pair, coarse_scan_width, stored inputs, output names) of the golden
    file."""
    for case, (_, width, pairs) in golden.CASES.items():
        inputs = [data[f"{case}/{name}"] for name in ("lon1", "lat1", "satz1")]
        for pair in pairs:
            yield case, pair, width, inputs, ["lon", "lat"]


@pytest.mark.parametrize("isa", _core.available_isas())
def test_golden_file_bit_identical(isa: str) -> None:
    # Runs without geotiepoints: its outputs, as digests and samples, are in the golden file.
    with np.load(golden.PATH) as data:
        for case, pair, width, inputs, names in golden_outputs(data):
            actual = _core.modis_interpolate(*inputs, *pair, width, isa=isa)
            for name, output in zip(names, actual, strict=True):
                where = f"{case} {pair[0]} m -> {pair[1]} m {name}"
                assert output.shape == tuple(data[golden.key(case, pair, f"{name}_shape")]), where
                expected = data[golden.key(case, pair, f"{name}_sample")]
                sample = output.reshape(-1)[golden.sample_positions(output.shape)]
                differing = bit_differences(expected, sample)
                same = golden.digest(output) == str(data[golden.key(case, pair, f"{name}_sha256")])
                message = f"{where}: {differing} of {sample.size} sampled values differ in bits"
                if not same:
                    message += "; the SHA-256 of the whole output differs"
                assert (differing, same) == (0, True), message


def test_golden_file_is_what_geotiepoints_gives(upstream: ModuleType) -> None:
    with np.load(golden.PATH) as data:
        for case, pair, width, inputs, names in golden_outputs(data):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                outputs = upstream.interpolate(*inputs, **golden.keywords(pair, width))
            for name, output in zip(names, outputs, strict=True):
                stored = str(data[golden.key(case, pair, f"{name}_sha256")])
                assert golden.digest(output) == stored, f"{case} {pair} {name}: regenerate it"


def test_interpolate_matches_geotiepoints_signature(upstream: ModuleType) -> None:
    lon, lat, satz = CASES_1KM["europe"]
    expected = upstream.interpolate(lon, lat, satz, coarse_resolution=1000, fine_resolution=250)
    actual = modis.interpolate(lon, lat, satz, coarse_resolution=1000, fine_resolution=250)
    assert_bit_identical(expected, actual)


def test_5km_to_500m_warns_like_geotiepoints() -> None:
    lon, lat, satz = modis_tie_points(1, 0.0, 0.0, 0.0, coarse_resolution=5000)
    with pytest.warns(UserWarning, match="poor quality"):
        modis.modis_5km_to_500m(lon, lat, satz)
    with pytest.warns(UserWarning, match="poor quality"):
        modis.modis_5km_to_250m(lon, lat, satz)


def test_shapes_and_thread_counts() -> None:
    lon, lat, satz = CASES_1KM["north-pole"]
    one = modis.interpolate(lon, lat, satz, 1000, 250, num_threads=1)
    two = modis.interpolate(lon, lat, satz, 1000, 250, num_threads=2)
    assert one[0].shape == (lon.shape[0] * 4, 5416)
    assert one[0].dtype == np.float32
    assert_bit_identical(one, two)
    half = modis.modis_1km_to_500m(lon, lat, satz)
    assert half[1].shape == (lon.shape[0] * 2, 2708)
    assert_bit_identical(one, modis.modis_1km_to_250m(lon, lat, satz, num_threads=1))
    assert_bit_identical(half, modis.modis_1km_to_500m(lon, lat, satz, num_threads=2))
    five = modis_tie_points(4, 0.0, 0.0, 0.0, coarse_resolution=5000)
    assert_bit_identical(
        modis.modis_5km_to_1km(*five), modis.modis_5km_to_1km(*five, num_threads=2)
    )
    with pytest.raises(ValueError, match="num_threads"):
        modis.modis_1km_to_250m(lon, lat, satz, num_threads=0)


def test_stacked_output_for_dask_tasks() -> None:
    lon, lat, satz = CASES_1KM["europe"]
    pair = modis.modis_1km_to_500m(lon, lat, satz)
    stacked = _core.modis_interpolate(lon, lat, satz, 1000, 500, stacked=True)
    assert stacked.shape == (2, *pair[0].shape)
    assert stacked.dtype == np.float32
    assert_bit_identical(pair, (stacked[0], stacked[1]))


def test_which_libm_calls_are_reported() -> None:
    described = {isa: _core.modis_libm(isa) for isa in _core.available_isas()}
    assert described["scalar"] == "glibc scalar libm calls (scalar instruction set)"
    assert _core.modis_libm() == described[_core.available_isas()[-1]]
    vector = {described[isa] for isa in described if isa != "scalar"}
    if os.environ.get("RUST_ARRAYS_LIBMVEC") == "0":
        assert vector <= {"glibc scalar libm calls (RUST_ARRAYS_LIBMVEC=0)"}
    else:
        known = {
            "glibc vector acos/asin/sin/cos (libmvec), checked, scalar where unsure",
            "glibc scalar libm calls (no vector functions found)",
        }
        assert vector <= known
        libc, version = platform.libc_ver()
        glibc_with_libmvec = libc == "glibc" and tuple(map(int, version.split("."))) >= (2, 35)
        if glibc_with_libmvec and platform.machine() == "x86_64":
            assert all("libmvec" in description for description in vector)
    with pytest.raises(ValueError, match="isa"):
        _core.modis_libm("neon")


SCALAR_LIBM_DIGESTS = """
    import hashlib
    import numpy as np
    from rust_arrays import _core
    from rust_arrays.synthetic import modis_tie_points

    print(_core.modis_libm())
    granules = [
        (modis_tie_points(6, -60.0, -0.2, 10.0, nans=40, seed=1), 1000, None),
        (modis_tie_points(30, 179.9, 88.9, 0.0, nans=25, seed=2), 1000, None),
        (modis_tie_points(4, 0.0, 0.0, 0.0, coarse_resolution=5000), 5000, None),
    ]
    for isa in _core.available_isas():
        for inputs, coarse, width in granules:
            for fine in (250, 500) if coarse == 1000 else (1000,):
                lon, lat = _core.modis_interpolate(*inputs, coarse, fine, width, isa=isa)
                print(hashlib.sha256(lon.tobytes() + lat.tobytes()).hexdigest())
                if coarse == 1000:  # simple_modis, float32 and float64
                    for dtype in (np.float32, np.float64):
                        pair = (inputs[0].astype(dtype), inputs[1].astype(dtype))
                        lon, lat = _core.simple_modis_interpolate(*pair, coarse, fine, isa=isa)
                        print(hashlib.sha256(lon.tobytes() + lat.tobytes()).hexdigest())
"""


def test_vector_libm_and_scalar_libm_give_the_same_bits() -> None:
    """Every instruction set with glibc's scalar calls only (``RUST_ARRAYS_LIBMVEC=0``, as on a
    system without libmvec) against the same with the vector calls where available, for modis
    and simple_modis."""
    runs = {}
    for variable in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(SCALAR_LIBM_DIGESTS)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "RUST_ARRAYS_LIBMVEC": variable},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        runs[variable] = done.stdout.splitlines()
    assert runs["0"][0] == "glibc scalar libm calls (RUST_ARRAYS_LIBMVEC=0)"
    assert runs["1"][0] != runs["0"][0]
    assert len(runs["0"]) > 1 + len(_core.available_isas())
    assert runs["0"][1:] == runs["1"][1:]


def test_read_only_and_strided_inputs() -> None:
    lon, lat, satz = CASES_1KM["europe"]
    expected = modis.modis_1km_to_250m(lon, lat, satz)
    frozen = [a.copy() for a in (lon, lat, satz)]
    for array in frozen:
        array.setflags(write=False)
    assert_bit_identical(expected, modis.modis_1km_to_250m(*frozen))
    strided = [np.repeat(a, 2, axis=1)[:, ::2] for a in (lon, lat, satz)]
    assert_bit_identical(expected, modis.modis_1km_to_250m(*strided))
    swapped = [a.astype(">f4") for a in (lon, lat, satz)]
    assert_bit_identical(expected, modis.modis_1km_to_250m(*swapped))


def test_float64_computed_in_float64() -> None:
    lon, lat, satz = CASES_1KM["south-pacific"]
    single = modis.modis_1km_to_250m(lon, lat, satz)
    double = modis.modis_1km_to_250m(*(a.astype(np.float64) for a in (lon, lat, satz)))
    assert double[0].dtype == np.float64
    assert not np.array_equal(double[0], single[0].astype(np.float64))
    np.testing.assert_allclose(double[0], single[0], atol=2e-3)
    np.testing.assert_allclose(double[1], single[1], atol=2e-3)
    # Mixed dtypes compute in float64 as well.
    mixed = modis.modis_1km_to_250m(lon.astype(np.float64), lat, satz)
    np.testing.assert_array_equal(mixed[0], double[0])


def test_outputs_that_cannot_fit_raise_memory_error() -> None:
    # 100000 scans of tie points as zero-stride views (no memory): 161 GiB of output.
    one_row = [a[:1] for a in modis_tie_points(1, 0.0, 0.0, 0.0)]
    huge = [
        np.lib.stride_tricks.as_strided(a, shape=(1_000_000, 1354), strides=(0, 4), writeable=False)
        for a in one_row
    ]
    with pytest.raises(MemoryError, match="lon and lat at the fine resolution would need"):
        modis.modis_1km_to_250m(*huge)


def test_empty_input() -> None:
    empty = np.zeros((0, 1354), np.float32)
    lon, lat = modis.modis_1km_to_250m(empty, empty, empty)
    assert lon.shape == lat.shape == (0, 5416)


@pytest.mark.parametrize(
    ("shape", "match"),
    [((15, 1354), "whole scans"), ((10, 1353), "columns"), ((10,), "2-D")],
)
def test_bad_shapes(shape: tuple[int, ...], match: str) -> None:
    array = np.zeros(shape, np.float32)
    with pytest.raises(ValueError, match=match):
        modis.modis_1km_to_250m(array, array, array)


def test_bad_arguments() -> None:
    lon, lat, satz = CASES_1KM["europe"]
    with pytest.raises(ValueError, match="one shape"):
        modis.modis_1km_to_250m(lon, lat[:10], satz)
    with pytest.raises(ValueError, match="1000 m to 1000 m"):
        modis.interpolate(lon, lat, satz, 1000, 1000)
    small = np.zeros((2, 200), np.float32)
    with pytest.raises(ValueError, match="270 or 271"):
        modis.modis_5km_to_1km(small, small, small)
    with pytest.raises(TypeError, match="real numbers"):
        modis.modis_1km_to_250m(lon.astype(complex), lat, satz)


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ((None, 250), "coarse_resolution"),
        (("1000", 250), "coarse_resolution"),
        ((True, 250), "coarse_resolution"),
        ((1000.0, 250), "coarse_resolution"),
        ((1000, None), "fine_resolution"),
        ((1000, "250"), "fine_resolution"),
        ((1000, np.True_), "fine_resolution"),
        ((5000, 1000, "271"), "coarse_scan_width"),
        ((5000, 1000, 271.0), "coarse_scan_width"),
    ],
)
def test_resolutions_and_width_must_be_ints(arguments: tuple[Any, ...], name: str) -> None:
    lon, lat, satz = CASES_1KM["europe"]
    with pytest.raises(TypeError, match=rf"interpolate\(\): {name} must be an int, not"):
        modis.interpolate(lon, lat, satz, *arguments)


def test_numpy_integer_resolutions_are_accepted() -> None:
    lon, lat, satz = CASES_1KM["europe"]
    expected = modis.interpolate(lon, lat, satz, 1000, 250)
    actual = modis.interpolate(lon, lat, satz, np.int64(1000), np.uint16(250))
    assert_bit_identical(expected, actual)


def test_dask_path_checks_num_threads_while_building_the_graph() -> None:
    da = pytest.importorskip("dask.array")
    lazy = [da.from_array(a, chunks=(20, -1)) for a in CASES_1KM["europe"]]
    with pytest.raises(ValueError, match="num_threads must be between 1 and"):
        modis.modis_1km_to_250m(*lazy, num_threads=0)
    with pytest.raises(TypeError, match="num_threads must be an int or None, not str"):
        modis.modis_1km_to_250m(*lazy, num_threads="2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fine_resolution must be an int"):
        modis.interpolate(*lazy, 1000, None)  # type: ignore[arg-type]
    lon, _ = modis.modis_1km_to_250m(*lazy, num_threads=2)
    assert lon.shape == (240, 5416)


def test_dask_and_xarray_inputs(upstream: ModuleType) -> None:
    da = pytest.importorskip("dask.array")
    xr = pytest.importorskip("xarray")
    lon, lat, satz = CASES_1KM["antimeridian-pole-nans"]
    expected = upstream.modis_1km_to_250m(lon, lat, satz)
    # Chunks that split scans: rechunked to whole scans.
    lazy = [da.from_array(a, chunks=(37, 500)) for a in (lon, lat, satz)]
    result = modis.modis_1km_to_250m(*lazy)
    assert all(isinstance(r, da.Array) for r in result)
    assert result[0].chunks[1] == (5416,)
    assert_bit_identical(expected, tuple(r.compute() for r in result))
    arrays = [xr.DataArray(a, dims=("y", "x")) for a in lazy]
    wrapped = modis.modis_1km_to_250m(*arrays)
    assert all(isinstance(r, xr.DataArray) and r.dims == ("y", "x") for r in wrapped)
    assert_bit_identical(expected, tuple(r.values for r in wrapped))
    eager = modis.modis_1km_to_250m(*(xr.DataArray(a, dims=("y", "x")) for a in (lon, lat, satz)))
    assert_bit_identical(expected, tuple(r.values for r in eager))
    five = modis_tie_points(4, 100.0, 30.0, 0.0, coarse_resolution=5000, coarse_scan_width=270)
    five_expected = upstream.modis_5km_to_1km(*five)
    five_lazy = modis.modis_5km_to_1km(*(da.from_array(a, chunks=(3, 270)) for a in five))
    assert_bit_identical(five_expected, tuple(r.compute() for r in five_lazy))
    with pytest.raises(ValueError, match="whole scans"):
        modis.modis_1km_to_250m(*(a[:15] for a in lazy))


@pytest.mark.parametrize("seed", range(3))
def test_random_tie_points_bit_identical(upstream: ModuleType, seed: int) -> None:
    # Hostile values: uncorrelated points anywhere, zenith angles up to 89 degrees, some equal
    # neighbours (upstream's `theta_a == theta_b` branch), exact zeros and NaNs. Two zero zenith
    # angles side by side make upstream divide 0 by 0 (a NaN with the sign bit set); where that
    # NaN meets a NaN tie point (sign bit clear), which of the two comes out depends on how each
    # compiler ordered the operands of a commutative operation: only NaN-ness is compared there.
    rng = np.random.default_rng(seed)
    shape = (20, 1354)
    lon = rng.uniform(-180, 180, shape).astype(np.float32)
    lat = rng.uniform(-90, 90, shape).astype(np.float32)
    satz = rng.uniform(0, 89, shape).astype(np.float32)
    satz[:, 100:300] = 12.5
    satz[:, 300:310] = 0.0
    lat[3, :50] = 0.0
    lon[4, 50:60] = -0.0
    lat[5, 60:70] = 90.0
    for array in (lon, lat, satz):
        array.reshape(-1)[rng.integers(0, array.size, 10)] = np.nan
    for name in ("modis_1km_to_250m", "modis_1km_to_500m"):
        assert_bit_identical(
            getattr(upstream, name)(lon, lat, satz),
            getattr(modis, name)(lon, lat, satz),
            nan_bits=False,
        )
    five = (lon[:4, :271], lat[:4, :271], satz[:4, :271])
    for name in ("modis_5km_to_1km", "modis_5km_to_250m"):
        assert_bit_identical(
            call_quietly(getattr(upstream, name), *five),
            call_quietly(getattr(modis, name), *five),
            nan_bits=False,
        )


PAIRS = [(1000, 250), (1000, 500), (5000, 1000), (5000, 500), (5000, 250)]


@given(data=st.data())
def test_hypothesis_granules_bit_identical_to_geotiepoints(
    upstream: ModuleType, data: st.DataObject
) -> None:
    # A plausible swath somewhere on Earth, then hostile values anywhere in it, then each input
    # as any view (big-endian, strided, reversed, read-only), with any instruction set: upstream
    # gets contiguous copies.
    coarse, fine = data.draw(st.sampled_from(PAIRS))
    five_km = coarse == 5000
    cols = data.draw(st.sampled_from([271, 270])) if five_km else 1354
    scans = data.draw(st.integers(1, 3 if five_km else 2))
    lon0 = data.draw(st.floats(-180, 180))
    lat0 = data.draw(st.floats(-89.9, 89.9))
    heading = data.draw(st.floats(0, 360))
    inputs = list(
        modis_tie_points(
            scans, lon0, lat0, heading, coarse_resolution=coarse, coarse_scan_width=cols
        )
    )
    values = st.sampled_from(HOSTILE_DEGREES) | st.floats(width=32, allow_nan=False)
    for _ in range(data.draw(st.integers(0, 12))):
        array = inputs[data.draw(st.integers(0, 2))]
        row = data.draw(st.integers(0, array.shape[0] - 1))
        col = data.draw(st.integers(0, cols - 1))
        array[row, col] = np.float32(data.draw(values))
    views = [data.draw(views_of(array)) for array in inputs]
    width = cols if five_km else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = upstream.interpolate(*inputs, **golden.keywords((coarse, fine), width))
    isa = data.draw(st.sampled_from(_core.available_isas()))
    if isa == _core.available_isas()[-1]:
        actual = modis.interpolate(*views, coarse, fine, width)  # the public path, best ISA
    else:
        native = modis._inputs(*views)  # what interpolate() hands to _core
        actual = _core.modis_interpolate(*native, coarse, fine, width, isa=isa)
    # NaN-ness only for NaNs: hostile values include zero zenith pairs and NaNs of both signs
    # (see test_random_tie_points_bit_identical); every other value must have the same bits.
    assert_bit_identical(expected, actual, nan_bits=False)


def test_random_tie_points_without_zero_zenith_pairs_keep_nan_bits(upstream: ModuleType) -> None:
    rng = np.random.default_rng(7)
    shape = (30, 1354)
    lon = rng.uniform(-180, 180, shape).astype(np.float32)
    lat = rng.uniform(-90, 90, shape).astype(np.float32)
    satz = rng.uniform(0.5, 89, shape).astype(np.float32)
    for array in (lon, lat, satz):
        array.reshape(-1)[rng.integers(0, array.size, 30)] = np.nan
    expected = upstream.modis_1km_to_250m(lon, lat, satz)
    assert_bit_identical(expected, modis.modis_1km_to_250m(lon, lat, satz))
