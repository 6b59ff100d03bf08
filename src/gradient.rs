//! The kernels behind `rust_arrays.gradient`: the gradient search (values or indices) and the
//! block interpolators. `rust_arrays.gradient` checks and converts the arguments and names them
//! in its errors; the checks here guard the kernels against anything that gets past it.

use numpy::ndarray::ArrayView2;
use numpy::{Element, PyArray3, PyArrayMethods, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use rust_arrays_core::gradient::block_interpolation::{block_interpolate, BlockIndices};
use rust_arrays_core::gradient::search::{
    indices_into, search_into, DerivedGradients, GivenGradients, Targets,
};
use rust_arrays_core::gradient::{GeoFloat, Method, ShapeError};

use crate::parallel::{run, thread_count};

/// float32 or float64 data, 3-D (channels, lines, pixels).
#[derive(FromPyObject)]
pub enum Data<'py> {
    F64(PyReadonlyArray3<'py, f64>),
    F32(PyReadonlyArray3<'py, f32>),
}

type Coordinates<'py> = PyReadonlyArray2<'py, f64>;

/// The four gradient arrays `(xl, xp, yl, yp)`, or None for `np.gradient` of the coordinates.
type Gradients<'py> = Option<(
    Coordinates<'py>,
    Coordinates<'py>,
    Coordinates<'py>,
    Coordinates<'py>,
)>;

/// The source grid: with the caller's gradients, or with `np.gradient`'s derived on the fly.
enum Grid<'a> {
    Given(GivenGradients<'a>),
    Derived(DerivedGradients<'a>),
}

impl<'a> Grid<'a> {
    fn new(
        x: ArrayView2<'a, f64>,
        y: ArrayView2<'a, f64>,
        gradients: Option<[ArrayView2<'a, f64>; 4]>,
    ) -> Result<Self, ShapeError> {
        Ok(match gradients {
            Some(gradients) => Grid::Given(GivenGradients::new(x, y, gradients)?),
            None => Grid::Derived(DerivedGradients::new(x, y)?),
        })
    }
}

/// `$body` with `$g` bound to the grid's concrete type (each arm is compiled for its own type,
/// so the search's inner loop has no dispatch).
macro_rules! on_grid {
    ($grid:expr, $g:ident => $body:expr) => {
        match $grid {
            Grid::Given($g) => $body,
            Grid::Derived($g) => $body,
        }
    };
}

fn parse_method(function: &str, method: &str) -> PyResult<Method> {
    match method {
        "bilinear" => Ok(Method::Bilinear),
        "nearest" => Ok(Method::Nearest),
        _ => Err(PyValueError::new_err(format!(
            "{function}(): method must be 'bilinear' or 'nearest', got {method:?}"
        ))),
    }
}

fn shape_error(function: &'static str) -> impl Fn(ShapeError) -> PyErr {
    move |err| PyValueError::new_err(format!("{function}(): {err}"))
}

/// MemoryError before allocating an output of `dim` elements of `T` that cannot fit.
fn ensure_output_fits<T>(function: &str, dim: (usize, usize, usize)) -> PyResult<()> {
    let bytes = dim.0 as u128 * dim.1 as u128 * dim.2 as u128 * size_of::<T>() as u128;
    crate::memory::ensure_fits(bytes, &format!("{function}(): the output"))
}

fn views<'a, 'py>(gradients: &'a Gradients<'py>) -> Option<[ArrayView2<'a, f64>; 4]> {
    gradients
        .as_ref()
        .map(|(xl, xp, yl, yp)| [xl.as_array(), xp.as_array(), yl.as_array(), yp.as_array()])
}

#[allow(clippy::too_many_arguments)]
fn search_typed<'py, T: GeoFloat + Element>(
    py: Python<'py>,
    data: PyReadonlyArray3<'py, T>,
    src: (Coordinates<'py>, Coordinates<'py>),
    dst: (Coordinates<'py>, Coordinates<'py>),
    gradients: Gradients<'py>,
    method: Method,
    threads: usize,
) -> PyResult<Bound<'py, PyAny>> {
    const NAME: &str = "gradient_search";
    let error = shape_error(NAME);
    let grid = Grid::new(src.0.as_array(), src.1.as_array(), views(&gradients)).map_err(&error)?;
    let targets = Targets::new(dst.0.as_array(), dst.1.as_array()).map_err(&error)?;
    let data = data.as_array();
    let (rows, cols) = targets.dim();
    let dim = (data.dim().0, rows, cols);
    ensure_output_fits::<T>(NAME, dim)?;
    let out = PyArray3::<T>::zeros(py, dim, false);
    {
        let mut out_rw = out.readwrite();
        let out_view = out_rw.as_array_mut();
        let work = (rows * cols) as u128 * 16;
        let outcome = run(
            py,
            threads,
            work,
            |stop| on_grid!(&grid, g => search_into(g, data, targets, method, out_view, stop)),
        )?;
        outcome.map_err(&error)?;
    }
    Ok(out.into_any())
}

/// Gradient search of `data` (channels, lines, pixels; float32 or float64) at the target
/// coordinates ``dst_x``, ``dst_y``, given the source coordinates ``src_x``, ``src_y`` in the
/// same projection (all float64, 2-D): pyresample's ``one_step_gradient_search`` bit for bit.
/// ``gradients``: ``(xl, xp, yl, yp)``, or None for ``np.gradient`` of the source coordinates.
/// Returns (channels, target rows, target columns) in data's dtype, NaN where nothing is found.
/// Low level: use :mod:`rust_arrays.gradient`.
#[pyfunction]
#[pyo3(signature = (data, src_x, src_y, dst_x, dst_y, method, gradients=None, /, *, num_threads=None))]
#[allow(clippy::too_many_arguments)]
pub fn gradient_search<'py>(
    py: Python<'py>,
    data: Data<'py>,
    src_x: Coordinates<'py>,
    src_y: Coordinates<'py>,
    dst_x: Coordinates<'py>,
    dst_y: Coordinates<'py>,
    method: &str,
    gradients: Gradients<'py>,
    num_threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let threads = thread_count("gradient_search", num_threads)?;
    let method = parse_method("gradient_search", method)?;
    let (src, dst) = ((src_x, src_y), (dst_x, dst_y));
    match data {
        Data::F64(data) => search_typed(py, data, src, dst, gradients, method, threads),
        Data::F32(data) => search_typed(py, data, src, dst, gradients, method, threads),
    }
}

/// The fractional source indices ``(x, y)`` of every target pixel, as a (2, rows, columns)
/// float64 array, NaN where nothing is found: pyresample's ``one_step_gradient_indices`` bit for
/// bit. ``gradients`` as for :func:`gradient_search`; ``offset``: ``(x0, y0)`` added to found
/// indices (what ``gradient_resampler_indices`` does for a block). Low level: use
/// :mod:`rust_arrays.gradient`.
#[pyfunction]
#[pyo3(signature = (src_x, src_y, dst_x, dst_y, gradients=None, offset=None, /, *, num_threads=None))]
#[allow(clippy::too_many_arguments)]
pub fn gradient_indices<'py>(
    py: Python<'py>,
    src_x: Coordinates<'py>,
    src_y: Coordinates<'py>,
    dst_x: Coordinates<'py>,
    dst_y: Coordinates<'py>,
    gradients: Gradients<'py>,
    offset: Option<(f64, f64)>,
    num_threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArray3<f64>>> {
    const NAME: &str = "gradient_indices";
    // Checked, but one search is serial: more threads would only wait.
    thread_count(NAME, num_threads)?;
    let error = shape_error(NAME);
    let grid = Grid::new(src_x.as_array(), src_y.as_array(), views(&gradients)).map_err(&error)?;
    let targets = Targets::new(dst_x.as_array(), dst_y.as_array()).map_err(&error)?;
    let (rows, cols) = targets.dim();
    ensure_output_fits::<f64>(NAME, (2, rows, cols))?;
    let out = PyArray3::<f64>::zeros(py, (2, rows, cols), false);
    {
        let mut out_rw = out.readwrite();
        let out_slice = out_rw.as_slice_mut()?;
        let work = (rows * cols) as u128 * 16;
        let outcome = run(
            py,
            1,
            work,
            |stop| on_grid!(&grid, g => indices_into(g, targets, offset, out_slice, stop)),
        )?;
        outcome.map_err(&error)?;
    }
    Ok(out)
}

fn interpolate_typed<'py, T: GeoFloat + Element>(
    py: Python<'py>,
    data: PyReadonlyArray3<'py, T>,
    indices: (Coordinates<'py>, Coordinates<'py>),
    start: Option<(f64, f64)>,
    fill: f64,
    method: Method,
    threads: usize,
) -> PyResult<Bound<'py, PyAny>> {
    const NAME: &str = "block_interpolate";
    let error = shape_error(NAME);
    let indices =
        BlockIndices::new(indices.0.as_array(), indices.1.as_array(), start).map_err(&error)?;
    let data = data.as_array();
    let (rows, cols) = indices.x.dim();
    let dim = (data.dim().0, rows, cols);
    ensure_output_fits::<T>(NAME, dim)?;
    let out = PyArray3::<T>::zeros(py, dim, false);
    {
        let mut out_rw = out.readwrite();
        let out_view = out_rw.as_array_mut();
        let work = dim.0 as u128 * (rows * cols) as u128 * 4;
        let fill = T::narrow(fill);
        let outcome = run(py, threads, work, |stop| {
            block_interpolate(data, indices, fill, method, out_view, stop)
        })?;
        outcome.map_err(&error)?;
    }
    Ok(out.into_any())
}

/// pyresample's ``block_bilinear_interpolator`` / ``block_nn_interpolator`` arithmetic:
/// ``data`` (channels, lines, pixels; float32 or float64) at the float64 indices
/// ``indices_x``, ``indices_y`` (rows, columns) minus ``start`` ``(x0, y0)`` if given, ``fill``
/// (rounded to data's dtype) where the y index is NaN. Returns (channels, rows,
/// columns) in data's dtype. Low level: use :mod:`rust_arrays.gradient`.
#[pyfunction]
#[pyo3(signature = (data, indices_x, indices_y, start, fill, method, /, *, num_threads=None))]
#[allow(clippy::too_many_arguments)]
pub fn block_interpolation<'py>(
    py: Python<'py>,
    data: Data<'py>,
    indices_x: Coordinates<'py>,
    indices_y: Coordinates<'py>,
    start: Option<(f64, f64)>,
    fill: f64,
    method: &str,
    num_threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let threads = thread_count("block_interpolation", num_threads)?;
    let method = parse_method("block_interpolation", method)?;
    let indices = (indices_x, indices_y);
    match data {
        Data::F64(data) => interpolate_typed(py, data, indices, start, fill, method, threads),
        Data::F32(data) => interpolate_typed(py, data, indices, start, fill, method, threads),
    }
}
