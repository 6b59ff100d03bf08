//! `np.gradient(f, axis=[0, 1])` of a 2-D float64 array (unit spacing, `edge_order=1`), one
//! element at a time: the forward difference at the first point of an axis, the backward one at
//! the last, and the central difference divided by 2 in between, exactly NumPy's arithmetic.
//! NumPy's edges divide by the spacing 1.0, which changes no bit, so that division is left out.

use ndarray::{ArrayView2, ArrayViewMut2, Axis, Zip};

use super::ShapeError;

/// The derivative at index `k` along an axis of `n >= 2` points whose values `f` gives.
#[inline(always)]
pub fn along(n: usize, k: usize, f: impl Fn(usize) -> f64) -> f64 {
    if k == 0 {
        f(1) - f(0)
    } else if k == n - 1 {
        f(k) - f(k - 1)
    } else {
        (f(k + 1) - f(k - 1)) / 2.0
    }
}

/// NumPy's error for an axis too short to differentiate (it needs 2 points).
pub fn check_shape(shape: (usize, usize)) -> Result<(), ShapeError> {
    if shape.0 < 2 || shape.1 < 2 {
        return Err(ShapeError(format!(
            "np.gradient needs at least 2 points along each axis, got shape {shape:?}"
        )));
    }
    Ok(())
}

/// Writes `np.gradient(f, axis=[0, 1])` into `along_lines` (axis 0) and `along_pixels` (axis 1).
pub fn gradient_2d(
    f: ArrayView2<'_, f64>,
    mut along_lines: ArrayViewMut2<'_, f64>,
    mut along_pixels: ArrayViewMut2<'_, f64>,
) -> Result<(), ShapeError> {
    let (lines, pixels) = f.dim();
    check_shape((lines, pixels))?;
    assert_eq!(along_lines.dim(), f.dim());
    assert_eq!(along_pixels.dim(), f.dim());
    for (l, mut row) in along_lines.axis_iter_mut(Axis(0)).enumerate() {
        for (p, out) in row.iter_mut().enumerate() {
            *out = along(lines, l, |k| f[[k, p]]);
        }
    }
    Zip::indexed(&mut along_pixels).for_each(|(l, p), out| {
        *out = along(pixels, p, |k| f[[l, k]]);
    });
    Ok(())
}
