//! The talk's "memory too" example in one pass with no temporaries:
//! `mask = a > threshold; out[mask] = np.sqrt(a[mask]**2 + b[mask]**2)`.

use std::fmt;
use std::ops::{Add, Mul};

use ndarray::{ArrayViewD, ArrayViewMutD, Axis, Zip};

use crate::WORK_BETWEEN_CHECKS;

/// A float dtype the kernel works in (float32 or float64).
pub trait Float:
    Copy + Send + Sync + PartialOrd + Add<Output = Self> + Mul<Output = Self> + Into<f64>
{
    fn sqrt(self) -> Self;
}

impl Float for f32 {
    #[inline(always)]
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
}

impl Float for f64 {
    #[inline(always)]
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
}

/// `a`, `b` and `out` must all have the same shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeMismatch {
    pub a: Vec<usize>,
    pub b: Vec<usize>,
    pub out: Vec<usize>,
}

impl fmt::Display for ShapeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a, b and out must have the same shape, got a: {:?}, b: {:?}, out: {:?}",
            self.a, self.b, self.out
        )
    }
}

impl std::error::Error for ShapeMismatch {}

/// The error of [`masked_hypot`]: a shape mismatch, or the error of its `check` callback.
#[derive(Debug, PartialEq, Eq)]
pub enum MaskedHypotError<E> {
    Shape(ShapeMismatch),
    Stopped(E),
}

/// Where `a > threshold`, sets `out` to `sqrt(a**2 + b**2)`; elsewhere `out` keeps its value.
///
/// Each square is computed in its input's dtype and converted to `out`'s dtype before the sum,
/// as NumPy does for mixed float32/float64 inputs. `threshold` is compared in float64: pass it
/// already rounded to the dtype NumPy compares in (float32 for a float32 `a` and a Python float).
/// Any strides work; `check` is called between chunks of the leading axis.
pub fn masked_hypot<A, B, C, E>(
    a: ArrayViewD<'_, A>,
    b: ArrayViewD<'_, B>,
    mut out: ArrayViewMutD<'_, C>,
    threshold: f64,
    mut check: impl FnMut() -> Result<(), E>,
) -> Result<(), MaskedHypotError<E>>
where
    A: Float,
    B: Float,
    C: Float + From<A> + From<B>,
{
    if a.shape() != out.shape() || b.shape() != out.shape() {
        return Err(MaskedHypotError::Shape(ShapeMismatch {
            a: a.shape().to_vec(),
            b: b.shape().to_vec(),
            out: out.shape().to_vec(),
        }));
    }
    // Branch-free (the root is computed everywhere, then selected) so the loop vectorises and
    // a random mask costs no mispredictions.
    let update = |o: &mut C, &x: &A, &y: &B| {
        let root = (C::from(x * x) + C::from(y * y)).sqrt();
        *o = if x.into() > threshold { root } else { *o };
    };
    if out.ndim() == 0 || out.len() <= WORK_BETWEEN_CHECKS {
        Zip::from(&mut out).and(&a).and(&b).for_each(update);
        return Ok(());
    }
    let row_len = out.len() / out.len_of(Axis(0)).max(1);
    let rows_per_chunk = (WORK_BETWEEN_CHECKS / row_len.max(1)).max(1);
    let chunks = out
        .axis_chunks_iter_mut(Axis(0), rows_per_chunk)
        .zip(a.axis_chunks_iter(Axis(0), rows_per_chunk))
        .zip(b.axis_chunks_iter(Axis(0), rows_per_chunk));
    for ((out_rows, a_rows), b_rows) in chunks {
        check().map_err(MaskedHypotError::Stopped)?;
        Zip::from(out_rows)
            .and(&a_rows)
            .and(&b_rows)
            .for_each(update);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, Array, ArrayD, IxDyn};
    use std::convert::Infallible;

    fn never() -> Result<(), Infallible> {
        Ok(())
    }

    #[test]
    fn updates_only_where_a_exceeds_threshold() {
        let a = arr1(&[1.0f64, 3.0, f64::NAN, 2.0, 4.0]).into_dyn();
        let b = arr1(&[5.0f64, 4.0, 1.0, 1.0, f64::INFINITY]).into_dyn();
        let mut out = Array::from_elem(IxDyn(&[5]), -1.0f64);
        masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, never).unwrap();
        assert_eq!(
            out.as_slice().unwrap(),
            &[-1.0, 5.0, -1.0, -1.0, f64::INFINITY]
        );
    }

    #[test]
    fn squares_in_input_dtype_before_promotion() {
        // 3e20 squared overflows float32 to inf, even though out is float64.
        let a = arr1(&[3e20f32]).into_dyn();
        let b = arr1(&[0.0f64]).into_dyn();
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[1]));
        masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, never).unwrap();
        assert_eq!(out[[0]], f64::INFINITY);
    }

    #[test]
    fn strided_and_multidimensional_views() {
        let a = Array::from_shape_fn((4, 6), |(i, j)| (i * 6 + j) as f32).into_dyn();
        let b = Array::from_elem((6, 4), 1.0f32).reversed_axes().into_dyn();
        let mut out = ArrayD::<f32>::zeros(IxDyn(&[4, 6]));
        masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, never).unwrap();
        for ((i, j), &v) in out
            .clone()
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap()
            .indexed_iter()
        {
            let x = (i * 6 + j) as f32;
            let expected = if x > 2.0 { (x * x + 1.0).sqrt() } else { 0.0 };
            assert_eq!(v, expected);
        }
    }

    #[test]
    fn large_inputs_are_chunked_and_checked() {
        let n = 3 * WORK_BETWEEN_CHECKS;
        let a = ArrayD::<f64>::from_elem(IxDyn(&[n]), 3.0);
        let b = ArrayD::<f64>::from_elem(IxDyn(&[n]), 4.0);
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
        let mut calls = 0;
        masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, || {
            calls += 1;
            Ok::<(), Infallible>(())
        })
        .unwrap();
        assert_eq!(calls, 3);
        assert!(out.iter().all(|&v| v == 5.0));
    }

    #[test]
    fn shape_mismatch_is_an_error() {
        let a = ArrayD::<f64>::zeros(IxDyn(&[3]));
        let b = ArrayD::<f64>::zeros(IxDyn(&[4]));
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[3]));
        let err = masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, never).unwrap_err();
        assert!(matches!(err, MaskedHypotError::Shape(_)));
    }
}
