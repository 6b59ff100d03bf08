//! The `isa=` argument: which vector build of a kernel to run (tests force each one).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use rust_arrays_core::simd_row_sum::{best_isa, Isa};

/// The instruction set asked for: None for the best this CPU has.
pub fn parse_isa(function: &str, isa: Option<&str>) -> PyResult<Isa> {
    let Some(name) = isa else {
        return Ok(best_isa());
    };
    match Isa::from_name(name) {
        Some(isa) if isa.is_available() => Ok(isa),
        Some(_) => Err(PyValueError::new_err(format!(
            "{function}(): isa {name:?} is not available on this CPU"
        ))),
        None => Err(PyValueError::new_err(format!(
            "{function}(): isa must be one of {:?} or None, got {name:?}",
            Isa::ALL.map(Isa::name)
        ))),
    }
}

/// The instruction sets this CPU can run the vector kernels with, for ``isa=``.
#[pyfunction]
pub fn available_isas() -> Vec<&'static str> {
    Isa::ALL
        .into_iter()
        .filter(|isa| isa.is_available())
        .map(Isa::name)
        .collect()
}
