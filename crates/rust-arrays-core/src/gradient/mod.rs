//! Gradient search resampling, as in `pyresample.gradient` 1.35.0, bit for bit.
//!
//! Gradient search (Trishchenko) puts source pixels, whose coordinates are known in the target's
//! projection, onto a target grid: for each target pixel it walks the source grid from the
//! previous pixel's solution, using the local gradients of the source coordinates, until the
//! target lies within one pixel of a source pixel. Upstream splits it into:
//! - [`numpy_gradient`]: the gradients, `np.gradient(coordinates, axis=[0, 1])`;
//! - [`search`]: the Cython `one_step_gradient_search` / `one_step_gradient_indices` loop, with
//!   its bilinear, nearest and index outputs (all arithmetic in double, as the C does);
//! - [`block_interpolation`]: the NumPy `block_bilinear_interpolator` / `block_nn_interpolator`
//!   that turn fractional indices into values (arithmetic in the data's dtype, as NumPy does).
//!
//! The search visits target pixels in one fixed order (rows alternately left to right and right
//! to left) and each pixel starts from the previous one's solution, so one search is serial: the
//! kernels parallelise the interpolation of its solutions, and independent calls (blocks).

pub mod block_interpolation;
pub mod numpy_gradient;
pub mod search;

#[cfg(test)]
mod tests;

use std::fmt;

pub use crate::modis::GeoFloat;

/// How a found source position becomes a value: upstream's `method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Bilinear,
    Nearest,
}

/// Inputs whose shapes do not fit together (upstream reads out of bounds instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError(pub String);

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShapeError {}

/// `Err` naming `name` and `other` unless `a` and `b` have one shape.
pub fn same_shape(
    name: &str,
    a: (usize, usize),
    other: &str,
    b: (usize, usize),
) -> Result<(), ShapeError> {
    if a == b {
        return Ok(());
    }
    Err(ShapeError(format!(
        "{name} must have the shape of {other}: got {a:?} and {b:?}"
    )))
}
