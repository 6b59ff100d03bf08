//! The talk's `do_something`: the sum over all pairs `(a_i, b_j)` of
//! `round(sqrt(a_i**2 + b_j**2))` cast to int64, counting only values above 10.
//!
//! The kernel receives the squares `a**2` and `b**2` already computed with NumPy's dtype rules
//! and promoted to the dtype NumPy adds them in (O(n + m) work, done by the caller). What is left,
//! the O(n * m) part, depends only on that dtype: [`crate::square_sum`] says how NumPy turns one
//! pair of squares into a value for each dtype, [`crate::simd_row_sum`] sums blocks of pairs
//! (vector kernels for float32/float64), and this module splits the pairs into such blocks.

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::simd_row_sum::{BlockSum, Isa};
use crate::{check, in_rayon_pool, Stopped, WORK_BETWEEN_CHECKS};

/// The talk's `do_something` from the squares of its inputs: the int64 sum (wrapping on
/// overflow, like NumPy) of every rounded root above
/// [`COUNTED_ABOVE`](crate::square_sum::COUNTED_ABOVE), over all pairs.
///
/// Parallel over blocks of rows inside a rayon pool (see the crate docs); the wrapping sum is
/// associative, so the result does not depend on the split. `isa` picks the vector kernels of
/// float32/float64 (unavailable ones fall back to the best available; all are bit-identical).
pub fn sum_rounded_roots<T: BlockSum>(
    a_sq: &[T],
    b_sq: &[T],
    isa: Isa,
    stop: &AtomicBool,
) -> Result<i64, Stopped> {
    if b_sq.is_empty() {
        return Ok(0);
    }
    // Whole blocks of 8 rows: the vector kernels share each load of b_sq among 8 rows.
    let rows_per_task = (WORK_BETWEEN_CHECKS / b_sq.len())
        .max(1)
        .next_multiple_of(8);
    let task = |rows: &[T]| -> Result<i64, Stopped> {
        check(stop)?;
        Ok(T::block_sum(isa, rows, b_sq))
    };
    if in_rayon_pool() {
        a_sq.par_chunks(rows_per_task)
            .map(task)
            .try_reduce(|| 0, |x, y| Ok(x.wrapping_add(y)))
    } else {
        a_sq.chunks(rows_per_task)
            .try_fold(0i64, |total, rows| Ok(total.wrapping_add(task(rows)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd_row_sum::best_isa;
    use half::f16;
    use std::sync::atomic::Ordering;

    static NEVER: AtomicBool = AtomicBool::new(false);

    fn sum<T: BlockSum>(a_sq: &[T], b_sq: &[T]) -> i64 {
        let serial = sum_rounded_roots(a_sq, b_sq, Isa::Scalar, &NEVER).unwrap();
        for isa in Isa::ALL {
            assert_eq!(sum_rounded_roots(a_sq, b_sq, isa, &NEVER), Ok(serial));
        }
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let parallel = pool.install(|| sum_rounded_roots(a_sq, b_sq, best_isa(), &NEVER));
            assert_eq!(parallel, Ok(serial));
        }
        serial
    }

    fn squares(values: &[f64]) -> Vec<f64> {
        values.iter().map(|v| v * v).collect()
    }

    #[test]
    fn talks_example_gives_1916() {
        let a: Vec<f64> = (0..5).map(f64::from).collect();
        let b: Vec<f64> = (0..30).map(f64::from).collect();
        assert_eq!(sum(&squares(&a), &squares(&b)), 1916);
        let a32: Vec<f32> = squares(&a).iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = squares(&b).iter().map(|&v| v as f32).collect();
        assert_eq!(sum(&a32, &b32), 1916);
    }

    #[test]
    fn empty_inputs_sum_to_zero() {
        assert_eq!(sum::<f64>(&[], &[1.0]), 0);
        assert_eq!(sum::<f64>(&[1.0], &[]), 0);
    }

    #[test]
    fn ties_round_half_to_even() {
        // sqrt(110.25) = 10.5 rounds to 10, which is not counted; sqrt(132.25) = 11.5 gives 12.
        assert_eq!(sum(&[110.25], &[0.0]), 0);
        assert_eq!(sum(&[132.25], &[0.0]), 12);
    }

    #[test]
    fn nan_inf_and_huge_roots_count_as_zero() {
        let a_sq = [f64::NAN, f64::INFINITY, 1e300];
        assert_eq!(sum(&a_sq, &[0.0, 144.0]), 0);
    }

    #[test]
    fn the_sum_wraps_like_int64() {
        // Each root is 2**62; four of them wrap to 0.
        let root = 4_611_686_018_427_387_904.0_f64;
        assert_eq!(sum(&[root * root; 4], &[0.0]), 0);
        assert_eq!(sum(&[root * root; 2], &[0.0]), i64::MIN);
    }

    #[test]
    fn integer_sums_wrap_in_their_dtype() {
        // int8: 100 + 100 wraps to -56, whose root is NaN: counts as zero.
        assert_eq!(sum(&[100i8], &[100i8]), 0);
        // uint8: 200 + 100 wraps to 44 (root 7, not counted); 200 -> 14, 221 -> 15, 121 -> 11.
        assert_eq!(sum(&[200u8, 121], &[100u8, 0]), 14 + 15 + 11);
        assert_eq!(sum(&[i64::MAX], &[1i64]), 0);
    }

    #[test]
    fn float16_rounds_every_step() {
        // 2049 is not a float16; the sum 2048 + 1 rounds to 2048 before the root (45.25 -> 45).
        let x = f16::from_f32(2048.0);
        let y = f16::from_f32(1.0);
        assert_eq!(sum(&[x], &[y]), 45);
    }

    #[test]
    fn a_set_stop_flag_stops_the_computation() {
        let stop = AtomicBool::new(false);
        let (a_sq, b_sq) = (vec![1.0f64; 4], vec![1.0f64; 16]);
        assert_eq!(sum_rounded_roots(&a_sq, &b_sq, Isa::Scalar, &stop), Ok(0));
        stop.store(true, Ordering::Relaxed);
        assert_eq!(
            sum_rounded_roots(&a_sq, &b_sq, Isa::Scalar, &stop),
            Err(Stopped)
        );
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(
            pool.install(|| sum_rounded_roots(&a_sq, &b_sq, Isa::Scalar, &stop)),
            Err(Stopped)
        );
    }

    #[test]
    fn any_thread_count_gives_the_same_wrapping_sum() {
        let a_sq: Vec<f64> = (0..3000).map(|i| (i as f64 * 7.3) % 1e4).collect();
        let b_sq: Vec<f64> = (0..700).map(|i| (i as f64).powi(5)).collect();
        sum(&a_sq, &b_sq);
    }
}
