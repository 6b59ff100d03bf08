//! `simple_modis_interpolate(lon, lat, coarse, fine)`: the kernel behind
//! `rust_arrays.simple_modis`, which converts the inputs to one float dtype.

use numpy::{Element, PyReadonlyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use rust_arrays_core::modis::simple::{interpolate, Geometry};
use rust_arrays_core::modis::GeoFloat;
use rust_arrays_core::simd_row_sum::Isa;

use crate::isa::parse_isa;
use crate::modis::{fine_outputs, Input};
use crate::parallel::{run, thread_count};

const FUNCTION: &str = "interpolate_geolocation_cartesian";

#[allow(clippy::too_many_arguments)]
fn run_typed<'py, T: GeoFloat + Element>(
    py: Python<'py>,
    lon: PyReadonlyArray2<'py, T>,
    lat: PyReadonlyArray2<'py, T>,
    coarse: u32,
    fine: u32,
    threads: usize,
    isa: Isa,
    stacked: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let error = |err: &dyn std::fmt::Display| PyValueError::new_err(format!("{FUNCTION}(): {err}"));
    let (lon, lat) = (lon.as_array(), lat.as_array());
    if lat.dim() != lon.dim() {
        return Err(error(&format!(
            "lon_array and lat_array must have one shape, got {:?} and {:?}",
            lon.dim(),
            lat.dim()
        )));
    }
    let geometry = Geometry::<T>::new(coarse, fine, lon.ncols()).map_err(|e| error(&e))?;
    let scans = geometry
        .scans(lon.nrows(), lon.ncols())
        .map_err(|e| error(&e))?;
    let shape = (scans * geometry.fine_rows, geometry.fine_cols);
    // Scans are the unit of parallel work: more threads than scans would only wait.
    let threads = threads.min(scans.max(1));
    fine_outputs(py, FUNCTION, shape, stacked, |fine_lon, fine_lat| {
        let work = (fine_lon.len() as u128) * 16;
        let outcome = run(py, threads, work, |stop| {
            interpolate(&geometry, lon, lat, fine_lon, fine_lat, isa, stop)
        })?;
        outcome.map_err(|e| error(&e))
    })
}

/// MODIS tie point interpolation from longitude and latitude alone (geotiepoints'
/// ``simple_modis_interpolator``): ``(lon, lat)`` at ``fine_resolution`` from ``lon``, ``lat``
/// at ``coarse_resolution`` (degrees, whole scans of 10 rows, both float32 or both float64).
/// ``isa`` forces the vector build of the arithmetic (None: the best available); all give the
/// same bits. ``stacked=True`` returns one ``(2, rows, cols)`` array (lon, lat) instead of a
/// pair. Low level: use :mod:`rust_arrays.simple_modis`.
#[pyfunction]
#[pyo3(signature = (lon, lat, coarse_resolution, fine_resolution, /, *, num_threads=None, isa=None, stacked=false))]
#[allow(clippy::too_many_arguments)]
pub fn simple_modis_interpolate<'py>(
    py: Python<'py>,
    lon: Input<'py>,
    lat: Input<'py>,
    coarse_resolution: u32,
    fine_resolution: u32,
    num_threads: Option<&Bound<'py, PyAny>>,
    isa: Option<&str>,
    stacked: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let threads = thread_count(FUNCTION, num_threads)?;
    let isa = parse_isa(FUNCTION, isa)?;
    let (c, f) = (coarse_resolution, fine_resolution);
    match (lon, lat) {
        (Input::F32(lon), Input::F32(lat)) => run_typed(py, lon, lat, c, f, threads, isa, stacked),
        (Input::F64(lon), Input::F64(lat)) => run_typed(py, lon, lat, c, f, threads, isa, stacked),
        _ => Err(PyTypeError::new_err(format!(
            "{FUNCTION}(): lon and lat must both be float32 or both float64"
        ))),
    }
}
