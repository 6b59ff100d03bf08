//! The kernels of `rust_arrays`, in pure Rust (no Python, no PyO3).
//!
//! Every kernel reproduces the arithmetic of its NumPy reference exactly: same dtype for every
//! intermediate value, same rounding, same overflow behaviour.
//!
//! Parallelism: a kernel called from inside a rayon pool (`ThreadPool::install`, or a task
//! spawned on a pool) splits its work across that pool; called from any other thread it runs
//! serially on that thread and never touches rayon's global pool. Results are identical either
//! way and for any number of threads.
//!
//! Cancellation: long kernels look at a `stop` flag between chunks of work and return
//! `Err(Stopped)` once it is set (the Python bindings set it on Ctrl-C).

use std::sync::atomic::{AtomicBool, Ordering};

pub mod gradient;
pub mod masked_hypot;
pub mod modis;
pub mod numpy_cast;
pub mod primes;
pub mod rounded_hypot_sum;
pub mod rounded_hypot_sweep;
pub mod simd_row_sum;

/// Roughly how much work (pairs, elements or sieved numbers) a kernel does between two looks
/// at its stop flag, and the grain of its parallel tasks: small enough to react within
/// milliseconds and balance two cores, large enough to cost nothing.
pub const WORK_BETWEEN_CHECKS: usize = 1 << 20;

/// A kernel was stopped through its stop flag before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the kernel was stopped before it finished")
    }
}

impl std::error::Error for Stopped {}

/// `Err(Stopped)` once `stop` is set.
#[inline]
pub fn check(stop: &AtomicBool) -> Result<(), Stopped> {
    if stop.load(Ordering::Relaxed) {
        Err(Stopped)
    } else {
        Ok(())
    }
}

/// Whether the calling thread is a worker of some rayon pool, so parallel iterators would run
/// on that pool (and not on rayon's global one).
#[inline]
pub fn in_rayon_pool() -> bool {
    rayon::current_thread_index().is_some()
}
