//! MemoryError before an allocation that cannot fit, instead of an OOM kill later (Linux
//! overcommits, so a failed allocation is not reported at allocation time).

use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;

/// Total physical memory in bytes, or `None` where the platform does not tell.
#[cfg(unix)]
#[allow(unsafe_code)] // sysconf is a plain query with no pointers or preconditions.
fn physical_memory() -> Option<u128> {
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    (pages > 0 && page_size > 0).then(|| pages as u128 * page_size as u128)
}

#[cfg(not(unix))]
fn physical_memory() -> Option<u128> {
    None
}

/// Raises MemoryError if `bytes` exceeds the machine's physical memory (or the address space).
pub fn ensure_fits(bytes: u128, what: &str) -> PyResult<()> {
    let limit = physical_memory()
        .unwrap_or(isize::MAX as u128)
        .min(isize::MAX as u128);
    if bytes > limit {
        const GIB: f64 = (1u64 << 30) as f64;
        return Err(PyMemoryError::new_err(format!(
            "{what} would need {:.1} GiB, more than this machine's {:.1} GiB of memory",
            bytes as f64 / GIB,
            limit as f64 / GIB,
        )));
    }
    Ok(())
}
