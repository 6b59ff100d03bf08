"""rust_arrays.gradient against pyresample.gradient 1.35.0, bit for bit, and where it differs on
purpose (errors instead of garbage, inputs left alone)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rust_arrays import gradient
from strategies import views_of

Array = np.ndarray[Any, Any]

pyresample_gradient = pytest.importorskip("pyresample.gradient")
# pyresample's slicer calls its own deprecated argument (upstream's lazy resampler only: ours
# silences it).
pytestmark = pytest.mark.filterwarnings(
    "ignore:The `frequency` argument is pending deprecation:PendingDeprecationWarning"
)
cython = pytest.importorskip("pyresample.gradient._gradient_search")


def differing(expected: Array, actual: Array) -> int:
    """How many values differ in their bits (a NaN only has to be a NaN)."""
    assert expected.shape == actual.shape, (expected.shape, actual.shape)
    assert expected.dtype == actual.dtype, (expected.dtype, actual.dtype)
    unsigned = np.dtype(f"u{expected.dtype.itemsize}")
    same = np.ascontiguousarray(expected).view(unsigned) == np.ascontiguousarray(actual).view(
        unsigned
    )
    same |= np.isnan(expected) & np.isnan(actual)
    return int(np.count_nonzero(~same))


def assert_same_bits(expected: Array, actual: Array) -> None:
    count = differing(np.asarray(expected), np.asarray(actual))
    assert count == 0, f"{count} of {np.size(expected)} values differ in their bits"


def quietly(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Upstream's result without NumPy's floating-point warnings (NaN and inf in its
    whole-array arithmetic)."""
    with np.errstate(all="ignore"):
        return function(*args, **kwargs)


def upstream_copies(*arrays: Array) -> list[Array]:
    """Writable C-contiguous copies: what upstream's kernels accept (and may overwrite)."""
    return [np.array(a, copy=True, order="C") for a in arrays]


# --- The Cython kernels ---------------------------------------------------------------------

HOSTILE = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, -1e300, 3e9, -3e9, 0.5, -0.5]


@st.composite
def search_inputs(draw: st.DrawFn) -> dict[str, Array]:
    """A source grid (a distorted linear grid, some values hostile) and targets in and around
    it (some hostile)."""
    lines = draw(st.integers(0, 9))
    pixels = draw(st.integers(0, 9))
    rows = draw(st.integers(0, 7))
    cols = draw(st.integers(0, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1.0, 1e-3, 1e5]))
    angle = draw(st.floats(-np.pi, np.pi))
    px, ln = np.meshgrid(np.arange(pixels, dtype=float), np.arange(lines, dtype=float))
    noise = draw(st.sampled_from([0.0, 0.05, 0.4]))
    x = (np.cos(angle) * px - np.sin(angle) * ln + noise * rng.standard_normal(px.shape)) * scale
    y = (np.sin(angle) * px + np.cos(angle) * ln + noise * rng.standard_normal(px.shape)) * scale
    arrays = {"src_x": x, "src_y": y}
    if lines >= 2 and pixels >= 2:
        arrays["xl"], arrays["xp"] = np.gradient(x, axis=[0, 1])
        arrays["yl"], arrays["yp"] = np.gradient(y, axis=[0, 1])
    else:
        for name in ("xl", "xp", "yl", "yp"):
            arrays[name] = rng.standard_normal((lines, pixels))
    span = max(lines, pixels, 1) * scale
    arrays["dst_x"] = rng.uniform(-0.3 * span, 1.3 * span, (rows, cols))
    arrays["dst_y"] = rng.uniform(-0.3 * span, 1.3 * span, (rows, cols))
    for values in arrays.values():
        if values.size and draw(st.booleans()):
            flat = values.reshape(-1)
            count = draw(st.integers(1, max(1, flat.size // 3)))
            where = rng.integers(0, flat.size, count)
            flat[where] = rng.choice(HOSTILE, count)
    return arrays


def run_cython_search(arrays: dict[str, Array], data: Array | None, method: str) -> Array:
    names = ("src_x", "src_y", "xl", "xp", "yl", "yp", "dst_x", "dst_y")
    copies = upstream_copies(*(arrays[name] for name in names))
    if data is None:
        return cython.one_step_gradient_indices(*copies)
    return cython.one_step_gradient_search(data, *copies, method=method)


@given(search_inputs(), st.sampled_from([np.float32, np.float64]), st.integers(0, 3))
def test_one_step_search_bit_identical_to_cython(
    arrays: dict[str, Array], dtype: Any, channels: int
) -> None:
    lines, pixels = arrays["src_x"].shape
    data = np.random.default_rng(channels).standard_normal((channels, lines, pixels)) * 100
    data = data.astype(dtype)
    if data.size:
        data.reshape(-1)[:: max(1, data.size // 3)] = np.nan
    for method, ours in (("bilinear", "bilinear"), ("nn", "nearest")):
        expected = run_cython_search(arrays, data, method)
        for threads in (1, 2):
            actual = gradient.one_step_gradient_search(
                data, **arrays, method=ours, num_threads=threads
            )
            assert_same_bits(expected, actual)


@given(search_inputs())
def test_one_step_indices_bit_identical_to_cython(arrays: dict[str, Array]) -> None:
    expected = run_cython_search(arrays, None, "")
    assert_same_bits(expected, gradient.one_step_gradient_indices(**arrays))


def test_cython_tests_cases() -> None:
    # pyresample's TestGradientCython: a unit grid and targets inside, past the bottom right and
    # past the top left.
    src_x, src_y = np.meshgrid(range(10), range(10))
    xl, xp = np.gradient(src_x)
    yl, yp = np.gradient(src_y)
    dst_x = np.array([[1.5, 1.99999, 2.7], [1.6, 2.0, 2.8], [1.7, 2.3, 2.9]]) + 5
    dst_y = np.array([[1.1, 1.3, 1.5], [2.1, 2.3, 2.5], [2.8, 2.9, 3.0]]) + 5
    for shift in (0, 2, -7):
        arrays = dict(
            src_x=src_x.astype(float),
            src_y=src_y.astype(float),
            xl=xl,
            xp=xp,
            yl=yl,
            yp=yp,
            dst_x=dst_x + shift,
            dst_y=dst_y + shift,
        )
        assert_same_bits(
            run_cython_search(arrays, None, ""), gradient.one_step_gradient_indices(**arrays)
        )


# --- The NumPy block interpolators ----------------------------------------------------------

INDEX_HOSTILE = [np.nan, np.inf, -np.inf, -0.0, 0.5, 1.5, 2.5, -0.5, 1e300, -1e300, 7.999999]


@st.composite
def block_inputs(draw: st.DrawFn) -> dict[str, Any]:
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    lines = draw(st.integers(1, 8))
    pixels = draw(st.integers(1, 8))
    leading = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = (rng.standard_normal((*leading, lines, pixels)) * 1000).astype(dtype)
    if draw(st.booleans()):
        data.reshape(-1)[rng.integers(0, data.size, 3)] = rng.choice([np.nan, np.inf, -np.inf], 3)
    rows, cols = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    start = (draw(st.integers(0, 5)), draw(st.integers(0, 5)))
    indices = np.stack(
        [
            rng.uniform(-1.5, pixels + 0.5, (rows, cols)) + start[0],
            rng.uniform(-1.5, lines + 0.5, (rows, cols)) + start[1],
        ]
    )
    if indices.size and draw(st.booleans()):
        flat = indices.reshape(-1)
        where = rng.integers(0, flat.size, max(1, flat.size // 3))
        flat[where] = rng.choice(INDEX_HOSTILE, where.size)
    if draw(st.booleans()):
        indices = np.round(indices * 2) / 2  # ties for np.rint
    block_info = None
    if draw(st.booleans()):
        block_info = {
            0: {
                "array-location": (
                    slice(start[1], start[1] + lines),
                    slice(start[0], start[0] + pixels),
                )
            }
        }
    fill = draw(st.sampled_from([np.nan, 2.0, -7, 0.1, np.float64(1.25), np.float32(-3.5), 1e40]))
    return dict(data=data, indices_xy=indices, fill_value=fill, block_info=block_info)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")  # fill 1e40
@given(block_inputs(), st.sampled_from(["block_bilinear_interpolator", "block_nn_interpolator"]))
def test_block_interpolators_bit_identical_to_numpy(inputs: dict[str, Any], name: str) -> None:
    expected = quietly(
        getattr(pyresample_gradient, name),
        inputs["data"].copy(),
        inputs["indices_xy"].copy(),
        fill_value=inputs["fill_value"],
        block_info=inputs["block_info"],
    )
    indices_before = inputs["indices_xy"].copy()
    for threads in (1, 2):
        actual = getattr(gradient, name)(**inputs, num_threads=threads)
        assert_same_bits(expected, actual)
    # Upstream overwrites NaN indices with 0 in the caller's array without block_info.
    assert differing(indices_before, inputs["indices_xy"]) == 0


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")  # fill 1e40
@given(block_inputs(), st.data())
def test_block_interpolators_accept_any_layout(inputs: dict[str, Any], data: st.DataObject) -> None:
    expected = gradient.block_bilinear_interpolator(**inputs)
    views = dict(
        inputs,
        data=data.draw(views_of(inputs["data"])),
        indices_xy=data.draw(views_of(inputs["indices_xy"])),
    )
    assert_same_bits(expected, gradient.block_bilinear_interpolator(**views))


def test_block_interpolators_on_float32_and_int_indices_follow_numpy() -> None:
    data = np.arange(20.0).reshape(4, 5)
    info = {0: {"array-location": (slice(1, 5), slice(2, 7))}}
    for indices in (
        np.array([[[2.5, 3.25]], [[1.75, 4.5]]], np.float32),
        np.array([[[2, 6]], [[1, 4]]]),
    ):
        for name in ("block_bilinear_interpolator", "block_nn_interpolator"):
            for block_info in (None, info):
                expected = getattr(pyresample_gradient, name)(
                    data, indices.copy(), block_info=block_info
                )
                actual = getattr(gradient, name)(data, indices, block_info=block_info)
                assert_same_bits(expected, actual)


# --- Geometries: the functions on pyresample's areas and swaths ------------------------------


def cases() -> dict[str, tuple[Any, Any]]:
    from pyresample.geometry import AreaDefinition

    from rust_arrays._synthetic_geometries import (
        geostationary_disk,
        polar_stereographic_area,
        polar_swath,
    )

    euro40 = AreaDefinition(
        "euro40",
        "euro40",
        None,
        {"proj": "stere", "lon_0": 14.0, "lat_0": 90.0, "lat_ts": 60.0, "ellps": "bessel"},
        102,
        102,
        (-2717181.7304994687, -5571048.14031214, 1378818.2695005313, -1475048.1403121399),
    )
    return {
        "swath-to-area": (polar_swath(120, 100), polar_stereographic_area(90, 110)),
        "small-swath-onto-hemisphere": (
            polar_swath(40, 30, half_width_m=300_000, lat_0=60, lon_0=10),
            polar_stereographic_area(150, 150, half_width_m=9_000_000),
        ),
        "polar-antimeridian": (
            polar_swath(100, 100, lat_0=88, lon_0=180, tilt=70),
            polar_stereographic_area(80, 80, half_width_m=800_000, lon_0=180),
        ),
        "geostationary-to-stereographic": (
            geostationary_disk(150, 150),
            polar_stereographic_area(100, 100, half_width_m=6_000_000),
        ),
        "geostationary-to-euro40": (geostationary_disk(100, 100), euro40),
        "area-to-swath": (
            polar_stereographic_area(120, 120, half_width_m=2_500_000),
            polar_swath(60, 80),
        ),
        "area-to-area-same-projection": (
            polar_stereographic_area(100, 100, half_width_m=1_200_000),
            polar_stereographic_area(70, 90, half_width_m=900_000, name="smaller"),
        ),
    }


CASES = cases()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_resampler_bit_identical(case: str, dtype: Any) -> None:
    source, target = CASES[case]
    data = np.random.default_rng(0).standard_normal((2, *source.shape)).astype(dtype) * 50
    for method, ours in (("bilinear", "bilinear"), ("nn", "nn")):
        expected = pyresample_gradient.gradient_resampler(data, source, target, method=method)
        actual = gradient.gradient_resampler(data, source, target, method=ours)
        assert_same_bits(expected, actual)
        assert_same_bits(expected[1], gradient.gradient_resampler(data[1], source, target, ours))
    found = ~np.isnan(actual)
    assert found.any()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_gradient_resampler_indices_bit_identical(case: str) -> None:
    source, target = CASES[case]
    expected = pyresample_gradient.gradient_resampler_indices(source, target)
    assert_same_bits(expected, gradient.gradient_resampler_indices(source, target))
    info = {0: {"array-location": (slice(7, None), slice(3, None))}}
    expected = pyresample_gradient.gradient_resampler_indices(source, target, info)
    assert_same_bits(expected, gradient.gradient_resampler_indices(source, target, info))


@pytest.fixture
def chunk_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """pyresample's CHUNK_SIZE (PYTROLL_CHUNK_SIZE at its import), set for both resamplers."""
    monkeypatch.setattr(pyresample_gradient, "CHUNK_SIZE", request.param)
    return int(request.param)


def lazy(case: str, chunks: int) -> tuple[Any, Any]:
    """The case with a dask-backed swath source, as upstream's lazy resampler needs."""
    from pyresample.geometry import SwathDefinition

    source, target = CASES[case]
    if isinstance(source, SwathDefinition):
        import dask.array as da
        import xarray as xr

        source = SwathDefinition(
            *(
                xr.DataArray(da.from_array(np.asarray(v), chunks=chunks), dims=("y", "x"))
                for v in (source.lons, source.lats)
            )
        )
    return source, target


def lazy_data(shape: tuple[int, ...], dtype: Any, chunks: int) -> Any:
    import dask.array as da
    import xarray as xr

    values = (np.random.default_rng(1).standard_normal(shape) * 10).astype(dtype)
    dims = ("bands", "y", "x")[-len(shape) :]
    return xr.DataArray(da.from_array(values, chunks=chunks), dims=dims, attrs={"name": "x"})


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("chunk_size", [40, 4096], indirect=True)
def test_lazy_resampler_bit_identical(case: str, chunk_size: int) -> None:
    source, target = lazy(case, chunk_size)
    for shape, dtype, method in (
        (source.shape, np.float64, "bilinear"),
        ((3, *source.shape), np.float32, "nn"),
    ):
        data = lazy_data(shape, dtype, chunk_size)
        expected = pyresample_gradient.create_gradient_search_resampler(source, target)
        expected.precompute()
        want = expected.compute(data, method=method).compute(scheduler="synchronous")
        ours = gradient.create_gradient_search_resampler(source, target)
        ours.precompute()
        result = ours.compute(data, method=method)
        got = result.compute(scheduler="threads")
        assert_same_bits(want.values, got.values)
        assert got.dims == want.dims
        assert got.attrs["area"] is target
        assert got.attrs["name"] == "x"
        for dim in want.coords:
            np.testing.assert_array_equal(got.coords[dim], want.coords[dim])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("chunk_size", [30], indirect=True)
def test_lazy_resample_and_fill_value_bit_identical(chunk_size: int) -> None:
    source, target = lazy("swath-to-area", chunk_size)
    data = lazy_data(source.shape, np.float32, chunk_size)
    want = pyresample_gradient.create_gradient_search_resampler(source, target)
    ours = gradient.create_gradient_search_resampler(source, target)
    assert_same_bits(want.resample(data).values, ours.resample(data).values)
    assert_same_bits(
        want.resample(data, fill_value=-1.0).values, ours.resample(data, fill_value=-1.0).values
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("chunk_size", [50], indirect=True)
def test_numpy_backed_swath_works(chunk_size: int) -> None:
    source, target = CASES["swath-to-area"]
    data = lazy_data(source.shape, np.float64, chunk_size)
    with pytest.raises(AttributeError):
        pyresample_gradient.create_gradient_search_resampler(source, target)
    expected = pyresample_gradient.create_gradient_search_resampler(
        *lazy("swath-to-area", chunk_size)
    ).resample(data)
    actual = gradient.create_gradient_search_resampler(source, target).resample(data)
    assert_same_bits(expected.values, actual.values)
    assert isinstance(source.lons, np.ndarray)  # the caller's swath is left alone


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("chunk_size", [40], indirect=True)
def test_lazy_resampler_on_a_local_cluster_of_worker_processes(chunk_size: int) -> None:
    distributed = pytest.importorskip("distributed")
    source, target = lazy("swath-to-area", chunk_size)
    data = lazy_data((2, *source.shape), np.float64, chunk_size)
    upstream = pyresample_gradient.create_gradient_search_resampler(source, target)
    expected = upstream.resample(data).compute(scheduler="synchronous")
    lazy_result = gradient.create_gradient_search_resampler(source, target).resample(data)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = client.compute(lazy_result).result()
    assert_same_bits(expected.values, result.values)


# --- Where we differ on purpose -------------------------------------------------------------


def search_arguments() -> dict[str, Array]:
    grid = np.zeros((4, 5))
    return dict(
        src_x=grid,
        src_y=grid,
        xl=grid,
        xp=grid,
        yl=grid,
        yp=grid,
        dst_x=np.zeros((2, 3)),
        dst_y=np.zeros((2, 3)),
    )


@pytest.mark.parametrize("name", ["src_y", "xl", "xp", "yl", "yp", "dst_y"])
def test_mismatched_shapes_raise_value_error_naming_the_argument(name: str) -> None:
    arguments = search_arguments()
    arguments[name] = np.zeros((3, 3))
    for call in (
        lambda: gradient.one_step_gradient_indices(**arguments),
        lambda: gradient.one_step_gradient_search(np.zeros((1, 4, 5)), **arguments),
    ):
        with pytest.raises(ValueError, match=name):
            call()


def test_bad_data_raises() -> None:
    arguments = search_arguments()
    with pytest.raises(ValueError, match="data's lines and pixels"):
        gradient.one_step_gradient_search(np.zeros((1, 5, 4)), **arguments)
    with pytest.raises(ValueError, match="3-D"):
        gradient.one_step_gradient_search(np.zeros((4, 5)), **arguments)
    for dtype in (np.int32, np.uint8, np.complex128, np.float16, bool):
        with pytest.raises(TypeError, match="data must be float32 or float64"):
            gradient.one_step_gradient_search(np.zeros((1, 4, 5), dtype), **arguments)
        with pytest.raises(TypeError, match="data must be float32 or float64"):
            gradient.block_bilinear_interpolator(np.zeros((4, 5), dtype), np.zeros((2, 1, 1)))
    with pytest.raises(TypeError, match="src_x must hold real numbers"):
        gradient.one_step_gradient_indices(**dict(arguments, src_x=np.zeros((4, 5), complex)))
    with pytest.raises(ValueError, match="dst_x must be 2-D"):
        gradient.one_step_gradient_indices(**dict(arguments, dst_x=np.zeros(3)))


@pytest.mark.parametrize("method", ["linear", "nearest neighbour", "", None, 1])
def test_unknown_method_raises_value_error(method: Any) -> None:
    # Upstream's kernel silently does nearest neighbour for any method but 'bilinear'.
    with pytest.raises(ValueError, match="method must be one of"):
        gradient.one_step_gradient_search(np.zeros((1, 4, 5)), **search_arguments(), method=method)


def test_bad_block_arguments_raise() -> None:
    data = np.zeros((4, 5))
    for indices in (np.zeros((3, 2, 2)), np.zeros((2, 2)), np.zeros((2, 1, 2, 2))):
        with pytest.raises(ValueError, match="indices_xy must have shape"):
            gradient.block_bilinear_interpolator(data, indices)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        gradient.block_nn_interpolator(np.zeros(5), np.zeros((2, 1, 1)))
    info = {0: {"array-location": (slice(0, 3), slice(0, 5)), "shape": (10, 10)}}
    with pytest.raises(ValueError, match="not the shape of the source block"):
        gradient.block_bilinear_interpolator(data, np.zeros((2, 1, 1)), block_info=info)
    with pytest.raises(ValueError, match="no source pixels"):
        gradient.block_bilinear_interpolator(np.zeros((0, 5)), np.zeros((2, 1, 1)))
    for fill in (None, "nan", True, [1.0]):
        with pytest.raises(TypeError, match="fill_value must be a real number"):
            gradient.block_nn_interpolator(data, np.zeros((2, 1, 1)), fill_value=fill)


def test_read_only_non_contiguous_and_big_endian_inputs() -> None:
    rng = np.random.default_rng(3)
    src_x, src_y = np.meshgrid(np.arange(8.0), np.arange(6.0))
    arrays = dict(src_x=src_x, src_y=src_y, dst_x=rng.uniform(0, 7, (5, 4)))
    arrays["dst_y"] = rng.uniform(0, 5, (5, 4))
    arrays["xl"], arrays["xp"] = np.gradient(src_x)
    arrays["yl"], arrays["yp"] = np.gradient(src_y)
    data = rng.standard_normal((2, 6, 8))
    expected = run_cython_search(arrays, data, "bilinear")
    odd = {}
    for name, values in arrays.items():
        wide = np.zeros((values.shape[0], values.shape[1] * 2), ">f8")
        wide[:, ::2] = values
        odd[name] = wide[:, ::2]
        odd[name].flags.writeable = False
    odd_data = data.astype(">f8")[:, ::-1][:, ::-1]
    odd_data.flags.writeable = False
    assert_same_bits(expected, gradient.one_step_gradient_search(odd_data, **odd))
    with pytest.raises(ValueError, match="read-only"):
        cython.one_step_gradient_search(data, *(odd[n] for n in arrays))


def test_empty_inputs() -> None:
    arrays = search_arguments()
    arrays["dst_x"] = arrays["dst_y"] = np.zeros((0, 3))
    assert gradient.one_step_gradient_indices(**arrays).shape == (2, 0, 3)
    assert gradient.one_step_gradient_search(np.zeros((2, 4, 5)), **arrays).shape == (2, 0, 3)
    empty_source = {name: np.zeros((0, 0)) for name in ("src_x", "src_y", "xl", "xp", "yl", "yp")}
    result = gradient.one_step_gradient_indices(
        **empty_source, dst_x=np.zeros((2, 2)), dst_y=np.zeros((2, 2))
    )
    assert np.isnan(result).all()
    assert gradient.block_bilinear_interpolator(np.zeros((3, 0, 0)), np.zeros((2, 0, 4))).shape == (
        3,
        0,
        4,
    )


def test_outputs_that_cannot_fit_raise_memory_error() -> None:
    # A million channels on a million target pixels: 8 TB of float64 output.
    channels = np.zeros((10**6, 2, 2))
    indices = np.zeros((2, 1000, 1000))
    with pytest.raises(MemoryError, match="the output would need"):
        gradient.block_bilinear_interpolator(channels, indices)
    grid = dict.fromkeys(("src_x", "src_y", "xl", "xp", "yl", "yp"), np.zeros((2, 2)))
    with pytest.raises(MemoryError, match="the output would need"):
        gradient.one_step_gradient_search(channels, **grid, dst_x=indices[0], dst_y=indices[1])


def test_kernels_import_without_pyresample() -> None:
    script = textwrap.dedent(
        """
        import sys, numpy as np
        for name in ("pyresample", "pyproj", "dask", "xarray"):
            sys.modules[name] = None  # importing it now fails
        from rust_arrays import gradient
        grid = np.meshgrid(np.arange(5.0), np.arange(4.0))
        slopes = [*np.gradient(grid[0]), *np.gradient(grid[1])]
        indices = gradient.one_step_gradient_indices(*grid, *slopes, *grid)
        print(gradient.block_bilinear_interpolator(grid[0], indices).sum())
        try:
            gradient.gradient_resampler(grid[0], None, None)
        except ImportError as err:
            print("ImportError", "rust_arrays[pyresample]" in str(err))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["40.0", "ImportError", "True"]


def test_signatures_match_upstream() -> None:
    import inspect

    for name in (
        "one_step_gradient_search",
        "one_step_gradient_indices",
        "block_bilinear_interpolator",
        "block_nn_interpolator",
        "gradient_resampler",
        "gradient_resampler_indices",
        "gradient_resampler_indices_block",
        "create_gradient_search_resampler",
    ):
        ours = inspect.signature(getattr(gradient, name)).parameters
        theirs = getattr(pyresample_gradient, name)
        try:
            theirs_parameters = inspect.signature(theirs).parameters
        except ValueError:  # a Cython function without a signature
            continue
        positional = [
            p for p in ours.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        assert [p.name for p in positional] == [
            p.name
            for p in theirs_parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ], name
    assert "block_info" in inspect.signature(gradient.block_bilinear_interpolator).parameters


@pytest.mark.slow
def test_pyresample_own_tests_pass_with_our_kernels(tmp_path: Any) -> None:
    # pyresample's test_gradient.py and test_resample_blocks.py (installed with it), with its
    # four kernels replaced by ours (tests/upstream/pyresample_with_rust_arrays.py), run outside
    # this project's pytest settings (its own tests warn).
    plugin_folder = os.path.join(os.path.dirname(__file__), "upstream")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull]
    command += ["-p", "pyresample_with_rust_arrays", "--pyargs"]
    command += ["pyresample.test.test_gradient", "pyresample.test.test_resample_blocks"]
    environment = dict(os.environ, PYTHONPATH=plugin_folder)
    done = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True)
    summary = done.stdout.strip().splitlines()[-2:]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert summary[0].startswith("rust_arrays kernels called:"), summary
    print("\n".join(summary))
