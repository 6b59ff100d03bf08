//! The kernels of `rust_arrays`, in pure Rust (no Python, no PyO3).
//!
//! Every kernel reproduces the arithmetic of its NumPy reference exactly: same dtype for every
//! intermediate value, same rounding, same overflow behaviour. Long kernels take a `check`
//! callback that they call between chunks of work; returning `Err` stops them early (the
//! Python bindings use it to honour Ctrl-C).

pub mod masked_hypot;
pub mod numpy_cast;
pub mod primes;
pub mod rounded_hypot_sum;

/// Roughly how much work (pairs, elements or sieved numbers) a kernel does between two calls
/// of its `check` callback: small enough to react within milliseconds, large enough to cost
/// nothing.
pub const WORK_BETWEEN_CHECKS: usize = 1 << 20;
