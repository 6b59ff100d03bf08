//! The talk's "memory too" example in one pass with no temporaries:
//! `mask = a > threshold; out[mask] = np.sqrt(a[mask]**2 + b[mask]**2)`.

use std::fmt;
use std::ops::{Add, Mul};

use std::sync::atomic::AtomicBool;

use ndarray::{ArrayViewD, ArrayViewMutD, Axis, Zip};
use rayon::prelude::*;

use crate::simd_row_sum::Isa;
use crate::{check, in_rayon_pool, Stopped, WORK_BETWEEN_CHECKS};

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

/// `Ok` when `a`, `b` and `out` have one shape, as [`masked_hypot`] requires.
fn same_shape(a: &[usize], b: &[usize], out: &[usize]) -> Result<(), ShapeMismatch> {
    if a == out && b == out {
        return Ok(());
    }
    Err(ShapeMismatch {
        a: a.to_vec(),
        b: b.to_vec(),
        out: out.to_vec(),
    })
}

/// The error of [`masked_hypot`].
#[derive(Debug, PartialEq, Eq)]
pub enum MaskedHypotError {
    Shape(ShapeMismatch),
    Stopped(Stopped),
}

impl From<Stopped> for MaskedHypotError {
    fn from(stopped: Stopped) -> Self {
        MaskedHypotError::Stopped(stopped)
    }
}

/// One element: `out = sqrt(a**2 + b**2)` where `a > threshold`. Branch-free (the root is
/// computed everywhere, then selected) so loops vectorise and a random mask costs nothing.
#[inline(always)]
fn update<A: Float, B: Float, C: Float + From<A> + From<B>>(
    out: &mut C,
    x: A,
    y: B,
    threshold: f64,
) {
    let root = (C::from(x * x) + C::from(y * y)).sqrt();
    *out = if x.into() > threshold { root } else { *out };
}

/// [`update`] over three slices of one length: the contiguous hot loop.
#[inline(always)]
fn update_slices<A, B, C>(out: &mut [C], a: &[A], b: &[B], threshold: f64)
where
    A: Float,
    B: Float,
    C: Float + From<A> + From<B>,
{
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        update(o, x, y, threshold);
    }
}

/// The same loop compiled for AVX-512 / AVX2 and picked at run time (the library is built for
/// baseline x86-64). Only plain IEEE operations are involved (no FMA: Rust never contracts
/// `x * x + y * y`), so every instruction set gives the same bits.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod wide {
    use super::{update_slices, Float};
    use crate::simd_row_sum::{best_isa, Isa};

    #[target_feature(enable = "avx512f")]
    fn avx512<A: Float, B: Float, C: Float + From<A> + From<B>>(
        out: &mut [C],
        a: &[A],
        b: &[B],
        t: f64,
    ) {
        update_slices(out, a, b, t);
    }

    #[target_feature(enable = "avx2")]
    fn avx2<A: Float, B: Float, C: Float + From<A> + From<B>>(
        out: &mut [C],
        a: &[A],
        b: &[B],
        t: f64,
    ) {
        update_slices(out, a, b, t);
    }

    pub(super) fn dispatch<A, B, C>(isa: Isa, out: &mut [C], a: &[A], b: &[B], threshold: f64)
    where
        A: Float,
        B: Float,
        C: Float + From<A> + From<B>,
    {
        let isa = if isa.is_available() { isa } else { best_isa() };
        match isa {
            // SAFETY: `isa` is available on this CPU (AVX-512 there means F and DQ, which
            // includes the F needed here).
            Isa::Avx512 => unsafe { avx512(out, a, b, threshold) },
            // SAFETY: as above.
            Isa::Avx2 => unsafe { avx2(out, a, b, threshold) },
            Isa::Scalar => update_slices(out, a, b, threshold),
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod wide {
    use super::{update_slices, Float};
    use crate::simd_row_sum::Isa;

    pub(super) fn dispatch<A, B, C>(_isa: Isa, out: &mut [C], a: &[A], b: &[B], threshold: f64)
    where
        A: Float,
        B: Float,
        C: Float + From<A> + From<B>,
    {
        update_slices(out, a, b, threshold);
    }
}

/// Where `a > threshold`, sets `out` to `sqrt(a**2 + b**2)`; elsewhere `out` keeps its value.
///
/// Each square is computed in its input's dtype and converted to `out`'s dtype before the sum,
/// as NumPy does for mixed float32/float64 inputs. `threshold` is compared in float64: pass it
/// already rounded to the dtype NumPy compares in (float32 for a float32 `a` and a Python float).
/// Any strides work. Parallel over chunks inside a rayon pool (see the crate docs). `isa` picks
/// the vector build of the contiguous loop (unavailable ones fall back to the best available;
/// all give the same bits).
pub fn masked_hypot<A, B, C>(
    a: ArrayViewD<'_, A>,
    b: ArrayViewD<'_, B>,
    mut out: ArrayViewMutD<'_, C>,
    threshold: f64,
    isa: Isa,
    stop: &AtomicBool,
) -> Result<(), MaskedHypotError>
where
    A: Float,
    B: Float,
    C: Float + From<A> + From<B>,
{
    same_shape(a.shape(), b.shape(), out.shape()).map_err(MaskedHypotError::Shape)?;
    let parallel = in_rayon_pool();
    // All three in C order (the common case): chunks of flat slices.
    if let (Some(a), Some(b), Some(out)) = (a.as_slice(), b.as_slice(), out.as_slice_mut()) {
        let task = |((out, a), b): ((&mut [C], &[A]), &[B])| -> Result<(), Stopped> {
            check(stop)?;
            wide::dispatch(isa, out, a, b, threshold);
            Ok(())
        };
        let n = WORK_BETWEEN_CHECKS;
        if parallel {
            out.par_chunks_mut(n)
                .zip(a.par_chunks(n))
                .zip(b.par_chunks(n))
                .try_for_each(task)?;
        } else {
            out.chunks_mut(n)
                .zip(a.chunks(n))
                .zip(b.chunks(n))
                .try_for_each(task)?;
        }
        return Ok(());
    }
    let whole = |out: ArrayViewMutD<'_, C>, a: ArrayViewD<'_, A>, b: ArrayViewD<'_, B>| {
        Zip::from(out)
            .and(&a)
            .and(&b)
            .for_each(|o, &x, &y| update(o, x, y, threshold));
    };
    if out.ndim() == 0 || out.len() <= WORK_BETWEEN_CHECKS {
        whole(out, a, b);
        return Ok(());
    }
    // Any other layout: chunks of the leading axis, each a strided Zip.
    let row_len = out.len() / out.len_of(Axis(0)).max(1);
    let rows = (WORK_BETWEEN_CHECKS / row_len.max(1)).max(1);
    let task = |((out, a), b): ((ArrayViewMutD<'_, C>, ArrayViewD<'_, A>), ArrayViewD<'_, B>)| {
        check(stop)?;
        whole(out, a, b);
        Ok::<(), Stopped>(())
    };
    let out_chunks = out.axis_chunks_iter_mut(Axis(0), rows);
    let (a_chunks, b_chunks) = (
        a.axis_chunks_iter(Axis(0), rows),
        b.axis_chunks_iter(Axis(0), rows),
    );
    if parallel {
        out_chunks
            .into_par_iter()
            .zip(a_chunks.into_par_iter())
            .zip(b_chunks.into_par_iter())
            .try_for_each(task)?;
    } else {
        out_chunks.zip(a_chunks).zip(b_chunks).try_for_each(task)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, Array, ArrayD, IxDyn};

    static NEVER: AtomicBool = AtomicBool::new(false);

    #[test]
    fn updates_only_where_a_exceeds_threshold() {
        let a = arr1(&[1.0f64, 3.0, f64::NAN, 2.0, 4.0]).into_dyn();
        let b = arr1(&[5.0f64, 4.0, 1.0, 1.0, f64::INFINITY]).into_dyn();
        let mut out = Array::from_elem(IxDyn(&[5]), -1.0f64);
        masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, Isa::Scalar, &NEVER).unwrap();
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
        masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, Isa::Scalar, &NEVER).unwrap();
        assert_eq!(out[[0]], f64::INFINITY);
    }

    #[test]
    fn strided_and_multidimensional_views() {
        let a = Array::from_shape_fn((4, 6), |(i, j)| (i * 6 + j) as f32).into_dyn();
        let b = Array::from_elem((6, 4), 1.0f32).reversed_axes().into_dyn();
        let mut out = ArrayD::<f32>::zeros(IxDyn(&[4, 6]));
        masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, Isa::Scalar, &NEVER).unwrap();
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
    fn large_inputs_give_the_same_result_serially_and_on_pools() {
        let n = 7 * (WORK_BETWEEN_CHECKS / 2 + 1); // > 3 chunks, and 7 rows of a 2-D view
        let a = Array::from_shape_fn(n, |i| (i % 7) as f64).into_dyn();
        let b = Array::from_shape_fn(n, |i| (i % 5) as f32).into_dyn();
        let mut serial = ArrayD::<f64>::zeros(IxDyn(&[n]));
        masked_hypot(
            a.view(),
            b.view(),
            serial.view_mut(),
            2.0,
            Isa::Scalar,
            &NEVER,
        )
        .unwrap();
        let a2 = a
            .view()
            .into_shape_with_order((n / 7, 7))
            .unwrap()
            .reversed_axes()
            .into_dyn();
        let b2 = b
            .view()
            .into_shape_with_order((n / 7, 7))
            .unwrap()
            .reversed_axes()
            .into_dyn();
        let mut strided = ArrayD::<f64>::zeros(IxDyn(&[7, n / 7]));
        masked_hypot(
            a2.view(),
            b2.view(),
            strided.view_mut(),
            2.0,
            Isa::Scalar,
            &NEVER,
        )
        .unwrap();
        for isa in Isa::ALL {
            let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
            masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, isa, &NEVER).unwrap();
            assert_eq!(out, serial, "{}", isa.name());
        }
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
            pool.install(|| {
                masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, Isa::Scalar, &NEVER)
            })
            .unwrap();
            assert_eq!(out, serial);
            let mut out2 = ArrayD::<f64>::zeros(IxDyn(&[7, n / 7]));
            pool.install(|| {
                masked_hypot(
                    a2.view(),
                    b2.view(),
                    out2.view_mut(),
                    2.0,
                    Isa::Scalar,
                    &NEVER,
                )
            })
            .unwrap();
            assert_eq!(out2, strided);
        }
        assert_eq!(
            strided.t().as_standard_layout().as_slice().unwrap(),
            serial.as_slice().unwrap()
        );
    }

    #[test]
    fn a_set_stop_flag_stops_large_inputs() {
        let n = 2 * WORK_BETWEEN_CHECKS;
        let a = ArrayD::<f64>::from_elem(IxDyn(&[n]), 3.0);
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
        let stop = AtomicBool::new(true);
        let err =
            masked_hypot(a.view(), a.view(), out.view_mut(), 2.0, Isa::Scalar, &stop).unwrap_err();
        assert_eq!(err, MaskedHypotError::Stopped(Stopped));
    }

    #[test]
    fn shape_mismatch_is_an_error() {
        let a = ArrayD::<f64>::zeros(IxDyn(&[3]));
        let b = ArrayD::<f64>::zeros(IxDyn(&[4]));
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[3]));
        let err =
            masked_hypot(a.view(), b.view(), out.view_mut(), 2.0, Isa::Scalar, &NEVER).unwrap_err();
        assert!(matches!(err, MaskedHypotError::Shape(_)));
    }
}
