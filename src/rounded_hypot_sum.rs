//! `do_something_from_squares(a_sq, b_sq)`: the O(n * m) part of the talk's `do_something`.
//!
//! The Python wrapper forms the squares with NumPy's own dtype rules and promotes both to the
//! dtype NumPy adds them in; here the two arrays must share that dtype.

use std::borrow::Cow;
use std::sync::atomic::AtomicBool;

use half::f16;
use numpy::{Element, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use rust_arrays_core::rounded_hypot_sum::sum_rounded_roots;
use rust_arrays_core::rounded_hypot_sweep::{sum_float_squares, Method};
use rust_arrays_core::simd_row_sum::{BlockSum, Isa};
use rust_arrays_core::Stopped;

use crate::isa::parse_isa;
use crate::parallel::{run, thread_count};

/// A 1-D array of squares in one of the dtypes NumPy can add them in.
#[derive(FromPyObject)]
pub enum Squares<'py> {
    F64(PyReadonlyArray1<'py, f64>),
    F32(PyReadonlyArray1<'py, f32>),
    F16(PyReadonlyArray1<'py, f16>),
    I64(PyReadonlyArray1<'py, i64>),
    I32(PyReadonlyArray1<'py, i32>),
    I16(PyReadonlyArray1<'py, i16>),
    I8(PyReadonlyArray1<'py, i8>),
    U64(PyReadonlyArray1<'py, u64>),
    U32(PyReadonlyArray1<'py, u32>),
    U16(PyReadonlyArray1<'py, u16>),
    U8(PyReadonlyArray1<'py, u8>),
}

/// The array's elements as one slice, copied only when the array is not contiguous.
fn contiguous<'a, T: Element + Clone>(array: &'a PyReadonlyArray1<'_, T>) -> Cow<'a, [T]> {
    match array.as_slice() {
        Ok(slice) => Cow::Borrowed(slice),
        Err(_) => Cow::Owned(array.as_array().to_vec()),
    }
}

/// Runs `kernel` on the two arrays' elements with the GIL released (see `parallel::run`).
fn sum_detached<T: Element + Clone + Sync>(
    py: Python<'_>,
    a_sq: &PyReadonlyArray1<'_, T>,
    b_sq: &PyReadonlyArray1<'_, T>,
    threads: usize,
    kernel: impl FnOnce(&[T], &[T], &AtomicBool) -> Result<i64, Stopped> + Send,
) -> PyResult<i64> {
    let (a_sq, b_sq) = (contiguous(a_sq), contiguous(b_sq));
    let (a_sq, b_sq): (&[T], &[T]) = (&a_sq, &b_sq);
    let pairs = a_sq.len() as u128 * b_sq.len() as u128;
    run(py, threads, pairs, |stop| kernel(a_sq, b_sq, stop))
}

/// The argument as [`Squares`], or a TypeError naming it.
fn squares<'py>(name: &str, array: &Bound<'py, PyAny>) -> PyResult<Squares<'py>> {
    array.extract().map_err(|_| {
        let dtype = array
            .getattr("dtype")
            .map_or_else(|_| array.get_type().to_string(), |dtype| dtype.to_string());
        PyTypeError::new_err(format!(
            "do_something_from_squares(): {name} must be a 1-D array of float16, float32, \
             float64 or (u)int8..64 values, got {dtype}"
        ))
    })
}

/// Every pair evaluated: the only method for integer and float16 squares.
fn brute_force<T: BlockSum + Element + Clone>(
    py: Python<'_>,
    a_sq: &PyReadonlyArray1<'_, T>,
    b_sq: &PyReadonlyArray1<'_, T>,
    threads: usize,
    isa: Isa,
) -> PyResult<i64> {
    sum_detached(py, a_sq, b_sq, threads, |a, b, stop| {
        sum_rounded_roots(a, b, isa, stop)
    })
}

fn parse_method(method: &str) -> PyResult<Method> {
    match method {
        "auto" => Ok(Method::Auto),
        "brute_force" => Ok(Method::BruteForce),
        "sweep" => Ok(Method::Sweep),
        _ => Err(PyValueError::new_err(format!(
            "do_something(): method must be 'auto', 'brute_force' or 'sweep', got {method:?}"
        ))),
    }
}

/// The wrapping int64 sum, over all pairs, of ``round(sqrt(a_sq[i] + b_sq[j]))`` above 10, in
/// NumPy's arithmetic for the arrays' common dtype. Low level: use :func:`rust_arrays.do_something`.
#[pyfunction]
///
/// ``method`` picks the algorithm for float squares (all give the same result): ``"auto"`` the
/// cheaper by a cost model, ``"brute_force"`` every pair, ``"sweep"`` the sorted sweep over
/// distinct rounded values wherever it applies. ``isa`` forces the instruction set of the
/// brute force (None: the best available; see :func:`available_isas`); all are bit-identical.
#[pyo3(signature = (a_sq, b_sq, /, *, num_threads=None, method="auto", isa=None))]
pub fn do_something_from_squares(
    py: Python<'_>,
    a_sq: &Bound<'_, PyAny>,
    b_sq: &Bound<'_, PyAny>,
    num_threads: Option<&Bound<'_, PyAny>>,
    method: &str,
    isa: Option<&str>,
) -> PyResult<i64> {
    use Squares::*;
    let threads = thread_count("do_something", num_threads)?;
    let method = parse_method(method)?;
    let isa = parse_isa("do_something", isa)?;
    match (&squares("a_sq", a_sq)?, &squares("b_sq", b_sq)?) {
        (F64(a), F64(b)) => sum_detached(py, a, b, threads, |a, b, stop| {
            sum_float_squares(a, b, method, isa, stop)
        }),
        (F32(a), F32(b)) => sum_detached(py, a, b, threads, |a, b, stop| {
            sum_float_squares(a, b, method, isa, stop)
        }),
        (F16(a), F16(b)) => brute_force(py, a, b, threads, isa),
        (I64(a), I64(b)) => brute_force(py, a, b, threads, isa),
        (I32(a), I32(b)) => brute_force(py, a, b, threads, isa),
        (I16(a), I16(b)) => brute_force(py, a, b, threads, isa),
        (I8(a), I8(b)) => brute_force(py, a, b, threads, isa),
        (U64(a), U64(b)) => brute_force(py, a, b, threads, isa),
        (U32(a), U32(b)) => brute_force(py, a, b, threads, isa),
        (U16(a), U16(b)) => brute_force(py, a, b, threads, isa),
        (U8(a), U8(b)) => brute_force(py, a, b, threads, isa),
        _ => Err(PyTypeError::new_err(format!(
            "do_something_from_squares(): a_sq and b_sq must have the same dtype, got {} and {}",
            a_sq.getattr("dtype")?,
            b_sq.getattr("dtype")?
        ))),
    }
}
