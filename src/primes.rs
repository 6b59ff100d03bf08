//! `primes(nb_primes)` and `primes_array(nb_primes)`.

use numpy::PyArray1;
use pyo3::exceptions::{PyMemoryError, PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList};

use rust_arrays_core::primes::first_primes;

use crate::memory::ensure_fits;
use crate::parallel::{run, thread_count};

/// Bytes held per prime while building a list: our u64, the list slot and the int object.
const LIST_BYTES_PER_PRIME: u128 = 8 + 8 + 32;
/// Bytes held per prime in an int64 array (the sieve's vector becomes the array's buffer).
const ARRAY_BYTES_PER_PRIME: u128 = 8;

/// The count asked for: an int (or an object with `__index__`) but not a bool; counts `<= 0`
/// ask for nothing.
fn requested_count(
    function: &str,
    nb_primes: &Bound<'_, PyAny>,
    bytes_per_prime: u128,
) -> PyResult<usize> {
    if nb_primes.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{function}(): nb_primes must be an int, not bool"
        )));
    }
    let count = match nb_primes.extract::<i64>() {
        Ok(count) => count.max(0) as u128,
        Err(err) if err.is_instance_of::<PyOverflowError>(nb_primes.py()) => {
            if nb_primes.gt(0)? {
                return Err(PyMemoryError::new_err(format!(
                    "{function}(): nb_primes={nb_primes} primes cannot fit in memory"
                )));
            }
            0
        }
        Err(_) => {
            return Err(PyTypeError::new_err(format!(
                "{function}(): nb_primes must be an int, not {}",
                nb_primes.get_type().name()?
            )))
        }
    };
    ensure_fits(
        count * bytes_per_prime,
        &format!("{function}(nb_primes={count})"),
    )?;
    Ok(count as usize)
}

fn sieve(
    py: Python<'_>,
    function: &str,
    count: usize,
    num_threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<u64>> {
    let threads = thread_count(function, num_threads)?;
    // About 20 numbers sieved per prime found at the sizes where threads pay off.
    let work = count as u128 * 20;
    run(py, threads, work, |stop| first_primes(count, stop))
}

/// The first ``nb_primes`` primes as a list of ints (``[]`` when ``nb_primes <= 0``).
///
/// Unlike the talk's Cython version there is no cap on the count. The sieve runs with the GIL
/// released; building the list of Python ints is then the dominant cost, so use
/// :func:`primes_array` when a NumPy array will do. ``num_threads`` (default: the
/// ``RUST_ARRAYS_NUM_THREADS`` environment variable, else every core) sets the sieve's threads.
#[pyfunction]
#[pyo3(signature = (nb_primes, *, num_threads=None))]
pub fn primes<'py>(
    py: Python<'py>,
    nb_primes: &Bound<'py, PyAny>,
    num_threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let count = requested_count("primes", nb_primes, LIST_BYTES_PER_PRIME)?;
    PyList::new(py, sieve(py, "primes", count, num_threads)?)
}

/// The first ``nb_primes`` primes as a 1-D ``numpy.int64`` array, without creating Python ints.
/// ``num_threads`` as for :func:`primes`.
#[pyfunction]
#[pyo3(signature = (nb_primes, *, num_threads=None))]
pub fn primes_array<'py>(
    py: Python<'py>,
    nb_primes: &Bound<'py, PyAny>,
    num_threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let count = requested_count("primes_array", nb_primes, ARRAY_BYTES_PER_PRIME)?;
    // Every prime found fits in i64 (the count is bounded by memory); the collect reuses the
    // vector's buffer, which the array then owns without a copy.
    let primes: Vec<i64> = sieve(py, "primes_array", count, num_threads)?
        .into_iter()
        .map(|p| p as i64)
        .collect();
    Ok(PyArray1::from_vec(py, primes))
}
