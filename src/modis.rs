//! `modis_interpolate(lon, lat, satz, coarse, fine, coarse_scan_width)`: the kernel behind
//! `rust_arrays.modis`, which converts the inputs to one float dtype.

use numpy::{Element, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use rust_arrays_core::modis::{interpolate, vector_libm_status, GeoFloat, Geometry};
use rust_arrays_core::simd_row_sum::Isa;

use crate::isa::parse_isa;
use crate::parallel::{run, thread_count};

#[derive(FromPyObject)]
pub enum Input<'py> {
    F64(PyReadonlyArray2<'py, f64>),
    F32(PyReadonlyArray2<'py, f32>),
}

#[allow(clippy::too_many_arguments)]
fn run_typed<'py, T: GeoFloat + Element>(
    py: Python<'py>,
    lon: PyReadonlyArray2<'py, T>,
    lat: PyReadonlyArray2<'py, T>,
    satz: PyReadonlyArray2<'py, T>,
    coarse: u32,
    fine: u32,
    coarse_scan_width: Option<usize>,
    threads: usize,
    isa: Isa,
    stacked: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let error =
        |err: &dyn std::fmt::Display| PyValueError::new_err(format!("interpolate(): {err}"));
    let geometry = Geometry::<T>::new(coarse, fine, coarse_scan_width).map_err(|e| error(&e))?;
    let (lon, lat, satz) = (lon.as_array(), lat.as_array(), satz.as_array());
    if lat.dim() != lon.dim() || satz.dim() != lon.dim() {
        return Err(error(&format!(
            "lon, lat and satz must have one shape, got {:?}, {:?} and {:?}",
            lon.dim(),
            lat.dim(),
            satz.dim()
        )));
    }
    let scans = geometry
        .scans(lon.nrows(), lon.ncols())
        .map_err(|e| error(&e))?;
    let shape = (scans * geometry.fine_rows, geometry.fine_cols);
    // Scans are the unit of parallel work: more threads than scans would only wait.
    let threads = threads.min(scans.max(1));
    fine_outputs(py, "interpolate", shape, stacked, |fine_lon, fine_lat| {
        let work = (fine_lon.len() as u128) * 16;
        let outcome = run(py, threads, work, |stop| {
            interpolate(&geometry, lon, lat, satz, fine_lon, fine_lat, isa, stop)
        })?;
        outcome.map_err(|e| error(&e))
    })
}

/// New fine `lon` and `lat` arrays of `shape`, filled by `compute`: a pair, or with `stacked`
/// one `(2, rows, cols)` array (what a dask task returns, without a copy). MemoryError first if
/// they cannot fit.
pub fn fine_outputs<'py, T: Element>(
    py: Python<'py>,
    function: &str,
    shape: (usize, usize),
    stacked: bool,
    compute: impl FnOnce(&mut [T], &mut [T]) -> PyResult<()>,
) -> PyResult<Bound<'py, PyAny>> {
    let len = shape.0 as u128 * shape.1 as u128;
    let bytes = 2 * len * std::mem::size_of::<T>() as u128;
    crate::memory::ensure_fits(
        bytes,
        &format!("{function}(): lon and lat at the fine resolution"),
    )?;
    let len = shape.0 * shape.1;
    if stacked {
        let out = PyArray3::<T>::zeros(py, (2, shape.0, shape.1), false);
        let mut out_rw = out.readwrite();
        let (fine_lon, fine_lat) = out_rw.as_slice_mut()?.split_at_mut(len);
        compute(fine_lon, fine_lat)?;
        drop(out_rw);
        return Ok(out.into_any());
    }
    let out_lon = PyArray2::<T>::zeros(py, shape, false);
    let out_lat = PyArray2::<T>::zeros(py, shape, false);
    compute(
        out_lon.readwrite().as_slice_mut()?,
        out_lat.readwrite().as_slice_mut()?,
    )?;
    Ok((out_lon, out_lat).into_pyobject(py)?.into_any())
}

/// MODIS tie point interpolation with the satellite zenith angle (geotiepoints'
/// ``modisinterpolator``): ``(lon, lat)`` at ``fine_resolution`` from ``lon``, ``lat``, ``satz``
/// at ``coarse_resolution`` (degrees, whole scans, all float32 or all float64). ``isa`` forces
/// the vector build of the per-pixel arithmetic (None: the best available); all give the same
/// bits. ``stacked=True`` returns one ``(2, rows, cols)`` array (lon, lat) instead of a pair.
/// Low level: use :mod:`rust_arrays.modis`.
#[pyfunction]
#[pyo3(signature = (lon, lat, satz, coarse_resolution, fine_resolution, coarse_scan_width=None, /, *, num_threads=None, isa=None, stacked=false))]
#[allow(clippy::too_many_arguments)]
pub fn modis_interpolate<'py>(
    py: Python<'py>,
    lon: Input<'py>,
    lat: Input<'py>,
    satz: Input<'py>,
    coarse_resolution: u32,
    fine_resolution: u32,
    coarse_scan_width: Option<usize>,
    num_threads: Option<&Bound<'py, PyAny>>,
    isa: Option<&str>,
    stacked: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let threads = thread_count("interpolate", num_threads)?;
    let isa = parse_isa("interpolate", isa)?;
    let (c, f, w) = (coarse_resolution, fine_resolution, coarse_scan_width);
    match (lon, lat, satz) {
        (Input::F32(lon), Input::F32(lat), Input::F32(satz)) => {
            run_typed(py, lon, lat, satz, c, f, w, threads, isa, stacked)
        }
        (Input::F64(lon), Input::F64(lat), Input::F64(satz)) => {
            run_typed(py, lon, lat, satz, c, f, w, threads, isa, stacked)
        }
        _ => Err(PyTypeError::new_err(
            "modis_interpolate(): lon, lat and satz must all be float32 or all float64",
        )),
    }
}

/// Which libm calls float32 interpolation makes with ``isa`` (None: the best available):
/// glibc's vector functions (checked, with the scalar ones wherever they cannot decide an
/// output; same bits either way) or only the scalar ones, and why. Reported by the benchmarks.
#[pyfunction]
#[pyo3(signature = (isa=None))]
pub fn modis_libm(isa: Option<&str>) -> PyResult<&'static str> {
    let isa = parse_isa("modis_libm", isa)?;
    Ok(vector_libm_status(isa).describe())
}

/// Loads (once) and self-checks glibc's vector functions for every instruction set.
pub fn load_vector_libm() {
    for isa in Isa::ALL {
        vector_libm_status(isa);
    }
}
