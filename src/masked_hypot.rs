//! `masked_hypot_into(a, b, out, threshold)`: the in-place kernel behind
//! `rust_arrays.masked_hypot`, which prepares `out` and the comparison dtype.

use numpy::{Element, PyReadonlyArrayDyn, PyReadwriteArrayDyn};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use rust_arrays_core::masked_hypot::{masked_hypot, Float, MaskedHypotError};
use rust_arrays_core::simd_row_sum::Isa;

use crate::isa::parse_isa;
use crate::parallel::{run, thread_count};

#[derive(FromPyObject)]
pub enum Input<'py> {
    F64(PyReadonlyArrayDyn<'py, f64>),
    F32(PyReadonlyArrayDyn<'py, f32>),
}

#[derive(FromPyObject)]
pub enum Output<'py> {
    F64(PyReadwriteArrayDyn<'py, f64>),
    F32(PyReadwriteArrayDyn<'py, f32>),
}

fn run_typed<A, B, C>(
    py: Python<'_>,
    a: &PyReadonlyArrayDyn<'_, A>,
    b: &PyReadonlyArrayDyn<'_, B>,
    out: &mut PyReadwriteArrayDyn<'_, C>,
    threshold: f64,
    threads: usize,
    isa: Isa,
) -> PyResult<()>
where
    A: Float + Element,
    B: Float + Element,
    C: Float + Element + From<A> + From<B>,
{
    let (a, b, out) = (a.as_array(), b.as_array(), out.as_array_mut());
    let work = out.len() as u128;
    let outcome = run(py, threads, work, |stop| {
        match masked_hypot(a, b, out, threshold, isa, stop) {
            Ok(()) => Ok(Ok(())),
            Err(MaskedHypotError::Shape(mismatch)) => Ok(Err(mismatch)),
            Err(MaskedHypotError::Stopped(stopped)) => Err(stopped),
        }
    })?;
    outcome.map_err(|mismatch| PyValueError::new_err(format!("masked_hypot(): {mismatch}")))
}

/// Where ``a > threshold`` sets ``out`` to ``sqrt(a**2 + b**2)`` in place; ``out`` must have the
/// dtype NumPy promotes ``a`` and ``b`` to, and ``threshold`` must already be rounded to the dtype
/// of the comparison. Low level: use :func:`rust_arrays.masked_hypot`.
#[pyfunction]
/// ``isa`` forces the vector build of the loop (None: the best available); all give the same
/// bits.
#[pyo3(signature = (a, b, out, threshold, /, *, num_threads=None, isa=None))]
pub fn masked_hypot_into(
    py: Python<'_>,
    a: Input<'_>,
    b: Input<'_>,
    out: Output<'_>,
    threshold: f64,
    num_threads: Option<&Bound<'_, PyAny>>,
    isa: Option<&str>,
) -> PyResult<()> {
    let threads = thread_count("masked_hypot", num_threads)?;
    let isa = parse_isa("masked_hypot", isa)?;
    match (a, b, out) {
        (Input::F32(a), Input::F32(b), Output::F32(mut out)) => {
            run_typed(py, &a, &b, &mut out, threshold, threads, isa)
        }
        (Input::F64(a), Input::F64(b), Output::F64(mut out)) => {
            run_typed(py, &a, &b, &mut out, threshold, threads, isa)
        }
        (Input::F32(a), Input::F64(b), Output::F64(mut out)) => {
            run_typed(py, &a, &b, &mut out, threshold, threads, isa)
        }
        (Input::F64(a), Input::F32(b), Output::F64(mut out)) => {
            run_typed(py, &a, &b, &mut out, threshold, threads, isa)
        }
        _ => Err(PyTypeError::new_err(
            "masked_hypot_into(): out must be float64 if a or b is float64, float32 otherwise",
        )),
    }
}
