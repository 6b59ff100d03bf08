//! An exact fast path for `do_something` on float32/float64 squares when few distinct rounded
//! values occur (the talk's workload: values below 100 give roots up to 141).
//!
//! With `g(s) = round(sqrt(s))` cast to int64, a pair contributes `g(fl(x + y))` when that is
//! above 10. Every step of `g` and the rounded sum `fl(x + y)` are monotonic, so for each value
//! `k` there is one threshold `t_k`, the smallest float with `g(t_k) >= k`, found by search on
//! the exactly computed `g`, and `g(fl(x + y)) >= k` exactly when `fl(x + y) >= t_k`. A value
//! `v > 10` is `10 + #{k in 11..=v}`, so the total is
//! `10 * N_11 + sum over k of N_k`, with `N_k` the number of pairs with `fl(x + y) >= t_k`.
//! With both inputs sorted, `N_k` is one merge-like sweep: as `x` grows the first `y` reaching
//! the threshold moves one way only. Cost `O(K (n + m))` for `K` values instead of `O(n m)`.

use std::cmp::Ordering;
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::rounded_hypot_sum::sum_rounded_roots;
use crate::simd_row_sum::{BlockSum, Isa};
use crate::square_sum::COUNTED_ABOVE;
use crate::{check, in_rayon_pool, Stopped};

/// A float dtype the sweep works in.
pub trait SweepFloat: BlockSum + PartialOrd {
    fn to_bits_u64(self) -> u64;
    fn from_bits_u64(bits: u64) -> Self;
    fn from_f64(value: f64) -> Self;
    fn is_finite(self) -> bool;
    fn total_cmp(&self, other: &Self) -> Ordering;
    fn plus(self, other: Self) -> Self;
    fn zero() -> Self;
}

macro_rules! sweep_float {
    ($float:ty, $bits:ty) => {
        impl SweepFloat for $float {
            fn to_bits_u64(self) -> u64 {
                u64::from(self.to_bits())
            }
            fn from_bits_u64(bits: u64) -> Self {
                <$float>::from_bits(bits as $bits)
            }
            fn from_f64(value: f64) -> Self {
                value as $float
            }
            fn is_finite(self) -> bool {
                <$float>::is_finite(self)
            }
            fn total_cmp(&self, other: &Self) -> Ordering {
                <$float>::total_cmp(self, other)
            }
            #[inline(always)]
            fn plus(self, other: Self) -> Self {
                self + other
            }
            fn zero() -> Self {
                0.0
            }
        }
    };
}
sweep_float!(f64, u64);
sweep_float!(f32, u32);

/// `g(s)`: the rounded root of one sum, exactly as the brute force computes it.
fn rounded<T: SweepFloat>(sum: T) -> i64 {
    T::rounded_root(sum, T::zero())
}

/// The finite values sorted ascending: NaN and ±inf make every pair's value NaN or infinite,
/// which counts as zero, so they are dropped.
fn sorted_finite<T: SweepFloat>(values: &[T]) -> Vec<T> {
    let mut finite: Vec<T> = values.iter().copied().filter(|v| v.is_finite()).collect();
    finite.sort_unstable_by(T::total_cmp);
    finite
}

/// The smallest non-negative float `s <= largest` with `g(s) >= k` (given `g(largest) >= k`).
fn threshold<T: SweepFloat>(k: i64, largest: T) -> T {
    let reaches = |bits: u64| rounded(T::from_bits_u64(bits)) >= k;
    let top = largest.to_bits_u64();
    // Non-negative floats are ordered like their bit patterns. Start near (k - 0.5)^2 and
    // gallop to a bracket [low, high] with !reaches(low - 1) and reaches(high).
    let guess = T::from_f64((k as f64 - 0.5) * (k as f64 - 0.5))
        .to_bits_u64()
        .min(top);
    let (mut low, mut high) = if reaches(guess) {
        let mut high = guess;
        let mut step = 1u64;
        loop {
            if high < step {
                break (0, high);
            }
            if !reaches(high - step) {
                break (high - step + 1, high);
            }
            high -= step;
            step *= 2;
        }
    } else {
        let mut low = guess + 1;
        let mut step = 1u64;
        loop {
            let probe = (low + step - 1).min(top);
            if reaches(probe) {
                break (low, probe);
            }
            low = probe + 1;
            step *= 2;
        }
    };
    while low < high {
        let middle = low + (high - low) / 2;
        if reaches(middle) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    T::from_bits_u64(high)
}

/// The number of pairs `(x, y)` with `fl(x + y) >= t`, both slices sorted ascending.
fn pairs_reaching<T: SweepFloat>(a: &[T], b: &[T], t: T) -> u64 {
    let m = b.len();
    let mut first = m; // b[first..] are the y with fl(x + y) >= t for the current x
    let mut total = 0u64;
    for (row, &x) in a.iter().enumerate() {
        while first > 0 && x.plus(b[first - 1]) >= t {
            first -= 1;
        }
        if first == 0 {
            // Every y reaches t for this x, hence for every larger x.
            return total + (m as u64) * (a.len() - row) as u64;
        }
        total += (m - first) as u64;
    }
    total
}

/// A plan for the sweep: the sorted inputs and the values to count.
pub struct Sweep<T> {
    a: Vec<T>,
    b: Vec<T>,
    largest_sum: T,
    largest_value: i64,
}

/// The most distinct rounded values the sweep takes on, even when forced.
pub const MAX_VALUES: i64 = 1 << 20;

/// Relative cost of one sweep step against one brute-force pair (SIMD brute force evaluates a
/// pair in well under a nanosecond; a sweep step is a dependent compare-and-branch).
const SWEEP_STEP_COST: u128 = 4;

impl<T: SweepFloat> Sweep<T> {
    /// A sweep plan when it is cheaper than brute force over `a_sq.len() * b_sq.len()` pairs,
    /// `None` otherwise (the caller then uses brute force; both are exact).
    pub fn plan(a_sq: &[T], b_sq: &[T]) -> Option<Self> {
        let pairs = a_sq.len() as u128 * b_sq.len() as u128;
        let inputs = (a_sq.len() + b_sq.len()) as u128;
        // Sorting alone must be clearly cheaper than brute force.
        if pairs < 64 * inputs {
            return None;
        }
        let sweep = Self::new(a_sq, b_sq)?;
        let values = (sweep.largest_value - COUNTED_ABOVE).max(0) as u128;
        let log = 128 - inputs.leading_zeros() as u128;
        let sweep_cost = 2 * inputs * log + SWEEP_STEP_COST * values * inputs;
        (sweep_cost < pairs).then_some(sweep)
    }

    /// A sweep plan whatever it costs, or `None` where the sweep does not apply: when the top
    /// pair's value is not a valid count (NaN, infinite or >= 2**63), values are not monotonic
    /// over all pairs; and beyond [`MAX_VALUES`] distinct values, which would take too long.
    pub fn new(a_sq: &[T], b_sq: &[T]) -> Option<Self> {
        let largest = |values: &[T]| {
            values
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .max_by(T::total_cmp)
        };
        let (Some(a_max), Some(b_max)) = (largest(a_sq), largest(b_sq)) else {
            return Some(Self::nothing());
        };
        let largest_sum = a_max.plus(b_max);
        let largest_value = rounded(largest_sum);
        if largest_value == i64::MIN || !largest_sum.is_finite() {
            return None;
        }
        if largest_value <= COUNTED_ABOVE {
            return Some(Self::nothing());
        }
        if largest_value - COUNTED_ABOVE > MAX_VALUES {
            return None;
        }
        let (a, b) = if in_rayon_pool() {
            rayon::join(|| sorted_finite(a_sq), || sorted_finite(b_sq))
        } else {
            (sorted_finite(a_sq), sorted_finite(b_sq))
        };
        Some(Sweep {
            a,
            b,
            largest_sum,
            largest_value,
        })
    }

    fn nothing() -> Self {
        Sweep {
            a: Vec::new(),
            b: Vec::new(),
            largest_sum: T::zero(),
            largest_value: COUNTED_ABOVE,
        }
    }

    /// The wrapping int64 sum of every value above 10 over all pairs: the same as brute force.
    pub fn sum(&self, stop: &AtomicBool) -> Result<i64, Stopped> {
        let first = COUNTED_ABOVE + 1;
        if self.largest_value < first {
            return Ok(0);
        }
        let count = |k: i64| -> Result<i64, Stopped> {
            check(stop)?;
            let reaching = pairs_reaching(&self.a, &self.b, threshold(k, self.largest_sum)) as i64;
            // A value v > 10 is 10 + #{k in 11..=v}: the first threshold counts 11 times.
            Ok(if k == first {
                reaching.wrapping_mul(first)
            } else {
                reaching
            })
        };
        let values = first..=self.largest_value;
        if in_rayon_pool() {
            values
                .into_par_iter()
                .map(count)
                .try_reduce(|| 0, |x, y| Ok(x.wrapping_add(y)))
        } else {
            values
                .map(count)
                .try_fold(0i64, |total, n| Ok(total.wrapping_add(n?)))
        }
    }
}

/// How `do_something` sums float squares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The cheaper of brute force and the sweep, by [`Sweep::plan`]'s cost model.
    Auto,
    /// Every pair evaluated.
    BruteForce,
    /// The sweep wherever it applies (brute force where it does not).
    Sweep,
}

/// The talk's `do_something` from float squares by `method`; every method gives the same sum.
pub fn sum_float_squares<T: SweepFloat>(
    a_sq: &[T],
    b_sq: &[T],
    method: Method,
    isa: Isa,
    stop: &AtomicBool,
) -> Result<i64, Stopped> {
    let sweep = match method {
        Method::Auto => Sweep::plan(a_sq, b_sq),
        Method::Sweep => Sweep::new(a_sq, b_sq),
        Method::BruteForce => None,
    };
    match sweep {
        Some(sweep) => sweep.sum(stop),
        None => sum_rounded_roots(a_sq, b_sq, isa, stop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static NEVER: AtomicBool = AtomicBool::new(false);

    /// A deterministic pseudo-random sequence (xorshift64*).
    fn random(seed: u64, n: usize, scale: f64) -> Vec<f64> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                let unit =
                    (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
                unit * scale
            })
            .collect()
    }

    fn squares<T: SweepFloat + std::ops::Mul<Output = T>>(values: &[f64]) -> Vec<T> {
        values
            .iter()
            .map(|&v| T::from_f64(v) * T::from_f64(v))
            .collect()
    }

    fn check_matches_brute_force<T: SweepFloat + std::ops::Mul<Output = T>>(a: &[f64], b: &[f64]) {
        let (a_sq, b_sq) = (squares::<T>(a), squares::<T>(b));
        let sweep = Sweep::new(&a_sq, &b_sq).expect("the sweep should apply");
        let brute = sum_rounded_roots(&a_sq, &b_sq, Isa::Scalar, &NEVER).unwrap();
        assert_eq!(sweep.sum(&NEVER).unwrap(), brute);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| sweep.sum(&NEVER)).unwrap(), brute);
    }

    #[test]
    fn matches_brute_force_on_the_talks_workload() {
        check_matches_brute_force::<f64>(&random(1, 900, 100.0), &random(2, 1300, 100.0));
        check_matches_brute_force::<f32>(&random(3, 900, 100.0), &random(4, 1300, 100.0));
    }

    #[test]
    fn matches_brute_force_with_ties_duplicates_and_hostile_values() {
        for float32 in [false, true] {
            let mut a: Vec<f64> = (0..60).map(|k| k as f64 + 0.5).collect();
            a.extend([f64::NAN, f64::INFINITY, -0.0, 0.0, 10.5, 10.5, 11.5]);
            a.extend(random(5, 400, 60.0));
            let mut b = random(6, 500, 40.0);
            b.extend([0.0, 0.0, f64::NAN, f64::NEG_INFINITY, 7.5, 7.5]);
            if float32 {
                check_matches_brute_force::<f32>(&a, &b);
            } else {
                check_matches_brute_force::<f64>(&a, &b);
            }
        }
    }

    #[test]
    fn negative_sums_from_direct_callers_count_as_zero() {
        let a_sq: Vec<f64> = random(7, 300, 2e4).into_iter().map(|v| v - 1e4).collect();
        let b_sq: Vec<f64> = random(8, 300, 2e4).into_iter().map(|v| v - 1e4).collect();
        let sweep = Sweep::new(&a_sq, &b_sq).unwrap();
        assert_eq!(
            sweep.sum(&NEVER),
            sum_rounded_roots(&a_sq, &b_sq, Isa::Scalar, &NEVER)
        );
    }

    #[test]
    fn thresholds_are_the_first_float_reaching_each_value() {
        for k in 11..3000 {
            let t: f32 = threshold(k, 1e8);
            assert!(rounded(t) >= k);
            assert!(rounded(f32::from_bits(t.to_bits() - 1)) < k, "{k}");
            let t: f64 = threshold(k, 1e8);
            assert!(rounded(t) >= k);
            assert!(rounded(f64::from_bits(t.to_bits() - 1)) < k, "{k}");
        }
    }

    #[test]
    fn the_cost_model_declines_many_distinct_values_and_small_inputs() {
        let wide = squares::<f64>(&random(9, 1000, 1e7));
        assert!(Sweep::plan(&wide, &wide).is_none());
        let small = squares::<f64>(&random(10, 5, 100.0));
        assert!(Sweep::plan(&small, &small).is_none());
        // Sums that overflow to inf make the top pair invalid: brute force handles them.
        let huge = vec![f64::MAX; 200];
        assert!(Sweep::new(&huge, &huge).is_none());
        let many = vec![1e16; 200];
        assert!(Sweep::new(&many, &many).is_none());
        let talk = squares::<f64>(&random(12, 10_000, 100.0));
        assert!(Sweep::plan(&talk, &talk).is_some());
    }

    #[test]
    fn nothing_above_ten_sums_to_zero() {
        let small = squares::<f64>(&random(11, 500, 7.0));
        assert_eq!(Sweep::new(&small, &small).unwrap().sum(&NEVER), Ok(0));
    }
}
