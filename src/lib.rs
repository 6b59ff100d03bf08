//! Python bindings of `rust-arrays-core`, importable as `rust_arrays._core`.
//!
//! Only argument extraction, dtype dispatch, GIL release and error mapping live here; the
//! kernels are in the core crate. The public Python API (and its dtype rules) is in
//! `python/rust_arrays/__init__.py`.

mod gradient;
mod isa;
mod masked_hypot;
mod memory;
mod modis;
mod parallel;
mod primes;
mod rounded_hypot_sum;
mod simple_modis;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NUM_THREADS_VARIABLE", parallel::THREADS_VARIABLE)?;
    m.add_function(wrap_pyfunction!(primes::primes, m)?)?;
    m.add_function(wrap_pyfunction!(primes::primes_array, m)?)?;
    m.add_function(wrap_pyfunction!(
        rounded_hypot_sum::do_something_from_squares,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(isa::available_isas, m)?)?;
    m.add_function(wrap_pyfunction!(masked_hypot::masked_hypot_into, m)?)?;
    m.add_function(wrap_pyfunction!(modis::modis_interpolate, m)?)?;
    m.add_function(wrap_pyfunction!(modis::modis_libm, m)?)?;
    m.add_function(wrap_pyfunction!(simple_modis::simple_modis_interpolate, m)?)?;
    m.add_function(wrap_pyfunction!(gradient::gradient_search, m)?)?;
    m.add_function(wrap_pyfunction!(gradient::gradient_indices, m)?)?;
    m.add_function(wrap_pyfunction!(gradient::block_interpolation, m)?)?;
    // Load glibc's vector functions now, while the importing thread is alone: a first load
    // during a parallel call could be cut by a fork and leave the child waiting on it forever.
    modis::load_vector_libm();
    Ok(())
}
