//! The talk's `do_something`: the sum over all pairs `(a_i, b_j)` of
//! `round(sqrt(a_i**2 + b_j**2))` cast to int64, counting only values above 10.
//!
//! The kernel receives the squares `a**2` and `b**2` already computed with NumPy's dtype rules
//! and promoted to the dtype NumPy adds them in (O(n + m) work, done by the caller). What is left,
//! the O(n * m) part, depends only on that dtype: [`SquareSum`] says how NumPy adds two squares,
//! takes the root, rounds and casts for each dtype, so every dtype is exact by construction.

use half::f16;

use crate::numpy_cast::{f32_to_i64, f64_to_i64};
use crate::WORK_BETWEEN_CHECKS;

/// Rounded roots at or below this value count as zero (the talk's `tmp[tmp <= 10] = 0`).
pub const COUNTED_ABOVE: i64 = 10;

/// A dtype in which NumPy adds the two squares.
pub trait SquareSum: Copy + Send + Sync {
    /// `np.sqrt(x + y).round().astype(np.int64)` with both operands of this dtype.
    fn rounded_root(x: Self, y: Self) -> i64;
}

impl SquareSum for f64 {
    #[inline(always)]
    fn rounded_root(x: f64, y: f64) -> i64 {
        f64_to_i64((x + y).sqrt().round_ties_even())
    }
}

impl SquareSum for f32 {
    #[inline(always)]
    fn rounded_root(x: f32, y: f32) -> i64 {
        f32_to_i64((x + y).sqrt().round_ties_even())
    }
}

/// NumPy computes every float16 operation in float32 and rounds the result to float16.
#[inline(always)]
fn half_rounded_root(sum: f16) -> i64 {
    let root = f16::from_f32(sum.to_f32().sqrt());
    // Rounding a float16 to an integer is exact in float16, so no further rounding step.
    f32_to_i64(root.to_f32().round_ties_even())
}

impl SquareSum for f16 {
    #[inline(always)]
    fn rounded_root(x: f16, y: f16) -> i64 {
        half_rounded_root(f16::from_f32(x.to_f32() + y.to_f32()))
    }
}

/// Integer squares add with wrap-around in their own dtype; `np.sqrt` then converts the sum to
/// float16 (8-bit ints), float32 (16-bit) or float64 (wider), as NumPy's ufunc type resolution
/// picks the first float loop the integer dtype casts to safely.
macro_rules! integer_square_sum {
    (float16: $($int:ty),*) => {$(
        impl SquareSum for $int {
            #[inline(always)]
            fn rounded_root(x: $int, y: $int) -> i64 {
                // Every 8-bit integer is exact in float16.
                half_rounded_root(f16::from_f32(f32::from(x.wrapping_add(y))))
            }
        }
    )*};
    (float32: $($int:ty),*) => {$(
        impl SquareSum for $int {
            #[inline(always)]
            fn rounded_root(x: $int, y: $int) -> i64 {
                f32_to_i64(f32::from(x.wrapping_add(y)).sqrt().round_ties_even())
            }
        }
    )*};
    (float64: $($int:ty),*) => {$(
        impl SquareSum for $int {
            #[inline(always)]
            fn rounded_root(x: $int, y: $int) -> i64 {
                // `as f64` rounds to nearest even, like C's integer to double conversion.
                f64_to_i64((x.wrapping_add(y) as f64).sqrt().round_ties_even())
            }
        }
    )*};
}
integer_square_sum!(float16: i8, u8);
integer_square_sum!(float32: i16, u16);
integer_square_sum!(float64: i32, u32, i64, u64);

/// The part of the sum contributed by one `a_sq` value against all of `b_sq`.
#[inline]
fn row_sum<T: SquareSum>(x: T, b_sq: &[T]) -> i64 {
    b_sq.iter().fold(0i64, |total, &y| {
        let value = T::rounded_root(x, y);
        total.wrapping_add(if value > COUNTED_ABOVE { value } else { 0 })
    })
}

/// The talk's `do_something` from the squares of its inputs: the int64 sum (wrapping on
/// overflow, like NumPy) of every rounded root above [`COUNTED_ABOVE`], over all pairs.
///
/// `check` is called between chunks of rows; its error stops the computation and is returned.
pub fn sum_rounded_roots<T: SquareSum, E>(
    a_sq: &[T],
    b_sq: &[T],
    mut check: impl FnMut() -> Result<(), E>,
) -> Result<i64, E> {
    if b_sq.is_empty() {
        return Ok(0);
    }
    let rows_per_check = (WORK_BETWEEN_CHECKS / b_sq.len()).max(1);
    let mut total = 0i64;
    for rows in a_sq.chunks(rows_per_check) {
        check()?;
        for &x in rows {
            total = total.wrapping_add(row_sum(x, b_sq));
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn never() -> Result<(), Infallible> {
        Ok(())
    }

    fn squares(values: &[f64]) -> Vec<f64> {
        values.iter().map(|v| v * v).collect()
    }

    #[test]
    fn talks_example_gives_1916() {
        let a: Vec<f64> = (0..5).map(f64::from).collect();
        let b: Vec<f64> = (0..30).map(f64::from).collect();
        assert_eq!(
            sum_rounded_roots(&squares(&a), &squares(&b), never),
            Ok(1916)
        );
        let a32: Vec<f32> = squares(&a).iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = squares(&b).iter().map(|&v| v as f32).collect();
        assert_eq!(sum_rounded_roots(&a32, &b32, never), Ok(1916));
    }

    #[test]
    fn empty_inputs_sum_to_zero() {
        assert_eq!(sum_rounded_roots::<f64, _>(&[], &[1.0], never), Ok(0));
        assert_eq!(sum_rounded_roots::<f64, _>(&[1.0], &[], never), Ok(0));
    }

    #[test]
    fn ties_round_half_to_even() {
        // sqrt(110.25) = 10.5 rounds to 10, which is not counted; sqrt(132.25) = 11.5 gives 12.
        assert_eq!(sum_rounded_roots(&[110.25], &[0.0], never), Ok(0));
        assert_eq!(sum_rounded_roots(&[132.25], &[0.0], never), Ok(12));
    }

    #[test]
    fn nan_inf_and_huge_roots_count_as_zero() {
        let a_sq = [f64::NAN, f64::INFINITY, 1e300];
        assert_eq!(sum_rounded_roots(&a_sq, &[0.0, 144.0], never), Ok(0));
    }

    #[test]
    fn the_sum_wraps_like_int64() {
        // Each root is 2**62; four of them wrap to 0.
        let root = 4_611_686_018_427_387_904.0_f64;
        assert_eq!(sum_rounded_roots(&[root * root; 4], &[0.0], never), Ok(0));
        assert_eq!(
            sum_rounded_roots(&[root * root; 2], &[0.0], never),
            Ok(i64::MIN)
        );
    }

    #[test]
    fn integer_sums_wrap_in_their_dtype() {
        // int8: 100 + 100 wraps to -56, whose root is NaN: counts as zero.
        assert_eq!(sum_rounded_roots(&[100i8], &[100i8], never), Ok(0));
        // uint8: 200 + 100 wraps to 44 (root 7, not counted); 200 -> 14, 221 -> 15, 121 -> 11.
        assert_eq!(
            sum_rounded_roots(&[200u8, 121], &[100u8, 0], never),
            Ok(14 + 15 + 11)
        );
        assert_eq!(sum_rounded_roots(&[i64::MAX], &[1i64], never), Ok(0));
    }

    #[test]
    fn float16_rounds_every_step() {
        // 2049 is not a float16; the sum 2048 + 1 rounds to 2048 before the root (45.25 -> 45).
        let x = f16::from_f32(2048.0);
        let y = f16::from_f32(1.0);
        assert_eq!(sum_rounded_roots(&[x], &[y], never), Ok(45));
    }

    #[test]
    fn check_errors_stop_the_computation() {
        let a_sq = vec![1.0f64; 4];
        let b_sq = vec![1.0f64; WORK_BETWEEN_CHECKS];
        let mut calls = 0;
        let result = sum_rounded_roots(&a_sq, &b_sq, || {
            calls += 1;
            if calls == 2 {
                Err("stop")
            } else {
                Ok(())
            }
        });
        assert_eq!(result, Err("stop"));
        assert_eq!(calls, 2);
    }
}
